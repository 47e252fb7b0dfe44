"""The line saying in which precision a run multiplied, and why float64 where it did.

The operators multiply in float32 (a float32 table keeps float32 products); the passes accumulate the Gram
E^T E and the row norms in float64 whatever the operator's dtype.  A family's products are float64 when the
table is too ill-conditioned for float32 (``measure.metrics.FLOAT32_MAX_CONDITION``), when it has entries
float32 does not hold, or when the check asks for float64 itself (Theorem 4's pair errors).
"""
from __future__ import annotations

import math

from ..measure.metrics import FLOAT32_MAX_CONDITION

OUT_OF_RANGE = "the table has entries float32 does not hold (|x| > 1e30 or 0 < |x| < 1e-30)"


def ill_conditioned(condition) -> str:
    return (f"cond(E) = {condition:.3g} > {FLOAT32_MAX_CONDITION:g}, where float32 products would move "
            "eps_macro and c_i by more than ~1e-5 relative")


def why_float64(condition) -> str:
    """Why the passes chose float64 for a table of this condition number (None: infinite, as summary.json
    writes inf)."""
    condition = math.inf if condition is None else condition
    return ill_conditioned(condition) if condition > FLOAT32_MAX_CONDITION else OUT_OF_RANGE


def arithmetic_line(dtypes: dict[str, str], reasons: dict[str, str]) -> str:
    """``dtypes``: family -> the dtype of its products; ``reasons``: family -> why float64 (for those in it)."""
    groups: dict[str, list[str]] = {}
    for family, dtype in dtypes.items():
        groups.setdefault(dtype, []).append(family)
    parts = []
    for dtype, fams in groups.items():
        why = sorted({reasons[f] for f in fams if dtype == "float64" and f in reasons})
        parts.append(f"{dtype} products for {', '.join(fams)}" + (f" ({'; '.join(why)})" if why else ""))
    return "arithmetic: " + "; ".join(parts) + "; the Gram E^T E and the row norms accumulated in float64"
