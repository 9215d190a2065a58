#!/usr/bin/env bash
# A hybrid Mamba-2/attention model end to end on the GPU (artifacts and CPU
# outputs from test/gpu/attention/prepare.sh):
#   - eval --device cuda logits vs the CPU executor's, 1e-4 relative
#     (max|a-e|/max|e|), for input_ids [2, 40] (quadratic SSD bucket) and
#     [1, 600] (chunked SSD, attention over 19 key tiles);
#   - generate --device cuda: the 24 greedy tokens equal the CPU's, the step
#     logits (decode through the KV cache) within 1e-4 of the CPU's;
#   - prefill + decode = prefill of the whole sequence on the GPU: the step
#     logits vs eval --device cuda of prompt + generated tokens, 1e-4.
# The CPU executor's own distance to the float64 reference (eval --check,
# per layer, attention included) is printed from NAME.cpu-check.txt.
# usage: hybrid_check.sh SSDC ST_COMPARE DIR NAME WORKDIR
set -euo pipefail
ssdc=$1 stc=$2 dir=$3 name=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
art="$dir/$name.ssdc" w="$dir/$name.safetensors"
echo "CPU executor vs float64 ($name, eval --device cpu --check):"
grep -E 'attention|worst overall' "$dir/$name.cpu-check.txt"
for len in short long; do
  "$ssdc" eval "$art" --device cuda --weights "$w" --input-ids "$dir/$name.ids-$len.safetensors" \
    --output "$work/eval-$len.safetensors"
  "$stc" "$work/eval-$len.safetensors" "$dir/$name.cpu-eval-$len.safetensors" logits \
    --rtol 1e-4 | tee "$work/logits-$len.txt"
  grep -q '^OK logits' "$work/logits-$len.txt"
done
prompt=$(cat "$dir/$name.prompt")
"$ssdc" generate "$art" --device cuda --weights "$w" --prompt-ids "$prompt" \
  --max-new-tokens 24 --output "$work/gen.safetensors"
"$stc" "$work/gen.safetensors" "$dir/$name.cpu-gen.safetensors" tokens | tee "$work/tokens.txt"
grep -q '^OK tokens' "$work/tokens.txt"
"$stc" "$work/gen.safetensors" "$dir/$name.cpu-gen.safetensors" step_logits --rtol 1e-4 \
  | tee "$work/steps.txt"
grep -q '^OK step_logits' "$work/steps.txt"
# Prefill + decode = prefill of everything: eval of prompt + tokens[:-1].
python3 - "$work/gen.safetensors" "$prompt" "$work/full-ids.safetensors" <<'PY'
import json, struct, sys
def read(path):
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    return b, n, h
b, n, h = read(sys.argv[1]); t = h["tokens"]; s, e = t["data_offsets"]
tokens = struct.unpack("<%dq" % ((e - s) // 8), b[8 + n + s:8 + n + e])
ids = [int(x) for x in sys.argv[2].split(",")] + list(tokens[:-1])
data = struct.pack("<%dq" % len(ids), *ids)
head = json.dumps({"input_ids": {"dtype": "I64", "shape": [1, len(ids)], "data_offsets": [0, len(data)]}}).encode()
head += b" " * (-len(head) % 8)
open(sys.argv[3], "wb").write(struct.pack("<Q", len(head)) + head + data)
PY
"$ssdc" eval "$art" --device cuda --weights "$w" --input-ids "$work/full-ids.safetensors" \
  --output "$work/full.safetensors"
python3 - "$work/gen.safetensors" "$work/full.safetensors" "$prompt" <<'PY'
import array, json, struct, sys
def tensor(path, name):
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    t = h[name]; s, e = t["data_offsets"]; a = array.array("f"); a.frombytes(b[8 + n + s:8 + n + e])
    return a, t["shape"]
steps, ss = tensor(sys.argv[1], "step_logits")
full, fs = tensor(sys.argv[2], "logits")
p, v = len(sys.argv[3].split(",")), fs[-1]
n = ss[0]
a = steps[:n * v]
e = full[(p - 1) * v:(p - 1 + n) * v]
diff = max(abs(x - y) for x, y in zip(a, e)); scale = max(abs(y) for y in e)
rel = diff / scale
print("%s prefill+decode vs full prefill (cuda): %d steps, relative error %.3g <= 0.0001"
      % ("OK" if rel <= 1e-4 else "FAIL", n, rel))
sys.exit(0 if rel <= 1e-4 else 1)
PY
