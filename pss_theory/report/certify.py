"""The per-row certificates' sentences: the verdict, the appendix table, the report's conclusions."""
from __future__ import annotations


def verdict(per: dict, delta: float) -> str:
    parts = []
    for fam, s in per.items():
        parts.append(f"{fam} ({s['kind']}, {s['m']} rows in scope): {s['failures']} of {s['trials']} seeds fail "
                     f"(CP upper {s['cp_high']:.3g} vs delta {delta:g}), bound {s['tightness']:.3g}x the worst measured "
                     f"error at the 1 - delta quantile, median certified eps_i {s['eps_cert']['p50']:.3g}")
    return "; ".join(parts) + "."


def appendix(summary):
    rows = ["| family | kind | rows in scope | eps_cert_i median (range) | failures / seeds | B / measured at 1 - delta |",
            "|---|---|---|---|---|---|"]
    for fam in summary["family"]:
        s = summary["stats"][fam]
        rows.append(f"| {fam} | {s['kind']} | {s['m']} | {s['eps_cert']['p50']:.3g} ({s['eps_cert']['min']:.3g}.."
                    f"{s['eps_cert']['max']:.3g}) | {s['failures']} / {s['trials']} | {s['tightness']:.3g} |")
    return ["\n".join(rows)]


def conclusions(summary):
    return ["**Per-row certificates.** " + summary["verdict"]]

