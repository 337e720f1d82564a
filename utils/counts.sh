# The counting that utils/check.sh and utils/check-sanitizers.sh share
# (sourced, not run): the totals, a scratch log, and the ctest and lit runs
# counted from their output. The caller sets `name` (for its messages).
lit=${LIT:-/usr/lib/llvm-19/build/utils/lit/lit.py}
jobs=$(nproc)
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Adds the counts of the ctest run whose output is in $log.
count_ctest() {
  local summary total bad skip
  summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    echo "$name: $1 did not finish" >&2
    failed=$((failed + 1))
    return
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$summary")
  skip=$(grep -c '\*\*\*Skipped' "$log")
  passed=$((passed + total - bad - skip)); failed=$((failed + bad)); skipped=$((skipped + skip))
}

# run_lit BUILD_DIR WHAT: the lit tests of BUILD_DIR/test, counted.
run_lit() {
  local p f u x
  python3 "$lit" -sv -j "$jobs" "$1/test" 2>&1 | tee "$log"
  lit_count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
  p=$(lit_count Passed) f=$(lit_count Failed) u=$(lit_count Unsupported) x=$(lit_count Unresolved)
  if [[ -z "$p$f" ]]; then
    echo "$name: $2 did not finish" >&2
    failed=$((failed + 1))
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${x:-0})); skipped=$((skipped + ${u:-0}))
}
