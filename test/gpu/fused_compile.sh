#!/usr/bin/env bash
# --chunked-form fused (no GPU needed): the chunked SSD stays one launch of the
# fused kernel, instantiated on the plan's (Q, P, N) and dtypes, and nvcc
# compiles it into kernels.fatbin: the tensor-core (wgmma) path at mamba2-130m
# shapes in bf16, the fp32 path at a fixture's shapes. The staged artifact of
# the same model keeps the four chunk kernels.
# usage: fused_compile.sh SSDC HF_130M_CONFIG FIXTURE TUNING_DB WORKDIR
set -euo pipefail
ssdc=$1 cfg=$2 fix=$3 db=$4 work=$5
rm -rf "$work" && mkdir -p "$work/m130"
cp "$cfg" "$work/m130/config.json"
"$ssdc" compile "$work/m130" --target cuda --dtype bf16 --chunked-form fused -o "$work/bf16.ssdc"
"$ssdc" compile "$fix" --target cuda --chunked-form fused --tuning-db "$db" -o "$work/f32.ssdc"
"$ssdc" compile "$fix" --target cuda --chunked-form staged --tuning-db "$db" -o "$work/staged.ssdc"
"$ssdc" compile "$fix" --target cuda --tuning-db "$db" -o "$work/default.ssdc"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def kernels(a):
    m = json.load(open(f"{work}/{a}/manifest.json"))
    syms = open(f"{work}/{a}/kernels.fatbin", "rb").read().decode("latin-1")
    names = m["cuda_kernels"]["kernels"]
    absent = [n for n in names if n not in syms]
    if absent:
        sys.exit(f"{a}: not in kernels.fatbin: {absent}")
    return names
bf16, f32, staged = kernels("bf16.ssdc"), kernels("f32.ssdc"), kernels("staged.ssdc")
# The default form is fused: the same kernels as --chunked-form fused.
assert sorted(kernels("default.ssdc")) == sorted(f32), (kernels("default.ssdc"), f32)
# mamba2-130m: the cost model prices the fused form at Q = 128 for the long buckets.
need = ["ssdc_ssm_chunked_fused_q128_p64_n128_bf16"]
assert all(n in bf16 for n in need), (need, bf16)
assert not any(n.startswith("ssdc_chunk_") for n in bf16), bf16
assert "ssdc_ssm_chunked_fused_q16_p16_n16_f32" in f32, f32
assert not any(n.startswith("ssdc_chunk_") for n in f32), f32
assert "ssdc_chunk_output_q16_f32" in staged and not any("fused" in n for n in staged), staged
plan = json.load(open(f"{work}/bf16.ssdc/plan.json"))
ssm = [l for e in plan["entries"] for l in e["launches"]
       if l["op"] == "ssd.ssm" and l["attrs"]["schedule"]["kind"] == "chunked"]
assert ssm and all(l["attrs"]["headdim"] == 64 and l["attrs"]["dstate"] == 128 for l in ssm)
print(f"OK fused: {len(ssm)} chunked ssd.ssm launches, kernels {need[0]} and the f32 one")
PY
