"""Helpers of `scripts/bench --real` (scripts/lib/bench_real.sh); standard library only, except
`amis`, which needs boto3 (moto's interpreter has it). The report is bench_real_report.py.

  bench_real.py fleets --prefix P --count N --replicas R --namespaces K --subnets A,B,C --sg SG
                       --ami AMI --group G [--shards a,b] [--max-surge N|P%]
      Prints the manifest: K namespaces bench-00.., N ServerFleets P-000.. spread over them,
      labelled bench.serverfleet.dev/group=G (and shard=a, shard=b, ... in turn with --shards);
      with --max-surge, spec.strategy.rollingUpdate.maxSurge (else the operator's default, 25%).

  bench_real.py amis ENDPOINT
      Prints two AMI ids moto knows (describe_images): the rollout's old and new image.

  bench_real.py wait --kubectl K --kubeconfig C --group G --count N [--out FILE] [--timeout S]
                     [--settle S --proxy-log LOG] [--pids PID,PID]
      Polls the group's fleets until all N are converged: Ready=True, observedGeneration =
      generation, and replicas = readyReplicas = updatedReplicas = spec.replicas with one revision
      live (no old instances). Appends "namespace/name epoch-seconds" to FILE the first time each
      one is. With --settle, waits further until the proxy's log shows no call other than
      Describe* for S seconds. Exits 1 on timeout or when one of the pids is gone.

  bench_real.py operator-poll CONFIG_JAVA
      Prints the operator's default --poll-interval in seconds, read from OperatorConfig.java.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

GROUP_LABEL = "bench.serverfleet.dev/group"

FLEET = """---
apiVersion: serverfleet.dev/v1alpha1
kind: ServerFleet
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    {group_label}: {group}{shard}
spec:
  replicas: {replicas}
  template:
    amiId: {ami}
    instanceType: t3.micro
    subnetIds: [{subnets}]
    securityGroupIds: [{sg}]
    tags:
      team: bench
  deletionPolicy: Delete{strategy}
"""


def print_fleets(a):
    for n in range(a.namespaces):
        print(f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench-{n:02d}")
    shards = a.shards.split(",") if a.shards else []
    strategy = f"\n  strategy:\n    rollingUpdate:\n      maxSurge: \"{a.max_surge}\"" if a.max_surge else ""
    for f in range(a.count):
        shard = f"\n    shard: {shards[f % len(shards)]}" if shards else ""
        print(FLEET.format(name=f"{a.prefix}-{f:03d}", namespace=f"bench-{f % a.namespaces:02d}",
                           group_label=GROUP_LABEL, group=a.group, shard=shard, replicas=a.replicas,
                           ami=a.ami, subnets=", ".join(a.subnets.split(",")), sg=a.sg,
                           strategy=strategy), end="")


def print_amis(endpoint):
    import boto3
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    images = [i for i in ec2.describe_images()["Images"] if re.fullmatch(r"ami-[0-9a-f]{17}", i["ImageId"])]
    images.sort(key=lambda i: (not i.get("Name", "").startswith("serverfleet-web"), i.get("Name", "")))
    if len(images) < 2:
        sys.exit("moto knows fewer than two AMIs with 17-digit ids")
    print(images[0]["ImageId"], images[1]["ImageId"])


COLUMNS = ("{.metadata.namespace}/{.metadata.name}|{.metadata.generation}|{.spec.replicas}|"
           "{.status.observedGeneration}|{.status.replicas}|{.status.readyReplicas}|"
           "{.status.updatedReplicas}|{.status.conditions[?(@.type==\"Ready\")].status}|"
           "{.status.revisions[*].revision}")


def fleet_rows(a):
    cmd = [a.kubectl, "--kubeconfig", a.kubeconfig, "get", "serverfleets", "-A", "-l", f"{GROUP_LABEL}={a.group}",
           "--request-timeout", "30s", "-o", "jsonpath={range .items[*]}" + COLUMNS + "{\"\\n\"}{end}"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return []
    return [line.split("|") for line in out.splitlines() if line.count("|") == 8]


def converged(row):
    _, generation, want, observed, replicas, ready, updated, ready_cond, revisions = row
    return (ready_cond == "True" and observed == generation and want != ""
            and replicas == ready == updated == want and len(revisions.split()) <= 1)


class QuietWatch:
    """Follows the proxy's log: when the last call other than a Describe* answered."""

    def __init__(self, path, since):
        self.path, self.offset, self.last = path, 0, since

    def last_busy(self):
        if self.path and os.path.exists(self.path):
            with open(self.path) as f:
                f.seek(self.offset)
                for line in f:
                    if not line.endswith("\n"):
                        break
                    self.offset += len(line)
                    try:
                        c = json.loads(line)
                    except ValueError:
                        continue
                    if not c.get("action", "").startswith("Describe"):
                        self.last = max(self.last, c.get("t1", c["t0"]))
        return self.last


def alive(pid):
    try:
        os.kill(int(pid), 0)
        return True
    except (OSError, ValueError):
        return False


def wait(a):
    start = time.time()
    seen, last_report = {}, start
    quiet = QuietWatch(a.proxy_log, start)
    out = open(a.out, "a") if a.out else None
    while True:
        now = time.time()
        rows = fleet_rows(a)
        for row in rows:
            if row[0] not in seen and converged(row):
                seen[row[0]] = now
                if out:
                    out.write(f"{row[0]} {now:.3f}\n")
                    out.flush()
        done = len(seen) >= a.count and len(rows) >= a.count and all(converged(r) for r in rows)
        if done and a.settle <= 0:
            return 0
        if done and now - quiet.last_busy() >= a.settle and now - max(seen.values()) >= a.settle:
            return 0
        dead = [p for p in (a.pids.split(",") if a.pids else []) if not alive(p)]
        if dead:
            print(f"wait: process {dead} exited", file=sys.stderr)
            return 1
        if now - start > a.timeout:
            print(f"wait: {len(seen)}/{a.count} of group {a.group} converged after {now - start:.0f} s: timeout",
                  file=sys.stderr)
            return 1
        if now - last_report >= 30:
            print(f"[{time.strftime('%H:%M:%S')}] {a.group}: {len(seen)}/{a.count} converged after "
                  f"{now - start:.0f} s" + (" (settling)" if done else ""), file=sys.stderr, flush=True)
            last_report = now
        time.sleep(max(0.0, 1.0 - (time.time() - now)))


def operator_poll(path):
    m = re.search(r'"poll-interval",\s*"\w+",\s*"(\d+)([smh])"', open(path).read())
    if not m:
        sys.exit(f"no poll-interval default found in {path}")
    print(int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)])


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fleets")
    for name in ("prefix", "subnets", "sg", "ami", "group"):
        f.add_argument("--" + name, required=True)
    for name in ("count", "replicas", "namespaces"):
        f.add_argument("--" + name, type=int, required=True)
    f.add_argument("--shards", default="")
    f.add_argument("--max-surge", default="")
    sub.add_parser("amis").add_argument("endpoint")
    w = sub.add_parser("wait")
    for name in ("kubectl", "kubeconfig", "group"):
        w.add_argument("--" + name, required=True)
    w.add_argument("--count", type=int, required=True)
    w.add_argument("--out")
    w.add_argument("--timeout", type=float, default=1800)
    w.add_argument("--settle", type=float, default=0)
    w.add_argument("--proxy-log")
    w.add_argument("--pids", default="")
    sub.add_parser("operator-poll").add_argument("config")
    a = p.parse_args(argv)
    if a.command == "fleets":
        print_fleets(a)
    elif a.command == "amis":
        print_amis(a.endpoint)
    elif a.command == "wait":
        return wait(a)
    else:
        operator_poll(a.config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
