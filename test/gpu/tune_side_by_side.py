#!/usr/bin/env python3
"""A tuned and an untuned CUDA artifact of one model side by side on the GPU (issue 8).

    python3 test/gpu/tune_side_by_side.py --lib build/lib/libssdc_capi.so \
        --untuned U.ssdc --tuned T.ssdc --weights W.safetensors [--make-weights] \
        --lengths 64,512,4096,8192 --iters 5 --decode-steps 32 --out OUT.json

Both artifacts are opened in one process through the C API
(runtime/capi/include/ssdc/ssdc_capi.h, ctypes) on the same weights; with
--make-weights the weights are random (torch, on the GPU; the initialisation of
tools/make-random-weights: matrices N(0, 1/fan_in), norms and D 1, A_log =
log U[1, 16], dt_bias = softplus^-1 U[0.001, 0.1], biases 0) at the plan's
shapes and dtypes, written first. For each length: the SSD schedule each
artifact runs there (ssdc_schedule_for), the last-position logits of both on
the same prompt (their difference, max |a - b| / max |b|: the two run
different kernels, each checked against float64 by ssdc tune), then the
prefill times (ssdc_time_prefill, host wall time per call ending with a
stream sync, one warm-up), alternating the two artifacts round by round so
that clock and thermal drift hit both alike; the median is reported. Decode:
greedy steps after a short prompt (CUDA graphs), median per step.
"""
import argparse, ctypes, json, math, os, statistics, sys, time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "gpu_bench"))
from bench_model import Ssdc  # noqa: E402  (libssdc_capi through ctypes)


def log(*a):
    print(*a, flush=True)


def make_weights(artifact, out):
    from safetensors.torch import save_file
    plan = json.load(open(os.path.join(artifact, "plan.json")))
    ws = {}
    for e in plan["entries"]:
        for b in e["buffers"]:
            if b.get("kind") == "weight":
                ws[b["name"]] = (b.get("dtype", "f32"), [int(d) for d in b["shape"]])
    g = torch.Generator(device="cuda").manual_seed(0)
    sd = {}
    for name, (dt, shape) in sorted(ws.items()):
        if name.endswith(("norm.weight", "norm_f.weight", "norm2.weight", ".D")):
            v = torch.ones(shape, device="cuda")
        elif name.endswith("A_log"):
            v = torch.log(1 + 15 * torch.rand(shape, device="cuda", generator=g))
        elif name.endswith("dt_bias"):
            dt_ = 0.001 + 0.099 * torch.rand(shape, device="cuda", generator=g)
            v = dt_ + torch.log(-torch.expm1(-dt_))
        elif name.endswith(".bias"):
            v = torch.zeros(shape, device="cuda")
        else:
            v = torch.randn(shape, device="cuda", generator=g) / math.sqrt(shape[-1])
        if name.endswith("conv1d.weight"):
            v = v.reshape(shape[0], 1, shape[1])
        v = v.to(torch.bfloat16 if dt == "bf16" else torch.float32)
        sd[name] = v.cpu().contiguous()
    save_file(sd, out)
    return sum(v.numel() for v in sd.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", required=True)
    ap.add_argument("--untuned", required=True)
    ap.add_argument("--tuned", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--make-weights", action="store_true")
    ap.add_argument("--lengths", default="64,512,4096,8192")
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--decode-steps", type=int, default=32)
    ap.add_argument("--budget-s", type=float, default=1e9, help="skip lengths after this long")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t0 = time.time()
    R = {"command": " ".join(sys.argv), "lengths": {}, "decode": {}}

    def save():
        json.dump(R, open(a.out, "w"), indent=1)

    if a.make_weights:
        n = make_weights(a.untuned, a.weights)
        log(f"[{time.time() - t0:.0f} s] random weights: {n / 1e9:.2f} G parameters -> {a.weights}")
    m = {"untuned": Ssdc(a.lib, a.untuned, a.weights), "tuned": Ssdc(a.lib, a.tuned, a.weights)}
    R["device"] = m["untuned"].device()
    log(f"[{time.time() - t0:.0f} s] opened both on {R['device']} "
        f"(load {m['untuned'].load_s:.1f} s, {m['tuned'].load_s:.1f} s)")
    for k in m.values():
        k.sync(False)
    gen = torch.Generator().manual_seed(1)
    for l in [int(x) for x in a.lengths.split(",")]:
        if time.time() - t0 > a.budget_s:
            R["lengths"][str(l)] = {"skipped": "budget"}
            log(f"L={l}: skipped (budget)")
            continue
        ids = torch.randint(1, 50000, (1, l), generator=gen)
        row = {}
        for name, k in m.items():
            s = k.schedule("prefill", l)
            row[name + "_schedule"] = ",".join(sorted(s["schedules"])) or "-"
            row[name + "_function"] = s["function"]
        la = m["untuned"].prefill_logits(ids, True)
        lb = m["tuned"].prefill_logits(ids, True)
        assert torch.isfinite(la).all() and torch.isfinite(lb).all(), "non-finite logits"
        row["tuned_vs_untuned_logits"] = float((lb - la).abs().max() / la.abs().max())
        times = {"untuned": [], "tuned": []}
        for name, k in m.items():  # one warm-up call each
            k.time_prefill(ids, 1, 1, False)
        for _ in range(a.iters):  # alternating, one call each per round
            for name, k in m.items():
                times[name] += k.time_prefill(ids, 1, 0, False)
        for name in m:
            row[name + "_ms"] = statistics.median(times[name])
            row[name + "_all_ms"] = times[name]
        row["tuned_over_untuned"] = row["tuned_ms"] / row["untuned_ms"]
        R["lengths"][str(l)] = row
        save()
        log(f"[{time.time() - t0:.0f} s] L={l}: untuned {row['untuned_schedule']} "
            f"{row['untuned_ms']:.2f} ms | tuned {row['tuned_schedule']} {row['tuned_ms']:.2f} ms "
            f"| tuned/untuned {row['tuned_over_untuned']:.3f} | logits diff "
            f"{row['tuned_vs_untuned_logits']:.2e}")
    if a.decode_steps > 1 and time.time() - t0 < a.budget_s:
        ids = torch.randint(1, 50000, (1, 16), generator=gen)
        steps = {}
        for name, k in m.items():
            k.decode(ids, 4, True)  # warm-up (graph capture)
        for name, k in m.items():
            toks, step, _, _ = k.decode(ids, a.decode_steps, True)
            steps[name] = (toks, step)
        for name in m:
            R["decode"][name + "_ms_per_step"] = statistics.median(steps[name][1])
        R["decode"]["same_tokens"] = bool(torch.equal(steps["untuned"][0], steps["tuned"][0]))
        R["decode"]["tuned_over_untuned"] = (R["decode"]["tuned_ms_per_step"] /
                                             R["decode"]["untuned_ms_per_step"])
        log(f"decode ({a.decode_steps} steps, graphs): untuned "
            f"{R['decode']['untuned_ms_per_step']:.3f} ms/step, tuned "
            f"{R['decode']['tuned_ms_per_step']:.3f} ms/step, same tokens "
            f"{R['decode']['same_tokens']}")
    save()
    for k in m.values():
        k.close()


if __name__ == "__main__":
    main()
