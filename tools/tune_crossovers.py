#!/usr/bin/env python3
"""Schedule crossovers measured by `ssdc tune` next to the cost model's prediction.

    python3 tools/tune_crossovers.py ARTIFACT OUT_PREFIX [--lengths 16,64,...] [--ssdc DIR]

Runs `ssdc tune ARTIFACT --device cpu` at each length (every SSD schedule and chunk
size, checked against float64 first, then timed), asks the cost model for its
estimate of the same shape at the same length (`ssdc-opt --ssd-select-schedule`
with explain on a one-op function), and writes OUT_PREFIX.md (a table: measured and
predicted microseconds per schedule, the fastest measured and the model's choice)
and, when matplotlib is installed, OUT_PREFIX.png (time against L, log-log).

    python3 tools/tune_crossovers.py --db CROSSOVERS.json OUT_PREFIX [--target cuda-sm90]

reads a database `ssdc tune --device cuda --lengths ...` wrote on the GPU machine
instead (every variant at the executor's launch geometry: recurrent, quadratic,
chunked-Q staged and chunked-Q fused, per length from its "variants"), and asks the
cost model for target cuda-sm90 at the database's dtype, in both chunked forms
(--chunked-form staged and fused: the fused kernel at the chunk sizes it takes).
"""
import argparse, json, os, re, subprocess, sys, tempfile

def main():
    if "--db" in sys.argv:
        return from_db()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("artifact"); ap.add_argument("out")
    ap.add_argument("--lengths", default="16,64,256,512,1024,2048,4096")
    ap.add_argument("--ssdc", default="build/bin", help="directory of ssdc and ssdc-opt")
    ap.add_argument("--repeats", default="3")
    a = ap.parse_args()
    lengths = [int(x) for x in a.lengths.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "tuned.json")
        subprocess.run([os.path.join(a.ssdc, "ssdc"), "tune", a.artifact, "--device", "cpu",
                        "--lengths", a.lengths, "--repeats", a.repeats, "-o", db_path], check=True)
        db = json.load(open(db_path))
        rows = []
        measured = []  # (l, entry, times at l): a bucket timed at several lengths keeps each
        for e in db["entries"]:
            per = e.get("times_us_per_length") or {str(e["timed_at_l"][0]): e["times_us"]}
            measured += [(int(l), e, times) for l, times in per.items()]
        for l, e, times in measured:
            h, p, g, n = e["h"], e["p"], e["g"], e["n"]
            mlir = os.path.join(tmp, f"l{l}.mlir")
            t = lambda dims: "tensor<" + "x".join(map(str, dims)) + "xf32>"
            q, v, dec, st = t([1, l, g, n]), t([1, l, h, p]), t([1, l, h]), t([1, h, p, n])
            open(mlir, "w").write(
                f"func.func @f(%q: {q}, %k: {q}, %v: {v}, %a: {dec}) -> {v} {{\n"
                f"  %y, %s = ssd.sma %q, %k, %v decay(%a) {{mask = #ssd.mask<decay>}} : "
                f"({q}, {q}, {v}, {dec}) -> ({v}, {st})\n  return %y : {v}\n}}\n")
            out = subprocess.run([os.path.join(a.ssdc, "ssdc-opt"), mlir,
                                  "--ssd-select-schedule=target=cpu explain=true", "-o", os.devnull],
                                 check=True, capture_output=True, text=True).stderr
            pred = {m.group(1): float(m.group(2))
                    for m in re.finditer(r"^\s+(recurrent|quadratic|chunked-\d+)\s+([0-9.]+) us", out, re.M)}
            chosen = re.search(r"^\s+(\S+)\s+[0-9.]+ us\s+<- chosen", out, re.M).group(1)
            rows.append((l, (h, p, g, n), times, pred, chosen, e.get("device", "")))
    rows.sort()
    scheds = sorted({s for r in rows for s in r[2]}, key=lambda s: (s[0] != "r", s[0] != "q", len(s), s))
    with open(a.out + ".md", "w") as f:
        f.write(f"Measured by `ssdc tune` (median of {a.repeats}, checked against float64 first) "
                f"vs the cost model's estimate, microseconds, on {rows[0][5] or 'this CPU'}; shape "
                f"b=1 h={rows[0][1][0]} p={rows[0][1][1]} g={rows[0][1][2]} n={rows[0][1][3]}.\n"
                f"Command: `python3 tools/tune_crossovers.py {a.artifact} {a.out} --lengths {a.lengths}`\n\n")
        f.write("| L | " + " | ".join(f"{s} measured / model" for s in scheds) +
                " | fastest measured | model's choice |\n|" + "---|" * (len(scheds) + 3) + "\n")
        for l, _, meas, pred, chosen, _ in rows:
            cells = [f"{meas[s]:.0f} / {pred.get(s, float('nan')):.0f}" if s in meas else "—" for s in scheds]
            best = min(meas, key=meas.get)
            f.write(f"| {l} | " + " | ".join(cells) + f" | {best} | {chosen}"
                    + (" (slower: %.2f×)" % (meas[chosen] / meas[best]) if chosen in meas and chosen != best else "")
                    + " |\n")
    print("wrote", a.out + ".md")
    try:
        import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr); return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, s in enumerate(scheds):
        ls = [r[0] for r in rows if s in r[2]]
        c = f"C{i}"
        ax.plot(ls, [r[2][s] for r in rows if s in r[2]], "o-", color=c, label=f"{s} measured")
        ax.plot(ls, [r[3].get(s) for r in rows if s in r[2]], "--", color=c, alpha=0.6)
    ax.set_xscale("log", base=2); ax.set_yscale("log")
    ax.set_xlabel("sequence length L"); ax.set_ylabel("time per call (us)")
    ax.set_title("CPU SSD schedules: measured (solid) vs cost model (dashed)")
    ax.grid(True, which="both", alpha=0.3); ax.legend(fontsize=7)
    fig.tight_layout(); fig.savefig(a.out + ".png", dpi=110)
    print("wrote", a.out + ".png")

def predict(ssdc_opt, tmp, l, shape, target, dtype, form):
    """The cost model's estimates (us) at one length: {schedule: us}, and its choice."""
    h, p, g, n = shape
    mlir = os.path.join(tmp, f"l{l}.mlir")
    t = lambda dims, dt=dtype: "tensor<" + "x".join(map(str, dims)) + "x" + dt + ">"
    q, v, dec, st = t([1, l, g, n]), t([1, l, h, p]), t([1, l, h], "f32"), t([1, h, p, n], "f32")
    open(mlir, "w").write(
        f"func.func @f(%q: {q}, %k: {q}, %v: {v}, %a: {dec}) -> {v} {{\n"
        f"  %y, %s = ssd.sma %q, %k, %v decay(%a) {{mask = #ssd.mask<decay>}} : "
        f"({q}, {q}, {v}, {dec}) -> ({v}, {st})\n  return %y : {v}\n}}\n")
    out = subprocess.run([ssdc_opt, mlir, f"--ssd-select-schedule=target={target} explain=true "
                          f"chunked-form={form}", "-o", os.devnull],
                         check=True, capture_output=True, text=True).stderr
    pred = {}
    for m in re.finditer(r"^\s+(recurrent|quadratic|chunked-\d+)\s+([0-9.]+) us(.*)$", out, re.M):
        pred[m.group(1) + (" fused" if "(fused kernel)" in m.group(3) else "")] = float(m.group(2))
    chosen = re.search(r"^\s+(\S+)\s+[0-9.]+ us.*<- chosen", out, re.M).group(1)
    if chosen + " fused" in pred:
        chosen += " fused"
    return pred, chosen


def from_db():
    ap = argparse.ArgumentParser(description="CUDA crossovers from a tuning database")
    ap.add_argument("--db", required=True); ap.add_argument("out")
    ap.add_argument("--target", default="cuda-sm90")
    ap.add_argument("--ssdc", default="build/bin", help="directory of ssdc-opt")
    a = ap.parse_args()
    db = json.load(open(a.db))
    opt = os.path.join(a.ssdc, "ssdc-opt")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for e in db["entries"]:
            shape, dt = (e["h"], e["p"], e["g"], e["n"]), e["dtype"]
            mlir_dt = {"bf16": "bf16", "f16": "f16", "f32": "f32"}[dt]
            for l in e["timed_at_l"]:
                meas = {}
                for v in e["variants"]:
                    part = v.get("per_length", {}).get(str(l))
                    if v.get("executor_default") and part:
                        meas[v["schedule"] + (" fused" if v.get("form") == "fused" else "")] = part["us"]
                pruned = {k: why for k, why in e.get("pruned", {}).items() if f"l={l} " in why or
                          not any(f"l={x} " in why for x in e["timed_at_l"])}
                ps, cs = predict(opt, tmp, l, shape, a.target, mlir_dt, "staged")
                pf, cf = predict(opt, tmp, l, shape, a.target, mlir_dt, "fused")
                pred = dict(ps); pred.update({k: x for k, x in pf.items() if k.endswith(" fused")})
                rows.append((l, shape, meas, pred, cs, cf, e.get("device", ""), dt, pruned))
    rows.sort(key=lambda r: r[0])
    order = lambda k: (k.startswith("chunked"), k.endswith("fused"), k != "recurrent",
                       int(re.sub(r"\D", "", k) or 0))
    scheds = sorted({s for r in rows for s in r[2]} | {s for r in rows for s in r[3]}, key=order)
    staged = lambda d: {k: x for k, x in d.items() if not k.endswith("fused")}
    with open(a.out + ".md", "w") as f:
        r0 = rows[0]
        f.write(f"Measured by `ssdc tune --device cuda` (CUDA events, median, every variant checked "
                f"against float64 first) vs the cost model ({a.target}), microseconds per call, on "
                f"{r0[6]}; shape b=1 h={r0[1][0]} p={r0[1][1]} g={r0[1][2]} n={r0[1][3]} {r0[7]}. "
                f"`measured / model`; — not timed (see the database's `pruned`). Fastest and choice "
                f"per chunked form (staged: `ssdc compile` default; fused: `--chunked-form fused`).\n"
                f"Command: `python3 tools/tune_crossovers.py --db {a.db} {a.out}`\n\n")
        f.write("| L | " + " | ".join(scheds) + " | fastest (staged form) | model (staged) "
                "| fastest (fused form) | model (fused) |\n|" + "---|" * (len(scheds) + 5) + "\n")
        for l, _, meas, pred, cs, cf, _, _, _ in rows:
            cells = [(f"{meas[s]:.1f}" if s in meas else "—") + " / " +
                     (f"{pred[s]:.1f}" if s in pred else "—") for s in scheds]
            def fastest(d):
                if not d:
                    return "—"
                b = min(d, key=d.get)
                return b
            def note(choice, d):
                best = fastest(d)
                if choice in d and best != "—" and choice != best:
                    return f"{choice} ({d[choice] / d[best]:.2f}× the fastest)"
                return choice + ("" if choice in d else " (not measured)")
            fused_form = {k: x for k, x in meas.items()}
            for k in list(fused_form):  # in the fused form chunked-Q is fused where it runs
                if k + " fused" in fused_form:
                    del fused_form[k]
            f.write(f"| {l} | " + " | ".join(cells) + f" | {fastest(staged(meas))} | "
                    f"{note(cs, staged(meas))} | {fastest(fused_form)} | {note(cf, fused_form)} |\n")
    print("wrote", a.out + ".md")
    try:
        import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr); return
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, s in enumerate(scheds):
        ls = [r[0] for r in rows if s in r[2]]
        if not ls:
            continue
        c = f"C{i % 10}"
        ax.plot(ls, [r[2][s] for r in rows if s in r[2]], "o-", color=c, label=f"{s}")
        pl = [r[0] for r in rows if s in r[3]]
        ax.plot(pl, [r[3][s] for r in rows if s in r[3]], "--", color=c, alpha=0.5)
    ax.set_xscale("log", base=2); ax.set_yscale("log")
    ax.set_xlabel("sequence length L"); ax.set_ylabel("time per call (us)")
    ax.set_title(f"{rows[0][6]} SSD schedules: measured (solid) vs cost model (dashed)")
    ax.grid(True, which="both", alpha=0.3); ax.legend(fontsize=7, ncol=2)
    fig.tight_layout(); fig.savefig(a.out + ".png", dpi=110)
    print("wrote", a.out + ".png")


if __name__ == "__main__":
    main()
