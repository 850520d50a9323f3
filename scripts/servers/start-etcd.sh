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
source "$(dirname "${BASH_SOURCE[0]}")/_launch.sh"

command -v etcd >/dev/null || fail "etcd not found (scripts/install.sh installs etcd-server)"

if runs_from "$pidfile" "--data-dir $dir/member-data "; then
  pid=$(cat "$pidfile")
  poll $((ready_timeout * 10)) 0.1 etcd_healthy "$client_port" ||
    fail "pid $pid is running but not healthy on $client_url (see $dir/etcd.log)"
  echo "$pid"
  exit 0
fi
rm -f "$pidfile"
require_free "$client_port" "$peer_port"

# etcd warns unless its data dir is private.
mkdir -p "$dir/member-data"
chmod 700 "$dir/member-data"

# The --initial-* flags only matter on first boot; with a WAL present etcd ignores them, so a
# restart on the same DIR keeps its data.
launch etcd "$pidfile" "$dir/etcd.log" \
  etcd --name n1 --data-dir "$dir/member-data" \
  --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
  --initial-cluster "n1=$peer_url" --initial-cluster-state new \
  --initial-cluster-token "kmeta-$client_port" \
  --logger zap --log-outputs stderr "$@"
pid=$launched_pid
watch_server etcd "$pid" "$dir/etcd.log"
undo_files+=("$pidfile")

if await_ready $((ready_timeout * 10)) 0.1 etcd_healthy "$client_port"; then
  echo "start-etcd: healthy on $client_url (log $dir/etcd.log)" >&2
  echo "$pid"
  exit 0
fi
fail "not healthy after ${ready_timeout}s (see $dir/etcd.log)"
