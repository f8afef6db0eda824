# Shared settings for the project's scripts. Source it; it sets nothing outside these names.
# Caches live outside the repository so a clean clone reuses them.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_VERSION="${K8S_VERSION:-1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.4}"
MOTO_VERSION="${MOTO_VERSION:-5.2.1}"
HELM_VERSION="${HELM_VERSION:-3.19.0}"
KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
K8S_BIN_DIR="$KUBE_API_TEST_DIR/k8s/${K8S_VERSION}-linux-amd64"
SF_CACHE_DIR="${SF_CACHE_DIR:-$HOME/.cache/serverfleet}"
export KUBE_API_TEST_DIR

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Long-running local servers (sandbox control plane, moto, demo operator): pid files, logs, data.
SF_SANDBOX_DIR="${SF_SANDBOX_DIR:-$SF_CACHE_DIR/sandbox}"
MOTO_AMIS_PATH="${MOTO_AMIS_PATH:-$ROOT_DIR/scripts/moto/amis.json}"

# pid_alive FILE: true when FILE holds the pid of a live process.
pid_alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(<"$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# stop_pid NAME FILE: stop the process whose pid FILE holds (TERM, then KILL after 10 s), remove FILE.
stop_pid() {
  local name=$1 file=$2 pid i
  if ! pid_alive "$file"; then
    log "$name: not running"
    rm -f "$file"
    return 0
  fi
  pid="$(<"$file")"
  log "$name: stopping (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after 10 s, killing"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# wait_until SECONDS DESCRIPTION COMMAND...: retry COMMAND every second until it succeeds.
wait_until() {
  local timeout=$1 what=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < timeout)) || return 1
    sleep 1
  done
  log "$what (after $((SECONDS - start)) s)"
}
