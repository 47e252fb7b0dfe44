"""The per-row certificate of Theorem 7's rows in scope, bounded from the row files pass 2 wrote."""
from __future__ import annotations

import numpy as np

from ..theory import certificates
from . import order_stats, row_summaries
from . import rows as rowfiles
from .row_stats import quantiles_of

CERT_CURVE_POINTS = 200  # rows of the eps_cert_i-vs-rho_i curve, evenly spaced in rho_i order


def certificate_record(pss, comp, spec, arrays: rowfiles.RowArrays, family: str, delta: float, rho: float) -> dict:
    """The per-row certificate (``theory.certificates``) beside the measured eps_i, from the row files: writes
    eps_cert_i (NaN outside the rows with rho_i > rho) into ``arrays`` and returns the record part ({"kind":
    "n/a"} for a PSS that is not S E).  ||E_i||^2 = (rho_i sigma_max)^2; one read gives the table's row
    masses, a second their bins, a third bounds the rows in scope a chunk at a time."""
    law = pss.distribution.row_law() if pss.linear else None
    scope = {"m": 0, "frob": 0.0, "top": row_summaries.Extremes(), "a": row_summaries.Extremes(), "few": []}
    for _, _, c in arrays.chunks(("rho_i",)):
        a = (c["rho_i"] * spec.sigma_max) ** 2
        sel = a[c["rho_i"] > rho]
        scope["m"] += sel.size
        scope["frob"] += float(a.sum())
        scope["top"].add(a[a > 0])
        scope["a"].add(sel)
        if scope["m"] <= certificates.GRID_POINTS:
            scope["few"].append(sel)
    m = scope["m"]
    if law is None or m == 0:
        for start, stop, _ in arrays.chunks(()):
            arrays.write(start, {"eps_cert_i": np.full(stop - start, np.nan)})
        return {"kind": "n/a"} if law is None else {"kind": "certificate" if law.proven else "prediction", "m": 0}
    top, bins = scope["top"].max, {}
    for _, _, c in arrays.chunks(("rho_i",)):
        a = (c["rho_i"] * spec.sigma_max) ** 2
        for b, count in certificates.mass_bins(a[a > 0], top).items():
            bins[b] = bins.get(b, 0) + count
    st = certificates.TableStats.from_summaries(comp.gram, arrays.n, scope["frob"], top, bins)
    grid = certificates.mass_grid(m, scope["a"].min, scope["a"].max, np.concatenate(scope["few"]) if m <= certificates.GRID_POINTS else None)

    def eps_cert(rho_i):
        a = (rho_i * spec.sigma_max) ** 2
        return certificates.row_bounds(st, law, a, delta / m, grid) / np.sqrt(a)

    ratio, violations, below, vacuous = row_summaries.Extremes(), 0, 0, 0
    for start, stop, c in arrays.chunks(("rho_i", "eps_i")):
        sel = c["rho_i"] > rho
        cert = eps_cert(c["rho_i"][sel])
        out = np.full(stop - start, np.nan)
        out[sel] = cert
        arrays.write(start, {"eps_cert_i": out})
        r = c["eps_i"][sel] / cert
        ratio.add(r)
        violations += int((r > 1).sum())
        below += int((cert < 1).sum())
        vacuous += int((~np.isfinite(cert)).sum())
    picks = np.unique(np.linspace(0, m - 1, min(m, CERT_CURVE_POINTS)).astype(int)).tolist()
    ((_, found),) = order_stats.order_statistics(arrays, [order_stats.Query("rho_i", lambda _: picks, lambda c: c["rho_i"] > rho,
                                                                        ("rho_i",))])
    curve_rho = np.array([f.value for f in found])
    q = quantiles_of(arrays, {"eps_cert": ("eps_cert_i", None, ())})["eps_cert"]
    return {"kind": "certificate" if law.proven else "prediction", "m": m, "sources": list(law.sources),
            "note": "; ".join(part for part in (law.reason, certificates.vacuous_note(vacuous, m, delta / m)) if part),
            "ratio_max": ratio.max, "violations": violations, "eps_cert": q,
            "below_one": below / m, "curve": {"rho": curve_rho.tolist(), "eps_cert": eps_cert(curve_rho).tolist()}}
