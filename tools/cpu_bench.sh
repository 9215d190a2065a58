#!/usr/bin/env bash
# CPU prefill and decode throughput of `ssdc generate` (best of 3 runs each),
# for the demo model and mamba2-130m shapes with random weights, beside this
# machine's read bandwidth and the decode floor it implies (every f32 weight
# streamed once per token). Run after scripts/test.sh has built build/.
#   tools/cpu_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bin=$build/bin
work=$build/bench
mkdir -p "$work"

ids() { python3 -c "import sys; print(','.join(str(1 + i % 200) for i in range(int(sys.argv[1]))))" "$1"; }
best() {  # best tokens/s of the "prefill"/"decode" figure over 3 runs
  local what=$1; shift
  for _ in 1 2 3; do "$@" 2>&1 >/dev/null | grep -o "[0-9.]* tokens/s" | \
    { if [ "$what" = prefill ]; then head -1; else tail -1; fi; } ; done | sort -n | tail -1
}

bw=$("$bin/membw" 1024 | grep -o "[0-9.]* GB/s" | cut -d' ' -f1)
echo "read bandwidth: $bw GB/s"
"$bin/ssdc" compile "$root/models/mamba2-130m" --target cpu -o "$work/130m.ssdc" 2>/dev/null
[ -f "$work/130m.safetensors" ] || "$bin/make-random-weights" "$work/130m.ssdc" "$work/130m.safetensors"
"$bin/ssdc" compile "$root/models/demo" --target cpu -o "$work/demo.ssdc" 2>/dev/null

printf '| model | params (f32 bytes) | decode floor | decode tokens/s | prefill L=16 | L=128 | L=512 | L=2048 |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for m in demo 130m; do
  art=$work/$m.ssdc
  w=$root/models/demo; [ $m = 130m ] && w=$work/130m.safetensors
  bytes=$(python3 - "$w" <<'PY'
import json, os, struct, sys
p = sys.argv[1]
if os.path.isdir(p): p = os.path.join(p, "model.safetensors")
b = open(p, "rb"); n = struct.unpack("<Q", b.read(8))[0]; h = json.loads(b.read(n))
print(sum(v["data_offsets"][1] - v["data_offsets"][0] for k, v in h.items() if k != "__metadata__"))
PY
)
  floor=$(python3 -c "print(f'{$bw*1e9/$bytes:.1f} tok/s')")
  dec=$(best decode "$bin/ssdc" generate "$art" --weights "$w" --prompt-ids "$(ids 8)" --max-new-tokens 64)
  row="| $m | $((bytes / 1000000)) MB | $floor | $dec"
  for L in 16 128 512 2048; do
    row="$row | $(best prefill "$bin/ssdc" generate "$art" --weights "$w" --prompt-ids "$(ids $L)" --max-new-tokens 1)"
  done
  echo "$row |"
done
