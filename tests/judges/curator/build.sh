#!/usr/bin/env bash
# Fetches the Curator judge's dependencies (pom.xml, from Maven Central) and compiles the judge, into
# a cache outside the repo; prints the Java class path to run it with. Re-uses the cache when the pom
# (for the jars) and the sources (for the classes) are unchanged, so a second run takes no time.
#
#   tests/judges/curator/build.sh      then: java -cp "$(…/build.sh)" kmeta.judges.CuratorJudge …
#
# Env: KMETA_CACHE (~/.cache/kmeta).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${KMETA_CACHE:-$HOME/.cache/kmeta}/curator"
pom_key=$(sha256sum "$here/pom.xml" | cut -c1-16)
src_key=$(cat "$here/pom.xml" $(find "$here/src" -name '*.java' | sort) | sha256sum | cut -c1-16)
lib="$cache/lib-$pom_key"
classes="$cache/classes-$src_key"

say() { echo "curator judge: $*" >&2; }

if [[ ! -f "$lib/.complete" ]]; then
  say "fetching dependencies into $lib"
  rm -rf "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >&2
  touch "$lib/.complete"
fi
if [[ ! -f "$classes/.complete" ]]; then
  say "compiling into $classes"
  # Earlier builds of other sources are of no further use.
  find "$cache" -maxdepth 1 -name 'classes-*' -exec rm -rf {} +
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$lib/*" $(find "$here/src" -name '*.java') >&2
  touch "$classes/.complete"
fi
echo "$classes:$lib/*"
