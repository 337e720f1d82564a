#!/usr/bin/env bash
# Compiles the bundled example project (examples/demo) with the plugin, shows
# the remarks clang prints, links and runs the program, then summarises the
# metrics: the pairs found and, for every batch, the strategy and why; last,
# the project-wide report of the objects' index records (accelstrat-report).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$(cd "$build" && pwd)/lib/libaccelstrat.so
out=$build/demo
rm -rf "$out" && mkdir -p "$out"

echo "== compiling examples/demo with -fplugin=$plugin"
objs=()
for src in "$root"/examples/demo/*.c; do
  obj=$out/$(basename "${src%.c}").o
  (cd "$root" && "$clang" -O2 -c "examples/demo/$(basename "$src")" -o "$obj" \
    -fplugin="$plugin" -Rpass-analysis=accelstrat \
    -fplugin-arg-accelstrat-metrics="$out/metrics.jsonl" \
    -fplugin-arg-accelstrat-index=object)
  objs+=("$obj")
done
"$clang" "${objs[@]}" -o "$out/demo"
echo "== running the program"
"$out/demo"
echo "== summary of $out/metrics.jsonl"
python3 "$root/utils/metrics-summary.py" "$out/metrics.jsonl"
echo "== the whole project: $build/bin/accelstrat-report $out"
(cd "$root" && "$build/bin/accelstrat-report" "$out")
