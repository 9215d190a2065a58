#!/usr/bin/env bash
# One HF fixture on the GPU with a --dtype bf16 artifact (bf16 weights and
# activations, fp32 states and accumulation): `ssdc eval --device cuda`
# logits against transformers' float64 logits within 1e-2 relative
# (max|a-e|/max|e|); `ssdc generate --device cuda` greedy tokens: how many of
# transformers' match is reported, at least 6 of 8 required (a near-tie
# between two logits can flip under bf16 rounding, and every later token
# follows the flipped one); step logits within 1e-2 when all tokens match.
# usage: fixture_check_bf16.sh SSDC ST_COMPARE ARTIFACT FIXTURE_DIR WORKDIR
set -euo pipefail
ssdc=$1 stc=$2 art=$3 fix=$4 work=$5
mkdir -p "$work"
"$ssdc" eval "$art" --device cuda --weights "$fix" --input-ids "$fix/io.safetensors" \
  --output "$work/eval.safetensors"
"$stc" "$work/eval.safetensors" "$fix/io.safetensors" logits --rtol 1e-2 | tee "$work/logits.txt"
grep -q '^OK logits' "$work/logits.txt"
read_st() {  # FILE NAME -> comma-separated values of the tensor (row 0)
  python3 -c "
import json,struct,sys
b=open('$1','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
t=h['$2']; s,e=t['data_offsets']; raw=b[8+n+s:8+n+e]
fmt={'I64':'q','I32':'i'}[t['dtype']]; v=struct.unpack('<%d%s'%(len(raw)//struct.calcsize(fmt),fmt),raw)
print(','.join(str(x) for x in v[:t['shape'][-1]]))"
}
prompt=$(read_st "$fix/io.safetensors" gen_prompt)
want=$(read_st "$fix/io.safetensors" gen_tokens)
steps=$(echo "$want" | tr ',' '\n' | wc -l)
"$ssdc" generate "$art" --device cuda --weights "$fix" --prompt-ids "$prompt" \
  --max-new-tokens "$steps" --output "$work/gen.safetensors"
got=$(python3 -c "
import json,struct
b=open('$work/gen.safetensors','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
print(','.join(h.keys()))" | tr ',' '\n' | grep -x -m1 -E 'tokens|gen_tokens')
have=$(read_st "$work/gen.safetensors" "$got")
python3 - "$want" "$have" <<'PY' | tee "$work/tokens.txt"
import sys
want = sys.argv[1].split(","); have = sys.argv[2].split(",")[-len(want):]
same = 0
for a, b in zip(want, have):
    if a != b:
        break
    same += 1
print("greedy tokens: %d of %d equal before the first difference (transformers %s, ssdc %s)"
      % (same, len(want), ",".join(want), ",".join(have)))
print("OK tokens" if same >= min(6, len(want)) else "FAIL tokens: fewer than 6 equal")
PY
grep -q '^OK tokens' "$work/tokens.txt"
if grep -q "greedy tokens: $steps of $steps" "$work/tokens.txt"; then
  "$stc" "$work/gen.safetensors" "$fix/io.safetensors" step_logits --rtol 1e-2 | tee "$work/steps.txt"
  grep -q '^OK step_logits' "$work/steps.txt"
else
  echo "step_logits not compared: the generations differ"
fi
