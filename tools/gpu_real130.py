# On the GPU machine (tools/gpu_real130.sh):
# On the GPU machine: a random-weight HF Mamba2 at mamba2-130m's config, its
# float64 logits for a fixed 64-token prompt and 16 greedy tokens (full
# re-forward each step), written for ssdc to be compared against.
import json, sys, torch
from safetensors.torch import save_file
from transformers import Mamba2Config, Mamba2ForCausalLM
out = sys.argv[1]
cfg = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "test/gpu/Inputs/mamba2-130m-hf-config.json"))
cfg.pop("model_type"); cfg["time_step_limit"] = (0.0, float("inf"))
torch.manual_seed(130)
m = Mamba2ForCausalLM(Mamba2Config(**cfg)).eval()
with torch.no_grad():
    for n, p in m.named_parameters():
        if n.endswith("norm.weight") or n.endswith("norm_f.weight"):
            p.copy_(1.0 + 0.2 * torch.randn_like(p))
        if n.endswith("conv1d.bias"):
            p.copy_(0.1 * torch.randn_like(p))
m.save_pretrained(out, safe_serialization=True)
m = m.to("cuda", torch.float64)
g = torch.Generator().manual_seed(7)
ids = torch.randint(1, 50277, (1, 64), generator=g)
with torch.no_grad():
    logits = m(input_ids=ids.cuda()).logits
    seq, toks, steps = ids.cuda(), [], []
    for _ in range(16):
        last = m(input_ids=seq).logits[0, -1]
        t = last.argmax(); toks.append(t.item()); steps.append(last)
        seq = torch.cat([seq, t.view(1, 1)], 1)
save_file({"input_ids": ids.contiguous(), "logits": logits.float().cpu().contiguous(),
           "gen_tokens": torch.tensor(toks), "step_logits": torch.stack(steps).float().cpu().contiguous()},
          out + "/io.safetensors")
print("prompt", ",".join(str(i) for i in ids[0].tolist()))
print("tokens", toks)
