"""The line on rho that Theorems 7 and 4 print: what the table's rho_i say and what --rho selects."""
from __future__ import annotations


def rho_line(summary) -> str:
    """What the data say about rho: the quantiles of rho_i and the rows the run's rho selects."""
    s = summary["rho_scan"]
    q = s["rho_i"]
    text = (f"rho_i = ||E_i|| / sigma_max: largest {q['max']:.3g}, p99 {q['p99']:.3g}, median {q['p50']:.3g}, "
            f"smallest {q['min']:.3g}; rho = {s['rho']:g} selects {s['selected_rows']:,} of {s['rows']:,} rows")
    return text + ("" if s["selected_rows"] else f" (try --rho {s['suggested_rho']:g})")

