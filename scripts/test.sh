#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build, type-check, then the same tests
# under Node, Deno and Bun and the core's tests inside QuickJS-wasm. Ends with the failed steps, the
# failing tests by name and one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1 FORCE_COLOR=0
bin=node_modules/.bin
logs=$(mktemp -d)
passed=0 failed=0 broken=()

bash scripts/install.sh || { echo "install failed"; exit 1; }

# Real servers on loopback, stopped by PID on exit. Tests find them through KMETA_ZK and KMETA_ETCD
# (host:port) and fail, never skip, when those are unset.
source scripts/servers/lib.sh
trap 'kmeta_stop_servers; rm -rf "$logs"' EXIT
kmeta_start_servers || exit 1

# run NAME CMD...: runs a step, keeps its output in $logs/NAME.log and echoes it.
run() {
  local name=$1; shift
  echo "== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] || broken+=("$name (exit $rc)")
}
# count NAME PASS_REGEX FAIL_REGEX: adds the runner's own summary numbers to the totals.
count() {
  local p f
  p=$(grep -oE "$2" "$logs/$1.log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -oE "$3" "$logs/$1.log" | grep -oE '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [[ -n "$p" ]] || broken+=("$1 (no summary)")
}

run build "$bin/tsx" build.ts
run typecheck-core "$bin/tsc" -p core/tsconfig.json
run typecheck "$bin/tsc" --noEmit
run lint "$bin/deno" lint core/ runtimes/ tests/ bench/ build.ts
node_tests=$(find core runtimes/node tests -name '*_test.ts' -not -path '*/node_modules/*' | sort)
# shellcheck disable=SC2086
run node node --import tsx --test $node_tests
count node '^# pass [0-9]+' '^# fail [0-9]+'
run deno "$bin/deno" test -A --no-check core/ runtimes/deno/ tests/conformance/tcp_proxy_test.ts
# Deno counts describe blocks as tests and their its as steps: the steps are the tests.
count deno '(passed \([0-9]+ steps\)|^ok \| [0-9]+ passed$)' '(failed \([0-9]+ steps\)|[0-9]+ failed$)'
# Bun gives each test 5 s by default; real-server tests on a busy machine need more (as under Node and Deno).
run bun "$bin/bun" test --timeout 30000 core/ runtimes/bun/ tests/conformance/tcp_proxy_test.ts
count bun '^ *[0-9]+ pass' '^ *[0-9]+ fail'
run quickjs "$bin/tsx" tests/quickjs/run.ts
count quickjs 'quickjs: [0-9]+ passed' '[0-9]+ failed$'

echo
for b in "${broken[@]}"; do echo "step failed: $b"; done
# The failing tests by name, so that the tail of a log says which they were.
for step in node deno bun quickjs; do
  awk -v step=$step -v cwd="$PWD" -f scripts/failing-tests.awk "$logs/$step.log"
done
echo "total: $passed passed, $failed failed"
[[ ${#broken[@]} -eq 0 && $failed -eq 0 ]]
