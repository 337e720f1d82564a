#!/usr/bin/env bash
# The plugin's compile-time overhead in instructions: every C file of each
# package compiled at -O2 with its own flags under callgrind, without and
# with -fplugin, instructions summed over the build. Unlike time, the count
# does not depend on what else the machine runs (a shared VM drifts by
# several percent within a build), so one run of each suffices; it does not
# see cache and memory effects, which bench/compile-overhead.sh's pairs do.
# Slow: about 50 times a build (SQLite's amalgamation takes half an hour).
#   bench/compile-instructions.sh BUILD_DIR [PACKAGE...]   (default: zlib lua5.4)
#   OUT=DIR writes DIR/instructions.md too.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift $(( $# < 1 ? $# : 1 ))
packages=("$@")
[[ ${#packages[@]} -gt 0 ]] || packages=(zlib lua5.4)
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$build/lib/libaccelstrat.so
[[ -f $plugin ]] || { echo "compile-instructions: $plugin not built" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "compile-instructions: valgrind missing" >&2; exit 1; }
# shellcheck source=../utils/projects.sh
source "$root/utils/projects.sh"

# Instructions of one build: $1 is a file to write the total to, the rest
# extra flags.
count() {
  local out=$1 f n total=0
  shift
  for f in "${files[@]}"; do
    n=$(cd "$srcdir" && valgrind --tool=callgrind --callgrind-out-file=/dev/null \
          "$clang" -O2 "${flags[@]}" "$@" -c "$f" -o /dev/null 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -n 1)
    [[ -n $n ]] || { echo "compile-instructions: no count for $f" >&2; exit 1; }
    total=$((total + n))
  done
  echo "$total" > "$out"
}

rows=()
for pkg in "${packages[@]}"; do
  work=$build/bench-instructions/$pkg
  mkdir -p "$work"
  rc=0
  project_setup "$pkg" "$build" "$work" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "$pkg: skipped (its source or recipe is not available here: exit $rc)"
    continue
  fi
  version=$(basename "${srcdir%/src}")
  # The two builds side by side: the counts do not depend on each other.
  count "$work/without" & a=$!
  count "$work/with" "-fplugin=$plugin" & b=$!
  wait "$a" && wait "$b"
  row=$(awk -v p="$pkg ($version)" -v n="${#files[@]}" -v a="$(cat "$work/without")" \
    -v b="$(cat "$work/with")" 'BEGIN { printf "| %s | %d | %.0f | %.0f | %.4f |", p, n, a, b, b / a }')
  rows+=("$row")
  echo "$row"
done
if [[ -n ${OUT:-} ]]; then
  mkdir -p "$OUT"
  {
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $("$clang" --version | head -n 1); $(valgrind --version)"
    echo
    echo "## compile: instructions with and without the plugin"
    echo
    echo "Every C file at -O2 with the project's own flags under callgrind, one"
    echo "run each; instructions summed over the build."
    echo
    echo "| project | files | without | with | ratio |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
  } > "$OUT/instructions.md"
fi
