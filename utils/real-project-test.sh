#!/usr/bin/env bash
# Builds every C file of a real project (a Debian source package) with and
# without the plugin at -O0 and -O2: each must compile, objects must be
# byte-identical, and the metrics file must hold one valid JSON line per TU.
# Exit 77 (skip) when the source cannot be fetched here.
#   utils/real-project-test.sh PACKAGE BUILD_DIR
set -euo pipefail
pkg=$1 build=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$build/lib/libaccelstrat.so
work=$build/real-project/$pkg
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=projects.sh
source "$root/utils/projects.sh"
project_setup "$pkg" "$build" "$work" || exit $?

metrics=$work/metrics.jsonl
n=0
for opt in -O0 -O2; do
  for f in "${files[@]}"; do
    base=${f%.c}
    (cd "$srcdir" && "$clang" $opt "${flags[@]}" -c "$f" -o "$work/$base$opt.plain.o")
    (cd "$srcdir" && "$clang" $opt "${flags[@]}" -c "$f" -o "$work/$base$opt.plugin.o" \
       -fplugin="$plugin" -fplugin-arg-accelstrat-metrics="$metrics")
    if ! cmp -s "$work/$base$opt.plain.o" "$work/$base$opt.plugin.o"; then
      echo "real-project-test: $pkg/$f $opt: objects differ with the plugin" >&2
      exit 1
    fi
    n=$((n + 1))
  done
done
python3 - "$metrics" "$n" <<'PY'
import json, sys
path, expected = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines()
assert len(lines) == expected, f"{len(lines)} metrics lines for {expected} compiles"
functions = pairs = 0
for i, line in enumerate(lines, 1):
    rec = json.loads(line)
    assert rec["tu"] and len(rec["batches"]) == 3, f"line {i}: incomplete record"
    functions += rec["functions_analysed"]
    pairs += len(rec["pairs"])
print(f"{expected} compiles, {functions} functions analysed, {pairs} pairs, "
      "objects identical with and without the plugin")
PY
