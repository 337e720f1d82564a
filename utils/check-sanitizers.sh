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
name=check-sanitizers
. "$root/utils/counts.sh"

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
  run_lit "$asan" "lit under ASan/UBSan"
fi
# TSan needs clang's libomp (archer tells TSan its synchronisation; gcc's
# libgomp cannot): CC is read only when the directory is first configured.
if CC=clang-19 CXX=clang++-19 build "$tsan" -DACCELSTRAT_SANITIZE=thread; then
  unit "$tsan" "the TSan unit tests"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
