#!/usr/bin/env bash
# accelstrat-report at scale: index directories of N functions made from a
# real project's records (bench/index-scale.py: replicated with each token
# replaced with probability RATE), then the report's wall time, peak memory
# (GNU time) and auto's choices (--stats), as a markdown table on stdout.
#   bench/index-scale.sh BUILD_DIR SOURCE_INDEX_DIR [N...]
# SOURCE_INDEX_DIR: an index=DIR of a real project (the real-project tests
# leave one in BUILD_DIR/real-project/PACKAGE/index).
set -euo pipefail
build=$(cd "$1" && pwd) source=$2
shift 2
sizes=("${@:-10000 100000}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| functions | token change rate | wall s | peak RSS MiB | candidates | pairs | groups | filter batch | align batches |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|---|"
for n in ${sizes[*]}; do
  for rate in 0.1 0.3; do
    dir=$work/$n-$rate
    python3 "$root/bench/index-scale.py" "$source" "$dir" "$n" --rate "$rate" >/dev/null
    ACCELSTRAT_PROFILE=off /usr/bin/time -f "%e %M" -o "$work/time" \
      "$build/bin/accelstrat-report" --stats "$dir" \
      >"$work/out" 2>"$work/stats"
    read -r wall rss <"$work/time"
    counts=$(grep -o '[0-9]* candidates, [0-9]* pairs' "$work/stats")
    groups=$(tail -n 1 "$work/out" | cut -d' ' -f1)
    filter=$(sed -n 's/.*: filter: [0-9]* tasks; //p' "$work/stats" | sed 's/; [0-9]* fallbacks*$//')
    align=$(sed -n 's/.*: align: [0-9]* tasks[^;]*; //p' "$work/stats" | sed 's/; [0-9]* fallbacks*$//')
    echo "| $n | $rate | $wall | $((rss / 1024)) | ${counts%% candidates*} | $(sed 's/.*, //; s/ pairs//' <<<"$counts") | $groups | $filter | $align |"
    rm -rf "$dir"
  done
done
