#!/usr/bin/env bash
# ssdc tune --device cuda on a GPU (label gpu): every variant of a bf16
# artifact's SSD is checked against float64 before it is timed, and a
# deliberately wrong one (SSDC_TUNE_INJECT_WRONG: the tuner corrupts one
# output element of chunked-64 after its run) is discarded with its error
# and never timed: absent from times_us and from the timed variants. The
# database it writes has the GPU's target spelling, name and every timing.
#   tune_cuda_check.sh SSDC ARTIFACT WORKDIR
set -euo pipefail
ssdc=$1 art=$2 w=$3
rm -rf "$w" && mkdir -p "$w"
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. No GPU visible: a clear error, nothing written.
if CUDA_VISIBLE_DEVICES= "$ssdc" tune "$art" --device cuda -o "$w/none.json" 2> "$w/none.log"; then
  fail "tune succeeded without a visible GPU"
fi
grep -q "ssdc tune: error: --device cuda: no CUDA GPU is visible" "$w/none.log" ||
  fail "no-GPU message: $(cat "$w/none.log")"
[ ! -e "$w/none.json" ] || fail "none.json written"

# 2. The wrong-variant hook on the GPU.
SSDC_TUNE_INJECT_WRONG=chunked-64 "$ssdc" tune "$art" --device cuda --lengths 300 \
  --repeats 2 --budget 120 -o "$w/wrong.json" 2> "$w/wrong.log" || {
  cat "$w/wrong.log" >&2; fail "ssdc tune failed"; }
cat "$w/wrong.log"
grep -q "ssdc tune:   chunked-64 staged block=[0-9]* discarded: .* from float64 (> 1e-02), not timed" "$w/wrong.log" ||
  fail "chunked-64 staged not discarded"
if grep -q "chunked-64 staged block=[0-9]*: [0-9.]* us" "$w/wrong.log"; then
  fail "chunked-64 staged was timed"
fi
python3 - "$w/wrong.json" <<'PY'
import json, sys
db = json.load(open(sys.argv[1]))
assert db["format"] == "ssdc-tuning-db" and db["version"] == 1, db.get("format")
(e,) = db["entries"]
assert e["target"].startswith("cuda-sm"), e["target"]
assert e["device"] and e["compute_capability"], e
assert e["l"] == [65, 512] and e["timed_at_l"] == [300], (e["l"], e["timed_at_l"])
assert "chunked-64" not in e["times_us"], e["times_us"]
assert any(k.startswith("chunked-64 staged") for k in e["discarded"]), e["discarded"]
timed = {v["variant"] for v in e["variants"]}
assert not any(v.startswith("chunked-64 staged") for v in timed), timed
for s in ("recurrent", "quadratic", "chunked-32", "chunked-128", "chunked-256"):
    assert s in e["times_us"] and e["times_us"][s] > 0, (s, e["times_us"])
for v in e["variants"]:
    assert v["check_error"] <= 1e-2 and v["times_us"] > 0, v
print(f"tune_cuda_check: {len(e['variants'])} variants timed on {e['device']} ({e['target']}), "
      f"discarded: {sorted(e['discarded'])}, pruned: {sorted(e.get('pruned', {}))}")
PY
echo "PASS"
