"""Where each family's per-row certificate is loose: the union over the rows, the collided mass, the tail given it.

Run from the repository root:

    .venv/bin/python -m bench.cert_slack                          # zipf 1e4 x 32, k 256, rho 0.05, delta 0.1, 300 seeds
    .venv/bin/python -m bench.cert_slack --n 3000 --d 10 --seeds 1000 --family countsketch,osnap

Each seed draws S as ``verify.certify`` does and reads back every row in scope densely, so for each row i both
the error e_i = ||Mhat_i - E_i|| and its collided mass V_i = sum_{j != i} <s_i, s_j>^2 a_j are known.  With the
certificate's B_i, per family:

- tightness: B over the worst row at the 1 - delta quantile over seeds (what ``verify.certify`` reports), the
  product of the next two columns;
- per row: B_i over the row's own 1 - delta/m quantile (pooled over the rows in scope, each scaled by its B_i):
  the slack at the budget the union bound gives a row;
- union: that per-row quantile over the worst row's 1 - delta quantile: what the union over m rows costs
  beyond the rows' own tails (1 means the rows fail on disjoint seeds);
- the union's price: B_i at delta/m over B_i at delta (the bound's), and the rows' 1 - delta/m quantile over their
  1 - delta quantile (the measured rows');
- V: the 1 - delta/m quantile of sqrt(V_i) over sqrt(E V_i), E V_i = (||E||_F^2 - a_i)/k: the collided mass's own
  spread at the row's budget;
- tail given V: the 1 - delta/m quantile of e_i / sqrt(V_i): how far the signed sum goes beyond its mass.
"""
from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from bench.core import machine  # noqa: E402
from pss_theory import families  # noqa: E402
from pss_theory.measure.passes import row_norms  # noqa: E402
from pss_theory.tables import resolve  # noqa: E402
from pss_theory.theory import certificates  # noqa: E402

FAMILIES = "gaussian,rademacher,achlioptas,countsketch,osnap,srht"


def draws(dist, E: np.ndarray, rows: np.ndarray, seeds: int, seed: int):
    """(errors, collided masses), seeds x rows: each seed's S drawn as ``verify.certify`` draws it, densely."""
    a = (E**2).sum(axis=1)
    err, mass = np.empty((seeds, rows.size)), np.empty((seeds, rows.size))
    for t in range(seeds):
        S = dist.sample((seed, t)).with_dtype("float64").to_dense()
        inner = S[:, rows].T @ S  # <s_i, s_j>
        err[t] = np.linalg.norm(inner @ E - E[rows], axis=1)
        inner[np.arange(rows.size), rows] = 0.0
        mass[t] = (inner**2) @ a
    return err, mass


def factors(cert, st, law, err: np.ndarray, mass: np.ndarray, k: int) -> dict:
    m, delta = cert.m, cert.delta
    ratio = err / cert.bound
    worst = float(np.quantile(ratio.max(axis=1), 1 - delta))
    per_row = float(np.quantile(ratio, 1 - delta / m))
    a = st.row_sq[cert.rows]
    at_delta = certificates.row_bounds(st, law, a, delta)
    expected = (st.frobenius_sq - a) / k
    return {"m": m, "tightness": 1.0 / worst, "per_row": 1.0 / per_row, "union": per_row / worst,
            "union_price": float(np.median(cert.bound / at_delta)),
            "rows_union_price": per_row / float(np.quantile(ratio, 1 - delta)),
            "V": float(np.quantile(np.sqrt(mass / expected), 1 - delta / m)),
            "tail_given_V": float(np.quantile(err / np.sqrt(np.maximum(mass, 1e-300)), 1 - delta / m))}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", default="zipf")
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--k", type=int, default=256)
    ap.add_argument("--rho", type=float, default=0.05)
    ap.add_argument("--delta", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--family", default=FAMILIES)
    a = ap.parse_args(argv)
    E = np.ascontiguousarray(resolve(a.table, n=a.n, d=a.d, seed=a.seed, default_n=a.n, default_d=a.d).block(0, a.n),
                             dtype=np.float64)
    st = certificates.TableStats.from_gram(E.T @ E, row_norms(np, E))
    print(f"# Certificate slack, {a.table} {a.n} x {a.d}, k = {a.k}, rho = {a.rho}, delta = {a.delta}, {a.seeds} seeds\n")
    print("\n".join(machine()) + "\n")
    print("| family | rows | tightness | per row | union | union's price: bound / rows | V | tail given V |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in a.family.split(","):
        dist = families.Distribution.of(name, k=a.k, n=a.n, d=a.d)
        law = dist.row_law()
        cert = certificates.certify(st, law, name, a.k, a.delta, a.rho)
        f = factors(cert, st, law, *draws(dist, E, cert.rows, a.seeds, a.seed), a.k)
        print(f"| {name} | {f['m']} | {f['tightness']:.2f} | {f['per_row']:.2f} | {f['union']:.2f} | "
              f"{f['union_price']:.2f} / {f['rows_union_price']:.2f} | {f['V']:.2f} | {f['tail_given_V']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
