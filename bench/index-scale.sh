#!/usr/bin/env bash
# accelstrat-report at scale: index directories of N functions made from a
# real project's records (bench/index-scale.py: replicated with each token
# replaced with probability RATE), then the report's wall time, peak memory
# (the child's maximum RSS, as GNU time's %M) and auto's choices (--stats),
# as a markdown table on stdout. ACCELSTRAT_PROFILE is left as it is: off
# for the built-in rates, or a calibrated profile (utils/gpu-check.sh).
#   bench/index-scale.sh [--out DIR] BUILD_DIR SOURCE_INDEX_DIR [N...]
# SOURCE_INDEX_DIR: an index=DIR of a real project (the real-project tests
# leave one in BUILD_DIR/real-project/PACKAGE/index). With --out, also
# DIR/scale.dat and the plot DIR/scale.png (gnuplot DIR/scale.gp).
# At a million functions only RATE 0.3: at 0.1 the pairs grow with the
# square of the copies by construction (about 4 x 10^8 of them).
set -euo pipefail
out=
if [[ ${1:-} == --out ]]; then out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2; fi
build=$(cd "$1" && pwd) source=$2
shift 2
sizes=("${@:-10000 100000}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| functions | token change rate | wall s | peak RSS MiB | candidates | pairs | groups | filter batches: auto chose | align batches: auto chose |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|---|"
# Each kernel's batches and what auto chose for them, from --stats' lines
# "KERNEL batch K: T tasks; chosen S, N threads, cpu C gpu G tasks; ...".
chosen() {
  python3 - "$1" "$2" <<'PY'
import collections, re, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    m = re.search(r": %s batch \d+: \d+ tasks; chosen (\S+), (\d+) threads?, cpu (\d+) gpu (\d+) tasks" % sys.argv[2], line)
    if m:
        s, t, c, g = m.groups()
        seen[f"{s} ({t} thread{'s' if t != '1' else ''}{', gpu share %.0f%%' % (100 * int(g) / (int(c) + int(g))) if int(g) else ''})"] += 1
print(f"{sum(seen.values())}: " + ", ".join(f"{k} x{v}" for k, v in seen.most_common()))
PY
}
for n in ${sizes[*]}; do
  for rate in 0.1 0.3; do
    [[ $n -ge 1000000 && $rate == 0.1 ]] && continue # n^2 pairs by construction
    dir=$work/$n-$rate
    python3 "$root/bench/index-scale.py" "$source" "$dir" "$n" --rate "$rate" >/dev/null
    python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1] + "/out", "w"), stderr=open(sys.argv[1] + "/stats", "w"))
open(sys.argv[1] + "/time", "w").write("%.2f %d\n" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$work" "$build/bin/accelstrat-report" --stats "$dir"
    read -r wall rss <"$work/time"
    counts=$(grep -o '[0-9]* candidates, [0-9]* pairs' "$work/stats")
    groups=$(tail -n 1 "$work/out" | cut -d' ' -f1)
    echo "$n $rate $wall $((rss / 1024))" >>"$work/dat"
    echo "| $n | $rate | $wall | $((rss / 1024)) | ${counts%% candidates*} | $(sed 's/.*, //; s/ pairs//' <<<"$counts") | $groups | $(chosen "$work/stats" filter) | $(chosen "$work/stats" align) |"
    rm -rf "$dir"
  done
done
[[ -n $out ]] || exit 0
{
  echo "# functions, token change rate, wall s, peak RSS MiB; one block a rate"
  for rate in 0.1 0.3; do
    awk -v r="$rate" '$2 == r' "$work/dat"
    printf '\n\n'
  done
} >"$out/scale.dat"
cat >"$out/scale.gp" <<'GP'
# gnuplot scale.gp (in this directory) renders scale.png from scale.dat
set terminal pngcairo size 1000,480 noenhanced
set output "scale.png"
set multiplot layout 1,2 title "accelstrat-report: time and peak memory against the index's functions"
set logscale xy
set grid
set key bottom right
set xlabel "functions"
set ylabel "wall time (s)"
plot "scale.dat" index 0 using 1:3 with linespoints title "RATE 0.1 (copies 81-90% similar)", \
     "scale.dat" index 1 using 1:3 with linespoints title "RATE 0.3 (copies under the threshold)"
set ylabel "peak RSS (MiB)"
plot "scale.dat" index 0 using 1:4 with linespoints title "RATE 0.1", \
     "scale.dat" index 1 using 1:4 with linespoints title "RATE 0.3"
unset multiplot
GP
if command -v gnuplot >/dev/null; then (cd "$out" && gnuplot scale.gp); fi
