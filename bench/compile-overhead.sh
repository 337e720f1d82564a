#!/usr/bin/env bash
# Compile-time overhead of the plugin on real C projects: the whole build
# (every file of the Debian source package, -O2, one job, the project's own
# flags) without and with -fplugin, RUNS pairs after one warm-up of each,
# interleaved file by file (bench/compile-pairs.py), reporting the median of
# the per-pair ratios with/without of CPU time and their spread, and of
# wall time. No timing is asserted.
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
  json=$(python3 "$root/bench/compile-pairs.py" "$srcdir" "$runs" "$clang" -- "${flags[@]}" -- \
    "-fplugin=$plugin" "${plugin_args[@]}" -- "${files[@]}")
  row=$(python3 - "$pkg" "$version" "${#files[@]}" "$json" <<'PY'
import json, statistics, sys
pkg, version, n, r = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
def ratios(kind):
    return [b / a for a, b in zip(r["without_%s_s" % kind], r["with_%s_s" % kind])]
cpu, wall = ratios("cpu"), ratios("wall")
own = r["plugin_cpu_ns"] / 1e9 / (r["plugin_build_cpu_s"] - r["plugin_cpu_ns"] / 1e9)
print("| %s (%s) | %d | %.3f | %.3f | %.4f | %.4f–%.4f | %.4f | %d | %.4f | %.0f | %.0f |" % (
    pkg, version, n, statistics.median(r["without_cpu_s"]), statistics.median(r["with_cpu_s"]),
    statistics.median(cpu), min(cpu), max(cpu), statistics.median(wall), len(cpu), 1 + own,
    r["plugin_cpu_ns"] / 1e6, r["frontend_ns"] / 1e6))
PY
)
  rows+=("$row")
  echo "$row"
  samples+=("{\"package\":\"$pkg\",\"tree\":\"$version\",\"files\":${#files[@]},${json:1:${#json}-2}}")
done

table() {
  echo "machine: $machine"
  echo
  echo "## compile: whole builds with and without the plugin"
  echo
  echo "Every C file of each Debian source package at -O2 with the project's own flags,"
  echo "one job, \`-fplugin=libaccelstrat.so${plugin_args[*]:+ ${plugin_args[*]}}\` against no plugin; one"
  echo "warm-up each, then $runs pairs, each file's two compiles back to back in"
  echo "alternating order (bench/compile-pairs.py). Times are the compiles' CPU"
  echo "time (user + system) summed over the build, medians in seconds; the ratio"
  echo "is with/without per pair, median (min–max), and the same of wall time."
  echo "Own: one more build with \`metrics=\`, 1 + the plugin's recorded CPU time"
  echo "(\`cpu_ns\`: pass and frontend walk) over the rest of the compiles' CPU"
  echo "time, that time in ms, and the frontend walk's wall time in ms."
  echo
  echo "| project | files | without CPU s | with CPU s | ratio | ratio range | wall ratio | pairs | own | plugin CPU ms | frontend ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
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
