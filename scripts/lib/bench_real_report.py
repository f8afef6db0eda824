"""The report of `scripts/bench --real` (standard library only).

  bench_real_report.py RUN_DIR OUT_JSON CHART_SERIES_JSON

Reads what scripts/lib/bench_real.sh left in RUN_DIR (run.env, and per scenario directory its
run.env, *.proxy.log, *.floor.json, *.ready.tsv, instances.json, fleets.tsv, operator logs),
writes every figure to OUT_JSON, the cold start's instances-live series (operator vs floor, from
the proxy logs: launched minus terminated) to CHART_SERIES_JSON for bench/BenchChart, and prints
the details, then one table in plain text and in Markdown.
"""

import glob
import json
import math
import os
import re
import sys
from collections import Counter, defaultdict

SHORT = {"RunInstances": "Run", "TerminateInstances": "Term", "DescribeInstances": "DescI",
         "DescribeInstanceStatus": "DescIS", "CreateTags": "Tags", "DeleteTags": "Untag"}


def read_env(path):
    env = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def read_log(path):
    calls = []
    if os.path.exists(path):
        for line in open(path):
            try:
                calls.append(json.loads(line))
            except ValueError:
                pass
    return calls


def calls_in(calls, t0=-math.inf, t1=math.inf, via=None):
    window = [c for c in calls if t0 <= c["t0"] <= t1 and (via is None or c.get("via") == via)]
    return dict(Counter(c["action"] for c in window)), sum(1 for c in window if c.get("throttled"))


def short_calls(calls):
    return ", ".join(f"{SHORT.get(k, k)} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))


def ready_times(path, t0):
    if not os.path.exists(path):
        return []
    return sorted(float(line.split()[1]) - t0 for line in open(path) if line.strip())


def quantile(times, share, n):
    k = math.ceil(share * n) - 1
    return round(times[k], 1) if 0 <= k < len(times) else None


def operator_phase(sc, env, phase, op, via=None):
    t0, t1 = float(env[f"{phase}.t0"]), float(env[f"{phase}.t1"])
    calls, throttled = calls_in(read_log(os.path.join(sc, env[f"{phase}.proxy_log"])), t0, t1, via)
    f = lambda k: env.get(f"{phase}.{op}.{k}")  # noqa: E731
    num = lambda v: float(v) if v not in (None, "") else None  # noqa: E731
    cpu = num(f("cpu1")) - num(f("cpu0")) if num(f("cpu1")) is not None and num(f("cpu0")) is not None else None
    thr = num(f("throttled1")) - num(f("throttled0")) if num(f("throttled1")) is not None else None
    return {"t0": t0, "seconds_phase": round(t1 - t0, 1), "calls": calls, "calls_total": sum(calls.values()),
            "throttled_proxy": throttled, "throttled_metric": None if thr is None else int(thr),
            "heap_mb": num(f("heap_mb")), "rss_mb": num(f("rss_mb")),
            "cpu_s": None if cpu is None else round(cpu, 1), "load": env.get(f"{phase}.load")}


def floor_phase(sc, env, name="floor"):
    path = os.path.join(sc, env.get(f"{name}.floor_json", ""))
    if not env.get(f"{name}.floor_json") or not os.path.exists(path):
        return None
    floor = json.load(open(path))
    calls, throttled = calls_in(read_log(os.path.join(sc, env[f"{name}.floor_proxy_log"])))
    return {"seconds": round(floor.get("seconds", 0), 1), "calls": calls, "calls_total": sum(calls.values()),
            "throttled_proxy": throttled, "throttled_floor": sum((floor.get("throttled") or {}).values()),
            "start": floor.get("start")}


def instances_check(sc):
    held_path, want_path = os.path.join(sc, "instances.json"), os.path.join(sc, "fleets.tsv")
    if not os.path.exists(held_path) or not os.path.exists(want_path):
        return None
    try:
        held = json.load(open(held_path))
    except ValueError:  # the count failed (moto too slow): bench_real.sh logged it
        return {"error": "moto's instances were not counted"}
    want = dict(line.split() for line in open(want_path) if line.strip())
    wrong = {f: {"want": int(n), "live": held["live_by_fleet"].get(f, 0)} for f, n in want.items()
             if held["live_by_fleet"].get(f, 0) != int(n)}
    return {"ever_launched": held["total"], "live": held["live"], "fleets": len(want), "wrong_fleets": wrong}


def scenario(sc, run):
    env = read_env(os.path.join(sc, "run.env"))
    name = os.path.basename(sc)
    out = {"scenario": name, "sizes": {k: int(v) for k, v in env.items() if "." not in k}}
    if name in ("cold", "scale", "rollout"):
        op = operator_phase(sc, env, name, "main")
        times = ready_times(os.path.join(sc, f"{name}.ready.tsv"), op["t0"])
        n = int(env["fleets"])
        op.update(seconds=quantile(times, 1, n), p50=quantile(times, 0.5, n), p90=quantile(times, 0.9, n),
                  ready=f"{len(times)}/{n}")
        out["operator"], out["floor"] = op, floor_phase(sc, env)
        out["target"] = "<= 1.2x floor, 0 throttled" if name == "cold" else ""
    if name == "cold" and "idle.t0" in env:
        idle = operator_phase(sc, env, "idle", "main")
        minutes = idle["seconds_phase"] / 60
        instances = int(env["fleets"]) * int(env["replicas"])
        polls = 60 / float(run["POLL"].rstrip("s"))
        idle["per_minute"] = {k: round(v / minutes, 1) for k, v in idle["calls"].items()}
        idle["target_describe_per_minute"] = math.ceil(instances / 1000) * polls
        out["idle"] = idle
    if name == "fairness":
        alone = operator_phase(sc, env, "alone", "main")
        together = operator_phase(sc, env, "together", "main")
        n = int(env["small_fleets"])
        a = ready_times(os.path.join(sc, "alone.ready.tsv"), alone["t0"])
        b = ready_times(os.path.join(sc, "late.ready.tsv"), together["t0"])
        big = ready_times(os.path.join(sc, "big.ready.tsv"), together["t0"])
        alone.update(seconds=quantile(a, 1, n), p50=quantile(a, 0.5, n))
        together.update(seconds=quantile(b, 1, n), p50=quantile(b, 0.5, n), big_rollout_seconds=quantile(big, 1, 1))
        out.update(alone=alone, together=together, target="<= 2x alone")
    if name == "shard":
        out["shards"] = {s: operator_phase(sc, env, "shard", s, via=s) for s in ("a", "b")}
        t = ready_times(os.path.join(sc, "shard.ready.tsv"), out["shards"]["a"]["t0"])
        out["seconds"] = quantile(t, 1, int(env["fleets"]))
        out["violations"] = shard_violations(sc, env)
    out["instances"] = instances_check(sc)
    return out


FLEET_DOC = re.compile(r"name: (\S+)\n  namespace: (\S+)\n  labels:\n(?:    \S+: \S+\n)*?    shard: (\S+)")
FLEET_NAME = re.compile(r"\bbench-\d\d/fleet-\d{3}\b")


def shard_violations(sc, env):
    """Fleets whose launches or terminations came through the other shard's port, or whose name the
    other shard's operator logged."""
    shard_of = {f"{ns}/{name}": s for name, ns, s in FLEET_DOC.findall(open(os.path.join(sc, "fleets.yaml")).read())}
    fleet_of, vias = {}, defaultdict(set)
    for c in read_log(os.path.join(sc, env["shard.proxy_log"])):
        if c["action"] == "RunInstances" and c.get("fleet"):
            vias[c["fleet"]].add(c.get("via"))
            for i in c.get("launched", []):
                fleet_of[i] = c["fleet"]
        for i in c.get("terminated", []):
            if i in fleet_of:
                vias[fleet_of[i]].add(c.get("via"))
    problems = [f"{f}: EC2 calls through {sorted(v)}, shard {shard_of.get(f)}" for f, v in sorted(vias.items())
                if v != {shard_of.get(f)}]
    problems += [f"{f}: never launched" for f in sorted(shard_of) if f not in vias]
    for s in ("a", "b"):
        for path in glob.glob(os.path.join(sc, f"operator-{s}.*.log")):
            named = set(FLEET_NAME.findall(open(path, errors="replace").read()))
            problems += [f"{f}: named in {os.path.basename(path)}, shard {shard_of.get(f)}"
                         for f in sorted(named) if shard_of.get(f) != s]
    return problems


def fmt(v, unit=""):
    return "-" if v is None else (f"{v:.0f}{unit}" if isinstance(v, float) else f"{v}{unit}")


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def row(label, op, floor_s, target):
    thr = f"{op['throttled_proxy']} / {fmt(op['throttled_metric'])}"
    return [label, fmt(op.get("seconds")), fmt(floor_s), ratio(op.get("seconds"), floor_s), str(op["calls_total"]),
            thr, fmt(op["heap_mb"], " MB"), fmt(op["rss_mb"], " MB"), fmt(op["cpu_s"]), target]


def table_rows(results):
    rows = []
    for r in results:
        name = r["scenario"]
        if "operator" in r:
            f = r["floor"] or {}
            rows.append(row(name, r["operator"], f.get("seconds"), r["target"]))
            if f:
                rows.append([f"{name}: floor", fmt(f["seconds"]), "", "", str(f["calls_total"]),
                             f"{f['throttled_proxy']} / {f['throttled_floor']}", "", "", "", ""])
        if "idle" in r:
            i = r["idle"]
            per_min = sum(i["per_minute"].values())
            rows.append(["idle (calls/min)", fmt(i["seconds_phase"]), "", "", f"{per_min:.1f}/min",
                         f"{i['throttled_proxy']} / {fmt(i['throttled_metric'])}", fmt(i["heap_mb"], " MB"),
                         fmt(i["rss_mb"], " MB"), fmt(i["cpu_s"]),
                         f"DescI {i['target_describe_per_minute']:.0f}/min"])
        if name == "fairness":
            rows.append(row("fairness (floor s = small fleets alone)", r["together"],
                            r["alone"].get("seconds"), r["target"]))
        if name == "shard":
            for s, op in r["shards"].items():
                op = dict(op, seconds=r["seconds"])
                rows.append(row(f"shard {s}", op, None, "clean split" if not r["violations"] else "VIOLATED"))
    return rows


HEADER = ["scenario", "operator s", "floor s", "ratio", "calls", "throttled (proxy / metric)", "heap",
          "RSS", "CPU s", "target"]


def print_tables(rows):
    widths = [max(len(str(x[i])) for x in rows + [HEADER]) for i in range(len(HEADER))]
    for r in [HEADER] + rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip())
    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")


def series(calls, t0):
    live, points = 0, [[0.0, 0]]
    for c in sorted(calls, key=lambda c: c.get("t1", c["t0"])):
        delta = len(c.get("launched", [])) - len(c.get("terminated", []))
        if delta and c["t0"] >= t0:
            live += delta
            points.append([round(c["t1"] - t0, 2), live])
    return points


def chart_series(run_dir, cold):
    if not cold or not cold.get("floor"):
        return None
    sc = os.path.join(run_dir, "cold")
    env = read_env(os.path.join(sc, "run.env"))
    op_calls = read_log(os.path.join(sc, env["cold.proxy_log"]))
    floor_calls = read_log(os.path.join(sc, env["floor.floor_proxy_log"]))
    floor_t0 = cold["floor"].get("start") or min((c["t0"] for c in floor_calls), default=0)
    return {"title": f"Cold start: {cold['sizes']['fleets']} fleets x {cold['sizes']['replicas']} "
                     "(instances live, from the EC2 proxy's log)",
            "xLabel": "seconds since the apply", "yLabel": "instances running",
            "series": [{"name": "operator", "points": series(op_calls, cold["operator"]["t0"])},
                       {"name": "floor (SDK v2)", "points": series(floor_calls, floor_t0)}]}


def details(r):
    print(f"== {r['scenario']} {json.dumps(r['sizes'])}")
    for key in ("operator", "floor", "idle", "alone", "together"):
        if r.get(key):
            p = r[key]
            extra = {k: p[k] for k in ("seconds", "p50", "p90", "ready", "big_rollout_seconds", "per_minute",
                                       "target_describe_per_minute", "load") if k in p}
            print(f"  {key}: calls {short_calls(p['calls'])}; {json.dumps(extra)}")
    for s, p in (r.get("shards") or {}).items():
        print(f"  shard {s}: calls {short_calls(p['calls'])}")
    for v in r.get("violations") or []:
        print(f"  !!! SHARD VIOLATION: {v}")
    i = r.get("instances")
    if i and "error" in i:
        print(f"  moto: {i['error']}")
    elif i:
        flag = "" if not i["wrong_fleets"] else f"  !!! WRONG COUNTS: {json.dumps(i['wrong_fleets'])}"
        print(f"  moto: {i['ever_launched']} instances ever launched, {i['live']} live, {i['fleets']} fleets, "
              f"{len(i['wrong_fleets'])} with a live count other than their replicas{flag}")


def main(run_dir, out_json, chart_json):
    run = read_env(os.path.join(run_dir, "run.env"))
    order = ["cold", "scale", "rollout", "fairness", "shard"]
    results = [scenario(os.path.join(run_dir, s), run) for s in order if os.path.isdir(os.path.join(run_dir, s))]
    json.dump({"run": run, "scenarios": results}, open(out_json, "w"), indent=1)
    chart = chart_series(run_dir, next((r for r in results if r["scenario"] == "cold"), None))
    if chart:
        json.dump(chart, open(chart_json, "w"))
    print(f"scripts/bench --real: jar {run.get('JAR_REV')}, poll {run.get('POLL')}, java options "
          f"{run.get('JAVA_OPTS') or '(none)'}, maxSurge {run.get('MAX_SURGE') or '25% (default)'}, "
          f"load {run.get('LOAD_START')} -> {run.get('LOAD_END')}")
    for r in results:
        details(r)
    print()
    print_tables(table_rows(results))
    print(f"\n(figures: {out_json}; logs: {run_dir})")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(*sys.argv[1:])
