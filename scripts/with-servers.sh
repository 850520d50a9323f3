#!/usr/bin/env bash
# Runs a command with real ZooKeeper and etcd on loopback (KMETA_ZK, KMETA_ETCD set), then stops them.
#   bash scripts/with-servers.sh node --import tsx --test tests/differential/differential_test.ts
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/servers/lib.sh
trap kmeta_stop_servers EXIT
kmeta_start_servers || exit 1
"$@"
