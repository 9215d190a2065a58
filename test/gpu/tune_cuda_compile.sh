#!/usr/bin/env bash
# ssdc tune --device cuda without a GPU (label unit): the variants' source of
# a bf16 artifact at mamba2-130m's SSD shape (recurrent, quadratic, the four
# chunk kernels at every Q, the fused kernel at Q = 64 and 128) is written
# and compiled with NVRTC for sm_90a by ssdc itself, then with nvcc; with no
# GPU visible, tuning fails with a clear error and writes nothing.
#   tune_cuda_compile.sh SSDC NVCC MODEL_CONFIG WORKDIR
set -euo pipefail
ssdc=$1 nvcc=$2 model=$3 w=$4
rm -rf "$w" && mkdir -p "$w"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$ssdc" compile "$model" --target cuda --dtype bf16 -o "$w/m.ssdc" 2> "$w/compile.log" || {
  cat "$w/compile.log" >&2; fail "ssdc compile"; }
"$ssdc" tune "$w/m.ssdc" --device cuda --emit-source "$w/variants.cu" 2> "$w/emit.log" || {
  cat "$w/emit.log" >&2; fail "ssdc tune --emit-source"; }
cat "$w/emit.log"
grep -q "NVRTC .* compiled it for sm_90a" "$w/emit.log" || fail "no NVRTC build"
for k in ssdc_ssm_recurrent_bf16 ssdc_ssm_quadratic_bf16 ssdc_chunk_output_q32_bf16 \
         ssdc_chunk_state_q256_bf16 ssdc_state_pass_q128_sequential_f32 \
         ssdc_chunk_cumsum_q64_bf16 ssdc_unary_copy_f32_bf16 ssdc_binary_mul_bf16 \
         ssdc_ssm_chunked_fused_q64_p64_n128_bf16 ssdc_ssm_chunked_fused_q128_p64_n128_bf16; do
  grep -q "extern \"C\" __global__ void $k(" "$w/variants.cu" || fail "$k missing from variants.cu"
done
"$nvcc" -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a -cubin -o "$w/variants.cubin" \
  "$w/variants.cu" 2> "$w/nvcc.log" || { cat "$w/nvcc.log" >&2; fail "nvcc"; }
if CUDA_VISIBLE_DEVICES= "$ssdc" tune "$w/m.ssdc" --device cuda -o "$w/x.json" 2> "$w/nogpu.log"; then
  fail "tune --device cuda succeeded without a GPU"
fi
grep -q "ssdc tune: error: --device cuda: no CUDA GPU is visible" "$w/nogpu.log" ||
  fail "no-GPU message: $(cat "$w/nogpu.log")"
[ ! -e "$w/x.json" ] || fail "x.json written"
echo "PASS"
