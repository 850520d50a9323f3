#!/usr/bin/env bash
# Starts a 3-member etcd 3.4 cluster on loopback for fail-over tests, waits until every member is
# healthy, and prints the members' pids on stdout, one a line (n1 n2 n3).
#
#   scripts/servers/start-etcd-cluster.sh BASE [EXTRA_ETCD_ARGS...]
#
# BASE/nK/ holds member-data/, etcd.log and etcd.pid. Client URLs http://127.0.0.1:23891..23893,
# peer URLs 23894..23896. Running members are kept; a missing one (e.g. killed by a test) is started
# again with the same flags and rejoins from its data dir (etcd ignores --initial-cluster* then).
# Env: ETCD_CLIENT_PORTS ("23891 23892 23893"), ETCD_PEER_PORTS ("23894 23895 23896"),
#      ETCD_READY_TIMEOUT (30 s). Stop: scripts/servers/stop.sh BASE/n1 BASE/n2 BASE/n3.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 BASE [EXTRA_ETCD_ARGS...]" >&2; exit 2; }
read -r -a cports <<<"${ETCD_CLIENT_PORTS:-23891 23892 23893}"
read -r -a pports <<<"${ETCD_PEER_PORTS:-23894 23895 23896}"
ready_timeout="${ETCD_READY_TIMEOUT:-30}"
base="$(realpath -m "$1")" # absolute, because stop.sh matches it against /proc/PID/cmdline
shift
n=${#cports[@]}

fail() { echo "start-etcd-cluster: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/_launch.sh"
[[ $n -eq ${#pports[@]} ]] || fail "ETCD_CLIENT_PORTS and ETCD_PEER_PORTS differ in length"
command -v etcd >/dev/null || fail "etcd not found (scripts/install.sh installs etcd-server)"

# all_healthy: every member answers /health with true.
all_healthy() {
  local port
  for port in "${cports[@]}"; do etcd_healthy "$port" || return 1; done
}

initial=""
for ((i = 1; i <= n; i++)); do initial="${initial:+$initial,}n$i=http://127.0.0.1:${pports[i-1]}"; done

# Members already running are kept (and watched); only those started here are stopped on failure.
declare -a pids
for ((i = 1; i <= n; i++)); do
  d="$base/n$i"
  if runs_from "$d/etcd.pid" "--data-dir $d/member-data "; then
    pids[i]=$(cat "$d/etcd.pid")
  else
    require_free "${cports[i-1]}" "${pports[i-1]}"
    mkdir -p "$d/member-data"
    chmod 700 "$d/member-data"
    state=new
    [[ -d "$d/member-data/member" ]] && state=existing
    client="http://127.0.0.1:${cports[i-1]}"
    peer="http://127.0.0.1:${pports[i-1]}"
    rm -f "$d/etcd.pid"
    launch "n$i" "$d/etcd.pid" "$d/etcd.log" \
      etcd --name "n$i" --data-dir "$d/member-data" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "$initial" --initial-cluster-state "$state" \
      --initial-cluster-token "kmeta-cluster-${cports[0]}" \
      --logger zap --log-outputs stderr "$@"
    pids[i]=$launched_pid
  fi
  watch_server "n$i" "${pids[i]}" "$d/etcd.log"
done

if ! await_ready $((ready_timeout * 10)) 0.1 all_healthy; then
  fail "cluster not healthy after ${ready_timeout}s (logs $base/n*/etcd.log); stopped the members this run started"
fi
echo "start-etcd-cluster: $n members healthy on ports ${cports[*]} (logs $base/n*/etcd.log)" >&2
for ((i = 1; i <= n; i++)); do echo "${pids[i]}"; done
