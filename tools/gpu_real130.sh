#!/usr/bin/env bash
# Real-size check (mamba2-130m config, random weights written by transformers on
# the GPU machine): ssdc fp32 on --device cuda and --device cpu against
# transformers' float64 logits (1e-4 relative) and 16 greedy tokens.
# Here first: mkdir -p .carry/m130 && cp test/gpu/Inputs/mamba2-130m-hf-config.json
#   .carry/m130/config.json; ssdc compile .carry/m130 --target cuda -o .carry/m130-cuda.ssdc (and
#   --target cpu -o .carry/m130-cpu.ssdc); then on
# the GPU machine (device tool, carry .carry): bash tools/gpu_real130.sh
set -u
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSDC_ENABLE_COMPILER=OFF \
  -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=ON -DSSDC_BUILD_TESTS=OFF >/dev/null && \
  cmake --build build-gpu -j 16 >/dev/null || { echo BUILD FAILED; exit 1; }
W=/tmp/m130
python3 tools/gpu_real130.py $W 2>&1 | grep -E "^(prompt|tokens)" | tee $OUT/hf.txt
ids=$(grep ^prompt $OUT/hf.txt | cut -d' ' -f2)
B=build-gpu/bin
for dev in cuda cpu; do
  art=.carry/m130-$dev.ssdc
  echo "== $dev"
  $B/ssdc eval $art --device $dev --weights $W --input-ids $W/io.safetensors --output /tmp/e-$dev.safetensors
  $B/st-compare /tmp/e-$dev.safetensors $W/io.safetensors logits --rtol 1e-4
  $B/ssdc generate $art --device $dev --weights $W --prompt-ids $ids --max-new-tokens 16 --output /tmp/g-$dev.safetensors >/dev/null
  $B/st-compare /tmp/g-$dev.safetensors $W/io.safetensors tokens --as gen_tokens
  $B/st-compare /tmp/g-$dev.safetensors $W/io.safetensors step_logits --rtol 1e-4
done 2>&1 | tee $OUT/real130.txt
