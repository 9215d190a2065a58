"""Model-level benchmark of ssdc against mamba_ssm, in one process (issue 7, targets 3-5).

Run on the GPU machine (tools/gpu_bench/run_model.sh builds libssdc_capi.so and calls this):
  python3 bench_model.py --lib build-h5-gpu/lib/libssdc_capi.so --peers .carry/h5/peers \
      --art130 .carry/h5/m130-bf16.ssdc --art27 .carry/h5/m27-bf16.ssdc --out $OUT

Both sides run the same random weights: mamba_ssm's MambaLMHeadModel (Mamba-2 layers, bf16,
peer_bench.mamba2_lm; norm weights perturbed off 1.0) is built on the GPU, its state_dict
saved as safetensors beside the config the artifact was compiled from, and ssdc loads that
file (runtime/capi through ctypes).

Correctness first, against an independent float64 recomputation of the same model in plain
torch (ref_logits: no Triton, no bf16): ssdc's logits and mamba_ssm's bf16 logits (the
yardstick: what bf16 costs the reference implementation itself) on the timed shapes, plus all
positions of a 2 x 64 batch; max-rel = max|a-e|/max|e|, l2-rel, top-1 agreement.
Then, 2.7b first (targets 3 and 4 need it), 130m last:
  T3  greedy decode, batch 1 and 16, CUDA graphs on both sides: ms per step, tokens compared,
      per-kernel breakdown of one step (torch.profiler/CUPTI sees the runtime's kernels too);
  T4  prefill 8 x 2048: time, model FLOPs / time against the torch bf16 GEMM rate measured
      at the model's GEMM shapes in the same run, per-kernel-category breakdown;
  T5  mamba2-130m prefill latency, batch 1, L = 16/64/256/512, ssdc (eager and CUDA graph)
      vs mamba_ssm, with the function and SSD schedule ssdc's plan holds for that length.
mamba_ssm's Triton autotuning costs minutes on a fresh machine: its parts run after ours,
and near the end of --budget-s the optional ones are skipped (said in the log and JSON).
Writes gpu_model.json to --out after every step; prints a table last.
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


# ----------------------------------------------------------------------------- reference

def _rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def ssd_ref(x, dt, A, B, C, Q=64):
    """The SSD (REFERENCE.md) by chunks in the working dtype: x [b,l,h,p], dt [b,l,h]
    (processed), A [h], B and C [b,l,n] (one group). Intra-chunk as a masked decay matrix,
    chunk states passed sequentially."""
    b, l, h, p = x.shape
    n = B.shape[-1]
    c = (l + Q - 1) // Q
    pad = c * Q - l
    if pad:  # dt = 0 past the end: no decay, no input
        x, dt = F.pad(x, (0, 0, 0, 0, 0, pad)), F.pad(dt, (0, 0, 0, pad))
        B, C = F.pad(B, (0, 0, 0, pad)), F.pad(C, (0, 0, 0, pad))
    x, dt = x.view(b, c, Q, h, p), dt.view(b, c, Q, h)
    B, C = B.view(b, c, Q, n), C.view(b, c, Q, n)
    acs = torch.cumsum(dt * A, dim=2)  # [b,c,Q,h]
    seg = acs[:, :, :, None, :] - acs[:, :, None, :, :]  # [b,c,i,j,h]
    causal = torch.ones(Q, Q, dtype=torch.bool, device=x.device).tril()
    Lm = torch.exp(seg.masked_fill(~causal[None, None, :, :, None], float("-inf")))
    del seg
    W = torch.einsum("bcin,bcjn->bcij", C, B)[..., None] * Lm * dt[:, :, None, :, :]
    del Lm
    y = torch.einsum("bcijh,bcjhp->bcihp", W, x)
    del W
    states = torch.einsum("bcjn,bcjh,bcjhp->bchpn", B, torch.exp(acs[:, :, -1:, :] - acs) * dt, x)
    decay = torch.exp(acs[:, :, -1, :])  # [b,c,h]
    S = torch.zeros(b, h, p, n, dtype=x.dtype, device=x.device)
    prev = []
    for k in range(c):
        prev.append(S)
        S = S * decay[:, k, :, None, None] + states[:, k]
    prev = torch.stack(prev, 1)  # [b,c,h,p,n]: the state entering each chunk
    y = y + torch.einsum("bcin,bchpn->bcihp", C, prev) * torch.exp(acs)[..., None]
    return y.reshape(b, c * Q, h, p)[:, :l]


@torch.no_grad()
def ref_logits(model, ids, last_only, dt=torch.float64):
    """mamba_ssm's MambaLMHeadModel (Mamba-2, one group, gated RMSNorm after the gate, D per
    head) recomputed in plain torch in `dt` from the same parameters: no Triton, no bf16."""
    bb = model.backbone
    ids = ids.cuda()
    hid = bb.embedding.weight[ids].to(dt)
    res = None
    for layer in bb.layers:
        res = hid if res is None else res + hid
        x = _rms(res, layer.norm.weight.to(dt), layer.norm.eps)
        mx = layer.mixer
        b, l, _ = x.shape
        di, n, nh, p = mx.d_ssm, mx.d_state, mx.nheads, mx.headdim
        zxbcdt = x @ mx.in_proj.weight.to(dt).T
        z, xbc, dtr = torch.split(zxbcdt, [di, di + 2 * n, nh], dim=-1)
        k = mx.conv1d.weight.shape[-1]
        xbc = F.conv1d(xbc.transpose(1, 2), mx.conv1d.weight.to(dt), mx.conv1d.bias.to(dt),
                       padding=k - 1, groups=xbc.shape[-1])[..., :l].transpose(1, 2)
        xbc = F.silu(xbc)
        xs, Bm, Cm = torch.split(xbc, [di, n, n], dim=-1)
        dtv = F.softplus(dtr + mx.dt_bias.to(dt))
        A = -torch.exp(mx.A_log.to(dt))
        xh = xs.reshape(b, l, nh, p)
        y = ssd_ref(xh, dtv, A, Bm, Cm) + mx.D.to(dt)[:, None] * xh
        y = y.reshape(b, l, di) * F.silu(z)
        y = _rms(y, mx.norm.weight.to(dt), mx.norm.eps)
        hid = y @ mx.out_proj.weight.to(dt).T
    res = res + hid
    x = _rms(res, bb.norm_f.weight.to(dt), bb.norm_f.eps)
    if last_only:
        x = x[:, -1:]
    return (x @ model.lm_head.weight.to(dt).T).float().cpu()


def compare(a, e):
    a, e = a.double(), e.double()
    d = (a - e)
    return {"max_rel": float(d.abs().max() / e.abs().max()),
            "l2_rel": float(d.norm() / e.norm()),
            "top1": float((a.argmax(-1) == e.argmax(-1)).double().mean()),
            "n": int(a.numel() // a.shape[-1])}


def check(R, key, name, ours=None, mamba=None, ref=None):
    """Records ssdc vs the float64 reference, mamba_ssm bf16 vs the reference (the
    yardstick) and ssdc vs mamba_ssm, whichever are given."""
    r = R.setdefault(key, {})
    line = f"  check {name:<24}"
    if ours is not None:
        r["ours_nan"] = int(torch.isnan(ours).sum())
        if r["ours_nan"]:
            line += f" ssdc NaN {r['ours_nan']}!"
    for tag, a, e in [("ours_vs_ref64", ours, ref), ("mamba_bf16_vs_ref64", mamba, ref),
                      ("ours_vs_mamba_bf16", ours, mamba)]:
        if a is not None and e is not None:
            c = compare(a, e)
            r[tag] = c
            line += f" | {tag} max-rel {c['max_rel']:.2e} l2 {c['l2_rel']:.2e} top1 {c['top1']:.2f}"
    log(line)
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


def mamba_decode(model, first, n_warm, n_steps):
    """Greedy decode with mamba_ssm's CUDA-graph cache (mamba_ssm.utils.generation), from
    zero states with a one-token prompt `first` [b, 1] fed through the decode graph itself
    (the same function as a one-token prefill; keeps the chunked prefill kernels and their
    autotuning out of this part). Returns (tokens [b, 1 + n_warm + n_steps], ms/step over
    n_steps without a per-step sync (events), per-step synced wall ms, the cache)."""
    from mamba_ssm.utils.generation import update_graph_cache
    b = first.shape[0]
    max_len = 2 * (n_warm + 2 * n_steps) + 8
    with torch.inference_mode():
        cache = update_graph_cache(model, None, b, 1, max_len)
        ip = cache.inference_params
        ip.reset(max_len, b)
        for conv, ssm in ip.key_value_memory_dict.values():  # the capture ran on them
            conv.zero_()
            ssm.zero_()
        ip.seqlen_offset = 1

        def step(t):
            pos = torch.full((b, 1), ip.seqlen_offset, dtype=torch.long, device="cuda")
            lg = cache.run(t, pos, ip.seqlen_offset).squeeze(1)
            ip.seqlen_offset += 1
            return lg.argmax(-1, keepdim=True)
        tok = step(first)
        toks = [tok]
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

def ceilings():
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
        t = tt.do_bench(lambda: F.linear(a, w), warmup=50, rep=200,
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


T0 = time.time()


def time_left(args):
    return args.budget_s - (time.time() - T0)


def part_27b(args, pb, R):
    size, d_model, n_layer = "2.7b", 2560, 64
    wdir = os.path.join(args.work, "mamba2-2.7b")
    t0 = time.time()
    model = build_mamba(pb, d_model, n_layer, seed=27)
    M = R["m27"] = {"weights": save_for_ssdc(model, size, wdir)}
    log(f"mamba2-2.7b built and saved in {time.time() - t0:.1f} s")
    ours = Ssdc(args.lib, args.art27, wdir)
    R["device"] = ours.device()
    log(f"mamba2-2.7b: ssdc loaded in {ours.load_s:.1f} s on {R['device']}")
    M["ssdc_load_s"] = ours.load_s
    g = torch.Generator().manual_seed(2)
    ids2 = torch.randint(0, 50277, (2, 64), generator=g)
    ids_pf = torch.randint(0, 50277, (8, 2048), generator=g)
    C = M["checks"] = {}
    ours.sync(True)  # checks in the runtime's synchronous, NaN-poisoning mode
    check(C, "2x64 all positions", "2.7b 2x64 all positions",
          ours=ours.prefill_logits(ids2, False), ref=ref_logits(model, ids2, False))
    ours.sync(False)
    save(R, args)

    # Target 3: decode, batch 1 and 16 (one-token prompts; ssdc prefills it with its
    # recurrent L=1 function, mamba_ssm feeds it through its decode graph from zero states).
    R["target3"] = []
    n_warm, n_steps = 8, args.decode_steps
    for b in [1, 16]:
        row = {"batch": b, "schedule": ours.schedule("decode", 1)}
        first = torch.randint(0, 50277, (b, 1), generator=g)
        try:
            toks_o, step_ms, am_ms, _ = ours.decode(first, 1 + n_warm + n_steps, graph=True)
            timed = step_ms[n_warm:]
            row.update({"ssdc_graph_ms": median(timed), "ssdc_graph_mean_ms": statistics.mean(timed),
                        "ssdc_graph_min_ms": min(timed), "ssdc_argmax_ms": median(am_ms[n_warm:]),
                        "ssdc_logits_d2h_ms": ours.d2h_ms(b * ours.vocab * 4)})
            toks_oe, step_e, _, _ = ours.decode(first, 1 + 4 + 16, graph=False)
            row["ssdc_eager_ms"] = median(step_e[4:])
            row["eager_equals_graph_tokens"] = bool(torch.equal(toks_oe, toks_o[:, : toks_oe.shape[1]]))
            log(f"  decode b={b}: ssdc graph {row['ssdc_graph_ms']:.3f} ms/step (min {min(timed):.3f};"
                f" + host argmax {row['ssdc_argmax_ms']:.3f}), eager {row['ssdc_eager_ms']:.3f};"
                f" logits D2H alone {row['ssdc_logits_d2h_ms']:.3f} ms")
            last = toks_o[:, -1].clone()
            ours.decode_more(last, 4, graph=True)
            with torch.inference_mode():
                row["profile_ssdc_step"] = profile(lambda: ours.decode_more(last, 1, graph=True), 10,
                                                   os.path.join(args.work, "t.json"))
            print_profile(f"2.7b decode b={b}: ssdc, one graph step", row["profile_ssdc_step"])
        except Exception as e:  # noqa: BLE001
            record_error(f"ssdc decode b={b}", e)
        save(R, args)
        try:
            toks_m, ms_m, synced_m, cache = mamba_decode(model, first.cuda(), n_warm, n_steps)
            row.update({"mamba_graph_ms": ms_m, "mamba_graph_synced_ms": median(synced_m)})
            if "ssdc_graph_ms" in row:
                n = min(toks_o.shape[1], toks_m.shape[1])
                lead = []
                for r in range(b):
                    k = 0
                    while k < n and int(toks_o[r, k]) == int(toks_m[r, k]):
                        k += 1
                    lead.append(k)
                row.update({"tokens_compared": n, "leading_equal_tokens": lead,
                            "equal_token_fraction": float((toks_o[:, :n] == toks_m[:, :n]).double().mean())})
            log(f"  decode b={b}: mamba_ssm cg {ms_m:.3f} ms/step (synced per step "
                f"{row['mamba_graph_synced_ms']:.3f}); greedy tokens: leading equal "
                f"{row.get('leading_equal_tokens', '?')} of {row.get('tokens_compared', '?')}")
            ip = cache.inference_params
            tok = torch.zeros(b, 1, dtype=torch.long, device="cuda")

            def mamba_step():
                pos = torch.full((b, 1), ip.seqlen_offset, dtype=torch.long, device="cuda")
                cache.run(tok, pos, ip.seqlen_offset).argmax(-1)
            with torch.inference_mode():
                row["profile_mamba_step"] = profile(mamba_step, 10, os.path.join(args.work, "t.json"))
            print_profile(f"2.7b decode b={b}: mamba_ssm, one graph step", row["profile_mamba_step"])
            del cache
        except Exception as e:  # noqa: BLE001
            record_error(f"mamba decode b={b}", e)
        R["target3"].append(row)
        save(R, args)
        gc.collect()
        torch.cuda.empty_cache()
    wbytes = sum(p.numel() * p.element_size() for n, p in model.named_parameters()
                 if not n.startswith("backbone.embedding"))
    emb = model.backbone.embedding.weight
    wbytes += emb.numel() * emb.element_size()  # the tied head reads it whole
    ssm_elems = n_layer * (2 * d_model // 64) * 64 * 128
    R["decode_bytes"] = {"weights_GB": wbytes / 1e9, "ssm_state_elems_per_seq": ssm_elems,
                         "ssdc_state_rw_GB_per_seq_f32": 8 * ssm_elems / 1e9,
                         "mamba_state_rw_GB_per_seq_bf16": 4 * ssm_elems / 1e9}

    if args.only_decode:  # target 3 alone
        save(R, args)
        ours.close()
        del model
        gc.collect()
        torch.cuda.empty_cache()
        return

    # Target 4: prefill 8 x 2048.
    in_p, out_p, head = gemm_params(d_model, n_layer, ours.vocab)
    tokens = 8 * 2048
    flops_layers = 2 * (in_p + out_p) * n_layer * tokens
    useful = flops_layers + 2 * head * 8
    sch = ours.schedule("prefill", 2048)
    gem = R.get("ceilings", {}).get("gemm")  # absent with --no-ceilings: no yardstick
    nan_ms = {"ms": math.nan, "TFLOPs": math.nan}
    if not gem:
        gem = {"2.7b in_proj 16384x2560x10576": nan_ms, "2.7b out_proj 16384x5120x2560": nan_ms,
               "8192^3": nan_ms}
    t_gemm = (gem["2.7b in_proj 16384x2560x10576"]["ms"] + gem["2.7b out_proj 16384x5120x2560"]["ms"]) * n_layer
    rate = flops_layers / (t_gemm * 1e-3) / 1e12
    T4 = R["target4"] = {"tokens": tokens, "function": sch["function"], "schedules": sch["schedules"],
                         "launches": sch["launches"], "flops_layers_T": flops_layers / 1e12,
                         "flops_lm_head_last_T": 2 * head * 8 / 1e12,
                         "flops_lm_head_all_positions_T": 2 * head * tokens / 1e12,
                         "gemm_rate_model_shapes_TFLOPs": rate,
                         "gemm_rate_8192_TFLOPs": gem["8192^3"]["TFLOPs"], "gemm_floor_ms": t_gemm}
    o_pf = None
    try:
        ours.sync(True)
        o_pf = ours.prefill_logits(ids_pf, True)[:, 0]
        ours.sync(False)
        t1 = time.time()
        t = ours.time_prefill(ids_pf, 1, 0, graph=False)
        if time.time() - t1 < 2:  # a slow build is timed once, not args.iters_long times
            t = ours.time_prefill(ids_pf, args.iters_long, 1, graph=False)
        T4.update({"ssdc_ms": median(t), "ssdc_all_ms": t})
        T4["ssdc_TFLOPs"] = useful / (T4["ssdc_ms"] * 1e-3) / 1e12
        T4["ssdc_fraction_of_gemm_rate"] = T4["ssdc_TFLOPs"] / rate
        log(f"  prefill 8x2048: ssdc {T4['ssdc_ms']:.2f} ms ({T4['ssdc_TFLOPs']:.0f} TFLOP/s = "
            f"{100 * T4['ssdc_fraction_of_gemm_rate']:.0f} % of {rate:.0f}); GEMM-only floor "
            f"{t_gemm:.2f} ms; {sch['function']} {sched_str(sch)}")
        with torch.inference_mode():
            M["profile_prefill_ssdc"] = profile(lambda: ours.time_prefill(ids_pf, 1, 0, graph=False), 2,
                                                os.path.join(args.work, "t.json"))
        print_profile("2.7b prefill 8x2048, ssdc", M["profile_prefill_ssdc"])
    except Exception as e:  # noqa: BLE001
        record_error("ssdc prefill 8x2048", e)
    save(R, args)
    ref_pf = None
    try:
        ref_pf = ref_logits(model, ids_pf, True)[:, 0]
        check(C, "8x2048 last", "2.7b 8x2048 last (ssdc)", ours=o_pf, ref=ref_pf)
    except Exception as e:  # noqa: BLE001
        record_error("reference 8x2048", e)
    gc.collect()
    torch.cuda.empty_cache()
    if time_left(args) < 150:
        log(f"skipping mamba_ssm prefill 8x2048: {time_left(args):.0f} s left")
    else:
        try:
            t1 = time.time()
            fn = mamba_prefill_fn(model, ids_pf.cuda())
            with torch.inference_mode():
                m_pf = fn()[:, 0].float().cpu()
                log(f"  (mamba_ssm first prefill, Triton compile and autotuning: {time.time() - t1:.0f} s)")
                t = time_wall(fn, args.iters_long, 2)
            T4.update({"mamba_ms": median(t), "mamba_all_ms": t})
            T4["mamba_TFLOPs"] = useful / (T4["mamba_ms"] * 1e-3) / 1e12
            T4["mamba_fraction_of_gemm_rate"] = T4["mamba_TFLOPs"] / rate
            log(f"  prefill 8x2048: mamba_ssm {T4['mamba_ms']:.2f} ms ({T4['mamba_TFLOPs']:.0f} TFLOP/s = "
                f"{100 * T4['mamba_fraction_of_gemm_rate']:.0f} %)")
            check(C, "8x2048 last", "2.7b 8x2048 last", ours=o_pf, mamba=m_pf, ref=ref_pf)
            save(R, args)
            with torch.inference_mode():
                M["profile_prefill_mamba"] = profile(fn, 2, os.path.join(args.work, "t.json"))
            print_profile("2.7b prefill 8x2048, mamba_ssm", M["profile_prefill_mamba"])
            del fn
        except Exception as e:  # noqa: BLE001
            record_error("mamba prefill 8x2048", e)
    ours.close()
    del model
    gc.collect()
    torch.cuda.empty_cache()


def part_130m(args, pb, R):
    size, d_model, n_layer = "130m", 768, 24
    wdir = os.path.join(args.work, "mamba2-130m")
    model = build_mamba(pb, d_model, n_layer, seed=130)
    M = R["m130"] = {"weights": save_for_ssdc(model, size, wdir)}
    ours = Ssdc(args.lib, args.art130, wdir)
    R.setdefault("device", ours.device())
    log(f"mamba2-130m: ssdc loaded in {ours.load_s:.1f} s")
    g = torch.Generator().manual_seed(1)
    C = M["checks"] = {}
    ids_by_len = {l: torch.randint(0, 50277, (1, l), generator=g) for l in [1, 16, 64, 256, 512]}
    ids2 = torch.randint(0, 50277, (2, 64), generator=g)
    ours.sync(True)
    check(C, "2x64 all positions", "130m 2x64 all positions",
          ours=ours.prefill_logits(ids2, False), ref=ref_logits(model, ids2, False))
    o_last, r_last = {}, {}
    for l, ids in ids_by_len.items():
        o_last[l] = ours.prefill_logits(ids, True)[:, 0]
        r_last[l] = ref_logits(model, ids, True)[:, 0]
        check(C, f"L{l} last", f"130m L={l} last (ssdc)", ours=o_last[l], ref=r_last[l])
    ours.sync(False)
    rows = R["target5"] = []
    for l in [16, 64, 256, 512]:
        ids = ids_by_len[l]
        sch = ours.schedule("prefill", l)
        first = ours.time_prefill(ids, 1, 0, graph=False)[0]
        n, w = (args.iters_short, 10) if first < 100 else (3, 1)  # slow builds: a few calls
        eager = ours.time_prefill(ids, n, w, graph=False)
        graph = ours.time_prefill(ids, n, w + 2, graph=True)
        rows.append({"L": l, "ssdc_eager_ms": median(eager), "ssdc_graph_ms": median(graph),
                     "function": sch["function"], "schedules": sch["schedules"],
                     "launches": sch["launches"],
                     "ssdc_eager_p10_p90": [sorted(eager)[len(eager) // 10], sorted(eager)[9 * len(eager) // 10]]})
        log(f"  L={l:<4} ssdc eager {median(eager):.3f} ms, graph {median(graph):.3f} ms; "
            f"{sch['function']} {sched_str(sch)}")
    save(R, args)
    try:
        ids = ids_by_len[64]
        with torch.inference_mode():
            M["profile_L64_ssdc"] = profile(lambda: ours.time_prefill(ids, 1, 0, graph=False), 10,
                                            os.path.join(args.work, "t.json"))
        print_profile("130m L=64 prefill, ssdc eager", M["profile_L64_ssdc"])
        # The chunked (staged, Q = 256) path of the 513..4096 bucket, where 2.7b's 8 x 2048
        # prefill runs: which kernel its time goes to, at a size that takes seconds at most.
        ids = torch.randint(0, 50277, (1, 1024), generator=g)
        M["schedule_L1024"] = ours.schedule("prefill", 1024)
        with torch.inference_mode():
            M["profile_L1024_ssdc"] = profile(lambda: ours.time_prefill(ids, 1, 0, graph=False), 1,
                                              os.path.join(args.work, "t.json"))
        print_profile(f"130m L=1024 prefill, ssdc eager ({sched_str(M['schedule_L1024'])})",
                      M["profile_L1024_ssdc"])
    except Exception as e:  # noqa: BLE001
        record_error("130m ssdc profile", e)
    if time_left(args) < 60:
        log(f"skipping mamba_ssm short prompts: {time_left(args):.0f} s left")
    else:
        for row in rows:
            l = row["L"]
            try:
                t1 = time.time()
                fn = mamba_prefill_fn(model, ids_by_len[l].cuda())
                with torch.inference_mode():
                    m_last = fn()[:, 0].float().cpu()
                    first_s = time.time() - t1
                    mt = time_wall(fn, args.iters_short, 10)
                row.update({"mamba_ms": median(mt), "mamba_first_call_s": first_s,
                            "mamba_p10_p90": [sorted(mt)[len(mt) // 10], sorted(mt)[9 * len(mt) // 10]]})
                log(f"  L={l:<4} mamba_ssm {median(mt):.3f} ms (first call {first_s:.0f} s)")
                check(C, f"L{l} last", f"130m L={l} last", ours=o_last[l], mamba=m_last,
                      ref=r_last[l])
            except Exception as e:  # noqa: BLE001
                record_error(f"mamba 130m L={l}", e)
            save(R, args)
        try:
            fn = mamba_prefill_fn(model, ids_by_len[64].cuda())
            with torch.inference_mode():
                M["profile_L64_mamba"] = profile(fn, 10, os.path.join(args.work, "t.json"))
            print_profile("130m L=64 prefill, mamba_ssm", M["profile_L64_mamba"])
        except Exception as e:  # noqa: BLE001
            record_error("130m mamba profile", e)
    ours.close()
    del model
    gc.collect()
    torch.cuda.empty_cache()


def save(R, args):
    with open(os.path.join(args.out, "gpu_model.json"), "w") as f:
        json.dump(R, f, indent=1)


def table(R):
    nan = float("nan")
    bw = R.get("ceilings", {}).get("copy_TBps", nan)
    g8 = R.get("ceilings", {}).get("gemm", {}).get("8192^3", {}).get("TFLOPs", nan)
    log("")
    log("=" * 100)
    log(f"ssdc vs mamba_ssm (bf16, random weights, one process) on {R.get('device', '?')}; "
        f"copy {bw:.2f} TB/s, bf16 GEMM 8192^3 {g8:.0f} TFLOP/s; mamba_ssm without causal_conv1d")
    log("-" * 100)
    db = R.get("decode_bytes")
    for row in R.get("target3", []):
        floor = nan
        if db:
            floor = (db["weights_GB"] + row["batch"] * db["ssdc_state_rw_GB_per_seq_f32"]) / bw
        log(f"T3 decode 2.7b b={row['batch']:<3} ssdc {row.get('ssdc_graph_ms', nan):.3f} ms/step (CUDA graph)"
            f"  mamba_ssm {row.get('mamba_graph_ms', nan):.3f} (cg)  floor with ssdc's f32 state {floor:.2f}"
            f"  target {'2.1' if row['batch'] == 1 else '2.8'}")
    t4 = R.get("target4")
    if t4:
        log(f"T4 prefill 2.7b 8x2048  ssdc {t4.get('ssdc_ms', nan):.1f} ms = "
            f"{100 * t4.get('ssdc_fraction_of_gemm_rate', nan):.0f} % of the GEMM rate   mamba_ssm "
            f"{t4.get('mamba_ms', nan):.1f} ms = {100 * t4.get('mamba_fraction_of_gemm_rate', nan):.0f} %"
            f"   (target >= 75 % and < mamba_ssm) [{sched_str(t4)}]")
    for row in R.get("target5", []):
        log(f"T5 prefill 130m L={row['L']:<4} ssdc {row['ssdc_eager_ms']:.3f} ms (graph "
            f"{row['ssdc_graph_ms']:.3f})  mamba_ssm {row.get('mamba_ms', nan):.3f} ms   "
            f"schedule {sched_str(row)} ({row['function']})")
    for name in ("m27", "m130"):
        for case, c in R.get(name, {}).get("checks", {}).items():
            parts = []
            for tag in ("ours_vs_ref64", "mamba_bf16_vs_ref64", "ours_vs_mamba_bf16"):
                if tag in c:
                    parts.append(f"{tag} {c[tag]['max_rel']:.2e}/{c[tag]['top1']:.2f}")
            log(f"check {name} {case:<20} (max-rel/top-1) " + ", ".join(parts))
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
    ap.add_argument("--iters-long", type=int, default=6)
    ap.add_argument("--decode-steps", type=int, default=64)
    ap.add_argument("--budget-s", type=float, default=420,
                    help="seconds this script may take; optional parts are skipped near the end")
    ap.add_argument("--only", default="2.7b,130m")
    ap.add_argument("--no-ceilings", action="store_true")
    ap.add_argument("--only-decode", action="store_true",
                    help="2.7b: the correctness check and target 3 (decode) only, no prefill")
    ap.add_argument("--mamba-autotune", choices=["full", "first", "small"], default="full",
                    help="first: mamba_ssm's Triton kernels keep only their first autotuning "
                         "config (compile minutes saved; a deviation the results record); "
                         "small: only the config with the smallest tile footprint "
                         "(block sizes x stages; the first one can need more shared memory "
                         "than an H100 has)")
    args = ap.parse_args()
    import faulthandler
    faulthandler.dump_traceback_later(100, repeat=True)  # where a long wait is, every 100 s
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    pb = import_peers(args.peers)
    R = RESULTS
    R["mamba_autotune"] = args.mamba_autotune
    if args.mamba_autotune in ("first", "small"):
        import triton
        full = triton.autotune

        def footprint(c):
            size = max(1, c.num_stages or 1)
            for v in c.kwargs.values():
                size *= v if isinstance(v, int) else 1
            return size

        def first_config(configs, key, **kw):
            configs = list(configs)
            keep = configs[:1] if args.mamba_autotune == "first" else [min(configs, key=footprint)]
            return full(configs=keep, key=key, **kw)
        triton.autotune = first_config  # before mamba_ssm's kernels are decorated
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
        if args.no_ceilings:
            raise RuntimeError("skipped (--no-ceilings)")
        R["ceilings"] = ceilings()
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
        log(f"[{name} part: {time.time() - t0:.0f} s; {time.time() - T0:.0f} s in all]")
        save(R, args)
    faulthandler.cancel_dump_traceback_later()
    table(R)
    save(R, args)
    return 1 if R["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
