#!/usr/bin/env bash
# Stops servers started by start-zk.sh / start-etcd.sh.
#
#   scripts/servers/stop.sh DIR [DIR...]
#
# For each DIR/*.pid: SIGTERM, wait up to STOP_TIMEOUT seconds (15; an etcd member that lost its
# peers can take ~5 s), then SIGKILL. A pid is only signalled while its command line still names
# DIR, so a recycled pid is never hit. Nothing is ever killed by process name.
set -uo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [DIR...]" >&2; exit 2; }
stop_timeout="${STOP_TIMEOUT:-15}"
status=0
for arg in "$@"; do
  dir="$(realpath -m "$arg")"
  for pidfile in "$dir"/*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    if [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq $((stop_timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "stop: $pid ignored SIGTERM for ${stop_timeout}s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || status=1
      fi
      echo "stop: stopped $pid ($pidfile)" >&2
    fi
    rm -f "$pidfile"
  done
done
exit "$status"
