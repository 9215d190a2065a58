#!/usr/bin/env bash
# The main job: installs what is missing, builds, and compiles the shipped demo
# model (models/demo, an HF Mamba2 config) for the CPU: prints its model IR, the
# schedule chosen for every layer and length bucket with the estimated costs,
# and writes the artifact build/demo.ssdc. (Running it, i.e. generating text,
# comes with the CPU runtime.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ssdc_install_deps
ssdc_configure
ssdc_build
ssdc="$SSDC_BUILD/bin/ssdc"
ssdc_log "model IR of models/demo (ssdc compile --emit model-ir)"
"$ssdc" compile "$SSDC_ROOT/models/demo" --emit model-ir
ssdc_log "compiling for the CPU, with the schedule decisions (--explain)"
"$ssdc" compile "$SSDC_ROOT/models/demo" --target cpu --explain -o "$SSDC_BUILD/demo.ssdc"
ssdc_log "artifact: $SSDC_BUILD/demo.ssdc"
ls -l "$SSDC_BUILD/demo.ssdc"
