"""Check and time ssdc's fused chunked SSD kernel against its peers, in one process.

Run on the GPU machine (tools/gpu_bench/run_ssd.sh builds libssd.so and calls this):
  python3 bench_ssd.py --lib build-h1-gpu/libssd.so --peers .carry/h1/peers --out $OUT

1. Correctness: ours (codegen/cuda/templates/ssd_fused.cuh through libssd.so) against a
   float64 sequential recurrence on fresh random inputs at small shapes: fp32 <= 1e-5 and
   bf16 <= 1e-2 relative (max|y - ref| / max|ref|; the L2-norm relative error is printed
   too), y and finalState, with a partial last chunk, initState, groups > 1, D, dt bias,
   softplus and clamping; outputs poisoned with NaN before every call; every case run
   twice and required to be bitwise equal (a moving result is a race).
2. Timing (bf16, H = 80, P = 64, N = 128, G = 1, 16K tokens per call, L = 512 .. 16K):
   ours, mamba_ssm's mamba_chunk_scan_combined (chunk 64/128/256, with D, dt bias and
   softplus inside, as ours), flash-linear-attention's chunk_simple_gla (on its own
   layout, prepared outside the timing) and torch SDPA flash (causal, head dim 64), each
   with triton.testing.do_bench's median, the whole sweep repeated and the median taken.
Writes gpu_ssd_bench.json (and gpu_ssd_bench.png when matplotlib is there) to --out.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

F32, BF16 = 0, 1
TORCH_DT = {F32: torch.float32, BF16: torch.bfloat16}


class Ours:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.ssd_last_error.restype = ctypes.c_char_p
        self.lib.ssd_fused.restype = ctypes.c_int
        self.lib.ssd_fused.argtypes = [ctypes.c_int] * 6 + [ctypes.c_void_p] * 10 + \
            [ctypes.c_longlong] * 4 + [ctypes.c_int, ctypes.c_float, ctypes.c_float, ctypes.c_int,
                                       ctypes.c_void_p]
        self.lib.ssd_fused_ablate.restype = ctypes.c_int
        self.lib.ssd_fused_ablate.argtypes = [ctypes.c_int] + [ctypes.c_void_p] * 9 + \
            [ctypes.c_longlong] * 3 + [ctypes.c_void_p]
        self.lib.ssd_fused_segments.restype = ctypes.c_int
        self.lib.ssd_fused_segments.argtypes = [ctypes.c_int] * 2 + [ctypes.c_void_p] * 9 + \
            [ctypes.c_longlong] * 3 + [ctypes.c_void_p]
        self.lib.ssd_fused_geometry.argtypes = [ctypes.c_int] * 4 + [ctypes.c_longlong] * 3 + \
            [ctypes.c_int, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
             ctypes.POINTER(ctypes.c_ulonglong)]

    def geometry(self, tc, q, p, n, b, h, l, pblock=0):
        g, bl, sm = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_ulonglong()
        if self.lib.ssd_fused_geometry(tc, q, p, n, b, h, l, pblock, ctypes.byref(g),
                                       ctypes.byref(bl), ctypes.byref(sm)):
            raise RuntimeError(self.lib.ssd_last_error().decode())
        return g.value, bl.value, sm.value

    def ablate(self, mask, x, dt, A, B, C, D, bias, y, fin):
        b, l, h, _ = x.shape
        rc = self.lib.ssd_fused_ablate(mask, x.data_ptr(), dt.data_ptr(), A.data_ptr(),
                                       B.data_ptr(), C.data_ptr(), D.data_ptr(), bias.data_ptr(),
                                       y.data_ptr(), fin.data_ptr(), b, l, h,
                                       torch.cuda.current_stream().cuda_stream)
        if rc != 0:
            raise RuntimeError(f"ssd_fused_ablate: {self.lib.ssd_last_error().decode()}")

    def segments(self, q, segs, x, dt, A, B, C, D, bias, y, fin):
        b, l, h, _ = x.shape
        rc = self.lib.ssd_fused_segments(q, segs, x.data_ptr(), dt.data_ptr(), A.data_ptr(),
                                         B.data_ptr(), C.data_ptr(), D.data_ptr(),
                                         bias.data_ptr(), y.data_ptr(), fin.data_ptr(), b, l, h,
                                         torch.cuda.current_stream().cuda_stream)
        if rc != 0:
            raise RuntimeError(f"ssd_fused_segments: {self.lib.ssd_last_error().decode()}")

    def __call__(self, q, x, dt, A, B, C, D, bias, init, y, fin, softplus=1, lo=0.0,
                 hi=float("inf"), pblock=0):
        code = {torch.float32: F32, torch.bfloat16: BF16}
        b, l, h, p = x.shape
        g, n = B.shape[2], B.shape[3]
        ptr = lambda t: None if t is None else t.data_ptr()
        rc = self.lib.ssd_fused(code[x.dtype], code[dt.dtype], code[y.dtype], q, p, n, ptr(x),
                                ptr(dt), ptr(A), ptr(B), ptr(C), ptr(D), ptr(bias), ptr(init),
                                ptr(y), ptr(fin), b, l, h, g, softplus, lo, hi, pblock,
                                torch.cuda.current_stream().cuda_stream)
        if rc != 0:
            raise RuntimeError(f"ssd_fused: {self.lib.ssd_last_error().decode()}")


def process_dt(dt, bias, softplus, lo, hi):
    v = dt.double() + (bias.double() if bias is not None else 0.0)
    if softplus:
        v = torch.where(v > 20.0, v, torch.log1p(torch.exp(v)))
    return v.clamp(lo, hi)


def reference(x, dt, A, B, C, D, bias, init, softplus, lo, hi):
    """float64 sequential recurrence: y [b,l,h,p], final state [b,h,p,n]."""
    b, l, h, p = x.shape
    g, n = B.shape[2], B.shape[3]
    dtp = process_dt(dt, bias, softplus, lo, hi)
    xd, Ad = x.double(), A.double()
    Bh = B.double().repeat_interleave(h // g, 2)
    Ch = C.double().repeat_interleave(h // g, 2)
    s = init.double().clone() if init is not None else \
        torch.zeros(b, h, p, n, dtype=torch.float64, device=x.device)
    ys = []
    for t in range(l):
        s = s * torch.exp(dtp[:, t] * Ad)[:, :, None, None] \
            + (dtp[:, t, :, None, None] * xd[:, t, :, :, None]) * Bh[:, t, :, None, :]
        ys.append(torch.einsum("bhpn,bhn->bhp", s, Ch[:, t]))
    y = torch.stack(ys, 1)
    if D is not None:
        y = y + D.double()[None, None, :, None] * xd
    return y, s


def rel_errors(out, ref):
    d = (out.double() - ref)
    return float(d.abs().max() / ref.abs().max()), float(d.norm() / ref.norm())


def make_inputs(b, l, h, p, g, n, xdt, dtdt, amax=4.0, dt_shift=-1.0, with_init=True,
                with_d=True, with_bias=True, zero_x=False, dev="cuda"):
    x = torch.randn(b, l, h, p, device=dev).to(xdt)
    if zero_x:
        x.zero_()
    dt = (torch.randn(b, l, h, device=dev) + dt_shift).to(dtdt)
    A = -(torch.rand(h, device=dev) * (amax - 0.5) + 0.5)
    B = (torch.randn(b, l, g, n, device=dev) * 0.5).to(xdt)
    C = (torch.randn(b, l, g, n, device=dev) * 0.5).to(xdt)
    D = torch.randn(h, device=dev) if with_d else None
    bias = (torch.rand(h, device=dev) - 0.5) if with_bias else None
    init = torch.randn(b, h, p, n, device=dev) * 0.5 if with_init else None
    return x, dt, A, B, C, D, bias, init


def describe_failure(y, ref_y, fin, ref_s, q, tol):
    """Where the error sits: worst element, rows within the chunk, columns, NaNs."""
    d = (y.double() - ref_y).abs().nan_to_num(float("inf")) / ref_y.abs().max()
    b, l, h, p = d.shape
    i = int(d.flatten().argmax())
    bi, t, hi, pi = i // (l * h * p), (i // (h * p)) % l, (i // p) % h, i % p
    print(f"     worst y at b={bi} t={t} (chunk {t // q}, row {t % q}) h={hi} p={pi}: "
          f"{float(y[bi, t, hi, pi]):.4g} vs {float(ref_y[bi, t, hi, pi]):.4g}; "
          f"NaN {int(torch.isnan(y).sum())}")
    bad = d > tol
    rows = torch.nonzero(bad.any(3).any(2).any(0)).flatten().tolist()
    cols = torch.nonzero(bad.any(2).any(1).any(0)).flatten().tolist()
    print(f"     bad rows t (first 20) {rows[:20]} of {len(rows)}; bad p {cols[:16]} of {len(cols)}")
    e = (fin.double() - ref_s).abs().nan_to_num(float("inf")) / ref_s.abs().max()
    j = int(e.flatten().argmax())
    _, hh, pp, nn = e.shape
    print(f"     worst state at h={(j // (pp * nn)) % hh} p={(j // nn) % pp} n={j % nn}: "
          f"{float(fin.flatten()[j]):.4g} vs {float(ref_s.flatten()[j]):.4g}")


def check_cases(ours):
    # (name, Q, b, l, h, p, g, n, x dtype, dt dtype, y dtype, opts)
    cases = [
        # Component cases first (they isolate one product each when something is wrong):
        # x = 0: y is the C·S term alone, the final state the decayed initial state.
        # (weak decay: the state must stay far above fp32's range after 100 steps)
        ("bf16 q64 p64 n128 x=0 (C.S only)", 64, 1, 100, 2, 64, 1, 128, BF16, BF16, BF16,
         dict(zero_x=True, with_d=False, amax=1.0, dt_shift=-3.0)),
        # one chunk, no initial state: y is the diagonal block, the state one update.
        ("bf16 q64 p64 n128 one chunk", 64, 1, 64, 2, 64, 1, 128, BF16, BF16, BF16,
         dict(with_init=False, with_d=False)),
        ("bf16 q64 p32 n64 x=0 (C.S only)", 64, 1, 100, 2, 32, 1, 64, BF16, BF16, BF16,
         dict(zero_x=True, with_d=False, amax=1.0, dt_shift=-3.0)),
        ("bf16 q64 p32 n64 one chunk", 64, 1, 64, 2, 32, 1, 64, BF16, BF16, BF16,
         dict(with_init=False, with_d=False)),
        ("bf16 q128 p64 n64 one chunk f32 dt,y", 128, 1, 128, 2, 64, 1, 64, BF16, F32, F32,
         dict(with_init=False, with_d=False)),
        ("f32 q64 p64 n128 g2 init partial", 64, 2, 300, 4, 64, 2, 128, F32, F32, F32, {}),
        ("f32 q128 p32 n64 g3 clamp", 128, 1, 200, 6, 32, 3, 64, F32, F32, F32,
         dict(lo=0.05, hi=0.6, with_init=False, with_d=False)),
        ("f32 q64 p128 n128 l77", 64, 1, 77, 2, 128, 1, 128, F32, F32, F32, {}),
        ("f32 q128 p64 n64 exact no-softplus", 128, 3, 256, 2, 64, 1, 64, F32, F32, F32,
         dict(softplus=0, dt_shift=0.0, positive_dt=True, with_bias=False)),
        ("bf16 q64 p64 n128 g2 init partial", 64, 2, 300, 4, 64, 2, 128, BF16, BF16, BF16, {}),
        ("bf16 q64 p64 n128 pblock32", 64, 2, 300, 4, 64, 2, 128, BF16, BF16, BF16,
         dict(pblock=32)),
        ("bf16 q128 p64 n128 strong decay", 128, 2, 1000, 4, 64, 1, 128, BF16, BF16, BF16,
         dict(amax=16.0, dt_shift=1.0)),
        ("bf16 q128 p64 n128 weak decay", 128, 1, 700, 2, 64, 2, 128, BF16, BF16, BF16,
         dict(amax=1.0, dt_shift=-3.0)),
        ("bf16 q64 p32 n64 one partial chunk", 64, 1, 50, 3, 32, 1, 64, BF16, BF16, BF16,
         dict(with_init=False)),
        ("bf16 q128 p128 n64 g2", 128, 2, 260, 2, 128, 2, 64, BF16, BF16, BF16, {}),
        ("bf16 q64 p128 n128 l129", 64, 1, 129, 2, 128, 1, 128, BF16, BF16, BF16, {}),
        ("bf16 q128 p32 n128 clamp", 128, 1, 300, 2, 32, 1, 128, BF16, BF16, BF16,
         dict(lo=0.01, hi=0.5)),
        ("bf16 x, f32 dt q64 p64 n128", 64, 2, 190, 4, 64, 4, 128, BF16, F32, BF16, {}),
        ("bf16 x, f32 dt, f32 y q128 p64 n64", 128, 1, 333, 2, 64, 1, 64, BF16, F32, F32, {}),
        ("bf16 benchmark shape h80 l512", 64, 1, 512, 80, 64, 1, 128, BF16, BF16, BF16, {}),
        ("bf16 benchmark shape q128 h80 l512", 128, 1, 512, 80, 64, 1, 128, BF16, BF16, BF16, {}),
    ]
    results, ok_all = [], True
    for name, q, b, l, h, p, g, n, xd, dd, yd, opts in cases:
        torch.manual_seed(hash(name) % 10000)
        o = dict(opts)
        lo, hi = o.pop("lo", 0.0), o.pop("hi", float("inf"))
        softplus, pblock = o.pop("softplus", 1), o.pop("pblock", 0)
        positive = o.pop("positive_dt", False)
        x, dt, A, B, C, D, bias, init = make_inputs(b, l, h, p, g, n, TORCH_DT[xd], TORCH_DT[dd],
                                                     **o)
        if positive:
            dt = (dt.float().abs() * 0.3 + 0.01).to(dt.dtype)
        ref_y, ref_s = reference(x, dt, A, B, C, D, bias, init, softplus, lo, hi)
        outs = []
        try:
            for _ in range(2):
                y = torch.full((b, l, h, p), float("nan"), device="cuda", dtype=TORCH_DT[yd])
                fin = torch.full((b, h, p, n), float("nan"), device="cuda")
                ours(q, x, dt, A, B, C, D, bias, init, y, fin, softplus, lo, hi, pblock)
                torch.cuda.synchronize()
                outs.append((y, fin))
        except RuntimeError as e:
            print(f"FAIL {name:42s} {e}", flush=True)
            ok_all = False
            results.append(dict(name=name, q=q, ok=False, error=str(e)))
            continue
        (y, fin), (y2, fin2) = outs
        tol = 1e-5 if xd == F32 else 1e-2
        finite = bool(torch.isfinite(y).all() and torch.isfinite(fin).all())
        same = bool(torch.equal(y, y2) and torch.equal(fin, fin2))
        ey, ey2 = rel_errors(y, ref_y)
        es, es2 = rel_errors(fin, ref_s)
        ok = finite and same and ey <= tol and es <= tol
        ok_all &= ok
        results.append(dict(name=name, q=q, shape=[b, l, h, p, g, n], tol=tol, y_max_rel=ey,
                            y_l2_rel=ey2, state_max_rel=es, state_l2_rel=es2, finite=finite,
                            repeatable=same, ok=ok))
        print(f"{'OK  ' if ok else 'FAIL'} {name:42s} y {ey:.2e} (L2 {ey2:.2e})  "
              f"state {es:.2e} (L2 {es2:.2e})  tol {tol:g}  finite={finite} repeat={same}",
              flush=True)
        if not ok:
            describe_failure(y, ref_y, fin, ref_s, q, tol)
    return ok_all, results


def check_peers(peer_ok):
    """The peers on one small shape vs float64 (same math as ours, softplus'ed dt)."""
    if not peer_ok:
        return {}
    import peer_bench as pb
    torch.manual_seed(1)
    b, l, h, p, g, n = 2, 300, 4, 64, 1, 128
    x, dt, A, B, C, D, bias, _ = make_inputs(b, l, h, p, g, n, torch.bfloat16, torch.float32,
                                             with_init=False)
    ref_y, _ = reference(x, dt, A, B, C, D, bias, None, 1, 0.0, float("inf"))
    out = {}
    from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
    y = mamba_chunk_scan_combined(x, dt, A, B, C, 64, D=D, dt_bias=bias, dt_softplus=True)
    out["mamba_ssm_q64"] = rel_errors(y, ref_y)
    dts = process_dt(dt, bias, 1, 0.0, float("inf")).float()
    y = pb.fla_ssd(x, dts, A, B, C) + (D[None, None, :, None] * x.float())
    out["fla"] = rel_errors(y, ref_y)
    for k, v in out.items():
        print(f"peer {k:14s} bf16 vs float64: max-rel {v[0]:.2e}  L2-rel {v[1]:.2e}", flush=True)
    return out


def time_all(ours, peer_ok, repeats, quick, deadline=None, partial=None):
    import triton.testing as tt
    bench = lambda fn: tt.do_bench(fn, warmup=10, rep=40, return_mode="median")
    H, P, N, G = 80, 64, 128, 1
    Ls = [512, 2048, 4096, 8192, 16384]
    table = {}
    variants = [("ours_q64", 64, 0), ("ours_q64_pb32", 64, 32), ("ours_q128", 128, 0),
                ("ours_q128_pb32", 128, 32)]
    if quick:
        variants = variants[:1]
    for L in Ls:
        if deadline and time.time() > deadline:
            print(f"deadline: L >= {L} not timed", flush=True)
            break
        t_l = time.time()
        b = 16384 // L
        torch.manual_seed(L)
        x, dt, A, B, C, D, bias, _ = make_inputs(b, L, H, P, G, N, torch.bfloat16,
                                                 torch.bfloat16, with_init=False)
        y = torch.empty(b, L, H, P, device="cuda", dtype=torch.bfloat16)
        fin = torch.empty(b, H, P, N, device="cuda")
        fns = {}
        for name, q, pbk in variants:
            fns[name] = (lambda q=q, pbk=pbk: ours(q, x, dt, A, B, C, D, bias, None, y, fin,
                                                   1, 0.0, float("inf"), pbk))
        if not quick:  # how y leaves (Q=64; checked in check_variants): v2, v3, bulk copies
            for name, mask in (("ours_q64_v2y", 256), ("ours_q64_v3y", 512),
                               ("ours_q64_bulky", 2048), ("ours_q64_latey", 8192)):
                fns[name] = (lambda mask=mask: ours.ablate(mask, x, dt, A, B, C, D, bias, y, fin))
            # Sequence segments (checked in check_variants): more CTAs at small batch·heads.
            for q in (64, 128):
                # (1: the segmented kernel's own cost, against ours_q64 / ours_q128)
                for segs in ((1, 2, 3, 4, 6) if L >= 8192 else (1, 2, 3) if L >= 4096 else
                             (1, 2)):
                    fns[f"ours_q{q}_seg{segs}"] = (lambda q=q, segs=segs: ours.segments(
                        q, segs, x, dt, A, B, C, D, bias, y, fin))
        agree = {}
        if peer_ok:
            import peer_bench as pb
            from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
            for ch in (64, 128, 256):
                fns[f"mamba_q{ch}"] = (lambda ch=ch: mamba_chunk_scan_combined(
                    x, dt, A, B, C, ch, D=D, dt_bias=bias, dt_softplus=True))
            dts = process_dt(dt, bias, 1, 0.0, float("inf")).float().to(torch.bfloat16)
            fi = pb.fla_inputs(x, dts, A, B, C)
            fns["fla_simple_gla"] = lambda: pb.fla_run(*fi)
            # Ours against mamba's y at this shape (both bf16; not a reference, a sanity check).
            fns["ours_q64"]()
            ym = mamba_chunk_scan_combined(x, dt, A, B, C, 256, D=D, dt_bias=bias,
                                           dt_softplus=True)
            torch.cuda.synchronize()
            agree["ours_vs_mamba_max_rel"] = rel_errors(y, ym.double())[0]
        qkv = torch.randn(b, H, L, P, device="cuda", dtype=torch.bfloat16)
        from torch.nn.attention import SDPBackend, sdpa_kernel

        def sdpa():
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                return F.scaled_dot_product_attention(qkv, qkv, qkv, is_causal=True)
        fns["sdpa_flash"] = sdpa
        times = {k: [] for k in fns}
        for _ in range(repeats):
            for k, fn in fns.items():
                times[k].append(bench(fn))
        med = {k: statistics.median(v) for k, v in times.items()}
        fin_bytes = b * H * P * N * 4
        io_bytes = b * L * (2 * H * P * 2 + 2 * G * N * 2 + H * 2)
        table[L] = dict(batch=b, ms=med, all_ms=times, io_bytes=io_bytes, state_bytes=fin_bytes,
                        **agree)
        line = "  ".join(f"{k} {v:.3f}" for k, v in med.items())
        print(f"L={L:<6d} b={b:<3d} {line}  {agree}  ({time.time() - t_l:.0f} s)", flush=True)
        if partial:
            partial(table)
        del x, dt, B, C, y, fin, qkv, fns
        torch.cuda.empty_cache()
    return table


ABLATIONS = {1: "C.B^T", 2: "C.S", 4: "diag", 8: "state", 16: "y stores", 32: "decay exps",
             64: "next loads", 128: "x.w", 255: "all of these",
             256: "deferred staged y (v2's direct stores instead; correct results)",
             512: "deferred staged y (v3's stores at the chunk's end instead; correct results)",
             1024: "proxy fences (diagnostic; results not guaranteed)",
             1536: "proxy fences, with v3's y stores (diagnostic)",
             2048: "deferred staged y (bulk TMA-engine row copies instead; correct results)",
             8192: "deferred y stores after the first barrier (after the second instead)"}
# Masks that change how, not whether, the kernel works: checked against float64 too.
CORRECT_VARIANTS = (256, 512, 2048, 8192)


def check_variants(ours):
    """The benchmark-only variants that must still be right (CORRECT_VARIANTS), through
    ssd_fused_ablate (Q=64 P=64 N=128 bf16, no initial state), vs float64: a partial last
    chunk and the benchmark shape; poisoned outputs, bitwise repeatable."""
    ok_all, out = True, []
    runs = [(f"mask {m}", (lambda m=m: lambda *a: ours.ablate(m, *a))(), ((2, 300, 4), (1, 512, 80)))
            for m in CORRECT_VARIANTS]
    for q in (64, 128):  # sequence segments (ABL 4096), empty segments included (l 100, 4 segs)
        for segs in (2, 3, 4, 6):
            runs.append((f"q{q} segments {segs}",
                         (lambda q=q, segs=segs: lambda *a: ours.segments(q, segs, *a))(),
                         ((2, 300, 4), (1, 512, 80), (1, 100, 2), (1, 1000, 3))))
    cache = {}  # one input set and float64 reference per shape
    for label, run, shapes in runs:
        for b, l, h in shapes:
            if (b, l, h) not in cache:
                torch.manual_seed(1000 + l)
                inp = make_inputs(b, l, h, 64, 1, 128, torch.bfloat16, torch.bfloat16,
                                  with_init=False)
                x, dt, A, B, C, D, bias, _ = inp
                cache[(b, l, h)] = (inp, reference(x, dt, A, B, C, D, bias, None, 1, 0.0,
                                                   float("inf")))
            (x, dt, A, B, C, D, bias, _), (ref_y, ref_s) = cache[(b, l, h)]
            res = []
            for _ in range(2):
                y = torch.full((b, l, h, 64), float("nan"), device="cuda", dtype=torch.bfloat16)
                fin = torch.full((b, h, 64, 128), float("nan"), device="cuda")
                run(x, dt, A, B, C, D, bias, y, fin)
                torch.cuda.synchronize()
                res.append((y, fin))
            (y, fin), (y2, fin2) = res
            ey, _ = rel_errors(y, ref_y)
            es, _ = rel_errors(fin, ref_s)
            same = bool(torch.equal(y, y2) and torch.equal(fin, fin2))
            finite = bool(torch.isfinite(y).all() and torch.isfinite(fin).all())
            ok = finite and same and ey <= 1e-2 and es <= 1e-2
            ok_all &= ok
            out.append(dict(variant=label, shape=[b, l, h], y_max_rel=ey, state_max_rel=es, ok=ok))
            print(f"{'OK  ' if ok else 'FAIL'} variant {label} b{b} l{l} h{h}: y {ey:.2e} "
                  f"state {es:.2e} finite={finite} repeat={same}", flush=True)
    return ok_all, out


def time_ablations(ours, Ls=(16384, 2048)):
    """What each part of the Q=64 kernel costs: time with that part skipped."""
    import triton.testing as tt
    H, P, N, G = 80, 64, 128, 1
    out = {}
    for L in Ls:
        b = 16384 // L
        x, dt, A, B, C, D, bias, _ = make_inputs(b, L, H, P, G, N, torch.bfloat16,
                                                 torch.bfloat16, with_init=False)
        y = torch.empty(b, L, H, P, device="cuda", dtype=torch.bfloat16)
        fin = torch.empty(b, H, P, N, device="cuda")
        full = tt.do_bench(lambda: ours(64, x, dt, A, B, C, D, bias, None, y, fin),
                           warmup=10, rep=40, return_mode="median")
        row = {"full": full}
        for m, name in ABLATIONS.items():
            row[name] = tt.do_bench(lambda m=m: ours.ablate(m, x, dt, A, B, C, D, bias, y, fin),
                                    warmup=10, rep=40, return_mode="median")
        out[L] = row
        print(f"ablation L={L}: full {full:.3f} ms; without: " +
              ", ".join(f"{k} {v:.3f}" for k, v in row.items() if k != "full"), flush=True)
    return out


def print_table(table):
    keys = list(next(iter(table.values()))["ms"].keys())
    print("\nSSD forward, bf16, H=80 P=64 N=128 G=1, 16K tokens per call; median ms "
          "(do_bench medians, median over repeats)")
    print(f"{'L':>6} {'b':>3} " + " ".join(f"{k:>15s}" for k in keys) + "  ours_q64 GB/s  floor_ms")
    for L, r in table.items():
        floor = (r["io_bytes"] + r["state_bytes"]) / 3.0e12 * 1e3
        bw = (r["io_bytes"] + r["state_bytes"]) / (r["ms"]["ours_q64"] * 1e-3) / 1e9
        print(f"{L:>6} {r['batch']:>3} " + " ".join(f"{r['ms'][k]:>15.3f}" for k in keys) +
              f"  {bw:>13.0f}  {floor:.3f}")


def plot(table, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: plot skipped")
        return False
    Ls = list(table.keys())
    keys = [k for k in table[Ls[0]]["ms"].keys()
            if not any(t in k for t in ("pb32", "_v2y", "_v3y", "_bulky", "_seg"))]
    fig, ax = plt.subplots(figsize=(7, 5))
    for k in keys:
        ax.plot(Ls, [table[L]["ms"][k] for L in Ls], marker="o", label=k)
    segL = [L for L in Ls if any(("_seg" in k and not k.endswith("_seg1")) for k in table[L]["ms"])]
    if segL:  # the best sequence-segmented variant where it was timed
        ax.plot(segL, [min(v for k, v in table[L]["ms"].items()
                           if "_seg" in k and not k.endswith("_seg1")) for L in segL],
                marker="s", label="ours, best of segmented (Q, segments)")
    ax.plot(Ls, [(table[L]["io_bytes"] + table[L]["state_bytes"]) / 3.0e12 * 1e3 for L in Ls],
            "k--", label="bytes floor (3.0 TB/s)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("sequence length L (batch = 16K / L)")
    ax.set_ylabel("time per call (ms)")
    ax.set_title("SSD forward, bf16, H=80 P=64 N=128, 16K tokens, H100")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--peers", default="")
    ap.add_argument("--out", default=".")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--budget-s", type=float, default=230.0,
                    help="start no new L after this many seconds (the device call's limit)")
    ap.add_argument("--profile-once", default="",
                    help="L:mask[,L:mask...]: only launch ours (Q=64, bf16, the benchmark "
                         "shape at that L; mask 0 = the default kernel, else ssd_fused_ablate's "
                         "mask) once each after one warm-up, for ncu (run_ssd.sh SSD_NCU=1)")
    args = ap.parse_args()
    ours = Ours(args.lib)
    if args.profile_once:
        for item in args.profile_once.split(","):
            L, mask = (int(v) for v in item.split(":"))
            b = 16384 // L
            x, dt, A, B, C, D, bias, _ = make_inputs(b, L, 80, 64, 1, 128, torch.bfloat16,
                                                     torch.bfloat16, with_init=False)
            y = torch.empty(b, L, 80, 64, device="cuda", dtype=torch.bfloat16)
            fin = torch.empty(b, 80, 64, 128, device="cuda")
            for _ in range(2):
                if mask:
                    ours.ablate(mask, x, dt, A, B, C, D, bias, y, fin)
                else:
                    ours(64, x, dt, A, B, C, D, bias, None, y, fin)
            torch.cuda.synchronize()
            print(f"profile-once L={L} mask={mask}: launched twice", flush=True)
        return 0
    t0 = time.time()
    info = dict(device=torch.cuda.get_device_name(), torch=torch.__version__)
    try:
        import triton
        info["triton"] = triton.__version__
    except ImportError:
        pass
    print(info, flush=True)
    for tc, q in ((1, 64), (1, 128), (0, 64)):
        print(f"geometry tc={tc} q={q} (b=1 h=80 p=64 n=128):",
              ours.geometry(tc, q, 64, 128, 1, 80, 16384))
    ok, cases = check_cases(ours)
    vok, vcases = check_variants(ours)
    print(f"correctness: {'PASS' if ok else 'FAIL'} ({time.time() - t0:.1f} s)", flush=True)
    peer_ok = False
    if args.peers:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.peers)), ""))
        try:
            import peer_bench
            peer_bench.add_peers(args.peers)
            peer_ok = True
        except Exception as e:  # noqa: BLE001 -- report and time ours alone
            print(f"peers unavailable: {e!r}")
    peers_acc = {}
    if peer_ok:
        try:
            peers_acc = check_peers(peer_ok)
        except Exception as e:  # noqa: BLE001
            print(f"peer check failed: {e!r}")
            peer_ok = False
    result = dict(info=info, correctness_ok=ok, cases=cases, peers_accuracy=peers_acc,
                  variants_ok=vok, variant_cases=vcases)
    if not args.no_timing and not args.quick:
        result["ablations_ms"] = {str(k): v for k, v in time_ablations(ours).items()}
    if not args.no_timing:
        # A failed check still gets a timing of ours (for planning), without the peers.
        def partial(table):
            result["timing"] = {str(k): v for k, v in table.items()}
            with open(os.path.join(args.out, "gpu_ssd_bench.json"), "w") as f:
                json.dump(result, f, indent=1)
        table = time_all(ours, peer_ok, args.repeats if ok else 1, args.quick,
                         t0 + args.budget_s, partial)
        result["timing"] = {str(k): v for k, v in table.items()}
        print_table(table)
        plot(table, os.path.join(args.out, "gpu_ssd_bench.png"))
    with open(os.path.join(args.out, "gpu_ssd_bench.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"total {time.time() - t0:.1f} s; correctness {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
