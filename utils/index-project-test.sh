#!/usr/bin/env bash
# The project-wide report on a real project too large for every variant of
# real-project-test.sh (SQLite: sqlite3.c is a quarter of a million lines):
# each file compiled once at -O2 without the plugin, with index=DIR and
# with index=object (the object the same as the plain one but for its index
# section), then index-check.sh's planted clones and report checks.
# Exit 77 (skip) when the source cannot be fetched here.
#   utils/index-project-test.sh PACKAGE BUILD_DIR
set -euo pipefail
pkg=$1 build=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$build/lib/libaccelstrat.so
work=$build/index-project/$pkg
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=projects.sh
source "$root/utils/projects.sh"
project_setup "$pkg" "$build" "$work" || exit $?
# The smallest file is the one copied whole.
planted_from=$(cd "$srcdir" && ls -S "${files[@]}" | tail -n 1)

for f in "${files[@]}"; do
  base=${f%.c}
  compile() {
    (cd "$srcdir" && "$clang" -O2 "${flags[@]}" -c "$f" -o "$work/$base-O2.$1.o" "${@:2}")
  }
  compile plain
  compile index-dir -fplugin="$plugin" -fplugin-arg-accelstrat-index="$work/index"
  compile index-object -fplugin="$plugin" -fplugin-arg-accelstrat-index=object
  cmp -s "$work/$base-O2.plain.o" "$work/$base-O2.index-dir.o" ||
    { echo "index-project-test: $pkg/$f: index=DIR changed the object" >&2; exit 1; }
  python3 "$root/test/plugin/Inputs/project/same-sections.py" \
    "$work/$base-O2.plain.o" "$work/$base-O2.index-object.o" >/dev/null ||
    { echo "index-project-test: $pkg/$f: index=object changed more than its section" >&2; exit 1; }
  if [[ $f == "$planted_from" ]]; then
    compile report -fplugin="$plugin" -fplugin-arg-accelstrat-report="$work/$base-O2.report.json"
  fi
done

# shellcheck source=index-check.sh
source "$root/utils/index-check.sh"
index_check
