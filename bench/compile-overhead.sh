#!/usr/bin/env bash
# Compile-time overhead of the plugin on real C projects: the whole build
# (every file of the Debian source package, -O2, one job, the project's own
# flags) without and with -fplugin, alternated A B, B A, ... for RUNS pairs
# after one warm-up of each, reporting the median of the per-pair ratios
# with/without and their spread. No timing is asserted.
#   bench/compile-overhead.sh BUILD_DIR [RUNS] [PACKAGE...]
#   OUT=DIR writes DIR/compile.md and DIR/compile.json (every sample) too.
#   PLUGIN_ARGS="-fplugin-arg-accelstrat-threads=1" adds plugin arguments.
# Packages: zlib, lua5.4, sqlite3 (default: all three); a package whose
# source cannot be fetched here is skipped with the reason.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
runs=${2:-7}
shift $(( $# < 2 ? $# : 2 ))
packages=("$@")
[[ ${#packages[@]} -gt 0 ]] || packages=(zlib lua5.4 sqlite3)
root=$(cd "$(dirname "$0")/.." && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
plugin=$build/lib/libaccelstrat.so
read -r -a plugin_args <<<"${PLUGIN_ARGS:-}"
out=${OUT:-}
# shellcheck source=../utils/projects.sh
source "$root/utils/projects.sh"
[[ -f $plugin ]] || { echo "compile-overhead: $plugin not built" >&2; exit 1; }

now() { date +%s.%N; }
build_once() { # $@: extra flags
  local f
  for f in "${files[@]}"; do
    (cd "$srcdir" && "$clang" -O2 "${flags[@]}" "$@" -c "$f" -o /dev/null)
  done
}
without() { build_once; }
with() { build_once "-fplugin=$plugin" "${plugin_args[@]}"; }

gpu=$(timeout 30 nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || true)
machine="CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, GPU ${gpu:-none (no nvidia-smi answer)}, ACCELSTRAT_GPU=${ACCELSTRAT_GPU:-cuda}, the plugin's default strategy (auto); $("$clang" --version | head -n 1)"
rows=() samples=()
echo "machine: $machine"
for pkg in "${packages[@]}"; do
  work=$build/bench-compile/$pkg
  rc=0
  project_setup "$pkg" "$build" "$work" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "$pkg: skipped (its source or recipe is not available here: exit $rc)"
    continue
  fi
  version=$(basename "${srcdir%/src}") # the unpacked tree: name-version
  without && with # warm-up: caches, the plugin's profile, the page cache
  a=() b=() r=()
  for ((i = 0; i < runs; i++)); do
    if ((i % 2 == 0)); then
      t0=$(now); without; t1=$(now); with; t2=$(now)
      ta=$(awk -v x="$t0" -v y="$t1" 'BEGIN { print y - x }')
      tb=$(awk -v x="$t1" -v y="$t2" 'BEGIN { print y - x }')
    else
      t0=$(now); with; t1=$(now); without; t2=$(now)
      tb=$(awk -v x="$t0" -v y="$t1" 'BEGIN { print y - x }')
      ta=$(awk -v x="$t1" -v y="$t2" 'BEGIN { print y - x }')
    fi
    a+=("$ta") b+=("$tb") r+=("$(awk -v x="$ta" -v y="$tb" 'BEGIN { print y / x }')")
    printf '%s pair %d: without %.3f s, with %.3f s\n' "$pkg" "$((i + 1))" "$ta" "$tb"
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  lo() { printf '%s\n' "$@" | sort -g | head -n 1; }
  hi() { printf '%s\n' "$@" | sort -g | tail -n 1; }
  row=$(printf '| %s (%s) | %d | %.3f | %.3f | %.4f | %.4f–%.4f | %d |' "$pkg" "$version" \
    "${#files[@]}" "$(med "${a[@]}")" "$(med "${b[@]}")" "$(med "${r[@]}")" "$(lo "${r[@]}")" \
    "$(hi "${r[@]}")" "$runs")
  rows+=("$row")
  echo "$row"
  join() { local IFS=,; echo "$*"; }
  samples+=("{\"package\":\"$pkg\",\"tree\":\"$version\",\"files\":${#files[@]},\"without_s\":[$(join "${a[@]}")],\"with_s\":[$(join "${b[@]}")],\"ratio\":[$(join "${r[@]}")]}")
done

table() {
  echo "machine: $machine"
  echo
  echo "## compile: whole builds with and without the plugin"
  echo
  echo "Every C file of each Debian source package at -O2 with the project's own flags,"
  echo "one job, \`-fplugin=libaccelstrat.so${plugin_args[*]:+ ${plugin_args[*]}}\` against no plugin; one"
  echo "warm-up each, then $runs pairs alternated (A B, B A, ...). Times are medians of the"
  echo "whole build in seconds; the ratio is with/without per pair, median (min–max)."
  echo
  echo "| project | files | without s | with s | ratio | ratio range | pairs |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
}
if [[ -n $out ]]; then
  mkdir -p "$out"
  table > "$out/compile.md"
  { local_samples=$(IFS=,; echo "${samples[*]}")
    printf '{"tool":"bench/compile-overhead.sh","machine":"%s","runs":%d,"plugin_args":"%s","projects":[%s]}\n' \
      "${machine//\"/\\\"}" "$runs" "${plugin_args[*]}" "$local_samples"; } > "$out/compile.json"
  python3 -m json.tool "$out/compile.json" > /dev/null
  echo "wrote $out/compile.md and $out/compile.json"
fi
