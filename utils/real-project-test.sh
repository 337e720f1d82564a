#!/usr/bin/env bash
# Builds every C file of a real project (a Debian source package) with and
# without the plugin at -O0 and -O2: each must compile, and objects must be
# byte-identical with metrics=, with report= and (against the same compile
# with -Rpass-analysis, which turns on clang's own location tracking) with
# remarks; the metrics file must hold one valid JSON line per TU and each
# report be a valid record of its TU, with the same pairs as search=exhaustive
# (every pair aligned).
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
# Compiles $f at $opt into $work/$base$opt.$1.o with the rest of the
# arguments added.
compile() {
  local kind=$1
  shift
  (cd "$srcdir" && "$clang" $opt "${flags[@]}" -c "$f" -o "$work/$base$opt.$kind.o" "$@")
}
same() {
  if ! cmp -s "$work/$base$opt.$1.o" "$work/$base$opt.$2.o"; then
    echo "real-project-test: $pkg/$f $opt: objects differ ($1 vs $2)" >&2
    exit 1
  fi
}
for opt in -O0 -O2; do
  for f in "${files[@]}"; do
    base=${f%.c}
    report=$work/$base$opt.report.json
    compile plain
    compile metrics -fplugin="$plugin" -fplugin-arg-accelstrat-metrics="$metrics"
    compile report -fplugin="$plugin" -fplugin-arg-accelstrat-report="$report"
    compile rpass -Rpass-analysis=accelstrat 2>/dev/null
    compile rpass-plugin -fplugin="$plugin" -Rpass-analysis=accelstrat 2>/dev/null
    same plain metrics
    same plain report
    same rpass rpass-plugin
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["tu"].endswith(sys.argv[2]) and len(r["batches"]) == 3, sys.argv[1]' "$report" "$f"
    # The exact search loses nothing: aligning every pair finds the same.
    compile exhaustive -fplugin="$plugin" -fplugin-arg-accelstrat-search=exhaustive \
      -fplugin-arg-accelstrat-report="$report.exhaustive"
    python3 -c 'import json, sys; pairs = lambda p: [(q["function"]["symbol"], q["match"]["symbol"], q["lcs"], q["identical"]) for q in json.load(open(p))["pairs"]]; a, b = pairs(sys.argv[1]), pairs(sys.argv[2]); assert a == b, "%s: %d pairs found, %d by aligning every pair" % (sys.argv[1], len(a), len(b))' "$report" "$report.exhaustive"
    same plain exhaustive
    if [[ $opt == -O2 ]]; then
      # index=: the records of the project-wide report; an object the same
      # but for its index section.
      compile index-dir -fplugin="$plugin" -fplugin-arg-accelstrat-index="$work/index"
      same plain index-dir
      compile index-object -fplugin="$plugin" -fplugin-arg-accelstrat-index=object
      python3 "$root/test/plugin/Inputs/project/same-sections.py" \
        "$work/$base$opt.plain.o" "$work/$base$opt.index-object.o" >/dev/null ||
        { echo "real-project-test: $pkg/$f: index=object changed more than its section" >&2; exit 1; }
    fi
    n=$((n + 1))
  done
done

# The project-wide report on the project's records (index-check.sh).
# shellcheck source=index-check.sh
source "$root/utils/index-check.sh"
index_check
python3 - "$metrics" "$n" <<'PY'
import json, sys
path, expected = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines()
assert len(lines) == expected, f"{len(lines)} metrics lines for {expected} compiles"
functions = pairs = 0
for i, line in enumerate(lines, 1):
    rec = json.loads(line)
    assert rec["tu"] and len(rec["batches"]) == 3, f"line {i}: incomplete record"  # filter, align, strict align
    functions += rec["functions_analysed"]
    pairs += len(rec["pairs"])
print(f"{expected} compiles, {functions} functions analysed, {pairs} pairs, "
      "objects identical with and without the plugin (metrics=, report=, -Rpass)")
PY
