#!/usr/bin/env bash
# A tuned and an untuned artifact of one model side by side (issue 8's check,
# CPU target): `ssdc tune` on the untuned artifact, recompile with
# --tuning-db, then time prefill (generate's "prompt N tokens in X s", the
# median of REPEATS runs, alternating the two artifacts) at each length, with
# the schedule each artifact chose for that length's bucket.
#   tools/tune_compare.sh MODEL_DIR WEIGHTS OUT.md [LENGTHS] [REPEATS]
set -euo pipefail
model=$1 weights=$2 out=$3 lengths=${4:-16,64,256,512,1024,2048,4096} repeats=${5:-5}
B=${SSDC_BIN:-build/bin}
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
"$B/ssdc" compile "$model" --target cpu -o "$w/untuned.ssdc" 2>/dev/null
"$B/ssdc" tune "$w/untuned.ssdc" --device cpu --lengths "$lengths" -o "$w/tuning.json" 2>"$w/tune.log"
"$B/ssdc" compile "$model" --target cpu --tuning-db "$w/tuning.json" -o "$w/tuned.ssdc" 2>/dev/null
schedule() {  # the SSD schedule of the prefill bucket holding length $2 in artifact $1
  python3 - "$1/plan.json" "$2" <<'PY'
import json, sys
plan, l = json.load(open(sys.argv[1])), int(sys.argv[2])
for e in plan["entries"]:
    a = e.get("attributes", {})
    if a.get("ssd.entry") == "prefill" and a.get("ssd.l_min", 1) <= l and ("ssd.l_max" not in a or l <= a["ssd.l_max"]):
        s = [x["attrs"]["schedule"] for x in e["launches"] if x["op"] == "ssd.ssm"][0]
        print(s["kind"] + (f"-{s['chunk_size']}" if "chunk_size" in s else "") + f" ({s.get('source', '')})")
PY
}
prefill() {  # seconds to prefill $2 random tokens with artifact $1
  ids=$(python3 -c "import random; r=random.Random($2); print(','.join(str(r.randrange(1, 50000)) for _ in range($2)))")
  "$B/ssdc" generate "$1" --weights "$weights" --prompt-ids "$ids" --max-new-tokens 1 2>&1 >/dev/null |
    sed -n 's/.*prompt [0-9]* tokens in \([0-9.e-]*\) s.*/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
{
  echo "| L | untuned schedule | untuned prefill (ms) | tuned schedule | tuned prefill (ms) | tuned / untuned |"
  echo "|---|---|---|---|---|---|"
  for l in ${lengths//,/ }; do
    u=(); t=()
    for _ in $(seq "$repeats"); do u+=("$(prefill "$w/untuned.ssdc" "$l")"); t+=("$(prefill "$w/tuned.ssdc" "$l")"); done
    um=$(printf '%s\n' "${u[@]}" | median); tm=$(printf '%s\n' "${t[@]}" | median)
    python3 -c "print('| $l | $(schedule "$w/untuned.ssdc" "$l") | %.1f | $(schedule "$w/tuned.ssdc" "$l") | %.1f | %.2f |' % ($um*1e3, $tm*1e3, $tm/$um))"
  done
} > "$out"
cat "$out"
