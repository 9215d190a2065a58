#!/usr/bin/env python3
"""Turns ssdc_bench_ssd_cpu CSV output (with --benchmark_repetitions) into the
crossover table and cost coefficients of docs/perf/cpu_crossovers.md.

Takes the minimum over repetitions of each point (robust to interference on a
shared machine), picks the fastest schedule per (L, b*h), the best chunk size,
and fits per schedule  t = c0 + sum_i c_i * f_i  by least squares on relative
error (weights 1/t^2):
  recurrent  f1 = L*H*P*N
  quadratic  f1 = L*H*P*N, f2 = L^2*H*(P + N)
  chunked    f1 = L*H*P*N, f2 = L*H*P*N/Q (chunk-state traffic),
             f3 = L*H*Q*(P + N) (diagonal blocks)   (every Q measured)
Usage: crossovers.py [--p P] [--n N] [--emit-csv OUT.csv] RESULTS.csv...   (defaults P = 64, N = 128;
several files: the minimum over all of them)
"""
import csv
import sys
from collections import defaultdict


def load(path, best):
    with open(path) as f:
        lines = [l for l in f if l.startswith('name') or l.startswith('"BM_') or l.startswith('BM_')]
    rows = list(csv.reader(lines))
    hdr = rows[0]
    it, rt = hdr.index('name'), hdr.index('real_time')
    for r in rows[1:]:
        name = r[it]
        if any(name.endswith(s) for s in ('_mean', '_median', '_stddev', '_cv')):
            continue
        parts = name.replace('/real_time', '').split('/')
        key = (parts[0][3:],) + tuple(int(p) for p in parts[1:])
        t = float(r[rt])  # microseconds
        best[key] = min(best.get(key, float('inf')), t)
    return best


def solve(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[c][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * bb for a, bb in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] if M[i][i] != 0 else 0.0 for i in range(n)]


def fit(points):
    """points: list of (features list, t). Weighted LSQ on relative error."""
    k = len(points[0][0])
    AtA = [[0.0] * k for _ in range(k)]
    Atb = [0.0] * k
    for f, t in points:
        w = 1.0 / (t * t)
        for i in range(k):
            Atb[i] += w * f[i] * t
            for j in range(k):
                AtA[i][j] += w * f[i] * f[j]
    c = solve(AtA, Atb)
    err = max(abs(sum(ci * fi for ci, fi in zip(c, f)) - t) / t for f, t in points)
    return c, err


def main():
    args = sys.argv[1:]
    P, N = 64, 128
    emit = None
    while args and args[0] in ('--p', '--n', '--emit-csv'):
        if args[0] == '--p':
            P = int(args[1])
        elif args[0] == '--n':
            N = int(args[1])
        else:
            emit = args[1]
        args = args[2:]
    best = {}
    for path in args:
        load(path, best)
    if emit:
        with open(emit, 'w') as f:
            f.write('schedule,L,bh,Q,P,N,min_us\n')
            for key in sorted(best):
                q = key[3] if len(key) > 3 else ''
                f.write('%s,%d,%d,%s,%d,%d,%.2f\n' % (key[0].lower(), key[1], key[2], q, P, N, best[key]))
    rec = {(L, H): t for (k, L, H, *_), t in best.items() if k == 'Recurrent'}
    quad = {(L, H): t for (k, L, H, *_), t in best.items() if k == 'Quadratic'}
    dec = {H: t for (k, L, H, *_), t in best.items() if k == 'DecodeStep'}
    chunk = defaultdict(dict)
    for (k, L, H, *rest), t in best.items():
        if k == 'Chunked':
            chunk[(L, H)][rest[0]] = t
    print('| b·h | L | recurrent µs | quadratic µs | chunked µs (best Q) | per-Q chunked µs | fastest |')
    print('|---|---|---|---|---|---|---|')
    for H in sorted({h for _, h in rec}):
        for L in sorted({l for l, h in rec if h == H}):
            cands = {}
            if (L, H) in rec:
                cands['recurrent'] = rec[(L, H)]
            if (L, H) in quad:
                cands['quadratic'] = quad[(L, H)]
            cq = chunk.get((L, H), {})
            if cq:
                q = min(cq, key=cq.get)
                cands['chunked Q=%d' % q] = cq[q]
            win = min(cands, key=cands.get)
            fmt = lambda v: '%.0f' % v if v >= 100 else '%.1f' % v
            perq = ', '.join('%d: %s' % (q, fmt(cq[q])) for q in sorted(cq))
            print('| %d | %d | %s | %s | %s | %s | **%s** |' % (
                H, L, fmt(rec[(L, H)]) if (L, H) in rec else '–',
                fmt(quad[(L, H)]) if (L, H) in quad else '–',
                ('%s (%d)' % (fmt(cq[min(cq, key=cq.get)]), min(cq, key=cq.get))) if cq else '–',
                perq or '–', win))
    print()
    if dec:
        print('Decode step (L = 1): ' + ', '.join(
            'b·h %d: %.1f µs (%.3f ns per H·P·N)' % (H, t, t * 1e3 / (H * P * N))
            for H, t in sorted(dec.items())))
        print()
    pts = [([1.0, L * H * P * N], t) for (L, H), t in rec.items() if L >= 16]
    c, e = fit(pts)
    print('recurrent: t = %.3g us + %.4g ns * L*H*P*N   (max rel. misfit %.0f%%, L >= 16)'
          % (c[0], c[1] * 1e3, 100 * e))
    pts = [([1.0, L * H * P * N, L * L * H * (P + N)], t) for (L, H), t in quad.items() if L >= 16]
    c, e = fit(pts)
    print('quadratic: t = %.3g us + %.4g ns * L*H*P*N + %.4g ns * L^2*H*(P+N)   (max rel. misfit %.0f%%, L >= 16)'
          % (c[0], c[1] * 1e3, c[2] * 1e3, 100 * e))
    pts = []
    for (L, H), cq in chunk.items():
        if L < 64:
            continue
        for q, t in cq.items():
            w = L * H * P * N
            pts.append(([1.0, w, w / q, L * H * q * (P + N)], t))
    c, e = fit(pts)
    print('chunked:   t = %.3g us + %.4g ns * L*H*P*N + %.4g ns * L*H*P*N/Q + %.4g ns * L*H*Q*(P+N)   (all Q, max rel. misfit %.0f%%, L >= 64)'
          % (c[0], c[1] * 1e3, c[2] * 1e3, c[3] * 1e3, 100 * e))

if __name__ == '__main__':
    main()
