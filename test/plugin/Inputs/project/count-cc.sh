#!/bin/sh
# A compiler for accelstrat-report -p's tests: counts the compiles running
# at once (the count each one reaches as it starts, one a line, in
# $COUNT_DIR/levels), holds each a while so that they overlap, then runs
# $REAL_CC with its arguments and exits as it does.
count() {
  flock "$COUNT_DIR/lock" sh -c '
    n=$(( $(cat "$1/running" 2>/dev/null || echo 0) + $2 ))
    echo $n > "$1/running"
    if [ "$2" -gt 0 ]; then echo $n >> "$1/levels"; fi' sh "$COUNT_DIR" "$1"
}
count 1
sleep 0.4
"$REAL_CC" "$@"
rc=$?
count -1
exit $rc
