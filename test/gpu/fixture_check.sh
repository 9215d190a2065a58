#!/usr/bin/env bash
# One HF fixture on the GPU: `ssdc eval --device cuda` logits against
# transformers' float64 logits (1e-4 relative), `ssdc generate --device cuda`
# greedy tokens equal and step logits within 1e-4 -- the checks of
# test/lit/runtime/fixture-*.test, on the CUDA executor.
# usage: fixture_check.sh SSDC ST_COMPARE ARTIFACT FIXTURE_DIR WORKDIR
set -euo pipefail
ssdc=$1 stc=$2 art=$3 fix=$4 work=$5
mkdir -p "$work"
"$ssdc" eval "$art" --device cuda --weights "$fix" --input-ids "$fix/io.safetensors" \
  --output "$work/eval.safetensors"
"$stc" "$work/eval.safetensors" "$fix/io.safetensors" logits --rtol 1e-4 | tee "$work/logits.txt"
grep -q '^OK logits' "$work/logits.txt"
# The prompt: row 0 of gen_prompt in io.safetensors, as comma-separated ids.
prompt=$(python3 -c "
import json,struct,sys
b=open('$fix/io.safetensors','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
t=h['gen_prompt']; s,e=t['data_offsets']; raw=b[8+n+s:8+n+e]
fmt={'I64':'q','I32':'i'}[t['dtype']]; v=struct.unpack('<%d%s'%(len(raw)//struct.calcsize(fmt),fmt),raw)
print(','.join(str(x) for x in v[:t['shape'][-1]]))")
steps=$(python3 -c "
import json,struct
b=open('$fix/io.safetensors','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
print(h['gen_tokens']['shape'][-1])")
"$ssdc" generate "$art" --device cuda --weights "$fix" --prompt-ids "$prompt" \
  --max-new-tokens "$steps" --output "$work/gen.safetensors"
"$stc" "$work/gen.safetensors" "$fix/io.safetensors" tokens --as gen_tokens | tee "$work/tokens.txt"
grep -q '^OK tokens' "$work/tokens.txt"
"$stc" "$work/gen.safetensors" "$fix/io.safetensors" step_logits --rtol 1e-4 | tee "$work/steps.txt"
grep -q '^OK step_logits' "$work/steps.txt"
