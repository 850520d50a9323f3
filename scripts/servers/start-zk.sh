#!/usr/bin/env bash
# Starts a standalone ZooKeeper 3.8 (Debian's `zookeeper` package) for tests, bound to loopback,
# waits until it answers the `srvr` four-letter word, and prints its pid on stdout.
#
#   scripts/servers/start-zk.sh DIR
#
# DIR holds conf/, data/, zk.log and zk.pid. Running it again for a live DIR just prints the pid.
# Env: ZK_PORT (21810), ZK_TICK_TIME (2000 ms; session timeouts are clamped to 2..20 ticks),
#      ZK_EXTRA_CFG (lines appended to zoo.cfg), ZK_JAVA_OPTS (e.g. -Dzookeeper.extendedTypesEnabled=true
#      for TTL nodes), ZK_READY_TIMEOUT (60 s).
# Debian's zkServer.sh is not used: it hard-wires /etc/zookeeper/conf and /var/log/zookeeper.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
port="${ZK_PORT:-21810}"
tick="${ZK_TICK_TIME:-2000}"
ready_timeout="${ZK_READY_TIMEOUT:-60}"
dir="$(realpath -m "$1")" # absolute, because stop.sh matches it against /proc/PID/cmdline
jar=/usr/share/java/zookeeper.jar # its manifest Class-Path brings jute, netty, slf4j-api
pidfile="$dir/zk.pid"

fail() { echo "start-zk: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/_launch.sh"

# `srvr` is whitelisted in the config below; bash's /dev/tcp means no nc is needed.
serving() {
  local reply
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf srvr >&3 && cat <&3' "$port" 2>/dev/null) || true
  [[ "$reply" == *"Mode: standalone"* ]]
}

command -v java >/dev/null || fail "java not found (scripts/install.sh installs default-jre-headless)"
[[ -f "$jar" ]] || fail "$jar not found (scripts/install.sh installs zookeeper)"

if runs_from "$pidfile" "ZooKeeperServerMain $dir/conf/zoo.cfg"; then
  pid=$(cat "$pidfile")
  poll $((ready_timeout * 10)) 0.1 serving ||
    fail "pid $pid is running but not serving on 127.0.0.1:$port (see $dir/zk.log)"
  echo "$pid"
  exit 0
fi
rm -f "$pidfile"
require_free "$port"

mkdir -p "$dir/conf" "$dir/data"
cat >"$dir/conf/zoo.cfg" <<CFG
tickTime=$tick
dataDir=$dir/data
clientPortAddress=127.0.0.1
clientPort=$port
# Tests open many sessions from one address; the default cap of 60 is easy to hit.
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,stat,ruok,mntr,cons,conf,wchs,dump,isro
${ZK_EXTRA_CFG:-}
CFG
cat >"$dir/conf/log4j.properties" <<'CFG'
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1} - %m%n
CFG

# Debian splits the slf4j binding and log4j into their own jars; without them the log is silent.
# zookeeper.jar's Class-Path lists netty's handler and transport but not the codec and resolver
# jars they need, so the Netty connection factory (TLS, zk-tls.sh) fails without them.
classpath="$dir/conf:$jar"
for extra in /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar \
  /usr/share/java/netty-codec.jar /usr/share/java/netty-resolver.jar; do
  [[ -f "$extra" ]] && classpath="$classpath:$extra"
done

# zk.pid names the JVM itself (see launch).
# shellcheck disable=SC2086 # ZK_JAVA_OPTS is a list of flags
launch java "$pidfile" "$dir/zk.log" \
  java -Xmx256m ${ZK_JAVA_OPTS:-} \
  -Dzookeeper.admin.enableServer=false \
  -Dlog4j.configuration="file:$dir/conf/log4j.properties" \
  -cp "$classpath" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/conf/zoo.cfg"
pid=$launched_pid
watch_server ZooKeeper "$pid" "$dir/zk.log"
undo_files+=("$pidfile")

if await_ready $((ready_timeout * 10)) 0.1 serving; then
  echo "start-zk: serving on 127.0.0.1:$port (log $dir/zk.log)" >&2
  echo "$pid"
  exit 0
fi
fail "not serving after ${ready_timeout}s (see $dir/zk.log)"
