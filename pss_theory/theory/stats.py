"""Statistics of repeated trials: exact confidence intervals for failure rates."""
from __future__ import annotations

from scipy import stats

from .. import validate as V
from .sources import cites


@cites("clopper_pearson1934")
def clopper_pearson(failures, trials, confidence=0.95) -> tuple[float, float]:
    """Exact two-sided (Clopper & Pearson 1934) interval for a failure probability.

    lo = Beta(alpha/2; x, n - x + 1) quantile (0 when x = 0), hi = Beta(1 - alpha/2; x + 1, n - x)
    quantile (1 when x = n), alpha = 1 - confidence.  E.g. 0 failures in 10 trials: (0, 0.3085).
    """
    trials = V.integer("trials", trials, minimum=1)
    failures = V.integer("failures", failures, minimum=0)
    if failures > trials:
        raise ValueError(f"failures ({failures}) cannot exceed trials ({trials})")
    confidence = V.open_unit("confidence", confidence)
    alpha = 1.0 - confidence
    lo = 0.0 if failures == 0 else float(stats.beta.ppf(alpha / 2.0, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(stats.beta.ppf(1.0 - alpha / 2.0, failures + 1, trials - failures))
    return lo, hi
