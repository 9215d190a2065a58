# On the GPU machine: how far transformers itself is from its float64 logits
# when it runs in fp32 and in bf16, on the random-weight models of
# tools/gpu_real.py (same seed, same prompt). This is the yardstick for the
# real-size tolerances (1e-4 fp32, 1e-2 bf16): the error of the reference
# implementation at the same precision.
#   python3 tools/hf_real_error.py HF_CONFIG.json [perturbed|plain] ...
import json, sys, torch
from transformers import Mamba2Config, Mamba2ForCausalLM

def model(cfg_path, init):
    cfg = json.load(open(cfg_path))
    cfg.pop("model_type"); cfg["time_step_limit"] = (0.0, float("inf"))
    torch.manual_seed(130)
    m = Mamba2ForCausalLM(Mamba2Config(**cfg)).eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if init == "perturbed":  # exactly what tools/gpu_real.py writes
                if n.endswith("norm.weight") or n.endswith("norm_f.weight"):
                    p.copy_(1.0 + 0.2 * torch.randn_like(p))
                if n.endswith("conv1d.bias"):
                    p.copy_(0.1 * torch.randn_like(p))
            p.copy_(p.bfloat16().float())
    return m, cfg

def errors(a, e):
    d = (a.double() - e)
    return (d.abs().max() / e.abs().max()).item(), (d.norm() / e.norm()).item(), \
        (a.argmax(-1) == e.argmax(-1)).double().mean().item()

for cfg_path in sys.argv[1:]:
    for init in ["perturbed", "plain"]:
        m, cfg = model(cfg_path, init)
        g = torch.Generator().manual_seed(7)
        ids = torch.randint(1, cfg["vocab_size"] - 11, (1, 64), generator=g).cuda()
        with torch.no_grad():
            ref = m.to("cuda", torch.float64)(input_ids=ids).logits
            f32 = m.to(torch.float32)(input_ids=ids).logits
            bf = m.to(torch.bfloat16)(input_ids=ids).logits
        del m; torch.cuda.empty_cache()
        for name, a in [("fp32", f32), ("bf16", bf)]:
            mx, l2, top1 = errors(a, ref)
            print(f"{cfg_path.split('/')[-1]:32s} {init:9s} transformers {name}: max-rel {mx:.3g}  "
                  f"L2-rel {l2:.3g}  top-1 agreement {top1:.3f}", flush=True)
