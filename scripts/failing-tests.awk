# Prints the names of the failing tests in one step's log, one a line, so that the tail of a CI log
# names them. `awk -v step=STEP -v cwd="$PWD" -f scripts/failing-tests.awk LOG`, STEP one of node, deno,
# bun, quickjs. Each name is printed once, as "failed in STEP: NAME (FILE)", under Node with the first
# line of its error after it.
function out(test) { if (!seen[test]++) print "failed in " step ": " test }
function rel(file) { return index(file, cwd "/") == 1 ? substr(file, length(cwd) + 2) : file }

# Node's TAP: "# Subtest: NAME" opens a test, 4 spaces a level; its "not ok" comes after its children.
# Only the deepest failure is named (its parents fail because of it), with the file from its location.
step == "node" && /^ *# Subtest: / {
  depth = (index($0, "#") - 1) / 4; name[depth] = substr($0, index($0, ":") + 2); below[depth] = 0; next
}
step == "node" && /^ *not ok [0-9]+ - / {
  depth = (index($0, "n") - 1) / 4; pending = !below[depth]
  for (i = 0; i < depth; i++) below[i] = 1
  path = name[0]; for (i = 1; i <= depth; i++) path = path " > " name[i]; next
}
step == "node" && pending && /^ *location: '/ {
  file = $0; sub(/^ *location: '/, "", file); sub(/:[0-9]+:[0-9]+'$/, "", file)
  # A file that failed outside its tests is named by its path.
  out(path == file ? rel(file) : path " (" rel(file) ")"); pending = 0; wanted = 1; next
}
step == "node" && pending && /^ *\.\.\.$/ { out(path); pending = 0 }
# Then the first line of its error (a block scalar's comes on the next line), so the log says why.
step == "node" && wanted == 2 { because(); wanted = 0; next }
step == "node" && wanted && /^ *error: / {
  sub(/^ *error: /, ""); if ($0 ~ /^[|>]-?$/) { wanted = 2; next } because(); wanted = 0; next
}
step == "node" && wanted && /^ *\.\.\.$/ { wanted = 0 }
function because() { sub(/^ */, ""); print "  because: " substr($0, 1, 600) }

# Deno lists every failure, uncaught errors too, between " FAILURES " and its summary line.
step == "deno" && /^ FAILURES $/ { listing = 1; next }
step == "deno" && /^(FAILED|ok) \| / { listing = 0 }
step == "deno" && listing && NF {
  line = $0; gsub(/ \.\.\. /, " > ", line)
  if (match(line, / => \.\/[^ ]+:[0-9]+:[0-9]+$/)) line = substr(line, 1, RSTART - 1) " (" substr(line, RSTART + 6) ")"
  sub(/ => .*$/, "", line); sub(/:[0-9]+:[0-9]+\)$/, ")", line); out(line)
}

# Bun names the file before its tests ("dir/x_test.ts:") and each failure as "(fail) A > B [12.3ms]".
step == "bun" && /_test\.[jt]s:$/ { file = substr($0, 1, length($0) - 1); next }
step == "bun" && /^\(fail\) / { line = substr($0, 8); sub(/ \[[0-9.]+m?s\]$/, "", line); out(line " (" file ")") }
step == "bun" && /^# Unhandled error between tests/ { out("an error between tests (" file ")") }

# Our QuickJS runner: "FAIL FILE (counts)", then "  FAIL TEST" for each failing test in it; a FAIL
# file without such lines failed as a whole (bundling, loading, a stall).
step == "quickjs" && /^(ok  |FAIL |skip |quickjs: )/ { if (whole) out(file); whole = 0 }
step == "quickjs" && /^FAIL / { file = $2; whole = 1 }
step == "quickjs" && /^  FAIL / { out(substr($0, 8) " (" file ")"); whole = 0 }
