#!/usr/bin/env bash
# Compile time at -O0 of chains.py's TUs of 4,000, 8,000 and 16,000
# functions: without the plugin, with OLD_PLUGIN and with NEW_PLUGIN,
# interleaved, best of 3 wall times.
#   OLD_PLUGIN=... NEW_PLUGIN=... chains-time.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
clang=${CLANG:-/usr/lib/llvm-19/bin/clang}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 4000 8000 16000; do
  python3 "$here/chains.py" $n > "$work/chains$n.c"
  for which in none old new; do
    best=999
    for r in 1 2 3; do
      extra=()
      [[ $which == old ]] && extra=(-fplugin="$OLD_PLUGIN")
      [[ $which == new ]] && extra=(-fplugin="$NEW_PLUGIN")
      s=$(date +%s.%N)
      ACCELSTRAT_PROFILE=off "$clang" -O0 -c "$work/chains$n.c" -o /dev/null "${extra[@]}"
      t=$(echo "$(date +%s.%N) - $s" | bc)
      best=$(echo "if ($t < $best) $t else $best" | bc)
    done
    printf '%s functions %s: %.3f s\n' $n $which $best
  done
done
