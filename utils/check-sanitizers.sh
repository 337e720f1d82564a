#!/usr/bin/env bash
# The tests under the sanitizers, then one summary line like utils/check.sh's:
# "N passed, N failed, N skipped".
#  - PREFIX-asan (ACCELSTRAT_SANITIZE=ON: ASan and UBSan, gcc): the unit
#    tests and the plugin's lit tests (clang and opt preload the sanitizer
#    runtime for the plugin; a leak is an error, test/lsan.supp names only
#    the linker's).
#  - PREFIX-tsan (ACCELSTRAT_SANITIZE=thread, clang-19, libomp with archer
#    through OMP_TOOL_LIBRARIES): the unit tests; the first report fails one.
#   utils/check-sanitizers.sh [BUILD_PREFIX]     (default: build)
set -uo pipefail
prefix=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
lit=${LIT:-/usr/lib/llvm-19/build/utils/lit/lit.py}
jobs=$(nproc)
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Adds the counts of the ctest run whose output is in $log (as check.sh).
count_ctest() {
  local summary total bad skip
  summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    echo "check-sanitizers: $1 did not finish" >&2
    failed=$((failed + 1))
    return
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$summary")
  skip=$(grep -c '\*\*\*Skipped' "$log")
  passed=$((passed + total - bad - skip)); failed=$((failed + bad)); skipped=$((skipped + skip))
}

# build DIR FLAGS...: configures DIR (again only when it must) and builds it.
build() {
  local dir=$1
  shift
  { cmake -S "$root" -B "$dir" -DACCELSTRAT_CUDA=OFF "$@" >/dev/null &&
    cmake --build "$dir" -j "$jobs" >/dev/null; } ||
    { echo "check-sanitizers: cannot build $dir" >&2; failed=$((failed + 1)); false; }
}

unit() { # DIR WHAT
  (cd "$1" && ctest -L unit --output-on-failure -j "$jobs") 2>&1 | tee "$log"
  count_ctest "$2"
}

asan=$prefix-asan tsan=$prefix-tsan
if build "$asan" -DACCELSTRAT_SANITIZE=ON; then
  unit "$asan" "the ASan/UBSan unit tests"
  python3 "$lit" -sv -j "$jobs" "$asan/test" 2>&1 | tee "$log"
  lit_count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
  p=$(lit_count Passed) f=$(lit_count Failed) u=$(lit_count Unsupported) x=$(lit_count Unresolved)
  if [[ -z "$p$f" ]]; then
    echo "check-sanitizers: lit under ASan/UBSan did not finish" >&2
    failed=$((failed + 1))
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${x:-0})); skipped=$((skipped + ${u:-0}))
fi
# TSan needs clang's libomp (archer tells TSan its synchronisation; gcc's
# libgomp cannot): CC is read only when the directory is first configured.
if CC=clang-19 CXX=clang++-19 build "$tsan" -DACCELSTRAT_SANITIZE=thread; then
  unit "$tsan" "the TSan unit tests"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
