#!/usr/bin/env bash
# Starts a one-member etcd 3.4 serving clients over TLS only (https, client certificates required),
# optionally with etcd's user/password auth enabled, and prints its pid on stdout.
#
#   scripts/servers/start-etcd-tls.sh DIR [EXTRA_ETCD_ARGS...]
#
# DIR gets member-data/, etcd.log, etcd.pid and tls/ with throwaway test material (reused when there):
#   tls/ca.pem                   the CA that signed everything below (clients pass it as `ca`)
#   tls/server.pem, server.key   etcd's certificate (names localhost and 127.0.0.1)
#   tls/client.pem, client.key   a client certificate and key (`cert`, `key`)
#   tls/other-ca.pem             an unrelated CA: a client trusting only it must refuse the server
# Env: ETCD_CLIENT_PORT (23880), ETCD_PEER_PORT (23881), ETCD_READY_TIMEOUT (30 s),
#      ETCD_AUTH=1 to enable auth: user root (password root-pw) and user kafka (password kafka-pw) whose
#      role `kafka` may read and write every key under ETCD_AUTH_PREFIX (default "kmeta").
# Extra args go to etcd as-is, e.g. `--auth-token-ttl 2` (simple tokens expire after 2 idle seconds).
# Stop with scripts/servers/stop.sh DIR. The passwords are public: this is test material only.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [EXTRA_ETCD_ARGS...]" >&2; exit 2; }
client_port="${ETCD_CLIENT_PORT:-23880}"
peer_port="${ETCD_PEER_PORT:-23881}"
ready_timeout="${ETCD_READY_TIMEOUT:-30}"
auth_prefix="${ETCD_AUTH_PREFIX:-kmeta}"
dir="$(realpath -m "$1")" # absolute, because stop.sh matches it against /proc/PID/cmdline
shift
tls="$dir/tls"
client_url="https://127.0.0.1:$client_port"
peer_url="http://127.0.0.1:$peer_port"
pidfile="$dir/etcd.pid"
days=3650

fail() { echo "start-etcd-tls: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/_launch.sh"
command -v etcd >/dev/null || fail "etcd not found (scripts/install.sh installs etcd-server)"
command -v etcdctl >/dev/null || fail "etcdctl not found (scripts/install.sh installs etcd-client)"
command -v openssl >/dev/null || fail "openssl not found"

# etcdctl as the server's client: over TLS with the client certificate, as root once auth is on.
ctl() { ETCDCTL_API=3 etcdctl --endpoints "$client_url" --cacert "$tls/ca.pem" --cert "$tls/client.pem" --key "$tls/client.key" --dial-timeout 3s --command-timeout 5s "$@"; }
healthy() { ctl endpoint health >/dev/null 2>&1 || ctl --user root:root-pw endpoint health >/dev/null 2>&1; }

# --- certificates ---
mkdir -p "$tls"
if [[ ! -s "$tls/ca.pem" || ! -s "$tls/server.pem" || ! -s "$tls/client.pem" || ! -s "$tls/other-ca.pem" ]]; then
  (
    cd "$tls"
    rm -f ./*.pem ./*.key ./*.srl
    ca() { # NAME CN: a self-signed CA
      openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$2" -days "$days" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem" 2>/dev/null
    }
    sign() { # NAME EXT SUBJECT: a key and a certificate signed by ca.pem
      openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$3" -out "$1.csr" 2>/dev/null
      printf '%s\n' "$2" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    ca ca kmeta-etcd-test-ca
    ca other-ca kmeta-unrelated-ca
    rm -f other-ca.key
    sign server "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth" "/CN=kmeta-server"
    # No CommonName: under --client-cert-auth etcd 3.4's JSON gateway answers 400 to a client
    # certificate that has one ("CommonName of client sending a request against gateway will be ignored").
    sign client "extendedKeyUsage=clientAuth" "/O=kmeta-client"
    chmod 600 ./*.key
  )
  echo "start-etcd-tls: made CA, server and client certificates in $tls" >&2
fi

# --- etcd ---
if runs_from "$pidfile" "--data-dir $dir/member-data "; then
  pid=$(cat "$pidfile")
  undo_pids+=("$pid") # one that never gets healthy is stopped, as a fresh one would be
else
  rm -f "$pidfile"
  require_free "$client_port" "$peer_port"
  mkdir -p "$dir/member-data"
  chmod 700 "$dir/member-data"
  launch etcd "$pidfile" "$dir/etcd.log" \
    etcd --name n1 --data-dir "$dir/member-data" \
    --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
    --cert-file "$tls/server.pem" --key-file "$tls/server.key" \
    --trusted-ca-file "$tls/ca.pem" --client-cert-auth \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "n1=$peer_url" --initial-cluster-state new \
    --initial-cluster-token "kmeta-tls-$client_port" \
    --logger zap --log-outputs stderr "$@"
  pid=$launched_pid
fi
watch_server etcd "$pid" "$dir/etcd.log"
undo_files+=("$pidfile")
await_ready $((ready_timeout * 5)) 0.2 healthy || fail "not healthy after ${ready_timeout}s (see $dir/etcd.log)"

# --- users, roles, auth (idempotent: skipped when auth is already on) ---
# etcdctl 3.4 has no `auth status`; with auth on, etcd refuses a call that names no user.
auth_on() {
  local out
  out=$(ctl user list 2>&1) && return 1
  [[ "$out" == *"user name is empty"* || "$out" == *"permission denied"* ]]
}
if [[ "${ETCD_AUTH:-0}" == 1 ]] && ! auth_on; then
  ctl user add root:root-pw >/dev/null 2>&1 || true
  ctl user grant-role root root >/dev/null 2>&1 || true
  ctl role add kafka >/dev/null 2>&1 || true
  # --prefix: every key starting with $auth_prefix (the store's keys are "<prefix>/...").
  ctl role grant-permission kafka --prefix=true readwrite "$auth_prefix" >/dev/null
  ctl user add kafka:kafka-pw >/dev/null 2>&1 || true
  ctl user grant-role kafka kafka >/dev/null
  ctl auth enable >/dev/null || fail "auth enable failed"
  echo "start-etcd-tls: auth enabled (users root, kafka; kafka may use keys under \"$auth_prefix\")" >&2
fi

echo "start-etcd-tls: healthy on $client_url (log $dir/etcd.log)" >&2
echo "$pid"
