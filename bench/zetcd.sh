#!/usr/bin/env bash
# Builds etcd-io/zetcd (the Go ZooKeeper-over-etcd proxy bench/server.ts compares with) from the Go module
# proxy into a cache outside the repo, once, and prints the binary's path on stdout.
#
#   bench/zetcd.sh            (cache: $KMETA_CACHE, default ~/.cache/kmeta)
#
# v0.0.5 (2018) is zetcd's last tag and has no go.mod, so `go install github.com/etcd-io/zetcd/cmd/zetcd@v0.0.5`
# does not work: the proxy answers 403 for the module's version list (go install reads it for the deprecation
# check), and the source imports itself as github.com/coreos/zetcd (the same v0.0.5 tree, byte for byte, is
# published under that path). So it is built as a dependency of a throwaway module, with the one pin etcd
# 3.3's clientv3 needs: grpc < 1.27 (later grpc dropped the grpc/naming package it imports).
set -euo pipefail

cache="${KMETA_CACHE:-$HOME/.cache/kmeta}"
bin="$cache/bin/zetcd"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi

mod="$cache/zetcd-build"
mkdir -p "$mod" "$cache/bin"
cd "$mod"
cat >go.mod <<'MOD'
module kmeta-zetcd-build

go 1.21
MOD
go get github.com/coreos/zetcd/cmd/zetcd@v0.0.5 google.golang.org/grpc@v1.26.0 github.com/coreos/etcd@v3.3.27+incompatible >&2
go build -o "$bin" github.com/coreos/zetcd/cmd/zetcd >&2
echo "$bin"
