"""Model-level benchmark of ssdc against mamba_ssm, in one process (issue 7, targets 3-5).

Run on the GPU machine (tools/gpu_bench/run_model.sh builds libssdc_capi.so and calls this):
  python3 bench_model.py --lib build-h5-gpu/lib/libssdc_capi.so --peers .carry/h5/peers \
      --art130 .carry/h5/m130-bf16.ssdc --art27 .carry/h5/m27-bf16.ssdc --out $OUT

Both sides run the same random weights: mamba_ssm's MambaLMHeadModel (Mamba-2 layers, bf16,
peer_bench.mamba2_lm) is built on the GPU, its state_dict saved as safetensors beside the
config the artifact was compiled from, and ssdc loads that file (runtime/capi, ctypes).

1. Ceilings, same run: device-to-device copy bandwidth, torch bf16 GEMM rate at the model's
   GEMM shapes and 8192^3.
2. Correctness first, per model: ssdc's logits against mamba_ssm bf16 and against mamba_ssm
   fp32 (the same weights upcast; the yardstick: how far mamba_ssm's own bf16 is from it).
   max-rel = max|a-e|/max|e|, l2-rel, top-1 agreement, at every length bucket timed.
3. Target 5: mamba2-130m prefill latency, batch 1, L = 16/64/256/512, ssdc (eager and CUDA
   graph) vs mamba_ssm, with the schedule ssdc's plan holds for that length.
4. Target 4: mamba2-2.7b prefill 8 x 2048: time, model FLOPs / time vs the measured GEMM
   rate, per-kernel-category breakdown (torch.profiler/CUPTI sees the runtime's kernels too).
5. Target 3: mamba2-2.7b greedy decode, batch 1 and 16, CUDA graphs on both sides: ms per
   step, token agreement, per-kernel breakdown of a step.
Writes gpu_model.json (and the profiles' tables) to --out; prints a table last.
"""
import argparse
import ctypes
import gc
import json
import math
import os
import shutil
import statistics
import sys
import time
import traceback

os.environ.setdefault("TRITON_F32_DEFAULT", "ieee")  # the fp32 yardstick: no tf32 dots

import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

RESULTS = {"errors": []}
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def log(*a):
    print(*a, flush=True)


def record_error(where, e):
    msg = f"{where}: {type(e).__name__}: {e}"
    log("ERROR", msg)
    traceback.print_exc()
    RESULTS["errors"].append(msg)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ----------------------------------------------------------------------------- ssdc (C API)

class Ssdc:
    """libssdc_capi.so through ctypes (runtime/capi/include/ssdc/ssdc_capi.h)."""

    def __init__(self, lib, artifact, weights):
        L = ctypes.CDLL(lib)
        P, I64, I, D = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int, ctypes.POINTER(ctypes.c_double)
        L.ssdc_open.restype = P
        L.ssdc_open.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_char_p, ctypes.c_size_t]
        L.ssdc_close.argtypes = [P]
        L.ssdc_last_error.restype = ctypes.c_char_p
        L.ssdc_vocab.restype = I64
        L.ssdc_vocab.argtypes = [P]
        L.ssdc_device_name.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t]
        L.ssdc_set_synchronous.argtypes = [P, I]
        L.ssdc_prefill_logits.argtypes = [P, P, I64, I64, I, P]
        L.ssdc_time_prefill.argtypes = [P, P, I64, I64, I, I, I, P]
        L.ssdc_decode.argtypes = [P, P, I64, I64, I64, I, P, P, P, D]
        L.ssdc_decode_more.argtypes = [P, I64, P, I64, I, P, P]
        L.ssdc_schedule_for.argtypes = [P, ctypes.c_char_p, I64, ctypes.c_char_p, ctypes.c_size_t]
        L.ssdc_time_d2h.argtypes = [P, I64, I, D]
        for f in ["ssdc_device_name", "ssdc_set_synchronous", "ssdc_prefill_logits",
                  "ssdc_time_prefill", "ssdc_decode", "ssdc_decode_more", "ssdc_schedule_for", "ssdc_time_d2h"]:
            getattr(L, f).restype = I
        self.L = L
        err = ctypes.create_string_buffer(4096)
        t0 = time.time()
        self.m = L.ssdc_open(artifact.encode(), weights.encode(), b"cuda", err, 4096)
        if not self.m:
            raise RuntimeError(err.value.decode())
        self.load_s = time.time() - t0
        self.vocab = L.ssdc_vocab(self.m)

    def _check(self, rc):
        if rc != 0:
            raise RuntimeError(self.L.ssdc_last_error().decode())

    def close(self):
        if self.m:
            self.L.ssdc_close(self.m)
            self.m = None

    def device(self):
        buf = ctypes.create_string_buffer(256)
        self._check(self.L.ssdc_device_name(self.m, buf, 256))
        return buf.value.decode()

    def sync(self, on):
        self._check(self.L.ssdc_set_synchronous(self.m, 1 if on else 0))

    @staticmethod
    def _ids(ids):
        return ids.to(torch.int64).contiguous().cpu()

    def prefill_logits(self, ids, last_only):
        ids = self._ids(ids)
        b, l = ids.shape
        out = torch.full((b, 1 if last_only else l, self.vocab), float("nan"), dtype=torch.float32)
        self._check(self.L.ssdc_prefill_logits(self.m, ids.data_ptr(), b, l, int(last_only),
                                               out.data_ptr()))
        return out

    def time_prefill(self, ids, iters, warmup, graph):
        ids = self._ids(ids)
        b, l = ids.shape
        t = (ctypes.c_double * iters)()
        self._check(self.L.ssdc_time_prefill(self.m, ids.data_ptr(), b, l, iters, warmup,
                                             int(graph), ctypes.addressof(t)))
        return list(t)

    def decode(self, ids, n_new, graph):
        ids = self._ids(ids)
        b, l = ids.shape
        toks = torch.full((b, n_new), -1, dtype=torch.int64)
        step = (ctypes.c_double * max(n_new - 1, 1))()
        am = (ctypes.c_double * max(n_new - 1, 1))()
        pre = ctypes.c_double()
        self._check(self.L.ssdc_decode(self.m, ids.data_ptr(), b, l, n_new, int(graph),
                                       toks.data_ptr(), ctypes.addressof(step),
                                       ctypes.addressof(am), ctypes.byref(pre)))
        return toks, list(step)[: n_new - 1], list(am)[: n_new - 1], pre.value

    def decode_more(self, last, n_steps, graph):
        """More steps after decode() of the same batch size; last: the tokens to feed [b]."""
        last = last.to(torch.int64).contiguous().cpu()
        b = last.shape[0]
        toks = torch.full((b, n_steps), -1, dtype=torch.int64)
        step = (ctypes.c_double * n_steps)()
        self._check(self.L.ssdc_decode_more(self.m, b, last.data_ptr(), n_steps, int(graph),
                                            toks.data_ptr(), ctypes.addressof(step)))
        return toks, list(step)

    def schedule(self, entry, length):
        buf = ctypes.create_string_buffer(1 << 16)
        self._check(self.L.ssdc_schedule_for(self.m, entry.encode(), length, buf, 1 << 16))
        return json.loads(buf.value.decode())

    def d2h_ms(self, nbytes, iters=20):
        ms = ctypes.c_double()
        self._check(self.L.ssdc_time_d2h(self.m, nbytes, iters, ctypes.byref(ms)))
        return ms.value


def sched_str(s):
    return ",".join(f"{k}" for k in sorted(s["schedules"])) or "-"


# ----------------------------------------------------------------------------- mamba_ssm

def _shim_imports():
    """What mamba_ssm's model modules import but the GPU machine may lack: the compiled
    selective_scan_cuda (Mamba-1 only, never called here) and a few transformers names
    (generation output classes, hub helpers) that only its generation/hub utilities use."""
    import types
    try:
        import selective_scan_cuda  # noqa: F401
    except ImportError:
        sys.modules["selective_scan_cuda"] = types.ModuleType("selective_scan_cuda")
    wanted = {"transformers.generation": {"GenerateDecoderOnlyOutput": None, "TextStreamer": None},
              "transformers.utils": {"WEIGHTS_NAME": "pytorch_model.bin",
                                     "CONFIG_NAME": "config.json"},
              "transformers.utils.hub": {"cached_file": None}}
    for mod, names in wanted.items():
        try:
            m = __import__(mod, fromlist=["_"])
        except Exception as e:  # noqa: BLE001
            log(f"note: {mod} not importable ({e}); a stub stands in")
            m = types.ModuleType(mod)
            sys.modules[mod] = m
        for n, v in names.items():
            if not hasattr(m, n):
                setattr(m, n, v if v is not None else type(n, (), {}))


def import_peers(folder):
    sys.path.insert(0, os.path.dirname(os.path.abspath(folder)))  # peer_bench.py beside peers/
    import peer_bench as pb
    pb.add_peers(folder)
    _shim_imports()
    return pb


def build_mamba(pb, d_model, n_layer, seed):
    torch.manual_seed(seed)
    m = pb.mamba2_lm(d_model, n_layer)
    with torch.no_grad():
        for n, p in m.named_parameters():
            # Norm weights off 1.0 so a wrong norm weight shows (as tools/gpu_real.py).
            if n.endswith("norm.weight") or n.endswith("norm_f.weight"):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
    return m


def save_for_ssdc(model, size, model_dir):
    """model.safetensors (mamba_ssm names and dtypes; the tied lm_head left out) and the
    config the artifact was compiled from."""
    from safetensors.torch import save_file
    os.makedirs(model_dir, exist_ok=True)
    sd = {k: v.detach().contiguous() for k, v in model.state_dict().items()
          if k != "lm_head.weight"}
    save_file(sd, os.path.join(model_dir, "model.safetensors"))
    shutil.copy(os.path.join(ROOT, "models", f"mamba2-{size}", "config.json"),
                os.path.join(model_dir, "config.json"))
    dtypes = {}
    for v in sd.values():
        dtypes[str(v.dtype)] = dtypes.get(str(v.dtype), 0) + v.numel()
    return dtypes


def fp32_copy(pb, model, d_model, n_layer):
    m32 = pb.mamba2_lm(d_model, n_layer, dtype=torch.float32)
    m32.load_state_dict(model.state_dict())
    return m32


def mamba_logits(model, ids, last_only):
    with torch.inference_mode():
        out = model(ids.cuda(), num_last_tokens=1 if last_only else 0).logits
    return out.float().cpu()


def compare(a, e):
    a, e = a.double(), e.double()
    d = (a - e)
    return {"max_rel": float(d.abs().max() / e.abs().max()),
            "l2_rel": float(d.norm() / e.norm()),
            "top1": float((a.argmax(-1) == e.argmax(-1)).double().mean()),
            "n": int(a.numel() // a.shape[-1])}


def check_case(name, ours, m16, m32):
    r = {"ours_vs_mamba_bf16": compare(ours, m16)}
    if m32 is not None:
        r["ours_vs_fp32"] = compare(ours, m32)
        r["mamba_bf16_vs_fp32"] = compare(m16, m32)
    nan = int(torch.isnan(ours).sum())
    r["ours_nan"] = nan
    s = r["ours_vs_mamba_bf16"]
    line = f"  {name:<22} ours~mamba16 maxrel {s['max_rel']:.3e} l2 {s['l2_rel']:.3e} top1 {s['top1']:.3f}"
    if m32 is not None:
        o, y = r["ours_vs_fp32"], r["mamba_bf16_vs_fp32"]
        line += (f" | vs fp32: ours {o['max_rel']:.3e}/{o['top1']:.3f}"
                 f" mamba16 {y['max_rel']:.3e}/{y['top1']:.3f}")
    log(line + (f"  NaN {nan}" if nan else ""))
    return r


def mamba_prefill_fn(model, ids):
    """The generation prefill: last position's logits, states kept in an InferenceParams
    (reused between calls, as ssdc's session keeps its states)."""
    from mamba_ssm.utils.generation import InferenceParams
    b, l = ids.shape
    ip = InferenceParams(max_seqlen=l + 1, max_batch_size=b)

    def run():
        ip.seqlen_offset = 0
        return model(ids, inference_params=ip, num_last_tokens=1).logits
    return run


def time_wall(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ts.append((time.perf_counter() - t0) * 1e3)
    return ts


def mamba_decode(model, ids, n_warm, n_steps):
    """Greedy decode with mamba_ssm's CUDA-graph cache (mamba_ssm.utils.generation): prefill,
    then n_warm + n_steps graph replays. Returns (tokens [b, 1 + n_warm + n_steps],
    ms/step without a per-step sync (events around n_steps), per-step synced wall ms)."""
    from mamba_ssm.utils.generation import update_graph_cache
    b, l = ids.shape
    max_len = l + n_warm + 2 * n_steps + 4
    with torch.inference_mode():
        cache = update_graph_cache(model, None, b, l, max_len)
        ip = cache.inference_params
        ip.reset(max_len, b)
        logits = model(ids, inference_params=ip, num_last_tokens=1).logits[:, -1]
        ip.seqlen_offset += l
        tok = logits.argmax(-1, keepdim=True)
        toks = [tok]

        def step(t):
            pos = torch.full((b, 1), ip.seqlen_offset, dtype=torch.long, device=ids.device)
            lg = cache.run(t, pos, ip.seqlen_offset).squeeze(1)
            ip.seqlen_offset += 1
            return lg.argmax(-1, keepdim=True)
        for _ in range(n_warm):
            tok = step(tok)
            toks.append(tok)
        torch.cuda.synchronize()
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        for _ in range(n_steps):
            tok = step(tok)
            toks.append(tok)
        e1.record()
        torch.cuda.synchronize()
        ms = e0.elapsed_time(e1) / n_steps
        synced = []
        t = tok
        for _ in range(n_steps):  # the same loop with a sync per step (as ssdc's API does)
            t0 = time.perf_counter()
            t = step(t)
            torch.cuda.synchronize()
            synced.append((time.perf_counter() - t0) * 1e3)
    return torch.cat(toks, 1).cpu(), ms, synced, cache


# ----------------------------------------------------------------------------- profiles

def categorize(name):
    n = name.lower()
    if "conv" in n or "fprop" in n:
        return "conv"
    if any(k in n for k in ("gemm", "gemv", "nvjet", "xmma", "cutlass", "cublas", "splitk",
                            "sm90_", "ampere_", "matmul")):
        return "gemm"
    if "memcpy" in n or "memset" in n:
        return "copy"
    if any(k in n for k in ("chunk", "ssm", "scan", "state", "bmm")):
        return "ssd"
    if "norm" in n:
        return "norm"
    return "other"


def profile(fn, reps, path):
    """Runs fn reps times under torch.profiler (CUPTI records every kernel of the process,
    the runtime's and cuBLASLt's included) and sums device time per kernel name."""
    from torch.profiler import ProfilerActivity, profile as tprofile
    torch.cuda.synchronize()
    with tprofile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
    prof.export_chrome_trace(path)
    with open(path) as f:
        trace = json.load(f)
    os.remove(path)
    per = {}
    for ev in trace.get("traceEvents", []):
        cat = str(ev.get("cat", "")).lower()
        if cat not in ("kernel", "gpu_memcpy", "gpu_memset") or "dur" not in ev:
            continue
        name = ev.get("name", "?")
        d = per.setdefault(name, [0.0, 0])
        d[0] += float(ev["dur"]) / 1e3
        d[1] += 1
    kernels = sorted(([n, t / reps, c / reps] for n, (t, c) in per.items()),
                     key=lambda x: -x[1])
    cats = {}
    for n, t, c in kernels:
        k = categorize(n)
        cc = cats.setdefault(k, [0.0, 0.0])
        cc[0] += t
        cc[1] += c
    return {"ms_per_call": sum(k[1] for k in kernels),
            "launches_per_call": sum(k[2] for k in kernels),
            "categories_ms": {k: round(v[0], 4) for k, v in sorted(cats.items())},
            "categories_launches": {k: v[1] for k, v in sorted(cats.items())},
            "top": [[n[:110], round(t, 4), c] for n, t, c in kernels[:15]]}


def print_profile(title, p):
    log(f"  profile {title}: device {p['ms_per_call']:.3f} ms/call, "
        f"{p['launches_per_call']:.0f} kernels/call; by category (ms): "
        + ", ".join(f"{k} {v:.3f}" for k, v in p["categories_ms"].items()))
    for n, t, c in p["top"][:8]:
        log(f"      {t:8.4f} ms  x{c:<6.1f} {n}")


# ----------------------------------------------------------------------------- ceilings

def ceilings(quick):
    import triton.testing as tt
    r = {}
    n = 1 << 30
    x = torch.empty(n, dtype=torch.uint8, device="cuda")
    y = torch.empty_like(x)
    t = tt.do_bench(lambda: y.copy_(x), warmup=50, rep=300, return_mode="median")
    r["copy_TBps"] = 2 * n / (t * 1e-3) / 1e12
    del x, y
    shapes = {"8192^3": (8192, 8192, 8192),
              "2.7b in_proj 16384x2560x10576": (16384, 2560, 10576),
              "2.7b out_proj 16384x5120x2560": (16384, 5120, 2560),
              "2.7b lm_head 16384x2560x50288": (16384, 2560, 50288)}
    r["gemm"] = {}
    for name, (m, k, nn) in shapes.items():
        a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(nn, k, device="cuda", dtype=torch.bfloat16)
        t = tt.do_bench(lambda: F.linear(a, w), warmup=50, rep=200 if quick else 500,
                        return_mode="median")
        r["gemm"][name] = {"ms": t, "TFLOPs": 2 * m * k * nn / (t * 1e-3) / 1e12}
        del a, w
    torch.cuda.empty_cache()
    return r


# ----------------------------------------------------------------------------- main parts

def gemm_params(d_model, n_layer, vocab):
    d_inner, n_state, heads = 2 * d_model, 128, 2 * d_model // 64
    in_proj = d_model * (2 * d_inner + 2 * n_state + heads)
    out_proj = d_inner * d_model
    return in_proj, out_proj, vocab * d_model


def part_130m(args, pb, R):
    size, d_model, n_layer = "130m", 768, 24
    wdir = os.path.join(args.work, "mamba2-130m")
    model = build_mamba(pb, d_model, n_layer, seed=130)
    R["m130"] = {"weights": save_for_ssdc(model, size, wdir)}
    ours = Ssdc(args.lib, args.art130, wdir)
    log(f"mamba2-130m: ssdc loaded in {ours.load_s:.1f} s, vocab {ours.vocab}, {ours.device()}")
    R["device"] = ours.device()
    m32 = fp32_copy(pb, model, d_model, n_layer)
    g = torch.Generator().manual_seed(1)
    checks = {}
    lengths = [1, 16, 64, 256, 512]
    ids_by_len = {l: torch.randint(0, 50277, (1, l), generator=g) for l in lengths}
    ids2 = torch.randint(0, 50277, (2, 64), generator=g)
    log("correctness (mamba2-130m, bf16; max-rel = max|a-e|/max|e|, top-1 agreement):")
    ours.sync(True)  # checks in the runtime's synchronous, NaN-poisoning mode
    checks["2x64 all positions"] = check_case(
        "2x64 all positions", ours.prefill_logits(ids2, False), mamba_logits(model, ids2, False),
        mamba_logits(m32, ids2, False))
    for l in lengths:
        ids = ids_by_len[l]
        checks[f"L{l} last"] = check_case(
            f"L={l} last", ours.prefill_logits(ids, True)[:, 0], mamba_logits(model, ids, True)[:, 0],
            mamba_logits(m32, ids, True)[:, 0])
    R["m130"]["checks"] = checks
    del m32
    ours.sync(False)
    # Target 5: short prompts.
    rows = []
    for l in [16, 64, 256, 512]:
        ids = ids_by_len[l]
        sch = ours.schedule("prefill", l)
        eager = ours.time_prefill(ids, args.iters_short, 10, graph=False)
        graph = ours.time_prefill(ids, args.iters_short, 10, graph=True)
        fn = mamba_prefill_fn(model, ids.cuda())
        with torch.inference_mode():
            mt = time_wall(fn, args.iters_short, 10)
        row = {"L": l, "ssdc_eager_ms": median(eager), "ssdc_graph_ms": median(graph),
               "mamba_ms": median(mt), "function": sch["function"],
               "schedules": sch["schedules"], "launches": sch["launches"],
               "ssdc_eager_p10_p90": [sorted(eager)[len(eager) // 10], sorted(eager)[9 * len(eager) // 10]],
               "mamba_p10_p90": [sorted(mt)[len(mt) // 10], sorted(mt)[9 * len(mt) // 10]]}
        rows.append(row)
        log(f"  L={l:<4} ssdc eager {row['ssdc_eager_ms']:.3f} ms, graph {row['ssdc_graph_ms']:.3f} ms,"
            f" mamba_ssm {row['mamba_ms']:.3f} ms; {sch['function']} {sched_str(sch)}")
    R["target5"] = rows
    # Where the short-prompt time goes (L = 64).
    try:
        ids = ids_by_len[64]
        ours_one = lambda: ours.time_prefill(ids, 1, 0, graph=False)  # noqa: E731
        fn = mamba_prefill_fn(model, ids.cuda())
        with torch.inference_mode():
            R["m130"]["profile_L64_ssdc"] = profile(ours_one, 10, os.path.join(args.work, "t.json"))
            R["m130"]["profile_L64_mamba"] = profile(fn, 10, os.path.join(args.work, "t.json"))
        print_profile("130m L=64 prefill, ssdc eager", R["m130"]["profile_L64_ssdc"])
        print_profile("130m L=64 prefill, mamba_ssm", R["m130"]["profile_L64_mamba"])
    except Exception as e:  # noqa: BLE001
        record_error("130m profile", e)
    ours.close()
    del model
    gc.collect()
    torch.cuda.empty_cache()


def part_27b(args, pb, R):
    size, d_model, n_layer = "2.7b", 2560, 64
    wdir = os.path.join(args.work, "mamba2-2.7b")
    t0 = time.time()
    model = build_mamba(pb, d_model, n_layer, seed=27)
    R["m27"] = {"weights": save_for_ssdc(model, size, wdir)}
    log(f"mamba2-2.7b built and saved in {time.time() - t0:.1f} s")
    ours = Ssdc(args.lib, args.art27, wdir)
    log(f"mamba2-2.7b: ssdc loaded in {ours.load_s:.1f} s")
    R["m27"]["ssdc_load_s"] = ours.load_s
    g = torch.Generator().manual_seed(2)
    ids2 = torch.randint(0, 50277, (2, 64), generator=g)
    ids_pf = torch.randint(0, 50277, (8, 2048), generator=g)
    checks = {}
    log("correctness (mamba2-2.7b, bf16):")
    ours.sync(True)
    o2 = ours.prefill_logits(ids2, False)
    m2 = mamba_logits(model, ids2, False)
    o_pf = ours.prefill_logits(ids_pf, True)[:, 0]
    m_pf = mamba_logits(model, ids_pf, True)[:, 0]
    ours.sync(False)
    try:
        m32 = fp32_copy(pb, model, d_model, n_layer)
        f2 = mamba_logits(m32, ids2, False)
        f_pf = mamba_logits(m32, ids_pf, True)[:, 0]
        del m32
    except Exception as e:  # noqa: BLE001
        record_error("2.7b fp32 yardstick", e)
        f2 = f_pf = None
    gc.collect()
    torch.cuda.empty_cache()
    checks["2x64 all positions"] = check_case("2x64 all positions", o2, m2, f2)
    checks["8x2048 last"] = check_case("8x2048 last", o_pf, m_pf, f_pf)
    R["m27"]["checks"] = checks

    # Target 4: prefill 8 x 2048.
    in_p, out_p, head = gemm_params(d_model, n_layer, ours.vocab)
    tokens = 8 * 2048
    flops_layers = 2 * (in_p + out_p) * n_layer * tokens
    flops_head_last = 2 * head * 8
    flops_head_all = 2 * head * tokens
    sch = ours.schedule("prefill", 2048)
    t_ours = ours.time_prefill(ids_pf, args.iters_long, 2, graph=False)
    fn = mamba_prefill_fn(model, ids_pf.cuda())
    with torch.inference_mode():
        t_mamba = time_wall(fn, args.iters_long, 2)
    gem = R["ceilings"]["gemm"]
    t_gemm = (gem["2.7b in_proj 16384x2560x10576"]["ms"] + gem["2.7b out_proj 16384x5120x2560"]["ms"]) * n_layer
    rate_model = flops_layers / (t_gemm * 1e-3) / 1e12
    useful = flops_layers + flops_head_last
    to, tm = median(t_ours), median(t_mamba)
    R["target4"] = {
        "tokens": tokens, "function": sch["function"], "schedules": sch["schedules"],
        "launches": sch["launches"],
        "flops_layers_T": flops_layers / 1e12, "flops_lm_head_last_T": flops_head_last / 1e12,
        "flops_lm_head_all_positions_T": flops_head_all / 1e12,
        "gemm_rate_model_shapes_TFLOPs": rate_model,
        "gemm_rate_8192_TFLOPs": gem["8192^3"]["TFLOPs"],
        "gemm_floor_ms": t_gemm,
        "ssdc_ms": to, "mamba_ms": tm,
        "ssdc_all_ms": t_ours, "mamba_all_ms": t_mamba,
        "ssdc_TFLOPs": useful / (to * 1e-3) / 1e12, "mamba_TFLOPs": useful / (tm * 1e-3) / 1e12,
        "ssdc_fraction_of_gemm_rate": useful / (to * 1e-3) / 1e12 / rate_model,
        "mamba_fraction_of_gemm_rate": useful / (tm * 1e-3) / 1e12 / rate_model,
    }
    T4 = R["target4"]
    log(f"  prefill 8x2048: ssdc {to:.2f} ms ({T4['ssdc_TFLOPs']:.0f} TFLOP/s, "
        f"{100 * T4['ssdc_fraction_of_gemm_rate']:.0f} % of {rate_model:.0f}), mamba_ssm {tm:.2f} ms "
        f"({T4['mamba_TFLOPs']:.0f} TFLOP/s, {100 * T4['mamba_fraction_of_gemm_rate']:.0f} %); "
        f"GEMM-only floor {t_gemm:.2f} ms; {sch['function']} {sched_str(sch)}")
    try:
        ours_one = lambda: ours.time_prefill(ids_pf, 1, 0, graph=False)  # noqa: E731
        with torch.inference_mode():
            R["m27"]["profile_prefill_ssdc"] = profile(ours_one, 2, os.path.join(args.work, "t.json"))
            R["m27"]["profile_prefill_mamba"] = profile(fn, 2, os.path.join(args.work, "t.json"))
        print_profile("2.7b prefill 8x2048, ssdc", R["m27"]["profile_prefill_ssdc"])
        print_profile("2.7b prefill 8x2048, mamba_ssm", R["m27"]["profile_prefill_mamba"])
    except Exception as e:  # noqa: BLE001
        record_error("2.7b prefill profile", e)
    del fn
    gc.collect()
    torch.cuda.empty_cache()

    # Target 3: decode, batch 1 and 16.
    R["target3"] = []
    n_warm, n_steps = 8, args.decode_steps
    for b in [1, 16]:
        try:
            ids = torch.randint(0, 50277, (b, 64), generator=g)
            toks_o, step_ms, am_ms, pre_ms = ours.decode(ids, 1 + n_warm + n_steps, graph=True)
            timed = step_ms[n_warm:]
            toks_oe, step_e, _, _ = ours.decode(ids, 1 + 4 + 16, graph=False)
            toks_m, ms_m, synced_m, cache = mamba_decode(model, ids.cuda(), n_warm, n_steps)
            n = min(toks_o.shape[1], toks_m.shape[1])
            lead = []
            for r in range(b):
                k = 0
                while k < n and int(toks_o[r, k]) == int(toks_m[r, k]):
                    k += 1
                lead.append(k)
            vocab = ours.vocab
            row = {"batch": b, "ssdc_graph_ms": median(timed), "ssdc_graph_mean_ms": statistics.mean(timed),
                   "ssdc_argmax_ms": median(am_ms[n_warm:]),
                   "ssdc_eager_ms": median(step_e[4:]),
                   "ssdc_logits_d2h_ms": ours.d2h_ms(b * vocab * 4),
                   "mamba_graph_ms": ms_m, "mamba_graph_synced_ms": median(synced_m),
                   "tokens_compared": n, "leading_equal_tokens": lead,
                   "eager_equals_graph_tokens": bool(torch.equal(toks_oe, toks_o[:, : toks_oe.shape[1]])),
                   "schedule": ours.schedule("decode", 1)}
            log(f"  decode b={b}: ssdc graph {row['ssdc_graph_ms']:.3f} ms/step (+ host argmax "
                f"{row['ssdc_argmax_ms']:.3f}), eager {row['ssdc_eager_ms']:.3f}; mamba_ssm cg "
                f"{ms_m:.3f} ms/step (synced {row['mamba_graph_synced_ms']:.3f}); logits D2H "
                f"{row['ssdc_logits_d2h_ms']:.3f} ms; leading equal tokens {lead[:4]}{'...' if b > 4 else ''} of {n}")
            # Per-kernel breakdown of a decode step (graph replays on both sides).
            try:
                ours.decode(ids, 1 + 4, graph=True)  # this batch's session: states, graphs
                last = torch.zeros(b, dtype=torch.int64)
                ours.decode_more(last, 4, graph=True)
                with torch.inference_mode():
                    p_o = profile(lambda: ours.decode_more(last, 1, graph=True), 10,
                                  os.path.join(args.work, "t.json"))
                row["profile_ssdc_step"] = p_o
                print_profile(f"2.7b decode b={b}: ssdc, one graph step", p_o)
                ip = cache.inference_params
                tok = torch.zeros(b, 1, dtype=torch.long, device="cuda")

                def mamba_step():
                    pos = torch.full((b, 1), ip.seqlen_offset, dtype=torch.long, device="cuda")
                    cache.run(tok, pos, ip.seqlen_offset).argmax(-1)
                with torch.inference_mode():
                    p_m = profile(mamba_step, 10, os.path.join(args.work, "t.json"))
                row["profile_mamba_step"] = p_m
                print_profile(f"2.7b decode b={b}: mamba_ssm, one graph step", p_m)
            except Exception as e:  # noqa: BLE001
                record_error(f"decode profile b={b}", e)
            del cache
            R["target3"].append(row)
        except Exception as e:  # noqa: BLE001
            record_error(f"decode b={b}", e)
        gc.collect()
        torch.cuda.empty_cache()
    # Decode floors from the bytes a step must move.
    wbytes = sum(p.numel() * p.element_size() for n, p in model.named_parameters()
                 if not n.startswith("backbone.embedding"))
    emb = model.backbone.embedding.weight
    wbytes += emb.numel() * emb.element_size()  # the tied head reads it whole
    ssm_elems = n_layer * (2 * d_model // 64) * 64 * 128
    R["decode_bytes"] = {"weights_GB": wbytes / 1e9,
                         "ssm_state_elems_per_seq": ssm_elems,
                         "ssdc_state_rw_GB_per_seq_f32": 8 * ssm_elems / 1e9,
                         "mamba_state_rw_GB_per_seq_bf16": 4 * ssm_elems / 1e9}
    ours.close()
    del model
    gc.collect()
    torch.cuda.empty_cache()


def table(R):
    bw = R.get("ceilings", {}).get("copy_TBps", float("nan"))
    log("")
    log("=" * 100)
    log(f"ssdc vs mamba_ssm (bf16, random weights, one process) on {R.get('device', '?')}; "
        f"copy {bw:.2f} TB/s, GEMM 8192^3 "
        f"{R.get('ceilings', {}).get('gemm', {}).get('8192^3', {}).get('TFLOPs', float('nan')):.0f} TFLOP/s")
    log("-" * 100)
    db = R.get("decode_bytes")
    for row in R.get("target3", []):
        floor = float("nan")
        if db:
            floor = (db["weights_GB"] + row["batch"] * db["ssdc_state_rw_GB_per_seq_f32"]) / bw
        log(f"T3 decode 2.7b b={row['batch']:<3} ssdc {row['ssdc_graph_ms']:.3f} ms/step  mamba_ssm "
            f"{row['mamba_graph_ms']:.3f}  floor(ssdc bytes) {floor:.2f}  target "
            f"{'2.1' if row['batch'] == 1 else '2.8'}")
    t4 = R.get("target4")
    if t4:
        log(f"T4 prefill 2.7b 8x2048  ssdc {t4['ssdc_ms']:.1f} ms = {100 * t4['ssdc_fraction_of_gemm_rate']:.0f} % "
            f"of GEMM rate  mamba_ssm {t4['mamba_ms']:.1f} ms = {100 * t4['mamba_fraction_of_gemm_rate']:.0f} %"
            f"  (target >= 75 % and < mamba_ssm)  [{','.join(t4['schedules'])}]")
    for row in R.get("target5", []):
        log(f"T5 prefill 130m L={row['L']:<4} ssdc {row['ssdc_eager_ms']:.3f} ms (graph "
            f"{row['ssdc_graph_ms']:.3f})  mamba_ssm {row['mamba_ms']:.3f} ms  "
            f"schedule {','.join(sorted(row['schedules']))} ({row['function']})")
    for name in ("m130", "m27"):
        for case, c in R.get(name, {}).get("checks", {}).items():
            s = c["ours_vs_mamba_bf16"]
            extra = ""
            if "ours_vs_fp32" in c:
                extra = (f"; vs fp32 ours {c['ours_vs_fp32']['max_rel']:.2e}, mamba_ssm bf16 "
                         f"{c['mamba_bf16_vs_fp32']['max_rel']:.2e}")
            log(f"check {name} {case:<20} ours vs mamba bf16: max-rel {s['max_rel']:.2e} top-1 "
                f"{s['top1']:.2f}{extra}")
    if R["errors"]:
        log(f"ERRORS: {len(R['errors'])}: " + " | ".join(R["errors"]))
    log("=" * 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--art130", required=True)
    ap.add_argument("--art27", required=True)
    ap.add_argument("--out", default=".")
    ap.add_argument("--work", default="/tmp/h5-models")
    ap.add_argument("--iters-short", type=int, default=50)
    ap.add_argument("--iters-long", type=int, default=8)
    ap.add_argument("--decode-steps", type=int, default=64)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="130m,2.7b")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    pb = import_peers(args.peers)
    R = RESULTS
    R["torch"] = torch.__version__
    R["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        import causal_conv1d  # noqa: F401
        R["causal_conv1d"] = True
    except ImportError:
        R["causal_conv1d"] = False
    log(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, causal_conv1d "
        f"{'present' if R['causal_conv1d'] else 'absent: mamba_ssm prefill uses nn.Conv1d'}")
    try:
        R["ceilings"] = ceilings(args.quick)
        c = R["ceilings"]
        log(f"ceilings: copy {c['copy_TBps']:.2f} TB/s; GEMM " + ", ".join(
            f"{k} {v['TFLOPs']:.0f} TFLOP/s" for k, v in c["gemm"].items()))
    except Exception as e:  # noqa: BLE001
        record_error("ceilings", e)
    parts = {"130m": part_130m, "2.7b": part_27b}
    for name in args.only.split(","):
        t0 = time.time()
        try:
            parts[name](args, pb, R)
        except Exception as e:  # noqa: BLE001
            record_error(f"part {name}", e)
        log(f"[{name} part: {time.time() - t0:.0f} s]")
        with open(os.path.join(args.out, "gpu_model.json"), "w") as f:
            json.dump(R, f, indent=1)
    table(R)
    with open(os.path.join(args.out, "gpu_model.json"), "w") as f:
        json.dump(R, f, indent=1)
    return 1 if R["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
