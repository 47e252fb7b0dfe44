"""The compare check's sentences: one row per (method, compression), the header, the verdict, the sources."""
from __future__ import annotations

from ..claims import comparison_row
from ..tables import table_label
from .claim_tables import fmt

#: the check whose sentences these are
CHECK_NAME = "compare"
#: a median eps_i at or above this is said to be no better than reading zeros back (eps_i = 1 exactly)
ZERO_LIKE = 0.99


def comparison_rows(cells: list[dict]) -> list[dict]:
    """One flat row per cell; a method that cannot reach the compression has n/a everywhere and says which
    compressions it reaches."""
    rows = []
    for c in cells:
        reached = c["reached"]

        def pick(*keys, cell=c, reached=reached):
            return _dig(cell, keys) if reached else None

        rows.append(comparison_row(
            method=c["method"], compression=c["compression"],
            memory_bytes=pick("memory_bytes"), compression_reached=pick("compression_reached"),
            eps_i_p50=pick("eps_i", "p50"), eps_i_p99=pick("eps_i", "p99"), eps_i_max=pick("eps_i", "max"),
            scope_eps_i_max=pick("eps_i_scope", "max"), within_eps=pick("within_eps"), eps_macro=pick("eps_macro"),
            pi_p99=pick("pairs_sampled", "p99"), top_pi_max=pick("pairs_top", "max"),
            fit_seconds=pick("fit_seconds"),
            note="" if reached else f"n/a: reaches {c['reachable'][0]:g}x..{c['reachable'][1]:.4g}x"))
    return rows


def _dig(cell: dict, keys):
    value = cell
    for key in keys:
        value = None if value is None else value.get(key)
    return value


def header(summary):
    return (f"Beyond the paper: PSS methods at equal memory on table {table_label(summary['table'])}: n = "
            f"{summary['n']:,}, d = {summary['d']}; budget 4 n d / compression bytes; rows in scope rho_i > "
            f"{summary['rho']:g}; within eps: eps_i <= {summary['eps']:g}")


def text(summary):
    lines = ["fit (passes over E; relative squared residual per ALS half-sweep, or per Lloyd iteration on the "
             "training sample and last on all rows):"]
    for c in summary["cells"]:
        if c["reached"] and c.get("fit_residuals"):
            res = ", ".join(fmt(x) for x in c["fit_residuals"])
            lines.append(f"  {c['method']} at {c['compression']:g}x: {c['fit_passes']} passes; {res}")
    return lines


def appendix(summary):
    return ["How the budget sets each method's sizes:\n\n" + "\n".join(f"- {name}: {rule}" for name, rule in
                                                                        summary["rules"].items()),
            "Sources of the methods:\n\n" + "\n".join(f"- `{key}`: {text}" for key, text in summary["sources"].items())]


def verdict(cells: list[dict], eps: float) -> list[str]:
    """Per compression, the method with the smallest median eps_i, and those that cannot reach it."""
    out = []
    for comp in sorted({c["compression"] for c in cells}):
        here = [c for c in cells if c["compression"] == comp]
        reached = [c for c in here if c["reached"]]
        missing = [c["method"] for c in here if not c["reached"]]
        if reached:
            best = min(reached, key=lambda c: (c["eps_i"]["p50"], c["method"]))
            line = (f"At {comp:g}x the smallest median eps_i is {best['method']}'s ({fmt(best['eps_i']['p50'])}; "
                    f"{fmt(100 * best['within_eps'])}% of rows within eps = {eps:g})")
            if best["eps_i"]["p50"] >= ZERO_LIKE:
                line += ": no method reads the median row back better than zeros would (eps_i = 1)"
        else:
            line = f"At {comp:g}x no method fits the budget"
        out.append(line + (f"; n/a: {', '.join(missing)}." if missing else "."))
    return out


def conclusions(summary):
    return ["**PSS at equal memory.** " + " ".join(summary["verdict"])]
