# Shared by scripts/bench (both tiers), scripts/bench-sweep and scripts/bench-lifecycle: the
# operator jar, the test classpath, the control plane's kubectl, moto's network, the operator's
# memory, teardown. Source it after common.sh, with KUBECONFIG_FILE, OUT (a run's directory) and
# OPERATOR_PID / PROXY_PID (pid files) set.

kc() { "$K8S_BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
record() { echo "$1=$2" >>"$OUT/run.env"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Builds the jar when SF_JAR is not given and the jar is missing or older than the sources.
ensure_jar() {
  if [[ -n "${SF_JAR:-}" ]]; then
    [[ -f "$SF_JAR" ]] || die "SF_JAR=$SF_JAR does not exist"
    JAR="$(cd "$(dirname "$SF_JAR")" && pwd)/$(basename "$SF_JAR")"
    return
  fi
  JAR="$ROOT_DIR/target/serverfleet-operator.jar"
  if [[ -f "$JAR" ]] && [[ -z "$(find "$ROOT_DIR/src/main" "$ROOT_DIR/pom.xml" -newer "$JAR" -print -quit)" ]]; then
    log "operator: $JAR is up to date"
    return
  fi
  command -v mvn >/dev/null || die "mvn is required to build the operator"
  log "operator: building $JAR (mvn -B -q -DskipTests package)"
  (cd "$ROOT_DIR" && mvn -B -q -DskipTests package) || die "the operator build failed (output above)"
  [[ -f "$JAR" ]] || die "the build finished but made no $JAR"
}

# Compiles the tests and sets BENCH_CP to the classpath that runs them (test classes, classes and
# every test-scope dependency), for the Java programs under src/test/.../bench.
bench_classpath() {
  command -v mvn >/dev/null || die "mvn is required"
  log "compiling the tests (mvn -B -q test-compile)"
  local out cp_file
  if ! out="$(cd "$ROOT_DIR" && mvn -B -q test-compile 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "the test sources do not compile; see above"
  fi
  cp_file="$(mktemp)"
  # Online on purpose: a fresh local repository lacks the dependency plugin until Maven fetches it.
  if ! out="$(cd "$ROOT_DIR" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test 2>&1)"; then
    printf '%s\n' "$out" >&2
    rm -f "$cp_file"
    die "could not resolve the test classpath (mvn dependency:build-classpath); see above"
  fi
  BENCH_CP="$ROOT_DIR/target/test-classes:$ROOT_DIR/target/classes:$(cat "$cp_file")"
  rm -f "$cp_file"
}

crd_dir() {
  if [[ -n "${SF_CRD_DIR:-}" ]]; then
    echo "$SF_CRD_DIR"
  elif [[ -d "$(dirname "$JAR")/../crds" ]]; then
    (cd "$(dirname "$JAR")/../crds" && pwd)
  else
    echo "$ROOT_DIR/crds"
  fi
}

# Prints "subnet-a,subnet-b,subnet-c sg": a VPC with one /20 subnet in each of us-east-1a/b/c.
make_network() {
  "$MOTO_PYTHON" - "$MOTO_URL" <<'PY'
import sys
import boto3

ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.43.{16 * i}.0/20", AvailabilityZone=zone)["Subnet"]["SubnetId"]
           for i, zone in enumerate(["us-east-1a", "us-east-1b", "us-east-1c"])]
sg = ec2.create_security_group(GroupName="serverfleet-bench", Description="bench", VpcId=vpc)["GroupId"]
print(",".join(subnets), sg)
PY
}

heap_used_mb() { # PID: heap used right after a full GC, in MB
  jcmd "$1" GC.run >/dev/null 2>&1 || return 0
  jcmd "$1" GC.heap_info 2>/dev/null | tee -a "$OUT/heap.txt" |
    awk '/(heap|generation) +total/ && match($0, /used [0-9]+K/) { kb += substr($0, RSTART + 5, RLENGTH - 6) }
      END { print int(kb / 1024) }'  # G1: one heap line; Serial and Parallel: a line per generation
}

rss_mb() { ps -o rss= -p "$1" 2>/dev/null | awk '{ print int($1 / 1024) }'; }

cpu_s() { # PID: CPU seconds (user + system) the process has used so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null
}

# jvm_details PID: where the memory goes, into $OUT: threads.txt (live threads by name, digits
# folded: "pool-N-thread-N 12"), classes.txt (loaded from jars and the JDK, and mapped from CDS
# archives: the JVM counts them apart), and
# nmt.txt when the JVM runs with -XX:NativeMemoryTracking; records THREADS, CLASSES,
# CLASSES_SHARED and NMT_COMMITTED (MB).
jvm_details() {
  jcmd "$1" Thread.print 2>/dev/null | awk -F'"' '/^"/ { n = $2; gsub(/[0-9]+/, "N", n); c[n]++; t++ }
    END { for (n in c) printf "%5d %s\n", c[n], n; printf "%5d total\n", t }' |
    sort -rn >"$OUT/threads.txt"
  record THREADS "$(awk '$2 == "total" { print $1 }' "$OUT/threads.txt")"
  jcmd "$1" PerfCounter.print 2>/dev/null | grep -E '^(java|sun)\.cls\.(loadedClasses|sharedLoadedClasses|unloadedClasses)=' \
    >"$OUT/classes.txt" || true
  record CLASSES "$(sed -n 's/^java.cls.loadedClasses=//p' "$OUT/classes.txt")"
  record CLASSES_SHARED "$(sed -n 's/^java.cls.sharedLoadedClasses=//p' "$OUT/classes.txt")"
  if jcmd "$1" VM.native_memory summary scale=KB >"$OUT/nmt.txt" 2>&1 && grep -q committed= "$OUT/nmt.txt"; then
    record NMT_COMMITTED "$(awk 'match($0, /committed=[0-9]+KB/) { print int(substr($0, RSTART + 10, RLENGTH - 12) / 1024); exit }' "$OUT/nmt.txt")"
  else
    rm -f "$OUT/nmt.txt"
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "${OPERATOR_PID:-}" ]] && stop_pid operator "$OPERATOR_PID"
  [[ -n "${PROXY_PID:-}" ]] && stop_pid proxy "$PROXY_PID"
  "$ROOT_DIR/scripts/motoctl" stop >/dev/null 2>&1 || true
  "$ROOT_DIR/scripts/sandbox" clean >/dev/null 2>&1 || true
  log "torn down; logs in $OUT"
  exit $rc
}

# start_stack CRD_DIR: a fresh control plane (scripts/sandbox) and moto (scripts/motoctl) on this
# script's ports, whatever an earlier run left gone (processes, etcd data), the CRDs installed.
# Sets MOTO_URL and MOTO_PYTHON.
start_stack() {
  "$ROOT_DIR/scripts/motoctl" stop >/dev/null 2>&1 || true
  "$ROOT_DIR/scripts/sandbox" clean >/dev/null 2>&1 || true
  for port in "$MOTO_PORT" "$PROXY_PORT"; do
    ! port_in_use "$port" || die "port $port is taken (see BENCH_MOTO_PORT, BENCH_PROXY_PORT)"
  done
  "$ROOT_DIR/scripts/sandbox" start >/dev/null
  MOTO_URL="$("$ROOT_DIR/scripts/motoctl" start "$MOTO_PORT")"
  MOTO_PYTHON="$("$ROOT_DIR/scripts/motoctl" ensure 2>/dev/null)"

  install_crds "$1"
}

# install_crds DIR: applies the CRDs and waits until served (kubectl wait fails, rather than
# waits, while a just-created CRD has no conditions yet: hence the retries).
install_crds() {
  log "kubectl apply -f $1"
  kc apply -f "$1" >&2
  wait_until 60 "CRDs established" kc wait --for condition=established --timeout=10s crd/serverfleets.serverfleet.dev ||
    die "the ServerFleet CRD was not established within 60 s"
}

# start_proxy DESCRIPTION ARGS...: scripts/lib/bench_proxy.py between the operator and moto on
# PROXY_PORT, logging every EC2 call to $OUT/proxy.log; ARGS after the log go to the proxy (see
# its usage). Sets PROXY_URL.
start_proxy() {
  local what=$1
  shift
  log "proxy: 127.0.0.1:$PROXY_PORT -> $MOTO_URL, $what (log $OUT/proxy.log)"
  setsid "$MOTO_PYTHON" "$ROOT_DIR/scripts/lib/bench_proxy.py" "$PROXY_PORT" "$MOTO_URL" "$OUT/proxy.log" "$@" \
    >"$OUT/proxy.stderr" 2>&1 </dev/null &
  echo $! >"$PROXY_PID"
  PROXY_URL="http://127.0.0.1:$PROXY_PORT"
  wait_until 30 "proxy: listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" ||
    die "the proxy did not start (see $OUT/proxy.stderr)"
}
