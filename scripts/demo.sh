#!/usr/bin/env bash
# The main job: installs what is missing, builds, compiles the shipped demo model
# (models/demo: a byte-level Mamba-2 trained on tinyshakespeare, HF format) for the
# CPU, printing the schedule chosen for every layer and length bucket, and
# generates text from a prompt on the CPU, printing tokens/s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ssdc_install_deps
ssdc_configure
ssdc_build
ssdc="$SSDC_BUILD/bin/ssdc"
model="$SSDC_ROOT/models/demo"
ssdc_log "compiling models/demo for the CPU; the schedule chosen per length bucket"
# --explain prints every layer's estimate; all 6 layers have one shape, so show
# layer 0's decision for each entry function.
"$ssdc" compile "$model" --target cpu --explain -o "$SSDC_BUILD/demo.ssdc" 2>&1 \
  | awk '/^ssd-explain:/ { fn = $2; show = ($0 ~ /layers\.0"/) }
         show && /<- chosen/ { printf "  %-22s %s\n", fn, $0 }
         /^ssdc compile: wrote/ { print }' 
ssdc_log "generating 400 bytes on the CPU (greedy)"
"$ssdc" generate "$SSDC_BUILD/demo.ssdc" --weights "$model" \
  --prompt "${SSDC_DEMO_PROMPT:-ROMEO:
}" --max-new-tokens "${SSDC_DEMO_TOKENS:-400}"
