#!/usr/bin/env bash
# Runs the test tiers given as arguments (fast, integration) in order against the built Release
# output and ends with one summary line "tests: N passed, N failed, N skipped".
# A hung test is dumped and killed after 10 minutes instead of eating CI's time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${CONFIG:-Release}
declare -A PROJECT=([fast]=tests/Bus.Tests [integration]=tests/Bus.IntegrationTests)
passed=0 failed=0 skipped=0 rc=0
log=$(mktemp) failures=$(mktemp)
for tier in "$@"; do
  project=${PROJECT[$tier]:?unknown tier $tier}
  echo "=== $tier tier ($project)"
  start=$(date +%s)
  dotnet test "$ROOT/$project" -c "$CONFIG" --no-build --blame-hang-timeout 10m \
    --logger "console;verbosity=normal" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  [ "$status" -ne 0 ] && rc=$status
  # vstest's closing block: "Total tests: N" then "     Passed: N", "     Failed: N", "    Skipped: N" (zero counts omitted)
  if ! grep -qE '^Total tests: [0-9]+' "$log"; then echo "no test summary from $project"; rc=1; continue; fi
  count() { grep -E "^ +$1: [0-9]+\$" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
  p=$(count Passed); f=$(count Failed); s=$(count Skipped)
  # CI shows only the tail of this output: keep each failed test's name and first error lines for the end.
  awk '/^  Failed [A-Za-z_]/{n=8} n>0{print; n--}' "$log" | cut -c1-400 >> "$failures"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  echo "=== $tier tier: $p passed, $f failed, $s skipped in $(( $(date +%s) - start )) s"
done
rm -f "$log"
if [ -s "$failures" ]; then echo "=== failed tests"; cat "$failures"; fi
rm -f "$failures"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -gt 0 ] && rc=1
exit $rc
