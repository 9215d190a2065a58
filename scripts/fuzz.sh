#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang 14 from Debian, ASan + UBSan) into
# build-fuzz/ and runs each for a bounded time or number of inputs, starting
# from seed corpora assembled from the test fixtures. Exits non-zero when a
# target finds a crash; the reproducer is left in build-fuzz/crashes/.
#
#   scripts/fuzz.sh                      # every target, 30 s each (CI)
#   scripts/fuzz.sh --time 600 plan      # one target, 10 minutes
#   scripts/fuzz.sh --runs 1000000       # every target, 10^6 inputs each
#   scripts/fuzz.sh --build-only
#
# Targets: config (HF/mamba_ssm config.json), safetensors (the checkpoint
# reader), plan (plan.json + manifest.json), dialect (`ssd` IR parse + verify).
# Results (executions, coverage) go to build-fuzz/fuzz-results.txt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FUZZ_BUILD=${SSDC_FUZZ_BUILD:-$SSDC_ROOT/build-fuzz}
mode=time
amount=${SSDC_FUZZ_SECONDS:-30}
build_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) mode=time; amount=$2; shift 2 ;;
    --runs) mode=runs; amount=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    config|safetensors|plan|dialect) targets+=("$1"); shift ;;
    *) echo "scripts/fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(config safetensors plan dialect)

ssdc_install_deps
if [ ! -f "$FUZZ_BUILD/build.ninja" ]; then
  ssdc_log "configuring the fuzz build into $FUZZ_BUILD (clang 14, ASan+UBSan+libFuzzer)"
  CC=clang-14 CXX=clang++-14 cmake -S "$SSDC_ROOT" -B "$FUZZ_BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" \
    -DSSDC_ENABLE_FUZZERS=ON -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=OFF \
    -DSSDC_BUILD_TESTS=OFF >/dev/null
fi
ssdc_log "building the fuzz targets"
cmake --build "$FUZZ_BUILD" --target ssdc-fuzzers -j "$SSDC_JOBS"
[ "$build_only" -eq 0 ] || exit 0

# Seed corpora: the fixtures the tests use, split into one input per file.
seeds=$FUZZ_BUILD/seeds
rm -rf "$seeds" && mkdir -p "$seeds"/{config,safetensors,plan,dialect}
python3 - "$SSDC_ROOT" "$seeds" <<'EOF'
import glob, json, os, struct, sys
root, out = sys.argv[1], sys.argv[2]
def put(target, name, data):
    mode = 'wb' if isinstance(data, bytes) else 'w'
    with open(os.path.join(out, target, name), mode) as f:
        f.write(data)
# config: every model and fixture config, and the driver's bad configs.
for i, p in enumerate(sorted(glob.glob(f'{root}/models/*/config.json') +
                             glob.glob(f'{root}/test/fixtures/hf/*/config.json') +
                             glob.glob(f'{root}/test/lit/driver/Inputs/*.json'))):
    put('config', f'{i:02d}-' + p.replace('/', '_')[-60:], open(p).read())
# safetensors: the small io.safetensors fixtures, the header of a model
# checkpoint with its data cut off, and one tiny file per dtype.
for i, p in enumerate(sorted(glob.glob(f'{root}/test/fixtures/hf/*/io.safetensors'))):
    put('safetensors', f'io{i}.safetensors', open(p, 'rb').read())
for i, p in enumerate(sorted(glob.glob(f'{root}/test/fixtures/hf/*/model.safetensors'))):
    b = open(p, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    put('safetensors', f'model{i}-cut.safetensors', b[:8 + n + 64])
def st(tensors, meta=None):
    hdr, data = {}, b''
    if meta: hdr['__metadata__'] = meta
    for name, dtype, shape, raw in tensors:
        hdr[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(hdr).encode()
    return struct.pack('<Q', len(h)) + h + data
put('safetensors', 'dtypes.safetensors', st([
    ('a', 'F32', [2, 2], struct.pack('<4f', 1, 2, float('nan'), float('inf'))),
    ('b', 'BF16', [3], b'\x80\x3f\x00\x40\x80\x7f'),
    ('c', 'F16', [1, 2], b'\x00\x3c\x00\x7c'),
    ('input_ids', 'I64', [1, 3], struct.pack('<3q', 1, 2, 3)),
    ('d', 'I32', [2], struct.pack('<2i', -1, 7)),
    ('s', 'F32', [], struct.pack('<f', 0.5)),
    ('z', 'F32', [0, 4], b'')], {'format': 'pt'}))
# plan: the committed compact plans and manifest, plus a fresh one when the
# main build has an ssdc to compile with.
for p in glob.glob(f'{root}/fuzz/corpus/plan/*.json'):
    put('plan', os.path.basename(p), open(p).read())
# dialect: every lit .mlir file, split at `// -----` into one snippet each.
n = 0
for p in sorted(glob.glob(f'{root}/test/lit/**/*.mlir', recursive=True) +
                glob.glob(f'{root}/models/*/model.mlir')):
    for part in open(p).read().split('// -----'):
        put('dialect', f'{n:03d}.mlir', part); n += 1
EOF

mkdir -p "$FUZZ_BUILD/crashes"
results=$FUZZ_BUILD/fuzz-results.txt
: > "$results"
status=0
for t in "${targets[@]}"; do
  exe=$FUZZ_BUILD/fuzz/fuzz_$t
  corpus=$FUZZ_BUILD/corpus/$t
  mkdir -p "$corpus"
  case "$t" in
    config) dict=config.dict ;; plan) dict=plan.dict ;;
    safetensors) dict=safetensors.dict ;; dialect) dict=mlir.dict ;;
  esac
  if [ "$mode" = time ]; then limit=(-max_total_time="$amount"); else limit=(-runs="$amount"); fi
  log=$FUZZ_BUILD/fuzz-$t.log
  ssdc_log "fuzzing $t (${mode} ${amount})"
  cmd=("$exe" "${limit[@]}" -dict="$SSDC_ROOT/fuzz/dict/$dict" -max_len=65536
       -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
       -artifact_prefix="$FUZZ_BUILD/crashes/$t-" "$corpus" "$seeds/$t")
  start=$(date +%s)
  if ASAN_OPTIONS=detect_leaks=1 "${cmd[@]}" >"$log" 2>&1; then rc=0; else rc=$?; fi
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -aoE '(DONE|#[0-9]+) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+)/cov \1 ft \2/' || true)
  corp=$(ls "$corpus" | wc -l)
  line="$t: rc=$rc execs=${execs:-?} ${cov:-cov ?} corpus=$corp time=${secs}s cmd: ${cmd[*]}"
  echo "$line" | tee -a "$results"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "---- $t: crash, last lines of $log:" >&2
    tail -40 "$log" >&2
  fi
done
exit $status
