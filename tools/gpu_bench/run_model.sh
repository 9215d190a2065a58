#!/usr/bin/env bash
# The one command the GPU machine runs for the model-level benchmark (issue 7,
# targets 3-5): build the runtime-only CUDA config with libssdc_capi.so
# (runtime/capi), then bench_model.py: random-weight mamba2-130m and -2.7b
# written by mamba_ssm, correctness of ssdc's logits first, then prefill and
# decode timings of ssdc and mamba_ssm in one process. Log and gpu_model.json
# land in $OUT (or ./gpu-bench-out when $OUT is unset).
#
# Prepare here (MLIR machine), then carry .carry/h5:
#   build/bin/ssdc compile models/mamba2-130m --target cuda --dtype bf16 -o .carry/h5/m130-bf16.ssdc
#   build/bin/ssdc compile models/mamba2-2.7b --target cuda --dtype bf16 -o .carry/h5/m27-bf16.ssdc
#   mamba_ssm's Python package unpacked under .carry/h5/peers (pip download
#   --no-deps --no-binary :all: mamba-ssm==2.3.2.post1) and
#   /work/shared/tools/peer_bench.py copied to .carry/h5/peer_bench.py.
# Usage: tools/gpu_bench/run_model.sh [bench_model.py options, e.g. --only 130m]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/gpu-bench-out}"
C=${SSDC_BENCH_CARRY:-.carry/h5}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv,noheader | tee "$OUT/gpu.txt"
t0=$(date +%s)
{
  cmake -S . -B build-h5-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSDC_ENABLE_COMPILER=OFF \
    -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=ON -DSSDC_BUILD_TESTS=OFF &&
  cmake --build build-h5-gpu -j 16 --target ssdc_capi
} > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
echo "built libssdc_capi.so in $(( $(date +%s) - t0 )) s"
set +e
python3 tools/gpu_bench/bench_model.py --lib build-h5-gpu/lib/libssdc_capi.so \
  --peers "$C/peers" --art130 "$C/m130-bf16.ssdc" --art27 "$C/m27-bf16.ssdc" \
  --out "$OUT" "$@" 2>&1 | tee "$OUT/bench_model.log"
exit "${PIPESTATUS[0]}"
