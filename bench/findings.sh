#!/usr/bin/env bash
# What a maintainer gets: jansson (C) and yaml-cpp (C++) from their Debian
# source packages, built with their own CMake at RelWithDebInfo by clang with
# the plugin on every compile (make -j): with the defaults and
# -Rpass-analysis=accelstrat, with min-instructions=1 to see what each
# min-instructions would report, and with system-headers=include. Counts findings (pairs; distinct ones, as a
# header's inline functions come back once per TU), identical ones,
# near-duplicates and what they differ in, and checks that no default
# finding points into a system header and that every near-duplicate's
# remark says what differs. No timing.
#   bench/findings.sh BUILD_DIR [PACKAGE...]     (default: jansson yaml-cpp)
#   OUT=DIR writes DIR/findings.md too.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift $(( $# < 1 ? $# : 1 ))
packages=("$@")
[[ ${#packages[@]} -gt 0 ]] || packages=(jansson yaml-cpp)
root=$(cd "$(dirname "$0")/.." && pwd)
llvm=${LLVM_BIN:-/usr/lib/llvm-19/bin}
plugin=$build/lib/libaccelstrat.so
[[ -f $plugin ]] || { echo "findings: $plugin not built" >&2; exit 1; }
command -v cmake >/dev/null || { echo "findings: cmake missing" >&2; exit 1; }
work=$build/bench-findings
mkdir -p "$work"
report=$work/findings.md
{
  echo "Made with \`bench/findings.sh\`, $(date -u +%F), $("$llvm/clang" --version | head -n 1)."
  echo
} > "$report"
for pkg in "${packages[@]}"; do
  rc=0
  tree=$("$root/utils/fetch-source.sh" "$pkg" "$build/sources") || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "$pkg: skipped (its source is not available here: exit $rc)" | tee -a "$report"
    continue
  fi
  tree=$(cd "$tree" && pwd)
  for mode in default all system; do
    dir=$work/$pkg-$mode
    rm -rf "$dir" && mkdir -p "$dir"
    flags="-fplugin=$plugin -fplugin-arg-accelstrat-metrics=$dir/metrics.jsonl -Rpass-analysis=accelstrat"
    [[ $mode == all ]] && flags+=" -fplugin-arg-accelstrat-min-instructions=1"
    [[ $mode == system ]] && flags+=" -fplugin-arg-accelstrat-system-headers=include"
    # The projects' own switches for a library build without tests and docs.
    cmake -S "$tree" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER="$llvm/clang" -DCMAKE_CXX_COMPILER="$llvm/clang++" \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON \
      -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF > "$dir/cmake.log" 2>&1 ||
      { tail -n 20 "$dir/cmake.log" >&2; echo "findings: $pkg: cmake failed" >&2; exit 1; }
    make -C "$dir/build" -j "$(nproc)" > "$dir/build.log" 2>&1 ||
      { tail -n 20 "$dir/build.log" >&2; echo "findings: $pkg: build failed" >&2; exit 1; }
  done
  python3 "$root/bench/findings-summary.py" "$pkg" "$(basename "$tree")" \
    "$work/$pkg-default" "$work/$pkg-all" "$work/$pkg-system" | tee -a "$report"
done
if [[ -n ${OUT:-} ]]; then
  mkdir -p "$OUT"
  cp "$report" "$OUT/findings.md"
fi
