#!/usr/bin/env bash
# The one command the GPU machine runs for the fused SSD benchmark: build
# tools/gpu_bench/ssd_lib.cu into a shared library, run bench_ssd.py (checks
# vs float64, then timings of ours and the peers in one process) and leave the
# log, JSON and plot in $OUT (or ./gpu-bench-out when $OUT is unset).
# Needs the peers unpacked under .carry/h1/peers and peer_bench.py in .carry/h1
# (tools/gpu_bench/README.md says how), carried with the call.
# Usage: tools/gpu_bench/run_ssd.sh [--build-only | bench_ssd.py options, e.g. --quick --no-timing]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/gpu-bench-out}"
mkdir -p "$OUT" build-h1-gpu
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv,noheader | tee "$OUT/gpu.txt"
NVCC="${NVCC:-nvcc}"
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
# --build-only: build and stop; SSD_SKIP_BUILD=1: use the library built before.
if [ "${SSD_SKIP_BUILD:-0}" != 1 ] || [ ! -f build-h1-gpu/libssd.so ]; then
  t0=$(date +%s)
  "$NVCC" -gencode=arch=compute_90a,code=sm_90a -O3 -std=c++17 --shared -Xcompiler -fPIC \
    -Xptxas -v -I codegen/cuda/include -I codegen/cuda/templates \
    tools/gpu_bench/ssd_lib.cu -o build-h1-gpu/libssd.so > "$OUT/build.log" 2>&1 ||
    { tail -30 "$OUT/build.log"; exit 1; }
  echo "built libssd.so in $(( $(date +%s) - t0 )) s"
fi
if [ "${1:-}" = --build-only ]; then exit 0; fi
# Triton's compile cache travels between calls (compiling the peers' autotune
# configs takes minutes): unpacked from .carry/h1 when there, packed into $OUT.
export TRITON_CACHE_DIR=/tmp/h1-triton-cache
mkdir -p "$TRITON_CACHE_DIR"
[ -f .carry/h1/triton_cache.tgz ] && tar xzf .carry/h1/triton_cache.tgz -C "$TRITON_CACHE_DIR"
pack_cache() {
  tar czf "$OUT/triton_cache.tgz" -C "$TRITON_CACHE_DIR" . 2>/dev/null || true
  [ "$(stat -c %s "$OUT/triton_cache.tgz" 2>/dev/null || echo 0)" -lt 16000000 ] ||
    rm -f "$OUT/triton_cache.tgz"
}
PEERS=()
[ -d .carry/h1/peers ] && PEERS=(--peers .carry/h1/peers)
set +e
python3 tools/gpu_bench/bench_ssd.py --lib build-h1-gpu/libssd.so "${PEERS[@]}" --out "$OUT" "$@" 2>&1 |
  tee "$OUT/bench.log"
rc=${PIPESTATUS[0]}
pack_cache
exit "$rc"
