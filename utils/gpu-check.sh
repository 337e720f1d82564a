#!/usr/bin/env bash
# The check to run on a machine with an NVIDIA GPU, in under 8 minutes:
# builds the runtime and the CUDA backend (no LLVM needed), shows the card and
# the kernels' register/spill report, runs accelstrat-gpu-check (CPU vs GPU
# conformance on fresh random inputs, a real out-of-memory, throughput),
# calibrates the cost model on this GPU and CPU (accelstrat-calibrate), runs
# accelstrat-bench selection with those rates and with the built-in ones,
# the runtime's unit tests; and, as a step of its own, the whole benchmark
# suite (accelstrat-bench all: the GPU sections on this GPU, the CPU sections
# on all its cores).
# Everything it shows is also saved in $OUT (default
# bench/results/<card>-<date>/): nvidia-smi.txt, ptxas.txt, gpu-check.md,
# gpu-check.json, calibrate.txt, profile.txt, selection-calibrated/,
# selection-defaults/, ctest.txt, suite/.
#
#   utils/gpu-check.sh            # BUILD=build-gpu, OUT=..., BUDGET=470 (s)
#   STEPS="calibrate selection" utils/gpu-check.sh   # some steps only
#                                 # (of: conformance calibrate selection unit suite report)
#   STEPS=suite BUDGET=560 utils/gpu-check.sh        # the suite (not in the
#                                 # default steps: it needs a call of its own)
#   STEPS=report BUDGET=560 utils/gpu-check.sh       # accelstrat-report at
#                                 # 10k, 100k and 1M functions (a call of its own)
#
# Exits non-zero when any step fails or runs out of time.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-build-gpu}
deadline=$((SECONDS + ${BUDGET:-470}))
jobs=$(nproc)

# step LIMIT CMD...: runs CMD with at most LIMIT seconds, and never past the
# deadline of the whole check.
step() {
  local limit=$1 left=$((deadline - SECONDS))
  shift
  ((left < limit)) && limit=$left
  if ((limit <= 0)); then
    echo "gpu-check: out of time before: $*" >&2
    return 124
  fi
  echo "== $* (at most ${limit}s)" >&2
  timeout -k 5 "$limit" "$@"
}

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found: this is not a GPU machine" >&2
  exit 1
fi
card=$(timeout 30 nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1 |
       tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//')
OUT=${OUT:-bench/results/${card:-unknown-gpu}-$(date -u +%Y-%m-%d)}
mkdir -p "$OUT"
echo "gpu-check: results in $OUT" >&2

step 30 nvidia-smi | tee "$OUT/nvidia-smi.txt"

step 120 cmake -S . -B "$build" -DACCELSTRAT_PLUGIN=OFF -DACCELSTRAT_CUDA=ON -DBUILD_TESTING=ON \
  -DCMAKE_BUILD_TYPE=Release >"$OUT/configure.txt" 2>&1 ||
  { tail -n 30 "$OUT/configure.txt" >&2; exit 1; }
step 300 cmake --build "$build" -j "$jobs"
for f in "$build/lib/libaccelstrat-cuda.so" "$build/bin/accelstrat-gpu-check" \
         "$build/bin/accelstrat-calibrate" "$build/bin/accelstrat-bench"; do
  [[ -f $f ]] || { echo "gpu-check: $f was not built (is ACCELSTRAT_CUDA wired into CMakeLists.txt?)" >&2; exit 1; }
done

echo "== ldd $build/lib/libaccelstrat-cuda.so" >&2
ldd "$build/lib/libaccelstrat-cuda.so" | tee "$OUT/ldd.txt"

step 120 cmake --build "$build" --target cuda-resource-usage 2>&1 | tee "$OUT/ptxas.txt"

steps=" ${STEPS:-conformance calibrate selection unit} "
want() { [[ $steps == *" $1 "* ]]; }

if want conformance; then
  step 300 "$build/bin/accelstrat-gpu-check" --json "$OUT/gpu-check.json" |
    tee "$OUT/gpu-check.md"
fi

# The cost model's rates for this GPU and CPU, then how often auto picks the
# fastest strategy with them and with the built-in rates. The selection runs
# learn online too, so they work on copies of the profile.
if want calibrate; then
  step 120 env ACCELSTRAT_GPU=cuda ACCELSTRAT_PROFILE="$OUT/profile.txt" \
    "$build/bin/accelstrat-calibrate" | tee "$OUT/calibrate.txt"
fi
if want selection; then
  if [[ -f $OUT/profile.txt ]]; then
    cp "$OUT/profile.txt" "$build/profile-bench.txt"
    step 240 env ACCELSTRAT_GPU=cuda ACCELSTRAT_PROFILE="$build/profile-bench.txt" \
      "$build/bin/accelstrat-bench" selection --out "$OUT/selection-calibrated"
  fi
  step 240 env ACCELSTRAT_GPU=cuda ACCELSTRAT_PROFILE=off \
    "$build/bin/accelstrat-bench" selection --out "$OUT/selection-defaults"
fi

if want unit; then
  step 240 ctest --test-dir "$build" -L unit --output-on-failure -j "$jobs" 2>&1 |
    tee "$OUT/ctest.txt"
fi

# The benchmark suite, every section, with the calibrated rates when this run
# made them (on a copy: the suite learns online too).
if want suite; then
  profile=off
  if [[ -f $OUT/profile.txt ]]; then
    cp "$OUT/profile.txt" "$build/profile-suite.txt"
    profile=$build/profile-suite.txt
  fi
  step 480 env ACCELSTRAT_GPU=cuda ACCELSTRAT_PROFILE="$profile" \
    "$build/bin/accelstrat-bench" all --out "$OUT/suite" 2>&1 | tee "$OUT/suite.txt"
fi

# accelstrat-report at scale on this GPU (bench/index-scale.sh on Lua's
# committed records, bench/data/lua5.4-index.tar.gz): time, peak memory and
# what auto chose for each batch, with the calibrated rates when this run
# made them. SCALE_SIZES (default 10000 100000 1000000) for fewer.
if want report; then
  profile=off
  [[ -f $OUT/profile.txt ]] && cp "$OUT/profile.txt" "$build/profile-report.txt" &&
    profile=$build/profile-report.txt
  records=$(mktemp -d)
  tar -C "$records" -xzf bench/data/lua5.4-index.tar.gz
  mkdir -p "$OUT/report-scale"
  # shellcheck disable=SC2086
  step 480 env ACCELSTRAT_GPU=cuda ACCELSTRAT_PROFILE="$profile" \
    bench/index-scale.sh --out "$OUT/report-scale" "$build" "$records/lua-index" \
    ${SCALE_SIZES:-10000 100000 1000000} | tee "$OUT/report-scale/scale.md"
  rm -rf "$records"
fi

echo "gpu-check: all passed ($SECONDS s); results in $OUT" >&2
