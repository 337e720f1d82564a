#!/usr/bin/env bash
# Old (main before the change) and new dynamic hybrid, alternated, on the sim.
set -u
for speed in 1 0.5; do
  for round in 1 2 3; do
    for which in old new; do
      bin=${OLD:-/tmp/oldtree/build/bin/accelstrat-bench}
      [[ $which == new ]] && bin=${NEW:-/tmp/newbuild/bin/accelstrat-bench}
      ACCELSTRAT_PROFILE=off ACCELSTRAT_GPU=sim ACCELSTRAT_SIM="speed=$speed" \
        $bin hybrid --threads 2 --out ${OUT:-.}/$which-speed$speed-r$round > /dev/null 2>&1
      echo "$which speed=$speed round $round: $(grep 'dynamic hybrid / faster' ${OUT:-.}/$which-speed$speed-r$round/hybrid.md)"
    done
  done
done
