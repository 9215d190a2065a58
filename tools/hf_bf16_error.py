#!/usr/bin/env python3
"""How far transformers itself is from its float64 logits in fp32 and bf16 on the
HF fixtures (test/fixtures/hf), on the GPU machine: the yardstick for ssdc's bf16
error. Run from the repository root: python3 tools/hf_bf16_error.py"""
import json
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import Mamba2ForCausalLM
from transformers.models.mamba2 import modeling_mamba2

sys.path.insert(0, os.path.dirname(__file__))
from make_hf_fixtures import patch_grouped_norm  # noqa: E402

orig = modeling_mamba2.MambaRMSNormGated.forward
for case in ["g1_tied_chunk16", "g2_untied_chunk8_limit", "g4_short_prompt"]:
    d = f"test/fixtures/hf/{case}"
    cfg = json.load(open(f"{d}/config.json"))
    modeling_mamba2.MambaRMSNormGated.forward = orig
    if cfg["n_groups"] > 1: patch_grouped_norm(cfg["n_groups"], torch.float32)
    io = load_file(f"{d}/io.safetensors")
    ref = io["logits"].double()
    for dt in [torch.float32, torch.bfloat16]:
        m = Mamba2ForCausalLM.from_pretrained(d, torch_dtype=dt).cuda().eval()
        with torch.no_grad():
            out = m(input_ids=io["input_ids"].cuda()).logits.double().cpu()
        rel = (out - ref).abs().max() / ref.abs().max()
        print(case, str(dt), "rel err vs float64 transformers:", f"{rel.item():.3g}", flush=True)
