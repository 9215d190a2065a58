"""Issue 7 target 4 alone: mamba2-2.7b prefill, 8 x 2048 tokens, ssdc vs mamba_ssm in one
process, correctness first. A short driver over bench_model.py's pieces (same model, same
float64 reference, same timing and profile helpers) for a device call too short for
bench_model.py's full 2.7b part (its decode half, target 3, is left out here).

  python3 bench_prefill.py --lib build-h5-gpu/lib/libssdc_capi.so --peers .carry/h5/peers \
      --art27 .carry/hfused/m27-fused.ssdc --out $OUT [--mamba-autotune first] [--budget-s S]

Order: ceilings (copy rate, bf16 GEMM at the model's shapes) -> ssdc: last-position logits
of the 8 x 2048 prefill in the runtime's synchronous NaN-poisoning mode, then timed (host
wall of the runtime call, median) and profiled per kernel -> the float64 reference of the
same prefill and the check -> mamba_ssm's prefill (num_last_tokens=1) timed, profiled and
checked against the same reference. Writes gpu_prefill.json to --out after every step.
"""
import argparse
import gc
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_model as bm  # noqa: E402

T0 = time.time()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--art27", required=True)
    ap.add_argument("--art27-alt", default="",
                    help="a second artifact of the same model, timed and checked after the first")
    ap.add_argument("--out", default=".")
    ap.add_argument("--work", default="/tmp/hfused-models")
    ap.add_argument("--iters", type=int, default=6)
    ap.add_argument("--budget-s", type=float, default=200,
                    help="mamba_ssm's part is skipped when less than 60 s are left")
    ap.add_argument("--mamba-autotune", choices=["full", "few", "first"], default="few",
                    help="mamba_ssm's Triton autotuning: all configs (minutes of compiling on a "
                         "fresh machine), the first 3 (few; Triton's autotuner skips the ones "
                         "that do not fit), or the first only (first; fails on H100: the first "
                         "_chunk_scan_fwd config needs 279 KB of shared memory at dstate 128)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    R = bm.RESULTS
    path = os.path.join(args.out, "gpu_prefill.json")

    def save():
        with open(path, "w") as f:
            json.dump(R, f, indent=1)

    def left():
        return args.budget_s - (time.time() - T0)

    pb = bm.import_peers(args.peers)
    R["mamba_autotune"] = args.mamba_autotune
    if args.mamba_autotune != "full":
        import triton
        full = triton.autotune
        keep = 1 if args.mamba_autotune == "first" else 3

        def some_configs(configs, key, **kw):
            return full(configs=list(configs)[:keep], key=key, **kw)
        triton.autotune = some_configs  # before mamba_ssm's kernels are decorated
    R["torch"] = torch.__version__
    R["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    R["artifact"] = args.art27
    try:
        R["ceilings"] = bm.ceilings()
        c = R["ceilings"]
        bm.log(f"ceilings: copy {c['copy_TBps']:.2f} TB/s; GEMM " + ", ".join(
            f"{k} {v['TFLOPs']:.0f} TFLOP/s" for k, v in c["gemm"].items()))
    except Exception as e:  # noqa: BLE001
        bm.record_error("ceilings", e)
    save()

    d_model, n_layer = 2560, 64
    t0 = time.time()
    model = bm.build_mamba(pb, d_model, n_layer, seed=27)
    wdir = os.path.join(args.work, "mamba2-2.7b")
    R["weights"] = bm.save_for_ssdc(model, "2.7b", wdir)
    bm.log(f"mamba2-2.7b built and saved in {time.time() - t0:.1f} s")
    g = torch.Generator().manual_seed(2)
    torch.randint(0, 50277, (2, 64), generator=g)  # bench_model's draw order: same prompts
    ids_pf = torch.randint(0, 50277, (8, 2048), generator=g)
    C = R["checks"] = {}
    in_p, out_p, head = bm.gemm_params(d_model, n_layer, 50288)
    tokens = 8 * 2048
    flops_layers = 2 * (in_p + out_p) * n_layer * tokens
    useful = flops_layers + 2 * head * 8
    T4 = R["target4"] = {"tokens": tokens, "flops_layers_T": flops_layers / 1e12,
                         "flops_lm_head_last_T": 2 * head * 8 / 1e12,
                         "flops_lm_head_all_positions_T": 2 * head * tokens / 1e12}
    rate = float("nan")
    if "ceilings" in R:
        gem = R["ceilings"]["gemm"]
        t_gemm = (gem["2.7b in_proj 16384x2560x10576"]["ms"] +
                  gem["2.7b out_proj 16384x5120x2560"]["ms"]) * n_layer
        rate = flops_layers / (t_gemm * 1e-3) / 1e12
        T4.update({"gemm_rate_model_shapes_TFLOPs": rate, "gemm_floor_ms": t_gemm,
                   "gemm_rate_8192_TFLOPs": gem["8192^3"]["TFLOPs"]})
    # The artifact under test first (timed and profiled), then --art27-alt (timed, checked).
    arts = [("ssdc", args.art27)] + ([("ssdc_alt", args.art27_alt)] if args.art27_alt else [])
    outs = {}
    for tag, art in arts:
        try:
            ours = bm.Ssdc(args.lib, art, wdir)
        except Exception as e:  # noqa: BLE001
            bm.record_error(f"{tag} open {art}", e)
            continue
        R.setdefault("device", ours.device())
        sch = ours.schedule("prefill", 2048)
        T = T4 if tag == "ssdc" else T4.setdefault("alt", {})
        T.update({"artifact": art, "load_s": ours.load_s, "function": sch["function"],
                  "schedules": sch["schedules"], "launches": sch["launches"]})
        bm.log(f"{tag}: {art} loaded in {ours.load_s:.1f} s; prefill function {sch['function']} "
               f"schedules {sch['schedules']}")
        try:
            ours.sync(True)
            outs[tag] = ours.prefill_logits(ids_pf, True)[:, 0]
            ours.sync(False)
            t = ours.time_prefill(ids_pf, 1, 1, graph=False)
            if t[0] < 2000:
                t = ours.time_prefill(ids_pf, args.iters, 1, graph=False)
            T.update({"ssdc_ms": bm.median(t), "ssdc_all_ms": t})
            T["ssdc_TFLOPs"] = useful / (T["ssdc_ms"] * 1e-3) / 1e12
            T["ssdc_fraction_of_gemm_rate"] = T["ssdc_TFLOPs"] / rate
            bm.log(f"  prefill 8x2048: {tag} {T['ssdc_ms']:.2f} ms (all {['%.2f' % v for v in t]}) "
                   f"{T['ssdc_TFLOPs']:.0f} TFLOP/s = {100 * T['ssdc_fraction_of_gemm_rate']:.0f} % "
                   f"of {rate:.0f}")
            save()
            if tag == "ssdc":
                with torch.inference_mode():
                    R["profile_prefill_ssdc"] = bm.profile(
                        lambda: ours.time_prefill(ids_pf, 1, 0, graph=False), 2,
                        os.path.join(args.work, "t.json"))
                bm.print_profile("2.7b prefill 8x2048, ssdc", R["profile_prefill_ssdc"])
        except Exception as e:  # noqa: BLE001
            bm.record_error(f"{tag} prefill 8x2048", e)
        save()
        ours.close()
        del ours
        gc.collect()
        torch.cuda.empty_cache()
    o_pf = outs.get("ssdc")
    ref_pf = None
    try:
        t1 = time.time()
        ref_pf = bm.ref_logits(model, ids_pf, True)[:, 0]
        bm.log(f"  float64 reference in {time.time() - t1:.1f} s")
        bm.check(C, "8x2048 last", "2.7b 8x2048 last (ssdc)", ours=o_pf, ref=ref_pf)
        if "ssdc_alt" in outs:
            bm.check(C, "8x2048 last alt", "2.7b 8x2048 last (ssdc alt)", ours=outs["ssdc_alt"],
                     ref=ref_pf)
    except Exception as e:  # noqa: BLE001
        bm.record_error("reference 8x2048", e)
    save()
    gc.collect()
    torch.cuda.empty_cache()
    if left() < 60:
        bm.log(f"skipping mamba_ssm prefill: {left():.0f} s left")
        R["mamba_skipped"] = f"{left():.0f} s left"
    else:
        try:
            t1 = time.time()
            fn = bm.mamba_prefill_fn(model, ids_pf.cuda())
            with torch.inference_mode():
                m_pf = fn()[:, 0].float().cpu()
                T4["mamba_first_call_s"] = time.time() - t1
                bm.log(f"  (mamba_ssm first prefill, Triton compile and autotuning: {time.time() - t1:.0f} s)")
                t = bm.time_wall(fn, args.iters, 2)
            T4.update({"mamba_ms": bm.median(t), "mamba_all_ms": t})
            T4["mamba_TFLOPs"] = useful / (T4["mamba_ms"] * 1e-3) / 1e12
            T4["mamba_fraction_of_gemm_rate"] = T4["mamba_TFLOPs"] / rate
            bm.log(f"  prefill 8x2048: mamba_ssm {T4['mamba_ms']:.2f} ms ({T4['mamba_TFLOPs']:.0f} TFLOP/s"
                   f" = {100 * T4['mamba_fraction_of_gemm_rate']:.0f} %)")
            bm.check(C, "8x2048 last", "2.7b 8x2048 last", ours=o_pf, mamba=m_pf, ref=ref_pf)
            save()
            with torch.inference_mode():
                R["profile_prefill_mamba"] = bm.profile(fn, 2, os.path.join(args.work, "t.json"))
            bm.print_profile("2.7b prefill 8x2048, mamba_ssm", R["profile_prefill_mamba"])
        except Exception as e:  # noqa: BLE001
            bm.record_error("mamba prefill 8x2048", e)
    save()
    nan = float("nan")
    bm.log(f"T4 prefill 2.7b 8x2048: ssdc {T4.get('ssdc_ms', nan):.2f} ms "
           f"({100 * T4.get('ssdc_fraction_of_gemm_rate', nan):.0f} % of the GEMM rate), mamba_ssm "
           f"{T4.get('mamba_ms', nan):.2f} ms; target <= {flops_layers / 0.75 / (rate * 1e12) * 1e3:.1f} ms")
    for case, c in C.items():
        bm.log(f"check {case}: " + ", ".join(f"{k} {v['max_rel']:.2e}/{v['top1']:.2f}"
                                             for k, v in c.items() if isinstance(v, dict)))
    if R["errors"]:
        bm.log(f"ERRORS: {len(R['errors'])}: " + " | ".join(R["errors"]))
    bm.log(f"total {time.time() - T0:.0f} s")
    return 1 if R["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
