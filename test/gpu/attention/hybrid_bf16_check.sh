#!/usr/bin/env bash
# A hybrid Mamba-2/attention model compiled --dtype bf16 on the GPU: bf16
# activations and bf16 KV caches held by the device session (artifacts from
# test/gpu/attention/prepare.sh). Asserted: eval at both lengths and a
# 24-token generation complete with finite logits; printed: the distance of
# the bf16 logits and step logits from the CPU executor's f32 ones (rtol
# 1e-2; bf16 end-to-end error on random-weight models is discussed in
# docs/gpu_report.md) and how many greedy tokens agree.
# usage: hybrid_bf16_check.sh SSDC ST_COMPARE DIR NAME WORKDIR
set -euo pipefail
ssdc=$1 stc=$2 dir=$3 name=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
art="$dir/$name-bf16.ssdc" w="$dir/$name.safetensors"
finite() {  # finite FILE TENSOR: every f32 element of TENSOR finite
  python3 - "$1" "$2" <<'PY'
import array, json, math, struct, sys
b = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
t = h[sys.argv[2]]; s, e = t["data_offsets"]; a = array.array("f"); a.frombytes(b[8 + n + s:8 + n + e])
bad = sum(1 for x in a if not math.isfinite(x))
print("%s %s: %d values, %d not finite" % ("OK" if bad == 0 and len(a) else "FAIL", sys.argv[2], len(a), bad))
sys.exit(0 if bad == 0 and len(a) else 1)
PY
}
for len in short long; do
  "$ssdc" eval "$art" --device cuda --weights "$w" --input-ids "$dir/$name.ids-$len.safetensors" \
    --output "$work/eval-$len.safetensors"
  finite "$work/eval-$len.safetensors" logits
  echo -n "(reported) bf16 vs CPU f32, $len: "
  "$stc" "$work/eval-$len.safetensors" "$dir/$name.cpu-eval-$len.safetensors" logits \
    --rtol 1e-2 || true
done
prompt=$(cat "$dir/$name.prompt")
"$ssdc" generate "$art" --device cuda --weights "$w" --prompt-ids "$prompt" \
  --max-new-tokens 24 --output "$work/gen.safetensors"
finite "$work/gen.safetensors" step_logits
echo -n "(reported) bf16 vs CPU f32 generation: "
"$stc" "$work/gen.safetensors" "$dir/$name.cpu-gen.safetensors" tokens || true
echo -n "(reported) bf16 vs CPU f32 step logits: "
"$stc" "$work/gen.safetensors" "$dir/$name.cpu-gen.safetensors" step_logits --rtol 1e-2 || true
