"""Helpers of scripts/bench-sweep (standard library only; run with any python3 >= 3.9).

  (the logging proxy between the operator and moto is bench_proxy.py)

  bench_sweep.py fleets FLEETS REPLICAS NAMESPACES SUBNET,SUBNET,... SG
      Prints the manifest of NAMESPACES namespaces and FLEETS ServerFleets spread over them.

  bench_sweep.py instances ENDPOINT CLUSTER
      Prints, as JSON, how many instances moto holds with the cluster tag (ever launched, live,
      live per fleet); needs boto3, which moto's interpreter has.

  bench_sweep.py report DIR
      Reads what bench-sweep left in DIR (proxy.log, operator.log, ready.tsv, metrics.txt,
      run.env, heap.txt, instances.json) and prints the figures.
"""

import json
import os
import re
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timezone

FLEET_TAG = "serverfleet.dev/fleet"


# ---------------------------------------------------------------------------------------------
# fleets

FLEET = """---
apiVersion: serverfleet.dev/v1alpha1
kind: ServerFleet
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
  template:
    amiId: ami-0abcdef1234567890
    instanceType: t3.micro
    subnetIds: [{subnets}]
    securityGroupIds: [{sg}]
    userData: |
      #!/bin/bash
      echo "hello from $(hostname)"
    tags:
      team: bench
  deletionPolicy: Delete
"""


def print_fleets(fleets, replicas, namespaces, subnets, sg):
    for n in range(namespaces):
        print(f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench-{n:02d}")
    for f in range(fleets):
        print(FLEET.format(name=f"fleet-{f:03d}", namespace=f"bench-{f % namespaces:02d}", replicas=replicas,
                           subnets=", ".join(subnets.split(",")), sg=sg), end="")


# ---------------------------------------------------------------------------------------------
# report

def read_env(path):
    env = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def gaps(calls_by_fleet):
    """fleet -> (gap seconds, number of calls)"""
    return {f: (max(ts) - min(ts), len(ts)) for f, ts in calls_by_fleet.items()}


def describe_gaps(name, by_fleet, out):
    g = gaps(by_fleet)
    if not g:
        out.append(f"  {name}: no RunInstances seen")
        return
    worst = max(g.items(), key=lambda kv: kv[1][0])
    values = sorted(v[0] for v in g.values())
    out.append(f"  {name}: longest {worst[1][0]:.1f} s ({worst[0]}, {worst[1][1]} calls); "
               f"median {statistics.median(values):.1f} s, p90 {values[int(0.9 * (len(values) - 1))]:.1f} s "
               f"over {len(g)} fleets")


def fmt_duration(s):
    s = int(round(s))
    return f"{s} s ({s // 60} min {s % 60:02d} s)"


def report(d):
    env = read_env(os.path.join(d, "run.env"))
    t_apply = float(env.get("APPLY_START", "0"))
    fleets = int(env.get("FLEETS", "0"))
    out = []
    out.append(f"bench-sweep: {env.get('FLEETS')} fleets x {env.get('REPLICAS')} replicas in "
               f"{env.get('NAMESPACES')} namespaces, poll {env.get('POLL')}, DescribeInstances delay "
               f"{env.get('DESCRIBE_DELAY')} s")
    out.append(f"  jar: {env.get('JAR')} ({env.get('JAR_REV', '?')})")
    out.append(f"  java options: {env.get('JAVA_OPTS') or '(none)'}; load average at start: {env.get('LOAD_START', '?')}, "
               f"at end: {env.get('LOAD_END', '?')}")

    # readiness
    ready = {}
    path = os.path.join(d, "ready.tsv")
    if os.path.exists(path):
        for line in open(path):
            fleet, t = line.split()
            ready[fleet] = float(t) - t_apply
    times = sorted(ready.values())
    out.append("")
    out.append("time until READY (Ready=True and readyReplicas = replicas), from the start of the apply:")
    out.append(f"  apply of all manifests took {float(env.get('APPLY_END', t_apply)) - t_apply:.1f} s")
    if len(ready) >= fleets > 0:
        out.append(f"  all {fleets} READY after {fmt_duration(times[-1])}")
    else:
        out.append(f"  NOT all READY: {len(ready)}/{fleets} after {fmt_duration(float(env.get('WAIT_END', t_apply)) - t_apply)}")
    for share in (0.5, 0.9):
        k = int(share * fleets + 0.999) - 1
        if 0 <= k < len(times):
            out.append(f"  {int(share * 100)}% ({k + 1}) READY after {times[k]:.0f} s")
    waited = float(env.get("WAIT_END", t_apply)) - t_apply
    marks = [m for m in (1, 2, 3, 5, 7, 10, 15, 20, 30) if m * 60 <= waited]
    marks += [m for m in (1, 2, 3, 5, 7, 10, 15, 20, 30) if m * 60 > waited][:1]
    within = [f"{m} min {sum(1 for t in times if t <= m * 60)}" for m in marks]
    out.append("  READY within: " + ", ".join(within))

    # RunInstances spread per fleet
    out.append("")
    out.append("gap between a fleet's first and last RunInstances:")
    proxy_calls = []
    path = os.path.join(d, "proxy.log")
    if os.path.exists(path):
        for line in open(path):
            try:
                proxy_calls.append(json.loads(line))
            except ValueError:
                pass
    run_by_fleet = defaultdict(list)
    for c in proxy_calls:
        if c["action"] == "RunInstances" and c.get("fleet"):
            run_by_fleet[c["fleet"]].append(c["t0"])
    describe_gaps("per call, as the proxy saw them arrive (every attempt, failed ones too)", run_by_fleet, out)
    launched_by_fleet = defaultdict(list)
    path = os.path.join(d, "operator.log")
    pattern = re.compile(r"^(\S+) .* (\S+/\S+) Normal Launched: Launched (\d+) instance")
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            m = pattern.match(line)
            if m:
                t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
                launched_by_fleet[m.group(2)].append(t)
    describe_gaps("per Launched event in the operator's log (successful launches)", launched_by_fleet, out)

    # EC2 calls
    out.append("")
    out.append("EC2 calls by operation (the operator's serverfleet_ec2_calls_seconds_{count,sum}; a DescribeInstances"
               " sweep counts once whatever its pages):")
    counts, sums = {}, {}
    path = os.path.join(d, "metrics.txt")
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r'serverfleet_ec2_calls_seconds_(count|sum)\{(.*)\} (\S+)', line)
            if m:
                labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
                key = (labels.get("operation"), labels.get("outcome"))
                (counts if m.group(1) == "count" else sums)[key] = float(m.group(3))
    for key in sorted(counts):
        n = counts[key]
        mean = sums.get(key, 0) / n if n else 0
        out.append(f"  {key[0]:<24} {key[1]:<12} {int(n):>6}   mean {mean:.2f} s")
    if not counts:
        out.append("  (no metrics scraped)")
    out.append("EC2 requests as the proxy saw them until /metrics was read (every HTTP request, SDK retries and"
               " pages included):")
    by_action = defaultdict(list)
    scraped = float(env.get("SCRAPE_AT", "inf"))
    for c in proxy_calls:
        if "t1" in c and c["t1"] <= scraped:
            by_action[(c["action"], "ok" if c.get("status", 500) < 400 else c.get("error", "error"))].append(
                c["t1"] - c["t0"])
    for key in sorted(by_action):
        v = by_action[key]
        out.append(f"  {key[0]:<24} {key[1]:<20} {len(v):>6}   mean {statistics.mean(v):.2f} s, max {max(v):.2f} s")

    # what EC2 holds
    path = os.path.join(d, "instances.json")
    if os.path.exists(path):
        held = json.load(open(path))
        wrong = {f: n for f, n in held["live_by_fleet"].items() if n != int(env.get("REPLICAS", "0"))}
        out.append("")
        out.append(f"instances in moto tagged with the operator's cluster: {held['total']} ever launched, "
                   f"{held['live']} live; fleets whose live count is not {env.get('REPLICAS')}: "
                   f"{len(wrong) + fleets - len(held['live_by_fleet'])}" + (f" {wrong}" if wrong else ""))

    # memory
    out.append("")
    out.append("operator memory:")
    for when in ("START", "END"):
        heap = env.get(f"HEAP_{when}")
        rss = env.get(f"RSS_{when}")
        label = "after start, before the apply" if when == "START" else "at the end"
        out.append(f"  {label}: heap used after GC {heap or '?'} MB, RSS {rss or '?'} MB")
    committed = re.findall(r"total (\d+)K, used", open(os.path.join(d, "heap.txt")).read()) \
        if os.path.exists(os.path.join(d, "heap.txt")) else []
    out.append(f"  at the end, after the forced GC: RSS {env.get('RSS_END_AFTER_GC', '?')} MB, heap committed "
               f"{int(committed[-1]) // 1024 if committed else '?'} MB")
    out.append(f"  peak RSS seen during the run: {env.get('RSS_PEAK', '?')} MB")
    out.append(f"  (logs and raw figures: {d})")
    text = "\n".join(out)
    print(text)

    # one line for tables
    summary = {
        "all_ready_s": round(times[-1]) if len(ready) >= fleets > 0 else None,
        "ready": f"{len(ready)}/{fleets}",
        "max_run_gap_s": round(max((v[0] for v in gaps(run_by_fleet).values()), default=0), 1),
        "calls": {f"{k[0]}/{k[1]}": int(v) for k, v in counts.items()},
        "heap_after_gc_mb": env.get("HEAP_END"),
        "instances_ever_launched": json.load(open(os.path.join(d, "instances.json")))["total"]
        if os.path.exists(os.path.join(d, "instances.json")) else None,
        "rss_mb": env.get("RSS_END"),
        "rss_peak_mb": env.get("RSS_PEAK"),
        "rss_after_gc_mb": env.get("RSS_END_AFTER_GC"),
    }
    print("SUMMARY " + json.dumps(summary, sort_keys=True))


def count_instances(endpoint, cluster):
    """Every instance moto holds with the cluster tag, in any state (moto keeps terminated ones)."""
    import boto3  # moto's interpreter has it
    from botocore.config import Config
    # Moto renders thousands of instances slowly (over a minute for 4,000 on 2 busy cores).
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(read_timeout=600, retries={"max_attempts": 1}))
    total, live, by_fleet = 0, 0, defaultdict(int)
    # The tag is matched here: moto's tag filter is far slower than listing everything.
    for page in ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 1000}):
        for reservation in page["Reservations"]:
            for i in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in i.get("Tags", [])}
                if tags.get("serverfleet.dev/cluster") != cluster:
                    continue
                total += 1
                if i["State"]["Name"] in ("pending", "running"):
                    live += 1
                    by_fleet[tags.get(FLEET_TAG, "-")] += 1
    print(json.dumps({"total": total, "live": live, "live_by_fleet": by_fleet}))


def main(argv):
    if len(argv) == 7 and argv[1] == "fleets":
        print_fleets(int(argv[2]), int(argv[3]), int(argv[4]), argv[5], argv[6])
    elif len(argv) == 4 and argv[1] == "instances":
        count_instances(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "report":
        report(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
