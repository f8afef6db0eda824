# The building blocks of scripts/lib/bench_real.sh: a clean state, the proxy, operators, the floor,
# waiting, and a measured phase's figures. Each scenario works in its own directory SC_DIR, whose
# run.env (note KEY VALUE) the report (bench_real_report.py) reads.

note() { echo "$1=$2" >>"$SC_DIR/run.env"; }
now() { date +%s.%N; }

# Everything this script started (pid files under $OUT/pids), then the control plane and moto.
real_cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  for f in "$OUT"/pids/*.pid; do
    [[ -e "$f" ]] && stop_pid "$(basename "$f" .pid)" "$f"
  done
  "$ROOT_DIR/scripts/motoctl" stop >/dev/null 2>&1 || true
  "$ROOT_DIR/scripts/sandbox" clean >/dev/null 2>&1 || true
  log "torn down; results in $OUT"
  exit $rc
}

# begin_scenario NAME: SC_DIR, and a clean state: no operator or proxy, a fresh control plane with
# the CRDs (not on the first scenario: start_stack just made it), moto reset with a new network.
begin_scenario() {
  SC_DIR="$OUT/$1"
  mkdir -p "$SC_DIR"
  : >"$SC_DIR/run.env"
  log "=== scenario $1"
  stop_all
  if [[ -z "${FRESH:-}" ]]; then
    "$ROOT_DIR/scripts/sandbox" clean >/dev/null 2>&1 || true
    "$ROOT_DIR/scripts/sandbox" start >/dev/null
    install_crds "$CRDS" 2>/dev/null
    log "control plane: fresh; warming up $WARM s"
    sleep "$WARM"
  fi
  FRESH=
  reset_moto
}

reset_moto() {
  curl -fsS -X POST "$MOTO_URL/moto-api/reset" >/dev/null || die "moto did not reset"
  read -r SUBNETS SG <<<"$(make_network)"
}

stop_all() {
  local f
  for f in "$OUT"/pids/*.pid; do
    [[ -e "$f" ]] && stop_pid "$(basename "$f" .pid)" "$f"
  done
  return 0
}

# start_real_proxy NAME [PORTS...]: the account-limited proxy on PROXY_PORT (label "main") or on the
# given PORT=LABEL pairs, logging to $SC_DIR/NAME.proxy.log; sets PROXY_LOG and PROXY_URL.
start_real_proxy() {
  local name=$1 listen=() spec
  shift
  (($#)) || set -- "$PROXY_PORT=main"
  for spec in "$@"; do
    ! port_in_use "${spec%%=*}" || die "port ${spec%%=*} is taken (see BENCH_PROXY_PORT)"
    listen+=(--listen "$spec")
  done
  PROXY_LOG="$SC_DIR/$name.proxy.log"
  PROXY_URL="http://127.0.0.1:${1%%=*}"
  setsid "$MOTO_PYTHON" "$ROOT_DIR/scripts/lib/bench_proxy.py" "${listen[@]}" --upstream "$MOTO_URL" \
    --log "$PROXY_LOG" --account-limits >"$SC_DIR/$name.proxy.stderr" 2>&1 </dev/null &
  echo $! >"$OUT/pids/proxy.pid"
  wait_until 30 "proxy ($name): listening, account limits on" bash -c "exec 3<>/dev/tcp/127.0.0.1/${1%%=*}" ||
    die "the proxy did not start (see $SC_DIR/$name.proxy.stderr)"
}

stop_real_proxy() { stop_pid proxy "$OUT/pids/proxy.pid"; }

# start_op NAME PROXY_URL MANAGEMENT_PORT [OPTIONS...]: the operator jar as a process, its log in
# $SC_DIR/operator-NAME.N.log (N counts its restarts); waits for /readyz.
start_op() {
  local name=$1 url=$2 port=$3 n=1
  shift 3
  ! port_in_use "$port" || die "port $port is taken (see BENCH_MANAGEMENT_PORT)"
  while [[ -e "$SC_DIR/operator-$name.$n.log" ]]; do n=$((n + 1)); done
  log "operator $name: starting (poll $POLL, EC2 at $url, management port $port $*)"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  KUBECONFIG="$KUBECONFIG_FILE" setsid java $JAVA_OPTS -jar "$JAR" --cluster-name="$CLUSTER_NAME" \
    --region=us-east-1 --ec2-endpoint="$url" --poll-interval="$POLL" --management-port="$port" \
    --leader-election=false "$@" >"$SC_DIR/operator-$name.$n.log" 2>&1 </dev/null &
  echo $! >"$OUT/pids/operator-$name.pid"
  wait_until 180 "operator $name: /readyz ok" curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" || {
    tail -n 40 "$SC_DIR/operator-$name.$n.log" >&2
    die "operator $name did not become ready within 180 s"
  }
  OP_PORT[$name]=$port
}
declare -A OP_PORT=()

op_pid() { cat "$OUT/pids/operator-$1.pid"; }
stop_op() { stop_pid "operator $1" "$OUT/pids/operator-$1.pid"; }

# wait_group GROUP COUNT [settle] [READY_FILE]: until the group's COUNT fleets are converged (and,
# with settle, the operator quiet for SETTLE s); dies on timeout.
wait_group() {
  local group=$1 count=$2 settle=0 out=() pids=() f
  [[ "${3:-}" == settle ]] && settle="$SETTLE"
  [[ -n "${4:-}" ]] && out=(--out "$4")
  for f in "$OUT"/pids/operator-*.pid; do [[ -e "$f" ]] && pids+=("$(<"$f")"); done
  local IFS=,
  python3 "$HELPER" wait --kubectl "$K8S_BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" --group "$group" \
    --count "$count" "${out[@]}" --timeout "$TIMEOUT" --settle "$settle" --proxy-log "$PROXY_LOG" \
    --pids "${pids[*]}" || die "group $group: not converged (see $SC_DIR)"
  log "group $group: $count fleets converged$([[ "$settle" == 0 ]] || echo " and settled")"
}

# manifest FILE PREFIX GROUP COUNT REPLICAS AMI [SHARDS]
manifest() {
  python3 "$HELPER" fleets --prefix "$2" --group "$3" --count "$4" --replicas "$5" --ami "$6" \
    --namespaces "$NAMESPACES" --subnets "$SUBNETS" --sg "$SG" ${7:+--shards "$7"} \
    ${BENCH_MAX_SURGE:+--max-surge "$BENCH_MAX_SURGE"} >"$SC_DIR/$1"
}

throttled_metric() {
  curl -fsS --max-time 20 "http://127.0.0.1:${OP_PORT[$1]}/metrics" 2>/dev/null |
    awk '/^serverfleet_ec2_throttled_total/ { s += $NF } END { print s + 0 }'
}

# phase_begin PHASE OPERATORS...: when it starts, the proxy log it reads, each operator's CPU
# seconds and throttle count so far.
phase_begin() {
  local phase=$1 op
  shift
  note "$phase.proxy_log" "$(basename "$PROXY_LOG")"
  note "$phase.operators" "$*"
  for op in "$@"; do
    note "$phase.$op.cpu0" "$(cpu_s "$(op_pid "$op")")"
    note "$phase.$op.throttled0" "$(throttled_metric "$op")"
  done
  note "$phase.t0" "$(now)"
}

# phase_end PHASE OPERATORS...: the end, load, and per operator CPU, throttles, RSS, heap after GC.
phase_end() {
  local phase=$1 op pid
  shift
  note "$phase.t1" "$(now)"
  note "$phase.load" "$(load_average)"
  for op in "$@"; do
    pid="$(op_pid "$op")"
    note "$phase.$op.cpu1" "$(cpu_s "$pid")"
    note "$phase.$op.throttled1" "$(throttled_metric "$op")"
    curl -fsS --max-time 30 "http://127.0.0.1:${OP_PORT[$op]}/metrics" >"$SC_DIR/$phase.$op.metrics.txt" || true
    note "$phase.$op.rss_mb" "$(rss_mb "$pid")"
    note "$phase.$op.heap_mb" "$(OUT=$SC_DIR heap_used_mb "$pid")"
  done
}

# run_floor NAME SCENARIO FLEETS REPLICAS [AMI_FOR_NEW]: bench/Ec2Floor through the proxy.
run_floor() {
  local name=$1 scenario=$2
  log "floor: $scenario of $3 x $4 (Ec2Floor, log $SC_DIR/$name.floor.log)"
  java -cp "$BENCH_CP" dev.serverfleet.operator.bench.Ec2Floor --endpoint "$PROXY_URL" --region us-east-1 \
    --scenario "$scenario" --fleets "$3" --replicas "$4" --subnets "$SUBNETS" --security-group "$SG" \
    --ami "$AMI_OLD" --new-ami "$AMI_NEW" --out "$SC_DIR/$name.floor.json" >"$SC_DIR/$name.floor.log" 2>&1 || {
    tail -n 30 "$SC_DIR/$name.floor.log" >&2
    die "the floor ($scenario) failed"
  }
  tail -n 1 "$SC_DIR/$name.floor.log" >&2
  note "$name.floor_json" "$name.floor.json"
  note "$name.floor_proxy_log" "$(basename "$PROXY_LOG")"
}

# The floor's phase: its starting state built through one proxy, measured through a fresh one.
floor_phase() {
  local scenario=$1 fleets=$2 replicas=$3
  if [[ ! -f "$ROOT_DIR/target/test-classes/dev/serverfleet/operator/bench/Ec2Floor.class" ]]; then
    log "!!! no bench/Ec2Floor in the test classes: the $scenario floor is not measured"
    return 0
  fi
  reset_moto
  if [[ "$scenario" != cold ]]; then
    start_real_proxy floor-build
    run_floor floor-build cold "$fleets" "$replicas"
    stop_real_proxy
  fi
  start_real_proxy floor
  run_floor floor "$scenario" "$fleets" "$replicas"
  stop_real_proxy
  reset_moto
}

# What moto holds for the operator at the end, and what the fleets ask for.
count_instances() {
  "$MOTO_PYTHON" "$ROOT_DIR/scripts/lib/bench_sweep.py" instances "$MOTO_URL" "$CLUSTER_NAME" >"$SC_DIR/instances.json" ||
    log "could not count the instances in moto"
  kc get serverfleets -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.replicas}{"\n"}{end}' \
    >"$SC_DIR/fleets.tsv"
}
