#!/usr/bin/env bash
# The CUDA runtime's resident sessions, arena, decode graphs and NaN guard,
# checked and timed on the GPU machine in one call (docs/gpu_runtime.md).
#
# Here (MLIR): SSDC=build/bin/ssdc tools/gpu_check.sh prepare (fixture
# artifacts in gpu-artifacts/) and the 130m artifacts:
#   mkdir -p .carry/h2/m130 && cp test/gpu/Inputs/mamba2-130m-hf-config.json .carry/h2/m130/config.json
#   build/bin/ssdc compile .carry/h2/m130 --target cuda -o .carry/h2/m130-f32.ssdc
#   build/bin/ssdc compile .carry/h2/m130 --target cuda --dtype bf16 -o .carry/h2/m130-bf16.ssdc
# There (carry gpu-artifacts and .carry/h2): tools/gpu_runtime_check.sh
#   1. configure + build the runtime-only build (build-gpu-h2, -j 16)
#   2. ctest -L gpu: the fixture checks (eval/generate through the CLI, which
#      now decode on a resident session with graphs), the session checks
#      (test/gpu/session_check.cpp) and the arena plans, and whatever else is
#      labelled gpu
#   3. the CLI: generate with SSDC_CUDA_RESIDENT=0 (host states) and with the
#      session: output files byte-identical
#   4. mamba2-130m at its real config, random weights: the session checks
#      (fp32 at 1e-4; bf16 at 1e-2), and decode step times eager vs graph,
#      batch 1 and 16
#   5. compute-sanitizer memcheck over the session check of one fixture
# Writes ${OUT:-/tmp}/gpu_runtime.log and prints a summary last.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT:-/tmp}
log=$out/gpu_runtime.log
summary=$out/gpu_runtime_summary.txt
build=build-gpu-h2
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
  set -x
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  nvcc --version | tail -1
  cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSSDC_ENABLE_COMPILER=OFF -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=ON \
    -DSSDC_BUILD_TESTS=OFF -DSSDC_GPU_ARTIFACTS="$root/gpu-artifacts" &&
  cmake --build $build -j 16 --target ssdc st-compare make-random-weights \
    ssdc-session-check ssdc-arena-check
  echo "build exit: $?"
} > "$log" 2>&1
note "run $start on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
note "build: $(grep -o 'build exit: [0-9]*' "$log" | tail -1)"
grep -E 'warning:|error:' "$log" | head -20 | tee -a "$summary"

# 2. ctest -L gpu (the fixture, session and arena checks; the kernel and
# attention checks have their own scripts)
{
  ctest --test-dir $build -L gpu -R 'gpu-(fixture|session|arena)' -V --timeout 240
  echo "ctest exit: $?"
} >> "$log" 2>&1
note "## ctest -L gpu"
grep -E '^ *[0-9]+/[0-9]+ Test|tests passed|tests failed|ctest exit' "$log" | tee -a "$summary"
grep -E '^[0-9]+: (OK|FAIL) ' "$log" | grep -E 'session|graph|prefill\(|batch of|NaN|FAIL' \
  | head -60 | tee -a "$summary"

# 3. CLI: host states vs resident session, byte-identical outputs.
note "## CLI generate: SSDC_CUDA_RESIDENT=0 vs resident"
ssdc=$build/bin/ssdc
for art in gpu-artifacts/g1_tied_chunk16.ssdc gpu-artifacts/g2_untied_chunk8_limit__chunked16.ssdc; do
  fix=test/fixtures/hf/$(basename "$art" .ssdc | sed 's/__.*//')
  SSDC_CUDA_RESIDENT=0 $ssdc generate "$art" --device cuda --weights "$fix" \
    --prompt-ids "3,1,4,1,5,9,2,6;5,3,5" --max-new-tokens 12 --output /tmp/host.st >> "$log" 2>&1
  $ssdc generate "$art" --device cuda --weights "$fix" \
    --prompt-ids "3,1,4,1,5,9,2,6;5,3,5" --max-new-tokens 12 --output /tmp/res.st >> "$log" 2>&1
  if cmp -s /tmp/host.st /tmp/res.st; then note "OK $(basename "$art"): batch of 2, 12 tokens: identical files"
  else note "FAIL $(basename "$art"): outputs differ"; fi
done

# 4. mamba2-130m (real config, random weights).
note "## mamba2-130m"
if [ -d .carry/h2/m130-f32.ssdc ]; then
  $build/bin/make-random-weights .carry/h2/m130-f32.ssdc /tmp/m130.safetensors --seed 5 >> "$log" 2>&1
  for dt in f32 bf16; do
    tol=1e-4; [ $dt = bf16 ] && tol=1e-2
    [ -d .carry/h2/m130-$dt.ssdc ] || continue
    echo "=== m130 $dt" >> "$log"
    $build/bin/ssdc-session-check .carry/h2/m130-$dt.ssdc /tmp/m130.safetensors \
      --prompt-len 64 --steps 16 --tol $tol --time 200 --batches 1,16 2>&1 \
      | sed "s/^/[m130 $dt] /" | tee -a "$log" | grep -E 'OK|FAIL|TIME|PASS|device' >> "$summary"
  done
else
  note "no .carry/h2/m130-f32.ssdc: skipped"
fi

# 5. compute-sanitizer over one fixture's session check.
note "## compute-sanitizer memcheck (session check, g2_untied_chunk8_limit__chunked16)"
cs=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ -x "$cs" ]; then
  timeout 100 "$cs" --tool memcheck --error-exitcode 9 \
    $build/bin/ssdc-session-check gpu-artifacts/g2_untied_chunk8_limit__chunked16.ssdc \
    test/fixtures/hf/g2_untied_chunk8_limit --steps 3 > "$out/memcheck.log" 2>&1
  rc=$?
  note "memcheck exit $rc; $(grep -E 'ERROR SUMMARY' "$out/memcheck.log" | tail -1)"
  grep -E '^(OK|FAIL)' "$out/memcheck.log" | tee -a "$summary"
else
  note "compute-sanitizer not found"
fi
cat "$summary"
