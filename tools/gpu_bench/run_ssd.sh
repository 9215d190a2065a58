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
# --build-only: build and stop; SSD_SKIP_BUILD=1: use the library built before;
# SSD_NCU: see below.
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
# SSD_NCU="L:mask,..." (e.g. "2048:0,2048:8192"): Nsight Compute over the second launch of
# each listed kernel instead of the benchmark (clocks left alone); reports in $OUT.
if [ -n "${SSD_NCU:-}" ]; then
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  set +e
  n=0
  for item in ${SSD_NCU//,/ }; do
    n=$((n + 1))
    "$NCU" --clock-control none --kernel-name regex:'fusedKernel|ablatedKernel' \
      --launch-skip 1 --launch-count 1 --section SpeedOfLight --section WarpStateStats \
      --section MemoryWorkloadAnalysis --section SchedulerStats --section SourceCounters \
      -o "$OUT/ncu_$n" python3 tools/gpu_bench/bench_ssd.py --lib build-h1-gpu/libssd.so \
      --profile-once "$item" > "$OUT/ncu_$n.log" 2>&1
    "$NCU" --import "$OUT/ncu_$n.ncu-rep" --page details > "$OUT/ncu_$n.txt" 2>&1
    echo "ncu $item: rc $? ($(wc -l < "$OUT/ncu_$n.txt") lines)"
  done
  exit 0
fi
PEERS=()
[ -d .carry/h1/peers ] && PEERS=(--peers .carry/h1/peers)
set +e
python3 tools/gpu_bench/bench_ssd.py --lib build-h1-gpu/libssd.so "${PEERS[@]}" --out "$OUT" "$@" 2>&1 |
  tee "$OUT/bench.log"
rc=${PIPESTATUS[0]}
pack_cache
exit "$rc"
