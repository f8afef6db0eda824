# The scenarios of scripts/lib/bench_real.sh (see its header), built from bench_real_phases.sh.

# build_settled NAME FILE GROUP COUNT: the starting state of a measured phase, then a restarted
# proxy (full account buckets) and operator (full client buckets), settled.
build_settled() {
  local name=$1 file=$2 group=$3 count=$4
  log "$name: building the starting state"
  start_real_proxy "$name-build"
  start_op main "$PROXY_URL" "$MANAGEMENT_PORT"
  kc apply -f "$SC_DIR/$file" >/dev/null
  wait_group "$group" "$count" settle
  stop_op main
  stop_real_proxy
  log "$name: restarting the proxy and the operator (full buckets), waiting until settled"
  start_real_proxy "$name"
  start_op main "$PROXY_URL" "$MANAGEMENT_PORT"
  wait_group "$group" "$count" settle
}

scenario_cold() {
  begin_scenario cold
  note fleets "$FLEETS"
  note replicas "$REPLICAS"
  floor_phase cold "$FLEETS" "$REPLICAS"
  manifest fleets.yaml fleet main "$FLEETS" "$REPLICAS" "$AMI_OLD"
  start_real_proxy operator
  start_op main "$PROXY_URL" "$MANAGEMENT_PORT"
  log "cold: kubectl apply of $FLEETS fleets x $REPLICAS"
  phase_begin cold main
  kc apply -f "$SC_DIR/fleets.yaml" >/dev/null
  note cold.applied "$(now)"
  wait_group main "$FLEETS" "" "$SC_DIR/cold.ready.tsv"
  phase_end cold main
  if wants idle; then
    wait_group main "$FLEETS" settle
    log "idle: counting EC2 calls for $IDLE_SECONDS s"
    phase_begin idle main
    sleep "$IDLE_SECONDS"
    phase_end idle main
  fi
  count_instances
  stop_all
}

# scenario_change scale|rollout: every fleet to 2R, or to the second AMI.
scenario_change() {
  local kind=$1 replicas=$REPLICAS ami=$AMI_OLD
  begin_scenario "$kind"
  note fleets "$FLEETS"
  note replicas "$REPLICAS"
  floor_phase "$kind" "$FLEETS" "$REPLICAS"
  manifest fleets.yaml fleet main "$FLEETS" "$REPLICAS" "$AMI_OLD"
  build_settled operator fleets.yaml main "$FLEETS"
  if [[ "$kind" == scale ]]; then replicas=$((2 * REPLICAS)); else ami=$AMI_NEW; fi
  manifest changed.yaml fleet main "$FLEETS" "$replicas" "$ami"
  log "$kind: kubectl apply of $FLEETS fleets with replicas $replicas, AMI $ami"
  phase_begin "$kind" main
  kc apply -f "$SC_DIR/changed.yaml" >/dev/null
  wait_group main "$FLEETS" "" "$SC_DIR/$kind.ready.tsv"
  phase_end "$kind" main
  count_instances
  stop_all
}

# Small fleets alone; then next to a big fleet's rollout, from a settled state with full buckets.
scenario_fairness() {
  begin_scenario fairness
  note small_fleets "$SMALL_FLEETS"
  note small_replicas "$SMALL_REPLICAS"
  note big "$BIG"
  manifest small.yaml small alone "$SMALL_FLEETS" "$SMALL_REPLICAS" "$AMI_OLD"
  start_real_proxy alone
  start_op main "$PROXY_URL" "$MANAGEMENT_PORT"
  log "fairness: $SMALL_FLEETS small fleets x $SMALL_REPLICAS alone"
  phase_begin alone main
  kc apply -f "$SC_DIR/small.yaml" >/dev/null
  wait_group alone "$SMALL_FLEETS" "" "$SC_DIR/alone.ready.tsv"
  phase_end alone main
  stop_op main
  stop_real_proxy

  manifest big.yaml big big 1 "$BIG" "$AMI_OLD"
  build_settled operator big.yaml big 1
  manifest big-new.yaml big big 1 "$BIG" "$AMI_NEW"
  manifest late.yaml late late "$SMALL_FLEETS" "$SMALL_REPLICAS" "$AMI_OLD"
  cat "$SC_DIR/big-new.yaml" "$SC_DIR/late.yaml" >"$SC_DIR/together.yaml"
  log "fairness: the big fleet's rollout and $SMALL_FLEETS new small fleets in one kubectl apply"
  phase_begin together main
  kc apply -f "$SC_DIR/together.yaml" >/dev/null
  local late big
  wait_group late "$SMALL_FLEETS" "" "$SC_DIR/late.ready.tsv" &
  late=$!
  wait_group big 1 "" "$SC_DIR/big.ready.tsv" &
  big=$!
  wait "$late" || die "fairness: the small fleets did not converge"
  note together.small_done "$(now)"
  wait "$big" || die "fairness: the big fleet's rollout did not converge"
  phase_end together main
  count_instances
  stop_all
}

# Two operators split by --label-selector, one account (one proxy, a port each). Each takes half of
# the account's buckets (--ec2-rate-limits=share=1/2): with the whole account each, they would
# throttle each other.
scenario_shard() {
  begin_scenario shard
  note fleets "$FLEETS"
  note replicas "$REPLICAS"
  manifest fleets.yaml fleet main "$FLEETS" "$REPLICAS" "$AMI_OLD" a,b
  start_real_proxy shard "$PROXY_PORT=a" "$((PROXY_PORT + 1))=b"
  start_op a "http://127.0.0.1:$PROXY_PORT" "$MANAGEMENT_PORT" --label-selector=shard=a --ec2-rate-limits=share=1/2
  start_op b "http://127.0.0.1:$((PROXY_PORT + 1))" "$((MANAGEMENT_PORT + 1))" --label-selector=shard=b --ec2-rate-limits=share=1/2
  log "shard: kubectl apply of $FLEETS fleets x $REPLICAS, shard=a and shard=b in turn"
  phase_begin shard a b
  kc apply -f "$SC_DIR/fleets.yaml" >/dev/null
  wait_group main "$FLEETS" "" "$SC_DIR/shard.ready.tsv"
  phase_end shard a b
  count_instances
  stop_all
}
