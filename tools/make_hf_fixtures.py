#!/usr/bin/env python3
"""Write small random-weight HF Mamba2 models and transformers' outputs as fixtures.

Runs on the GPU machine (torch + transformers). For each case it writes
OUT/<case>/ with config.json and model.safetensors (f32 weights, as
save_pretrained writes them: no lm_head tensor when tied) and io.safetensors:

  input_ids    int64 [batch, len]          the prompt batch
  logits       f32   [batch, len, vocab]   transformers' prefill logits, in float64
  gen_prompt   int64 [len0]                the prompt of the greedy run (row 0)
  gen_tokens   int64 [N]                   greedy continuation
  step_logits  f32   [N, vocab]            logits each new token was chosen from

Reference numbers come from transformers' torch path run in float64; greedy
decoding re-runs the whole sequence each step (no cache), so the reference does
not depend on transformers' decode path. transformers normalises the gated norm
over all of d_inner; for n_groups > 1 this script patches MambaRMSNormGated to
normalise each group of d_inner / n_groups channels (REFERENCE.md), which is
what mamba_ssm and ssdc compute.

    python3 tools/make_hf_fixtures.py OUT
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import Mamba2Config, Mamba2ForCausalLM
from transformers.models.mamba2 import modeling_mamba2

CASES = {
    # name: (config overrides, batch, prompt length, new tokens)
    "g1_tied_chunk16": (dict(n_groups=1, chunk_size=16, tie_word_embeddings=True), 2, 40, 8),
    "g2_untied_chunk8_limit": (dict(n_groups=2, chunk_size=8, tie_word_embeddings=False,
                                    time_step_limit=(0.001, 0.5)), 2, 21, 8),
    "g4_short_prompt": (dict(n_groups=4, chunk_size=64, tie_word_embeddings=True), 1, 5, 8),
}


def patch_grouped_norm(groups, compute=torch.float64):
    """Makes transformers' gated norm normalise each of `groups` groups (in `compute`)."""
    def forward(self, hidden_states, gate=None):
        dtype = hidden_states.dtype
        h = hidden_states.to(compute)
        if gate is not None:
            h = h * F.silu(gate.to(compute))
        shape = h.shape
        h = h.view(*shape[:-1], groups, shape[-1] // groups)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.variance_epsilon)
        return self.weight * h.view(shape).to(dtype)
    modeling_mamba2.MambaRMSNormGated.forward = forward


def main():
    out = sys.argv[1]
    torch.manual_seed(1234)
    original = modeling_mamba2.MambaRMSNormGated.forward
    for name, (over, batch, length, new) in CASES.items():
        modeling_mamba2.MambaRMSNormGated.forward = original
        cfg = dict(vocab_size=96, hidden_size=64, num_hidden_layers=2, state_size=16,
                   num_heads=8, head_dim=16, expand=2, conv_kernel=4,
                   residual_in_fp32=True, rms_norm=True, use_bias=False, use_conv_bias=True,
                   layer_norm_epsilon=1e-5, bos_token_id=0, eos_token_id=0, pad_token_id=0)
        cfg.update(over)
        config = Mamba2Config(**cfg)
        if config.n_groups > 1:
            patch_grouped_norm(config.n_groups)
        model = Mamba2ForCausalLM(config).eval()
        with torch.no_grad():  # make every weight matter: no all-ones norms
            for n, p in model.named_parameters():
                if n.endswith("norm.weight") or n.endswith("norm_f.weight"):
                    p.copy_(1.0 + 0.2 * torch.randn_like(p))
                if n.endswith("conv1d.bias"):
                    p.copy_(0.1 * torch.randn_like(p))
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        model.save_pretrained(d, safe_serialization=True)
        m64 = model.to("cuda", torch.float64)
        ids = torch.randint(1, config.vocab_size, (batch, length), device="cuda")
        with torch.no_grad():
            logits = m64(input_ids=ids).logits
            seq = ids[:1]
            toks, steps = [], []
            for _ in range(new):
                last = m64(input_ids=seq).logits[0, -1]
                nxt = last.argmax()
                toks.append(nxt.item())
                steps.append(last)
                seq = torch.cat([seq, nxt.view(1, 1)], dim=1)
        save_file({"input_ids": ids.cpu().contiguous(),
                   "logits": logits.float().cpu().contiguous(),
                   "gen_prompt": ids[0].cpu().contiguous(),
                   "gen_tokens": torch.tensor(toks, dtype=torch.int64),
                   "step_logits": torch.stack(steps).float().cpu().contiguous()},
                  os.path.join(d, "io.safetensors"))
        with open(os.path.join(d, "ABOUT.json"), "w") as f:
            json.dump({"case": name, "overrides": {k: str(v) for k, v in over.items()},
                       "batch": batch, "prompt_len": length, "new_tokens": new,
                       "reference": "transformers Mamba2ForCausalLM torch path, float64, "
                                    "grouped gated norm patched when n_groups > 1",
                       "torch": torch.__version__,
                       "transformers": __import__("transformers").__version__}, f, indent=1)
        print(name, "ok", tuple(logits.shape), toks, flush=True)


if __name__ == "__main__":
    main()
