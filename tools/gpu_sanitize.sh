#!/usr/bin/env bash
# compute-sanitizer over the CUDA backend (issue 6): memcheck and racecheck
# (initcheck too) on every kernel of a mamba2-130m plan, run through
# `ssdc eval` and `ssdc generate --device cuda` with random weights, and on the
# device-template check ssdc-gpu-kernel-check (test/gpu/kernels), which also
# runs in full first (the templates vs the float64 reference).
# docs/gpu_kernels_check.md has the results.
#
#   tools/gpu_sanitize.sh prepare   here (MLIR): compile the artifacts into
#                                   $DIR (default .carry/h3; git-ignored, carry it):
#                                   m130-cuda.ssdc (the cost model's schedules) and
#                                   m130-cuda-chunked.ssdc (a tuning db pins
#                                   chunked Q = 128 for every prefill of 2+ tokens,
#                                   the Q of the first one's long bucket)
#   tools/gpu_sanitize.sh run       there (GPU machine): build the runtime-only
#                                   build (build-gpu-h3), write random weights,
#                                   run the kernel check, then the sanitizers;
#                                   summaries and logs in $OUT (default /tmp/sanitize)
#
# Runs under the sanitizers (short, compute-sanitizer is slow):
#   m130-cuda.ssdc          eval 1 token (prefill__L1_1: recurrent), eval 40
#                           tokens (prefill__L2_64: quadratic), generate 40 + 3
#                           tokens (prefill, then decode steps: recurrent)
#   m130-cuda-chunked.ssdc  eval 40 tokens (one partial chunk) and 150 tokens
#                           (two chunks, the last partial: state passing)
#   ssdc-gpu-kernel-check --quick
# The script checks that these entries launch every kernel of m130-cuda.ssdc's
# manifest (kernels.cu says which entries use each kernel).
#
# Settings (environment): SSDC_SANITIZE_BUDGET (s, default 360: no run starts
# later), SSDC_SANITIZE_RUN_LIMIT (s per sanitizer run, default 150),
# SSDC_SANITIZE_ONLY ("tool:run ...", in that order, e.g. "racecheck:chunked_eval150"),
# SSDC_KERNEL_CHECK_SEED, SSDC_SANITIZE_DIR, SSDC_SANITIZE_BUILD, SSDC_JOBS.
# $OUT gets sanitize_summary.txt, kernel_check.txt, coverage.txt, build.log and
# sanitize_logs.tgz (every tool's full log).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-run}
dir=${SSDC_SANITIZE_DIR:-.carry/h3}

if [ "$mode" = prepare ]; then
  set -e
  ssdc=${SSDC:-build/bin/ssdc}
  mkdir -p "$dir/m130"
  cp test/gpu/Inputs/mamba2-130m-hf-config.json "$dir/m130/config.json"
  cat > "$dir/force-chunked128-m130.json" <<'JSON'
{
 "format": "ssdc-tuning-db",
 "version": 1,
 "note": "pins chunked Q = 128 for every prefill of 2+ tokens at mamba2-130m's SSD shape (h 24, p 64, g 1, n 128), so a short prompt runs the chunked kernels under compute-sanitizer (tools/gpu_sanitize.sh); not measured",
 "entries": [
  {"target": "cuda-sm90", "op": "sma", "dtype": "f32", "b": [1, 8], "l": [2, null],
   "h": 24, "p": 64, "g": 1, "n": 128,
   "times_us": {"recurrent": 900.0, "quadratic": 900.0, "chunked-128": 1.0}}
 ]
}
JSON
  "$ssdc" compile "$dir/m130" --target cuda -o "$root/$dir/m130-cuda.ssdc"
  "$ssdc" compile "$dir/m130" --target cuda --tuning-db "$dir/force-chunked128-m130.json" \
    -o "$root/$dir/m130-cuda-chunked.ssdc"
  du -sh "$dir"/*.ssdc
  exit 0
fi

out=${OUT:-/tmp/sanitize}
mkdir -p "$out"
logs=/tmp/sanitize-logs
rm -rf "$logs" && mkdir -p "$logs"
summary=$out/sanitize_summary.txt
start=$(date +%s)
elapsed() { echo $(( $(date +%s) - start )); }
say() { echo "$*" | tee -a "$summary"; }
: > "$summary"
say "# tools/gpu_sanitize.sh run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "device: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
say "nvcc: $(nvcc --version | tail -1)"
say "compute-sanitizer: $(compute-sanitizer --version 2>/dev/null | grep -i version | head -1)"

# -- build (runtime only: no MLIR on this machine) ----------------------------
B=${SSDC_SANITIZE_BUILD:-build-gpu-h3}
{
  cmake -S . -B $B -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSDC_ENABLE_COMPILER=OFF \
    -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=ON -DSSDC_BUILD_TESTS=OFF &&
    cmake --build $B -j "${SSDC_JOBS:-16}" --target ssdc make-random-weights ssdc-gpu-kernel-check
} > "$logs/build.log" 2>&1
rc=$?
cp "$logs/build.log" "$out/build.log"
if [ $rc != 0 ]; then
  say "BUILD FAILED (build.log)"
  tail -30 "$logs/build.log"
  exit 1
fi
say "build: ok ($(elapsed) s)"

# -- the device templates vs the float64 reference ----------------------------
timeout 150 $B/bin/ssdc-gpu-kernel-check ${SSDC_KERNEL_CHECK_SEED:+--seed $SSDC_KERNEL_CHECK_SEED} \
  > "$out/kernel_check.txt" 2>&1
rc=$?
say "kernel check (ssdc-gpu-kernel-check, full): exit $rc, $(tail -1 "$out/kernel_check.txt") ($(elapsed) s)"
grep '^FAIL' "$out/kernel_check.txt" | head -20 | tee -a "$summary"

# -- model, weights, prompts ------------------------------------------------------
art=$dir/m130-cuda.ssdc
chunked=$dir/m130-cuda-chunked.ssdc
W=/tmp/m130-random.safetensors
if ! $B/bin/make-random-weights "$art" "$W" --seed 7 > "$logs/weights.log" 2>&1; then
  say "make-random-weights FAILED"; cat "$logs/weights.log"; exit 1
fi
ids() {  # ids N FILE: input_ids [1, N] (int64 safetensors), a fixed pseudo-random prompt
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
n, path = int(sys.argv[1]), sys.argv[2]
v, x = [], 12345
for _ in range(n):
    x = (1103515245 * x + 12345) % 2**31
    v.append(x % 50000)
head = json.dumps({"input_ids": {"dtype": "I64", "shape": [1, n],
                                 "data_offsets": [0, 8 * n]}}).encode()
head += b" " * (-len(head) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(head)) + head + struct.pack("<%dq" % n, *v))
print(",".join(map(str, v)))
PY
}
ids 1 /tmp/ids1.safetensors > /dev/null
prompt40=$(ids 40 /tmp/ids40.safetensors)
ids 150 /tmp/ids150.safetensors > /dev/null

# -- every kernel of the plan is launched by the runs below ------------------------
python3 - "$art" "$chunked" > "$out/coverage.txt" <<'PY'
import json, re, sys
def uses(artifact):  # kernel -> the plan entries that launch it (kernels.cu's comments)
    src = open(artifact + "/kernels.cu").read()
    pairs = re.findall(r'// \S+: \d+ launch(?:es)? in ([^\n]*)\nextern "C" __global__ void (\w+)', src)
    return {name: set(entries.split()) for entries, name in pairs}
default, chunked = uses(sys.argv[1]), uses(sys.argv[2])
# The entries the runs select: 1 token -> prefill__L1_1, 40 -> prefill__L2_64,
# generate -> decode; chunked artifact: 40 -> prefill__L2_64, 150 -> prefill__L65_512.
ranDefault = {"prefill__L1_1", "prefill__L2_64", "decode"}
ranChunked = {"prefill__L2_64", "prefill__L65_512"}
kernels = json.load(open(sys.argv[1] + "/manifest.json"))["cuda_kernels"]["kernels"]
missing = []
for k in kernels:
    how = []
    if default.get(k, set()) & ranDefault:
        how.append("default:" + ",".join(sorted(default[k] & ranDefault)))
    if chunked.get(k, set()) & ranChunked:
        how.append("chunked:" + ",".join(sorted(chunked[k] & ranChunked)))
    print("%-38s %s" % (k, " ".join(how) or "NOT RUN"))
    if not how:
        missing.append(k)
print("kernels of m130-cuda.ssdc: %d, launched by the runs: %d, not launched: %s"
      % (len(kernels), len(kernels) - len(missing), " ".join(missing) or "none"))
PY
say "coverage: $(tail -1 "$out/coverage.txt")"

S=$B/bin/ssdc
runs=(
  "default_eval1|$S eval $art --device cuda --weights $W --input-ids /tmp/ids1.safetensors --output /tmp/o.safetensors"
  "default_eval40|$S eval $art --device cuda --weights $W --input-ids /tmp/ids40.safetensors --output /tmp/o.safetensors"
  "default_generate40+3|$S generate $art --device cuda --weights $W --prompt-ids $prompt40 --max-new-tokens 3 --output /tmp/g.safetensors"
  "chunked_eval40|$S eval $chunked --device cuda --weights $W --input-ids /tmp/ids40.safetensors --output /tmp/o.safetensors"
  "chunked_eval150|$S eval $chunked --device cuda --weights $W --input-ids /tmp/ids150.safetensors --output /tmp/o.safetensors"
  "kernel_check_quick|$B/bin/ssdc-gpu-kernel-check --quick"
)

# One program under one tool: the sanitizer's summary line and the program's
# own exit status; the full log in $logs. Stops starting runs near the budget.
budget=${SSDC_SANITIZE_BUDGET:-360}
sanitize() {  # TOOL NAME CMD...
  local tool=$1 name=$2; shift 2
  local left=$(( budget - $(elapsed) ))
  if [ $left -lt 20 ]; then
    say "$tool $name: SKIPPED (time budget)"; return
  fi
  local t0=$(date +%s) log="$logs/$tool-$name.log" extra=""
  [ "$tool" = racecheck ] && extra="--racecheck-report all"
  local cap=${SSDC_SANITIZE_RUN_LIMIT:-150}
  timeout $(( left < cap ? left : cap )) compute-sanitizer --tool "$tool" $extra \
    --print-limit 50 --error-exitcode 99 "$@" > "$log" 2>&1
  local rc=$?
  local line
  line=$(grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$log" | tail -1 | sed 's/^=* *//')
  [ $rc = 124 ] && line="TIMEOUT after $(( $(date +%s) - t0 )) s; $line"
  local entry
  entry=$(grep -o '(prefill__[A-Za-z0-9_]*)' "$log" | tail -1)
  say "$tool $name: exit $rc; ${line:-no summary line} ${entry} ($(( $(date +%s) - t0 )) s)"
  if [ $rc != 0 ]; then  # what the program itself said last
    grep -v '^=========' "$log" | grep -v '^\(OK\|INFO\) ' | tail -2 | sed 's/^/    /' |
      tee -a "$summary"
  fi
}
# SSDC_SANITIZE_ONLY="tool:name ..." runs just those, in that order (e.g. a
# rerun of what an earlier call skipped); default: memcheck and racecheck over
# every run, then initcheck over the two 40-token evals.
plan=${SSDC_SANITIZE_ONLY:-}
if [ -z "$plan" ]; then
  for tool in memcheck racecheck; do
    for r in "${runs[@]}"; do plan+=" $tool:${r%%|*}"; done
  done
  plan+=" initcheck:default_eval40 initcheck:chunked_eval40"
fi
for item in $plan; do
  tool=${item%%:*} name=${item#*:} found=
  for r in "${runs[@]}"; do
    if [ "${r%%|*}" = "$name" ]; then
      found=1
      sanitize "$tool" "$name" ${r#*|}
    fi
  done
  [ -n "$found" ] || say "$item: no such run"
done
say "total: $(elapsed) s"

# The logs back (at most 8 files come back from \$OUT: one archive).
tar -C /tmp -czf "$out/sanitize_logs.tgz" sanitize-logs
cat "$summary"
