#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit + GoogleTest) through
# ctest. Exits non-zero on any failure. Idempotent and incremental.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ssdc_install_deps
ssdc_configure
ssdc_build
ssdc_log "running ctest"
cd "$SSDC_BUILD"
# Labels: lit, unit, numerics. GPU tests (label gpu) are excluded here: they run on
# the GPU machine through tools/gpu_check.sh.
ctest --output-on-failure -j "$SSDC_JOBS" -LE gpu "$@"
# Reliability jobs (docs/reliability.md): the runtime and its tests under
# ASan+UBSan, then every fuzz target for a bounded time (SSDC_FUZZ_SECONDS).
cd "$SSDC_ROOT"
[ "${SSDC_SKIP_SANITIZE:-0}" = 1 ] || bash scripts/sanitize.sh
[ "${SSDC_SKIP_FUZZ:-0}" = 1 ] || bash scripts/fuzz.sh
