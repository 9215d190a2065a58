#!/usr/bin/env bash
# The NVRTC fallback on the GPU: a copy of a fixture artifact without
# kernels.fatbin still passes test/gpu/fixture_check.sh (logits vs
# transformers' float64 within 1e-4, greedy tokens, step logits); the first
# run says it compiled kernels.cu with NVRTC, the next takes it from the cache
# ($XDG_CACHE_HOME/ssdc/nvrtc, here under WORKDIR); a third with the
# manifest's "file": null (an artifact compiled where there was no nvcc)
# passes too.
# usage: nvrtc_fallback.sh SSDC ST_COMPARE ARTIFACT FIXTURE_DIR WORKDIR
set -euo pipefail
ssdc=$1 stc=$2 art=$3 fix=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cp -r "$art" "$work/nofatbin.ssdc"
rm "$work/nofatbin.ssdc/kernels.fatbin"
export XDG_CACHE_HOME="$work/cache"
for run in 1 2; do
  "$here/../fixture_check.sh" "$ssdc" "$stc" "$work/nofatbin.ssdc" "$fix" "$work/run$run" \
    2> >(tee "$work/stderr$run.log" >&2)
  sleep 0.2  # let tee finish
  grep 'ssdc: .*kernels.fatbin' "$work/stderr$run.log" | head -1
done
grep -q 'kernels.fatbin missing: compiled .*kernels.cu with NVRTC' "$work/stderr1.log"
grep -q 'kernels.fatbin missing: loaded the NVRTC .* from the cache' "$work/stderr2.log"
# As ssdc compile writes it where there is no nvcc: "file": null in the manifest.
python3 - "$work/nofatbin.ssdc/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["cuda_kernels"]["file"] = None
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
"$here/../fixture_check.sh" "$ssdc" "$stc" "$work/nofatbin.ssdc" "$fix" "$work/run3" \
  2> >(tee "$work/stderr3.log" >&2)
sleep 0.2
grep -q 'kernels.fatbin missing: loaded the NVRTC .* from the cache' "$work/stderr3.log"
ls "$XDG_CACHE_HOME/ssdc/nvrtc"
echo "OK nvrtc fallback: fixture passes without kernels.fatbin (compiled, then cached; also with \"file\": null)"
