#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine to build and test this repo: the test servers
# (ZooKeeper, etcd), kazoo and Maven + a JDK for the third-party judges (tests/judges), Chromium
# (tests/browser), and the npm devDependencies (which include the deno and bun binaries). Safe to run
# again: it only installs what is missing.
#
#   scripts/install.sh        (as root, or as a user with sudo)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(zookeeper zookeeper-bin etcd-server etcd-client python3-kazoo default-jre-headless default-jdk-headless maven chromium)

say() { echo "install: $*" >&2; }

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  say "need root or sudo to install system packages"
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  # `dpkg -s` also lists removed-but-configured packages; require the installed state.
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "apt-get install ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  # Debian registers an etcd service on install; our tests start their own servers instead.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "system packages present: ${packages[*]}"
fi
for tool in java javac mvn etcd etcdctl node npm; do
  command -v "$tool" >/dev/null || { say "$tool is not on PATH (Node >= 20 with npm is a prerequisite)"; exit 1; }
done

cd "$repo"
if [[ -L node_modules ]]; then
  # A git worktree sharing another checkout's install: npm ci would empty that install for everyone
  # (a fresh worktree's package-lock.json is always newer than it), so it is left as it is.
  say "node_modules links to $(readlink node_modules): left as it is"
elif [[ -f package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  say "node_modules is up to date with package-lock.json"
elif [[ -f package-lock.json ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund
else
  say "npm install (no package-lock.json)"
  npm install --no-audit --no-fund
fi

# bun's binary is put in place by its postinstall script; with --ignore-scripts (or a config
# that sets it) node_modules/.bin/bun only prints an error. Run the script ourselves then.
if ! node_modules/.bin/bun --version >/dev/null 2>&1; then
  say "running bun's postinstall"
  node node_modules/bun/install.js
fi
say "bun $(node_modules/.bin/bun --version), $(node_modules/.bin/deno --version | head -n 1)"
# Kafka 3.9.2's jars for the real-broker tests (tests/kafka), cached outside the repo.
say "kafka jars in $(bash scripts/fetch-kafka.sh)"

# The Curator judge's jars come from Maven Central into ~/.cache/kmeta/curator (kept between runs),
# so the tests need no network. Not fatal here: the judges' test builds it again and says why it fails.
bash tests/judges/curator/build.sh >/dev/null || say "the Curator judge did not build (tests/judges/curator/build.sh)"
