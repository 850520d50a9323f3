#!/usr/bin/env bash
# Makes test TLS material for ZooKeeper's secure client port and prints the zoo.cfg lines that
# enable it, for start-zk.sh's ZK_EXTRA_CFG:
#
#   ZK_EXTRA_CFG="$(bash scripts/servers/zk-tls.sh DIR 21831)" ZK_PORT=21830 bash scripts/servers/start-zk.sh DIR
#
# serves plain on 21830 and TLS on 21831 (SECURE_PORT defaults to $ZK_SECURE_PORT, else 21811).
# DIR/tls/ gets, all signed by one throwaway CA (reused when already there):
#   ca.pem                       the CA certificate (clients pass it as `ca`)
#   client.pem, client.key       a client certificate and key, PEM (`cert`, `key`)
#   server.p12, truststore.p12   ZooKeeper's keystore and truststore (PKCS#12)
# Certificates name localhost and 127.0.0.1. The server requires a client certificate (ZooKeeper's
# default ssl.clientAuth=need). The password is public: this is test material only.
# Needs openssl and the JDK's keytool. Progress goes to stderr; stdout is only the config lines.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 DIR [SECURE_PORT]" >&2; exit 2; }
dir="$(realpath -m "$1")/tls"
secure_port="${2:-${ZK_SECURE_PORT:-21811}}"
password=kmeta-test
days=3650

fail() { echo "zk-tls: $*" >&2; exit 1; }
command -v openssl >/dev/null || fail "openssl not found"
command -v keytool >/dev/null || fail "keytool not found (it comes with the JDK)"
mkdir -p "$dir"
cd "$dir"

# sign NAME EXT: a fresh key and a certificate for it signed by the CA, with extensions EXT.
sign() {
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=kmeta-$1" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$2" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

if [[ ! -s ca.pem || ! -s server.p12 || ! -s truststore.p12 || ! -s client.pem ]]; then
  rm -f ./*.pem ./*.key ./*.p12 ./*.srl
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=kmeta-test-ca" \
    -days "$days" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem 2>/dev/null
  # Both ends carry the loopback names: clients check the server's, and ZooKeeper's trust manager
  # may check the client's against its address (ssl.clientHostnameVerification).
  names="subjectAltName=DNS:localhost,IP:127.0.0.1"
  sign server "$names
extendedKeyUsage=serverAuth,clientAuth"
  sign client "$names
extendedKeyUsage=clientAuth"
  # Java reads PKCS#12 directly; -legacy is not needed on JDK 17 (it reads OpenSSL 3's AES-based files).
  openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server \
    -passout "pass:$password" -out server.p12
  keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 \
    -storetype PKCS12 -storepass "$password" >/dev/null 2>&1
  chmod 600 ./*.key
  echo "zk-tls: made CA, server keystore and client certificate in $dir" >&2
fi

# ZooKeeperServerMain turns unknown zoo.cfg keys into `zookeeper.`-prefixed system properties, so
# serverCnxnFactory here is the same as -Dzookeeper.serverCnxnFactory (TLS needs the Netty factory).
cat <<CFG
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
secureClientPortAddress=127.0.0.1
secureClientPort=$secure_port
ssl.keyStore.location=$dir/server.p12
ssl.keyStore.password=$password
ssl.keyStore.type=PKCS12
ssl.trustStore.location=$dir/truststore.p12
ssl.trustStore.password=$password
ssl.trustStore.type=PKCS12
CFG
