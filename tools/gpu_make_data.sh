#!/usr/bin/env bash
# Run on the GPU machine (device tool) from the repository root, with the
# training text carried in .carry/tinyshakespeare.txt:
#   trains the demo model (tools/train_demo.py) and writes the transformers
#   fixtures (tools/make_hf_fixtures.py); packs both into $OUT/data.tar.
set -euo pipefail
export PYTHONUNBUFFERED=1
work=$(mktemp -d)
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__, torch.cuda.get_device_name())'
python3 tools/make_hf_fixtures.py "$work/fixtures"
python3 tools/train_demo.py --data .carry/tinyshakespeare.txt --out "$work/demo" --seconds "${TRAIN_SECONDS:-300}"
tar -C "$work" -cf "$OUT/data.tar" fixtures demo
cp "$work/demo/train_log.txt" "$OUT/"
ls -la "$work"/*
