#!/usr/bin/env bash
# Makes the artifacts and expected outputs of the gpu-attention-* tests, on a
# machine with MLIR and the CPU runtime (run after tools/gpu_check.sh
# prepare, which recreates gpu-artifacts/):
#   OUT/g2_untied_chunk8_limit.ssdc           a fixture, --target cuda (NVRTC test)
#   OUT/NAME.ssdc, NAME.safetensors           a hybrid, --target cuda, random weights
#   OUT/NAME-bf16.ssdc                        the same, --dtype bf16 (bf16 KV caches)
#   OUT/NAME.ids-short|long.safetensors       input_ids [2, 40] and [1, 600]
#   OUT/NAME.cpu-eval-short|long.safetensors  the CPU executor's logits
#   OUT/NAME.prompt, NAME.cpu-gen.safetensors  a 20-token prompt, 24 greedy
#                                             tokens and step logits on the CPU
#   OUT/NAME.cpu-check.txt                    eval --device cpu --check: the
#                                             CPU kernels vs float64, per layer
# usage: SSDC=build/bin/ssdc SSDC_CPU=build/bin/ssdc \
#        MAKE_WEIGHTS=build/bin/make-random-weights prepare.sh [OUT]
#   SSDC compiles the cuda artifacts (this checkout's emitter), SSDC_CPU the
#   cpu ones and runs them (a build with the Halide CPU kernels).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/gpu-artifacts/attention}
ssdc=${SSDC:-$root/build/bin/ssdc}
cpu=${SSDC_CPU:-$ssdc}
mrw=${MAKE_WEIGHTS:-$(dirname "$cpu")/make-random-weights}
rm -rf "$out" && mkdir -p "$out"
"$ssdc" compile "$root/test/fixtures/hf/g2_untied_chunk8_limit" --target cuda \
  -o "$out/g2_untied_chunk8_limit.ssdc"
ids() {  # ids FILE BATCH LEN SEED VOCAB: int64 input_ids, fixed pseudo-random
  python3 - "$@" <<'PY'
import json, random, struct, sys
path, b, l, seed, vocab = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
v = [rng.randrange(vocab) for _ in range(b * l)]
data = struct.pack("<%dq" % len(v), *v)
head = json.dumps({"input_ids": {"dtype": "I64", "shape": [b, l], "data_offsets": [0, len(data)]}}).encode()
head += b" " * (-len(head) % 8)
open(path, "wb").write(struct.pack("<Q", len(head)) + head + data)
PY
}
for name in hybrid-gqa4-d64 hybrid-mha-d128; do
  work=$(mktemp -d)
  cp "$root/test/gpu/attention/Inputs/$name.json" "$work/config.json"
  "$ssdc" compile "$work" --target cuda -o "$out/$name.ssdc"
  "$ssdc" compile "$work" --target cuda --dtype bf16 -o "$out/$name-bf16.ssdc"
  "$cpu" compile "$work" --target cpu -o "$work/cpu.ssdc"
  "$mrw" "$work/cpu.ssdc" "$out/$name.safetensors" --seed 11
  vocab=$(python3 -c "import json; print(json.load(open('$work/config.json'))['vocab_size'])")
  ids "$out/$name.ids-short.safetensors" 2 40 1 "$vocab"
  ids "$out/$name.ids-long.safetensors" 1 600 2 "$vocab"
  for len in short long; do
    "$cpu" eval "$work/cpu.ssdc" --device cpu --weights "$out/$name.safetensors" \
      --input-ids "$out/$name.ids-$len.safetensors" \
      --output "$out/$name.cpu-eval-$len.safetensors"
  done
  "$cpu" eval "$work/cpu.ssdc" --device cpu --check --weights "$out/$name.safetensors" \
    --input-ids "$out/$name.ids-short.safetensors" --output "$work/check.safetensors" \
    > "$out/$name.cpu-check.txt" 2>&1
  python3 -c "import random; r=random.Random(5); print(','.join(str(r.randrange($vocab)) for _ in range(20)))" \
    > "$out/$name.prompt"
  "$cpu" generate "$work/cpu.ssdc" --device cpu --weights "$out/$name.safetensors" \
    --prompt-ids "$(cat "$out/$name.prompt")" --max-new-tokens 24 \
    --output "$out/$name.cpu-gen.safetensors" > /dev/null
  rm -rf "$work"
done
du -sh "$out"
