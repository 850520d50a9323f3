#!/usr/bin/env bash
# Fetches Kafka 3.9.2's jars (tests/kafka/pom.xml) from Maven Central into a cache outside the repo and
# prints the lib directory on stdout. Re-uses the cache when it is complete.
#
#   scripts/fetch-kafka.sh
#
# Env: KMETA_KAFKA_HOME (~/.cache/kmeta/kafka-3.9.2); the jars go to $KMETA_KAFKA_HOME/lib.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${KMETA_KAFKA_HOME:-$HOME/.cache/kmeta/kafka-3.9.2}"
lib="$home/lib"
stamp="$lib/.complete"

if [[ -f "$stamp" && "$stamp" -nt "$repo/tests/kafka/pom.xml" ]]; then
  echo "$lib"
  exit 0
fi
command -v mvn >/dev/null || { echo "fetch-kafka: mvn not found" >&2; exit 1; }
echo "fetch-kafka: copying Kafka's jars into $lib" >&2
# A half-copied lib from an interrupted run is replaced, not trusted.
tmp="$home/lib.partial"
rm -rf "$tmp"
mkdir -p "$home"
mvn -q -B -f "$repo/tests/kafka/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
rm -rf "$lib"
mv "$tmp" "$lib"
touch "$stamp"
echo "$lib"
