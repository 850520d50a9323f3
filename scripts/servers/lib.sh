# Sourced by scripts that need the real servers: starts ZooKeeper and etcd on loopback with data in a
# temp dir, exports KMETA_ZK and KMETA_ETCD (host:port) for the tests, and stops them by PID on exit.
kmeta_servers_dir=$(mktemp -d)
kmeta_stop_servers() {
  bash "$(dirname "${BASH_SOURCE[0]}")/stop.sh" "$kmeta_servers_dir/zk" "$kmeta_servers_dir/etcd" >/dev/null 2>&1
  rm -rf "$kmeta_servers_dir"
}
kmeta_start_servers() {
  local here
  here=$(dirname "${BASH_SOURCE[0]}")
  export KMETA_ZK=127.0.0.1:${ZK_PORT:-21810} KMETA_ETCD=127.0.0.1:${ETCD_CLIENT_PORT:-23790}
  # ZooKeeper also serves TLS (certificates made here) for the TLS dial tests.
  export KMETA_ZK_TLS=127.0.0.1:${ZK_TLS_PORT:-21811} KMETA_ZK_TLS_DIR=$kmeta_servers_dir/zk/tls
  local tls_cfg
  tls_cfg=$(bash "$here/zk-tls.sh" "$kmeta_servers_dir/zk" "${KMETA_ZK_TLS##*:}") || { echo "TLS set-up failed"; return 1; }
  ZK_EXTRA_CFG="$tls_cfg" ZK_PORT=${KMETA_ZK##*:} bash "$here/start-zk.sh" "$kmeta_servers_dir/zk" >/dev/null ||
    { echo "ZooKeeper did not start"; return 1; }
  ETCD_CLIENT_PORT=${KMETA_ETCD##*:} bash "$here/start-etcd.sh" "$kmeta_servers_dir/etcd" >/dev/null || { echo "etcd did not start"; return 1; }
  echo "servers: ZooKeeper on $KMETA_ZK, etcd on $KMETA_ETCD"
}
