#!/usr/bin/env bash
# The main job: installs what is missing, builds, compiles the shipped demo model.
# Until the runtime exists (issue 5) this compiles the demo model description to
# `ssd` IR and prints it; later it generates text on the CPU.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ssdc_install_deps
ssdc_configure
ssdc_build
ssdc_log "ssdc-opt: parse, verify and print the demo model (models/demo/model.mlir)"
"$SSDC_BUILD/bin/ssdc-opt" "$SSDC_ROOT/models/demo/model.mlir"
