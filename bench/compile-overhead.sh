#!/usr/bin/env bash
# Compile-time overhead of the plugin on real C projects: the whole build
# (every file, -O2, one job, the project's own flags) with and without
# -fplugin, alternated A B A B for RUNS pairs in one process, reporting the
# median of the per-pair ratios and their spread. No timing is asserted.
#   bench/compile-overhead.sh BUILD_DIR [RUNS] [PACKAGE...]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
runs=${2:-7}
shift $(( $# < 2 ? $# : 2 ))
packages=("$@")
[[ ${#packages[@]} -gt 0 ]] || packages=(zlib lua5.4)
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$build/lib/libaccelstrat.so
# shellcheck source=../utils/projects.sh
source "$root/utils/projects.sh"

now() { date +%s.%N; }
build_once() { # $1: extra flags
  local f
  for f in "${files[@]}"; do
    (cd "$srcdir" && "$clang" -O2 "${flags[@]}" $1 -c "$f" -o /dev/null)
  done
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs; $("$clang" --version | head -n 1)"
for pkg in "${packages[@]}"; do
  work=$build/bench-compile/$pkg
  project_setup "$pkg" "$build" "$work"
  build_once "" && build_once "-fplugin=$plugin" # warm the caches
  ratios=()
  for ((i = 0; i < runs; i++)); do
    t0=$(now); build_once ""; t1=$(now)
    build_once "-fplugin=$plugin"; t2=$(now)
    ratios+=("$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { print (c - b) / (b - a) }')")
    awk -v p="$pkg" -v i="$i" -v a="$t0" -v b="$t1" -v c="$t2" \
      'BEGIN { printf "%s run %d: without %.3f s, with %.3f s\n", p, i, b - a, c - b }' 
  done
  printf '%s\n' "${ratios[@]}" | sort -g | awk -v pkg="$pkg" -v n="${#files[@]}" '
    { r[NR] = $1 }
    END { printf "%s (%d files): median ratio with/without %.4f (min %.4f, max %.4f, %d pairs)\n",
                 pkg, n, r[int((NR + 1) / 2)], r[1], r[NR], NR }'
done
