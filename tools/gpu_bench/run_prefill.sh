#!/usr/bin/env bash
# The GPU machine's command for issue 7 target 4 alone (mamba2-2.7b prefill 8 x 2048,
# ssdc vs mamba_ssm in one process): build libssdc_capi.so (runtime-only CUDA config,
# build-hfused-gpu), then bench_prefill.py. Log and gpu_prefill.json land in $OUT.
# Carry .carry/h5 (mamba_ssm under peers/, peer_bench.py) and the artifact, compiled here:
#   build/bin/ssdc compile models/mamba2-2.7b --target cuda --dtype bf16 \
#     --chunked-form fused -o .carry/hfused/m27-fused.ssdc
# Usage: tools/gpu_bench/run_prefill.sh [--build-only] [bench_prefill.py options]
# Env: SSDC_PREFILL_ART (artifact, default .carry/hfused/m27-fused.ssdc),
#      SSDC_BENCH_CARRY (peers' folder, default .carry/h5).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/gpu-bench-out}"
C=${SSDC_BENCH_CARRY:-.carry/h5}
ART=${SSDC_PREFILL_ART:-.carry/hfused/m27-fused.ssdc}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
if [ ! -f build-hfused-gpu/lib/libssdc_capi.so ] || [ "${1:-}" = --build-only ]; then
  t0=$(date +%s)
  {
    cmake -S . -B build-hfused-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSDC_ENABLE_COMPILER=OFF \
      -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=ON -DSSDC_BUILD_TESTS=OFF &&
    cmake --build build-hfused-gpu -j "${SSDC_BUILD_JOBS:-16}" --target ssdc_capi
  } > "$OUT/build_capi.log" 2>&1 || { tail -40 "$OUT/build_capi.log"; exit 1; }
  echo "built libssdc_capi.so in $(( $(date +%s) - t0 )) s"
fi
[ "${1:-}" = --build-only ] && exit 0
# Triton's compile cache: the one run_ssd.sh unpacked, if it ran first on this machine.
export TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-/tmp/h1-triton-cache}
mkdir -p "$TRITON_CACHE_DIR"
set +e
python3 tools/gpu_bench/bench_prefill.py --lib build-hfused-gpu/lib/libssdc_capi.so \
  --peers "$C/peers" --art27 "$ART" --out "$OUT" "$@" 2>&1 | tee "$OUT/bench_prefill.log"
exit "${PIPESTATUS[0]}"
