#!/usr/bin/env bash
# The libFuzzer targets of test/fuzz/, each run for a bounded time on a
# scratch copy of its committed corpus (test/fuzz/corpus/TARGET/), then one
# summary line: "fuzz: N targets, E executions in T s, K failed".
#   utils/fuzz.sh [--update-corpus] [SECONDS_PER_TARGET] [BUILD_DIR]
#   utils/fuzz.sh --make-corpus [BUILD_DIR]
# SECONDS_PER_TARGET defaults to 60 (0: each corpus input once, no fuzzing)
# and BUILD_DIR to build-fuzz, configured
# (clang-19, -DACCELSTRAT_FUZZ=ON) and built when needed; FUZZ_JOBS sets the
# build's parallelism (default: nproc) and FUZZ_TARGETS="json align" picks
# targets. --update-corpus merges what the runs found into the committed
# corpora (only inputs that add coverage); --make-corpus rewrites them from
# test/fuzz/make_corpus.c instead. A crash, a failed check, a timeout (10 s
# an input) or 2 GiB of memory fails its target; its input is kept under
# BUILD_DIR/fuzz-artifacts/TARGET/ and its path printed (rerun it with
# BUILD_DIR/bin/fuzz_TARGET PATH). Exits 1 on a failure, 77 (skipped) when
# clang-19, libFuzzer or jansson is missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
update=0 make_corpus=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
  --update-corpus) update=1 ;;
  --make-corpus) make_corpus=1 ;;
  *) echo "fuzz: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $make_corpus == 1 ]]; then
  secs=0 build=${1:-build-fuzz}
else
  secs=${1:-60} build=${2:-build-fuzz}
fi
[[ $secs =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, not '$secs'" >&2; exit 2; }
[[ $build == /* ]] || build=$root/$build
corpora=$root/test/fuzz/corpus

skip() { echo "fuzz: skipped: $*"; exit 77; }
cc=${FUZZ_CC:-clang-19}
command -v "$cc" >/dev/null || skip "$cc not found (Debian: apt-get install clang-19)"
resource=$("$cc" -print-resource-dir 2>/dev/null)
compgen -G "$resource/lib/*/libclang_rt.fuzzer*.a" >/dev/null ||
  skip "libFuzzer not found under $resource/lib (Debian: libclang-rt-19-dev)"
[[ -f /usr/include/jansson.h ]] || skip "jansson not found (Debian: libjansson-dev)"

if ! grep -qs '^ACCELSTRAT_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  CC=$cc cmake -S "$root" -B "$build" -DACCELSTRAT_FUZZ=ON -DACCELSTRAT_CUDA=OFF \
    -DACCELSTRAT_PLUGIN=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
    { echo "fuzz: cannot configure $build" >&2; exit 1; }
fi
cmake --build "$build" --target accelstrat-fuzz -j "${FUZZ_JOBS:-$(nproc)}" >/dev/null ||
  { echo "fuzz: the build of $build failed (cmake --build $build --target accelstrat-fuzz)" >&2; exit 1; }

if [[ $make_corpus == 1 ]]; then
  rm -rf "$corpora"
  "$build/bin/make_corpus" "$corpora" || { echo "fuzz: make_corpus failed" >&2; exit 1; }
  echo "fuzz: corpora written to $corpora"
  exit 0
fi

targets=${FUZZ_TARGETS:-$(cd "$corpora" && ls -d -- */ | tr -d /)}
work=$(mktemp -d "${TMPDIR:-/tmp}/accelstrat-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0 failed=0 total_execs=0 start=$SECONDS
for t in $targets; do
  bin=$build/bin/fuzz_$t
  n=$((n + 1))
  if [[ ! -x $bin ]]; then
    echo "fuzz_$t: FAILED: $bin not built"
    failed=$((failed + 1))
    continue
  fi
  scratch=$work/$t art=$build/fuzz-artifacts/$t log=$work/$t.log
  mkdir -p "$scratch" "$art"
  cp -- "$corpora/$t"/* "$scratch"/
  dict=()
  [[ -f $root/test/fuzz/$t.dict ]] && dict=("-dict=$root/test/fuzz/$t.dict")
  limit=-max_total_time=$secs
  [[ $secs == 0 ]] && limit=-runs=0
  t0=$SECONDS
  (cd "$work" && TMPDIR=$work "$bin" "$limit" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
    "${dict[@]}" "$scratch") >"$log" 2>&1
  rc=$?
  took=$((SECONDS - t0))
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  execs=${execs:-0}
  total_execs=$((total_execs + execs))
  if [[ $rc -ne 0 ]]; then
    failed=$((failed + 1))
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz_$t: FAILED (exit $rc) after $execs executions in $took s"
    grep -E 'fuzz check failed|ERROR: |runtime error|SUMMARY|deadly signal|timeout' "$log" | head -n 8 | sed 's/^/  /'
    echo "  input: ${crash:-(none written)}; log: $art/$t.log"
    cp "$log" "$art/$t.log"
    continue
  fi
  files=$(ls "$scratch" | wc -l)
  echo "fuzz_$t: $execs executions in $took s, corpus $files files"
  if [[ $update == 1 ]]; then
    (cd "$work" && TMPDIR=$work "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 \
      "$corpora/$t" "$scratch") >"$log.merge" 2>&1 ||
      { echo "fuzz_$t: merging into $corpora/$t failed"; failed=$((failed + 1)); }
  fi
done
echo "fuzz: $n targets, $total_execs executions in $((SECONDS - start)) s, $failed failed"
[[ $failed -eq 0 ]]
