#!/usr/bin/env bash
# Hybrid plans compile for CUDA without a GPU: mamba2attn-2.7b's config and the
# two small hybrids (f32 and bf16) give no "no CUDA kernel" warning, the
# manifest lists the attention kernels (cache append + attention at the
# model's head dim) and the fatbin holds every kernel the manifest names;
# kernels.cu includes nothing of ours and compiles alone with NVRTC (the
# runtime's fallback) for sm_90.
# usage: kernels_compile.sh SSDC SSDC_NVRTC_COMPILE REPO_ROOT WORKDIR
set -euo pipefail
ssdc=$1 nvrtc=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
check() {  # check NAME MODEL DTYPE HEADDIM
  local name=$1 model=$2 dtype=$3 d=$4 art="$work/$1.ssdc"
  "$ssdc" compile "$model" --target cuda --dtype "$dtype" -o "$art" 2> "$work/$name.log"
  if grep -q 'no CUDA kernel\|nvcc not found' "$work/$name.log"; then cat "$work/$name.log"; exit 1; fi
  if grep -q '^#include "' "$art/kernels.cu"; then
    echo "$art/kernels.cu includes a file of ours: not self-contained"; exit 1
  fi
  local suffix=$([ "$dtype" = bf16 ] && echo _bf16 || echo _f32)
  python3 - "$art/manifest.json" "$art/kernels.fatbin" "ssdc_attention_cache$suffix" \
    "ssdc_attention_d$d$suffix" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
syms = open(sys.argv[2], "rb").read().decode("latin-1")
names = m["cuda_kernels"]["kernels"]
missing = [n for n in sys.argv[3:] if n not in names] + [n for n in names if n not in syms]
if missing:
    sys.exit("missing kernels: %s" % missing)
print("OK %d kernels in kernels.fatbin, attention: %s" % (len(names), sys.argv[3:]))
PY
  # shellcheck disable=SC2046
  "$nvrtc" "$art/kernels.cu" sm_90 $(python3 -c "
import json,sys; print(' '.join(json.load(open('$art/manifest.json'))['cuda_kernels']['kernels']))")
}
check m2attn "$root/models/mamba2attn-2.7b" f32 128
check m2attn_bf16 "$root/models/mamba2attn-2.7b" bf16 128
for cfg in hybrid-gqa4-d64:64 hybrid-mha-d128:128; do
  name=${cfg%%:*} d=${cfg##*:}
  mkdir -p "$work/$name" && cp "$root/test/gpu/attention/Inputs/$name.json" "$work/$name/config.json"
  check "$name" "$work/$name" f32 "$d"
  check "${name}_bf16" "$work/$name" bf16 "$d"
done
