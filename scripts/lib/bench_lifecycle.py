"""The report of scripts/bench-lifecycle (standard library only).

  bench_lifecycle.py DIR

Reads run.env and proxy.log (one JSON line per EC2 call, from bench_proxy.py) in DIR and prints
the figures as a Markdown table: EC2 calls from the apply until status ready, seconds from the
apply until every instance was running (the last RunInstances answer plus the pending time the
proxy reports), until status ready, EC2 calls from the delete until the end of the settle time,
seconds until the resource was gone, process start → /readyz, and RSS after idling.
"""

import json
import os
import sys
from collections import Counter


def read_env(path):
    env = {}
    for line in open(path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            env[k] = v
    return env


def calls_between(calls, start, end):
    return Counter(c["action"] for c in calls if start <= c["t0"] <= end)


def fmt_calls(counter):
    return f"{sum(counter.values())} (" + ", ".join(f"{a} {n}" for a, n in sorted(counter.items())) + ")"


def report(d):
    env = read_env(os.path.join(d, "run.env"))
    calls = []
    for line in open(os.path.join(d, "proxy.log")):
        try:
            calls.append(json.loads(line))
        except ValueError:
            pass
    f = lambda k: float(env[k])  # noqa: E731
    apply, ready, delete, gone, settled = (f("APPLY_START"), f("READY_AT"), f("DELETE_START"),
                                          f("GONE_AT"), f("SETTLED_AT"))
    launches = [c for c in calls if c["action"] == "RunInstances" and c.get("launched") and c["t0"] >= apply]
    running = max(c["t1"] for c in launches) + float(env["PENDING"]) if launches else None
    apply_calls = calls_between(calls, apply, ready)
    by_id = sum(1 for c in calls if apply <= c["t0"] <= ready and c["action"] == "DescribeInstances" and c["ids"])
    delete_calls = calls_between(calls, delete, settled)
    replicas = env["REPLICAS"]
    print(f"bench-lifecycle: one fleet of {replicas}, new instances pending {env['PENDING']} s, sweep "
          f"{env['POLL']}, fast lane {env['FAST_POLL']}, java options {env.get('JAVA_OPTS') or '(none)'}; "
          f"jar {env.get('JAR_REV')}; load {env.get('LOAD_START')} → {env.get('LOAD_END')}")
    print()
    print("| EC2 calls apply→ready | time until N running | time until status ready | calls for deletion "
          "| time until gone | start→ready | RSS idle |")
    print("|---|---|---|---|---|---|---|")
    running_s = f"{running - apply:.1f} s" if running else "?"
    after = f" ({ready - running:+.1f} s after the last running)" if running else ""
    print(f"| {fmt_calls(apply_calls)} | {running_s} | {ready - apply:.1f} s{after} | {fmt_calls(delete_calls)} "
          f"| {gone - delete:.1f} s | {f('READYZ_AT') - f('OPERATOR_START'):.1f} s "
          f"| {env.get('RSS_IDLE', '?')} MB (heap after GC {env.get('HEAP_IDLE', '?')} MB) |")
    print()
    nmt = f", native memory committed {env['NMT_COMMITTED']} MB (NMT)" if env.get("NMT_COMMITTED") else ""
    cpu = lambda a, b: f"{f(b) - f(a):.2f} s" if env.get(a) and env.get(b) else "?"  # noqa: E731
    print(f"CPU used: {env.get('CPU_READYZ', '?')} s until /readyz, {cpu('CPU_READY', 'CPU_IDLE_END')} "
          f"in {env['IDLE']} s idle")
    print(f"JVM at idle: {env.get('THREADS', '?')} threads; classes: {env.get('CLASSES', '?')} loaded from jars "
          f"and the JDK, {env.get('CLASSES_SHARED', '?')} mapped from CDS archives{nmt}; see threads.txt, "
          f"classes.txt")
    print(f"DescribeInstances by id (fast lane) between apply and ready: {by_id}; deletion counted until "
          f"{settled - gone:.0f} s after gone; raw figures in {d}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    report(sys.argv[1])
