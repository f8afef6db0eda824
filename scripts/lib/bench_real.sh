#!/usr/bin/env bash
# `scripts/bench --real`: the real-stack tier of the benchmarks (issue 11). The packaged operator
# jar as a process, the real kube-apiserver (scripts/sandbox) and moto (scripts/motoctl), with the
# proxy scripts/lib/bench_proxy.py between them enforcing one EC2 account's default token buckets
# (RequestLimitExceeded as EC2 answers it) and logging every call; against the floor, a program on
# the AWS SDK v2 (bench/Ec2Floor) that makes the fewest calls for the same end state as fast as the
# same buckets allow, through the same proxy. A benchmark, not a test: figures depend on the
# machine and its load.
#
#   scripts/bench --real [--quick] [--scenarios cold,idle,scale,rollout,fairness,shard]
#                        [--fleets F] [--replicas R] [--big B] [--small SxR] [--idle-seconds S]
#                        [--label L]
#
# Scenarios (each from a clean state: a fresh control plane, moto reset, a fresh proxy with full
# buckets and its own log, a fresh operator):
#   cold      the floor (Ec2Floor --scenario cold), then the operator: F fleets x R in one kubectl
#             apply (over 10 namespaces, 3 subnets); time from the apply until all READY, 50%, 90%
#   idle      after cold, with the operator settled: EC2 calls per minute by operation over
#             --idle-seconds, next to the target ceil(instances/1000) x polls per minute
#   scale     every fleet to 2R; floor --scenario scale from the same starting state
#   rollout   every fleet to a second AMI, until every fleet has one revision live, all updated,
#             ready, observedGeneration current; floor --scenario rollout
#   fairness  S small fleets of r alone; then one fleet of B started and settled, then its AMI
#             rollout applied together with S new small fleets: their time to READY vs alone
#   shard     two operators (--label-selector shard=a / shard=b), each through its own port of one
#             proxy (one account); F fleets labelled in turn: time until all READY, each shard's
#             calls, heap, RSS, CPU, and a check that no fleet went through both
# Same starting buckets for the operator and the floor: a measured phase (scale, rollout, the
# second half of fairness) starts from a state built first, then the proxy is restarted (full
# account buckets) and so is the operator (full client buckets): an account idle for minutes and an
# operator restarted. The phase starts once the operator has settled: every fleet READY and no EC2
# call but Describe* for --settle seconds.
# For every measured phase: operator and floor seconds, EC2 calls by operation (proxy log),
# throttled answers (the proxy's RequestLimitExceeded, and serverfleet_ec2_throttled_total from
# /metrics), heap after a forced GC, RSS, CPU seconds over the phase, load average.
#
# Output: target/bench/real-<label>/ (per scenario: logs, proxy logs, floor JSON, run.env),
# target/bench/real-<label>.json (all figures), target/bench/cold-start.png (instances live over
# time since the apply, operator vs floor, drawn by bench/BenchChart), a table on stdout.
#
# Sizes: defaults F=100 R=10, B=1000, S=100x2, idle 120 s; --quick: F=20 R=5, B=200, S=10x3, idle
# 60 s (~15 min on 2 busy cores). The issue's 1,000 x 10: --fleets 1000 (the floor alone needs
# 9,000 / 2 s of RunInstances resource tokens: over an hour).
# Environment: BENCH_POLL (operator --poll-interval; default: the operator's), BENCH_JAVA_OPTS,
# BENCH_MAX_SURGE (the fleets' rollingUpdate.maxSurge; default: the operator's 25%; 100% rolls out
# as the floor does, every new instance first),
# BENCH_TIMEOUT (s per wait, 3600), BENCH_SETTLE (5 s), BENCH_WARM (s after the control plane starts,
# 30; 10 with --quick), SF_JAR, SF_CRD_DIR, BENCH_DIR (control plane state, default
# $SF_CACHE_DIR/bench-real), ports BENCH_API_PORT (16543), BENCH_ETCD_PORT (12479),
# BENCH_ETCD_PEER_PORT (12480), BENCH_MOTO_PORT (15200), BENCH_PROXY_PORT (15201; shard b: +1),
# BENCH_MANAGEMENT_PORT (18180; shard b: +1).
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/bench_stack.sh"
source "$(dirname "$0")/bench_real_phases.sh"
source "$(dirname "$0")/bench_real_scenarios.sh"

SCENARIOS=cold,idle,scale,rollout,fairness,shard
FLEETS=100 REPLICAS=10 BIG=1000 SMALL_FLEETS=100 SMALL_REPLICAS=2 IDLE_SECONDS=120
WARM="${BENCH_WARM:-30}"
LABEL="$(date +%Y%m%d-%H%M%S)"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --quick) FLEETS=20 REPLICAS=5 BIG=200 SMALL_FLEETS=10 SMALL_REPLICAS=3 IDLE_SECONDS=60 WARM="${BENCH_WARM:-10}" ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --fleets) FLEETS="$2"; shift ;;
    --replicas) REPLICAS="$2"; shift ;;
    --big) BIG="$2"; shift ;;
    --small) SMALL_FLEETS="${2%x*}" SMALL_REPLICAS="${2#*x}"; shift ;;
    --idle-seconds) IDLE_SECONDS="$2"; shift ;;
    --label) LABEL="$2"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
NAMESPACES=10
TIMEOUT="${BENCH_TIMEOUT:-3600}"
SETTLE="${BENCH_SETTLE:-5}"
JAVA_OPTS="${BENCH_JAVA_OPTS:-}"
MOTO_PORT="${BENCH_MOTO_PORT:-15200}"
PROXY_PORT="${BENCH_PROXY_PORT:-15201}"
MANAGEMENT_PORT="${BENCH_MANAGEMENT_PORT:-18180}"
BENCH_DIR="${BENCH_DIR:-$SF_CACHE_DIR/bench-real}"
RESULTS="$ROOT_DIR/target/bench"
OUT="$RESULTS/real-$LABEL"
CLUSTER_NAME=bench
HELPER="$ROOT_DIR/scripts/lib/bench_real.py"
export SF_SANDBOX_DIR="$BENCH_DIR/sandbox"
export SANDBOX_API_PORT="${BENCH_API_PORT:-16543}"
export SANDBOX_ETCD_PORT="${BENCH_ETCD_PORT:-12479}"
export SANDBOX_ETCD_PEER_PORT="${BENCH_ETCD_PEER_PORT:-12480}"
KUBECONFIG_FILE="$SF_SANDBOX_DIR/kubeconfig"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1

wants() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

main() {
  command -v java >/dev/null || die "java (17+) is required"
  command -v jcmd >/dev/null || die "jcmd (from the JDK) is required"
  local s
  for s in ${SCENARIOS//,/ }; do
    [[ ",cold,idle,scale,rollout,fairness,shard," == *",$s,"* ]] || die "unknown scenario: $s"
  done
  [[ -e "$OUT" ]] && die "$OUT exists; pick another --label"
  mkdir -p "$OUT/pids" "$SF_SANDBOX_DIR"
  OUT_ENV="$OUT/run.env"
  : >"$OUT_ENV"
  ensure_jar
  bench_classpath
  POLL="${BENCH_POLL:-$(python3 "$HELPER" operator-poll "$ROOT_DIR/src/main/java/dev/serverfleet/operator/runtime/OperatorConfig.java")s}"
  record JAR "$JAR"
  record JAR_REV "$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  record SCENARIOS "$SCENARIOS"
  record FLEETS "$FLEETS"
  record REPLICAS "$REPLICAS"
  record BIG "$BIG"
  record SMALL_FLEETS "$SMALL_FLEETS"
  record SMALL_REPLICAS "$SMALL_REPLICAS"
  record IDLE_SECONDS "$IDLE_SECONDS"
  record POLL "$POLL"
  record JAVA_OPTS "$JAVA_OPTS"
  record MAX_SURGE "${BENCH_MAX_SURGE:-}"
  record SETTLE "$SETTLE"
  record LOAD_START "$(load_average)"

  trap real_cleanup EXIT
  trap 'exit 130' INT TERM
  CRDS="$(crd_dir)"
  start_stack "$CRDS"
  read -r AMI_OLD AMI_NEW <<<"$("$MOTO_PYTHON" "$HELPER" amis "$MOTO_URL")"
  record AMI_OLD "$AMI_OLD"
  record AMI_NEW "$AMI_NEW"
  FRESH=1

  if wants cold || wants idle; then scenario_cold; fi
  if wants scale; then scenario_change scale; fi
  if wants rollout; then scenario_change rollout; fi
  if wants fairness; then scenario_fairness; fi
  if wants shard; then scenario_shard; fi

  record LOAD_END "$(load_average)"
  rm -f "$RESULTS/cold-start-series.json"
  "$MOTO_PYTHON" "$ROOT_DIR/scripts/lib/bench_real_report.py" "$OUT" "$RESULTS/real-$LABEL.json" \
    "$RESULTS/cold-start-series.json" | tee "$OUT/report.txt"
  if [[ -s "$RESULTS/cold-start-series.json" ]] && wants cold; then
    java -Djava.awt.headless=true -cp "$BENCH_CP" dev.serverfleet.operator.bench.BenchChart \
      --in "$RESULTS/cold-start-series.json" --out "$RESULTS/cold-start.png" &&
      log "chart: $RESULTS/cold-start.png" || log "BenchChart failed: no chart"
  fi
}

main "$@"
