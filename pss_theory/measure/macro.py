"""Theorem 6's measurements: one trial's exact macro distortion (one pass over E), and the power law
eps_macro ~ C (d / k)^a fitted over the trials."""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .. import families
from . import memory, metrics

MEASURED = ("eps_macro_norm", "eps_macro_inner", "lambda_min", "lambda_max")


def trial(family: str, k: int, seed: int, number: int, table, *, params: dict | None = None, device="cpu",
          block_rows=None, progress=None, pool=None) -> dict:
    """Trial ``number`` of ``seed``: draw S (keyed ``rng.sketch_key(seed, number)``), stream E once (in float64
    when E is ill-conditioned; its row spans on ``pool``'s workers when given), and measure the exact macro
    distortion."""
    S = families.sketch(family, k=k, n=table.n, seed=seed, trial=number, device=device, **(params or {}))
    rows = memory.plan_block_rows(S, table.d, block_rows, row_arrays=1)
    S, comp, spec = memory.first_pass(S, table, rows, progress, pool)
    em = metrics.eps_macro(comp, spec=spec)
    return {name: em[name] for name in MEASURED} | {"sigma_max": spec.sigma_max, "condition": spec.condition,
                                                     "dtype": S.dtype.name}


def fit_power_law(records: list[dict], d: int) -> dict:
    """Least squares fit of log eps_macro = log C + a log(d/k) over all trials, with 95% intervals.

    The theory (and Marchenko-Pastur for Gaussian S) says a = 1/2.
    """
    x = np.log([d / r["k"] for r in records])
    y = np.log([r["eps_macro_norm"] for r in records])
    if len(set(x.tolist())) < 2:
        return {"a": None, "C": None}
    fit = stats.linregress(x, y)
    t = stats.t.ppf(0.975, len(x) - 2) if len(x) > 2 else math.inf
    return {"a": fit.slope, "a_lo": fit.slope - t * fit.stderr, "a_hi": fit.slope + t * fit.stderr,
            "C": math.exp(fit.intercept), "C_lo": math.exp(fit.intercept - t * fit.intercept_stderr),
            "C_hi": math.exp(fit.intercept + t * fit.intercept_stderr), "points": len(x)}
