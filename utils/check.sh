#!/usr/bin/env bash
# The whole test suite: ctest (runtime and kernel unit tests, examples, real
# projects), the plugin's lit tests, the libFuzzer targets for a few seconds
# each, the kill -9 and full-disk tests, and utils/check-sanitizers.sh (unit
# and lit tests under ASan and UBSan, unit tests under TSan); then one
# summary line: "N passed, N failed, N skipped".
#   utils/check.sh [BUILD_DIR]     ACCELSTRAT_CHECK_SANITIZE=0 skips the last part
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
name=check
. "$root/utils/counts.sh"

(cd "$build" && ctest --output-on-failure -j "$jobs") 2>&1 | tee "$log"
count_ctest ctest

if [[ -f "$build/test/lit.site.cfg.py" ]]; then
  run_lit "$build" lit
fi

# The libFuzzer targets (test/fuzz/), 5 seconds each from their committed
# corpora; `make fuzz` runs them 5 minutes each. One count per target.
"$root/utils/fuzz.sh" 5 "$build-fuzz" 2>&1 | tee "$log"
summary=$(grep -E '^fuzz: [0-9]+ targets, .*, [0-9]+ failed$' "$log" | tail -n 1)
if grep -q '^fuzz: skipped' "$log"; then
  skipped=$((skipped + 1))
elif [[ -z "$summary" ]]; then
  echo "check: utils/fuzz.sh did not finish" >&2
  failed=$((failed + 1))
else
  n=$(sed -E 's/^fuzz: ([0-9]+) targets.*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")
  passed=$((passed + n - bad)); failed=$((failed + bad))
fi

# kill -9 and a full disk under every write (test/stress/): one count each,
# exit 77 a skip. The long run: python3 test/stress/kill.py build --kills 1000
stress() {
  python3 "$root/test/stress/$1" "$build" "${@:2}"
  case $? in
  0) passed=$((passed + 1)) ;;
  77) skipped=$((skipped + 1)) ;;
  *) echo "check: test/stress/$1 failed" >&2; failed=$((failed + 1)) ;;
  esac
}
if [[ -f "$build/lib/libaccelstrat.so" ]]; then
  stress kill.py --kills 200
  stress enospc.py
fi

if [[ "${ACCELSTRAT_CHECK_SANITIZE:-1}" == 1 ]]; then
  # ASan/UBSan (unit and lit) in $build-asan, TSan (unit) in $build-tsan.
  "$root/utils/check-sanitizers.sh" "$build" 2>&1 | tee "$log"
  summary=$(tail -n 1 "$log")
  if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    skipped=$((skipped + BASH_REMATCH[3]))
  else
    echo "check: utils/check-sanitizers.sh did not finish" >&2
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
