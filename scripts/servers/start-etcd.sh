#!/usr/bin/env bash
# Starts a one-member etcd 3.4 (Debian's `etcd-server` package) for tests, bound to loopback,
# waits until /health reports true, and prints its pid on stdout.
#
#   scripts/servers/start-etcd.sh DIR [EXTRA_ETCD_ARGS...]
#
# DIR holds member-data/, etcd.log and etcd.pid. Running it again for a live DIR just prints the pid.
# Env: ETCD_CLIENT_PORT (23790), ETCD_PEER_PORT (23800), ETCD_READY_TIMEOUT (30 s).
# Extra args go to etcd as-is, e.g. `--max-txn-ops 1024` (the default of 128 limits a multi).
# etcd 3.4 always serves gRPC and the JSON gateway (/v3/...) on the client port.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [EXTRA_ETCD_ARGS...]" >&2; exit 2; }
client_port="${ETCD_CLIENT_PORT:-23790}"
peer_port="${ETCD_PEER_PORT:-23800}"
ready_timeout="${ETCD_READY_TIMEOUT:-30}"
dir="$(realpath -m "$1")" # absolute, because stop.sh matches it against /proc/PID/cmdline
shift
client_url="http://127.0.0.1:$client_port"
peer_url="http://127.0.0.1:$peer_port"
pidfile="$dir/etcd.pid"

fail() { echo "start-etcd: $*" >&2; exit 1; }

# Plain HTTP/1.1 over bash's /dev/tcp, so curl is not required.
healthy() {
  local reply
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
    printf "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3 && cat <&3' "$client_port" 2>/dev/null) || true
  [[ "$reply" == *'"health":"true"'* ]]
}
ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "--data-dir $dir/member-data "; }
in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

command -v etcd >/dev/null || fail "etcd not found (scripts/install.sh installs etcd-server)"

if [[ -s "$pidfile" ]] && ours "$(cat "$pidfile")"; then
  pid=$(cat "$pidfile")
  for _ in $(seq $((ready_timeout * 10))); do healthy && break; sleep 0.1; done
  healthy || fail "pid $pid is running but not healthy on $client_url (see $dir/etcd.log)"
  echo "$pid"
  exit 0
fi
rm -f "$pidfile"
in_use "$client_port" && fail "127.0.0.1:$client_port is already in use"
in_use "$peer_port" && fail "127.0.0.1:$peer_port is already in use"

# etcd warns unless its data dir is private.
mkdir -p "$dir/member-data"
chmod 700 "$dir/member-data"

# The --initial-* flags only matter on first boot; with a WAL present etcd ignores them, so a
# restart on the same DIR keeps its data. The inner shell writes its pid and execs etcd.
setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
  etcd --name n1 --data-dir "$dir/member-data" \
  --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
  --initial-cluster "n1=$peer_url" --initial-cluster-state new \
  --initial-cluster-token "kmeta-$client_port" \
  --logger zap --log-outputs stderr "$@" \
  >>"$dir/etcd.log" 2>&1 </dev/null &
for _ in $(seq 50); do [[ -s "$pidfile" ]] && break; sleep 0.1; done
[[ -s "$pidfile" ]] || fail "etcd did not start (see $dir/etcd.log)"
pid=$(cat "$pidfile")

for _ in $(seq $((ready_timeout * 10))); do
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$dir/etcd.log" >&2
    rm -f "$pidfile"
    fail "etcd exited while starting"
  fi
  if healthy; then
    echo "start-etcd: healthy on $client_url (log $dir/etcd.log)" >&2
    echo "$pid"
    exit 0
  fi
  sleep 0.1
done
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
fail "not healthy after ${ready_timeout}s (see $dir/etcd.log)"
