#!/usr/bin/env bash
# The whole test suite: the runtime's unit tests (ctest) and the plugin's lit
# tests, then one summary line: "N passed, N failed".
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
lit=${LIT:-/usr/lib/llvm-19/build/utils/lit/lit.py}
jobs=$(nproc)

passed=0 failed=0 skipped=0

ctest_log=$(mktemp)
(cd "$build" && ctest --output-on-failure -j "$jobs") 2>&1 | tee "$ctest_log"
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$ctest_log")
bad=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$ctest_log")
skip=$(grep -c '\*\*\*Skipped\|Not Run' "$ctest_log")
if [[ -z "$total" ]]; then
  echo "check: ctest did not report a summary" >&2
  failed=$((failed + 1))
else
  passed=$((passed + total - bad - skip)); failed=$((failed + bad)); skipped=$((skipped + skip))
fi
rm -f "$ctest_log"

if [[ -f "$build/test/lit.site.cfg.py" ]]; then
  lit_log=$(mktemp)
  python3 "$lit" -sv -j "$jobs" "$build/test" 2>&1 | tee "$lit_log"
  count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$lit_log" | tail -1; }
  p=$(count Passed); f=$(count Failed); u=$(count Unsupported); x=$(count 'Unresolved')
  if [[ -z "$p$f" ]]; then
    echo "check: lit did not report a summary" >&2
    failed=$((failed + 1))
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${x:-0}))
  skipped=$((skipped + ${u:-0}))
  rm -f "$lit_log"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
