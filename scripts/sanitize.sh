#!/usr/bin/env bash
# The sanitizer job: builds the runtime (SSDC_ENABLE_COMPILER=OFF: weights,
# artifact/plan readers, CPU executor, generation, `ssdc eval/generate`, the
# unit tests) with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/, runs its ctest (unit + numerics + fuzz replays), then the CPU
# end-to-end lit tests (test/lit/runtime, test/lit/catalogue) with `ssdc
# eval/generate` from build-asan and `ssdc compile/run` from the normal build
# (scripts/test.sh builds it first). Any sanitizer report fails the job.
#
# Why the runtime alone: the compiler under ASan means rebuilding the MLIR
# side twice (~10 min more on 2 cores, over the CI budget), and the compiler is
# fuzzed under ASan+UBSan by scripts/fuzz.sh instead. The Halide kernels are
# not rebuilt either (their generated code is not instrumented anyway, and
# running the generators under ASan costs minutes): the end-to-end tests
# dlopen the artifacts' libkernels.so from the normal build.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ASAN_BUILD=${SSDC_ASAN_BUILD:-$SSDC_ROOT/build-asan}
SAN_FLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Halide generators run at build time and leak by design: no leak checks there.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0

if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
  ssdc_log "configuring the sanitizer build into $ASAN_BUILD (ASan+UBSan, runtime only)"
  cmake -S "$SSDC_ROOT" -B "$ASAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" \
    "-DCMAKE_CXX_FLAGS=$SAN_FLAGS" "-DCMAKE_C_FLAGS=$SAN_FLAGS" \
    "-DCMAKE_EXE_LINKER_FLAGS=$SAN_FLAGS" "-DCMAKE_SHARED_LINKER_FLAGS=$SAN_FLAGS" \
    -DSSDC_ENABLE_COMPILER=OFF -DSSDC_ENABLE_CPU_KERNELS=OFF -DSSDC_ENABLE_CUDA=OFF >/dev/null
fi
ssdc_log "building the sanitizer build (${SSDC_JOBS} jobs)"
cmake --build "$ASAN_BUILD" -j "$SSDC_JOBS"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
ssdc_log "ctest under ASan+UBSan"
(cd "$ASAN_BUILD" && ctest --output-on-failure -j "$SSDC_JOBS" -LE gpu)

# lit: the runtime and catalogue tests, `ssdc compile` from the normal build.
if [ ! -x "$SSDC_BUILD/bin/ssdc" ]; then
  ssdc_log "no $SSDC_BUILD/bin/ssdc (run scripts/test.sh first): skipping the lit part"
  exit 0
fi
bin=$ASAN_BUILD/sanbin
rm -rf "$bin" && mkdir -p "$bin"
for f in "$SSDC_BUILD"/bin/* "$ASAN_BUILD"/bin/*; do
  [ -x "$f" ] && ln -sf "$f" "$bin/$(basename "$f")"
done
rm -f "$bin/ssdc"
cat > "$bin/ssdc" <<EOF
#!/usr/bin/env bash
# compile/run need the compiler: the normal build; the rest under ASan+UBSan.
case "\${1:-}" in
  compile|run) exec "$SSDC_BUILD/bin/ssdc" "\$@" ;;
  *) exec "$ASAN_BUILD/bin/ssdc" "\$@" ;;
esac
EOF
chmod +x "$bin/ssdc"
litdir=$ASAN_BUILD/test/lit
mkdir -p "$litdir"
cat > "$litdir/lit.site.cfg.py" <<EOF
# Written by scripts/sanitize.sh: the ssdc lit suite with sanitized runtime tools.
import os
config.ssdc_src_root = "$SSDC_ROOT"
config.ssdc_obj_root = "$ASAN_BUILD"
config.ssdc_tools_dir = "$bin"
config.llvm_tools_dir = "/usr/lib/llvm-19/bin"
config.environment["ASAN_OPTIONS"] = "$ASAN_OPTIONS"
config.environment["UBSAN_OPTIONS"] = "$UBSAN_OPTIONS"
lit_config.load_config(config, os.path.join(config.ssdc_src_root, "test/lit/lit.cfg.py"))
EOF
ssdc_log "lit (runtime, catalogue) under ASan+UBSan"
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$litdir" --filter '(runtime|catalogue)/'
