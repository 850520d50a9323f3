# Sourced by the start-*.sh scripts: what they share to launch a server detached, find it again by its
# pid file and wait until it is ready. The caller defines fail() (its message prefix, exit 1) first.
# These functions do not rely on `set -e`, which bash ignores inside a function called from a test
# (`if f`, `f || ...`): each checks what it needs and calls fail or returns a status.

# Servers await_ready watches (pid, name for messages, log to show), and what a failed start undoes:
# the pids to stop and the files (pid files) to remove.
watch_pids=() watch_names=() watch_logs=()
undo_pids=() undo_files=()

# poll TRIES STEP CMD...: runs CMD, and again after each of up to TRIES pauses of STEP seconds, until
# it succeeds; returns 1 if it never does.
poll() {
  local tries=$1 step=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep "$step"
  done
  "$@"
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

# require_free PORT...: fails naming the first PORT that is already in use.
require_free() {
  local port
  for port in "$@"; do
    ! port_in_use "$port" || fail "127.0.0.1:$port is already in use"
  done
}

# etcd_healthy PORT: etcd on 127.0.0.1:PORT answers /health with true. Plain HTTP/1.1 over bash's
# /dev/tcp, so curl is not required.
etcd_healthy() {
  local reply
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
    printf "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3 && cat <&3' "$1" 2>/dev/null) || true
  [[ "$reply" == *'"health":"true"'* ]]
}

# runs_from PIDFILE TEXT: PIDFILE names a live process whose command line contains TEXT (its data
# dir), so it is the server this DIR started and not a recycled pid.
runs_from() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(cat "$1")
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# watch_server NAME PID LOG: await_ready fails with "NAME exited while starting" (after LOG's last
# lines) if PID exits before the server is ready.
watch_server() {
  watch_pids+=("$2")
  watch_names+=("$1")
  watch_logs+=("$3")
}

# launch NAME PIDFILE LOG CMD...: starts CMD in its own session (setsid, so it outlives us) with its
# output appended to LOG. The inner shell writes its own pid to PIDFILE and then execs CMD, so PIDFILE
# names the server itself. Sets launched_pid and adds it to undo_pids; fails "NAME did not start" if
# no pid shows up within 5 s.
launch() {
  local name=$1 pidfile=$2 log=$3
  shift 3
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  poll 50 0.1 test -s "$pidfile" || fail "$name did not start (see $log)"
  launched_pid=$(cat "$pidfile")
  undo_pids+=("$launched_pid")
}

# undo_start: stops undo_pids and removes undo_files, after a start that failed.
undo_start() {
  local pid
  for pid in "${undo_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -f "${undo_files[@]}"
}

# await_ready TRIES STEP CHECK...: runs CHECK up to TRIES times, each try followed by a pause of STEP
# seconds, and returns 0 once it succeeds. Before each try, a watched server that has exited fails the
# start: its log's last 20 lines, undo_start, "NAME exited while starting". After TRIES it undoes the
# start and returns 1, for the caller's own message.
await_ready() {
  local tries=$1 step=$2 try i
  shift 2
  for ((try = 0; try < tries; try++)); do
    for i in "${!watch_pids[@]}"; do
      if ! kill -0 "${watch_pids[i]}" 2>/dev/null; then
        tail -n 20 "${watch_logs[i]}" >&2
        undo_start
        fail "${watch_names[i]} exited while starting"
      fi
    done
    "$@" && return 0
    sleep "$step"
  done
  undo_start
  return 1
}
