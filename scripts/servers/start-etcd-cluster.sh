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
[[ $n -eq ${#pports[@]} ]] || fail "ETCD_CLIENT_PORTS and ETCD_PEER_PORTS differ in length"
command -v etcd >/dev/null || fail "etcd not found (scripts/install.sh installs etcd-server)"

healthy() { # PORT: /health over plain HTTP/1.1 with bash's /dev/tcp (no curl needed)
  local reply
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
    printf "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3 && cat <&3' "$1" 2>/dev/null) || true
  [[ "$reply" == *'"health":"true"'* ]]
}
ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "--data-dir $2/member-data "; }
in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

initial=""
for ((i = 1; i <= n; i++)); do initial="${initial:+$initial,}n$i=http://127.0.0.1:${pports[i-1]}"; done

declare -a pids started=()
for ((i = 1; i <= n; i++)); do
  d="$base/n$i"
  if [[ -s "$d/etcd.pid" ]] && ours "$(cat "$d/etcd.pid")" "$d"; then
    pids[i]=$(cat "$d/etcd.pid")
    continue
  fi
  in_use "${cports[i-1]}" && fail "127.0.0.1:${cports[i-1]} is already in use"
  in_use "${pports[i-1]}" && fail "127.0.0.1:${pports[i-1]} is already in use"
  mkdir -p "$d/member-data"
  chmod 700 "$d/member-data"
  state=new
  [[ -d "$d/member-data/member" ]] && state=existing
  client="http://127.0.0.1:${cports[i-1]}"
  peer="http://127.0.0.1:${pports[i-1]}"
  rm -f "$d/etcd.pid"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$d/etcd.pid" \
    etcd --name "n$i" --data-dir "$d/member-data" \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "$initial" --initial-cluster-state "$state" \
    --initial-cluster-token "kmeta-cluster-${cports[0]}" \
    --logger zap --log-outputs stderr "$@" \
    >>"$d/etcd.log" 2>&1 </dev/null &
  for _ in $(seq 50); do [[ -s "$d/etcd.pid" ]] && break; sleep 0.1; done
  [[ -s "$d/etcd.pid" ]] || fail "n$i did not start (see $d/etcd.log)"
  pids[i]=$(cat "$d/etcd.pid")
  started+=("${pids[i]}")
done

for _ in $(seq $((ready_timeout * 10))); do
  ok=1
  for ((i = 1; i <= n; i++)); do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      tail -n 20 "$base/n$i/etcd.log" >&2
      for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
      fail "n$i exited while starting"
    fi
    healthy "${cports[i-1]}" || ok=0
  done
  if [[ $ok == 1 ]]; then
    echo "start-etcd-cluster: $n members healthy on ports ${cports[*]} (logs $base/n*/etcd.log)" >&2
    for ((i = 1; i <= n; i++)); do echo "${pids[i]}"; done
    exit 0
  fi
  sleep 0.1
done
for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
fail "cluster not healthy after ${ready_timeout}s (logs $base/n*/etcd.log); stopped the members this run started"
