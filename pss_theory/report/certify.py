"""The per-row certificates' sentences: their claims (rate, tightness, calibration), the verdict, the
appendix table, the report's conclusions."""
from __future__ import annotations

import math

from ..claims import Claim, rate_claim

#: the check whose sentences these are
CHECK_NAME = "certify"


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


#: B / measured at the (1 - delta) quantile set as each family's target; a family
#: not named here is held to ``TIGHT_OTHERS``
TIGHT = {"gaussian": 1.25, "rademacher": 1.6, "achlioptas": 2.0, "countsketch": 2.0, "osnap": 2.0, "srht": 2.5}
TIGHT_OTHERS = 2.0


#: the relative tolerance of the 90 % coverage claim when the sample is large enough to resolve it
COVERAGE_TOLERANCE = 0.03


def coverage_tolerance(rows: int) -> tuple[float, bool]:
    """(relative tolerance, whether it was widened) of the coverage claim over ``rows`` PIT values.

    Under the exact law the count inside the central 90 % interval is Binomial(rows, 0.9), so the
    coverage has standard error sqrt(0.9 * 0.1 / rows); a tolerance below 3 of them would call a
    correct law failed by chance (at 200 rows, one run in five).  The tolerance is the larger of
    ``COVERAGE_TOLERANCE`` and 3 standard errors, relative to 0.9.
    """
    three_se = 3 * math.sqrt(0.9 * 0.1 / rows) / 0.9
    return max(COVERAGE_TOLERANCE, three_se), three_se > COVERAGE_TOLERANCE


def family_claims(fam: str, s: dict, delta: float) -> list[Claim]:
    proven = s["kind"] == "certificate"
    what = "certificate" if proven else "prediction (not a certificate)"
    kw = {"family": fam}
    note = "" if proven else f"a prediction: {s['note']}"
    out = [rate_claim("{family} " + what + ": seeds where some row in scope exceeds B_i", s["failures"], s["trials"],
                      delta, promised=proven, id=f"certify.{fam}.rate", note=note, values={"family": fam}, **kw),
           Claim("{family}: Clopper-Pearson upper end <= 2 delta (the target)", s["cp_high"], 2 * delta,
                 promised=proven, id=f"certify.{fam}.rate_upper", values={"family": fam}, **kw)]
    target = TIGHT.get(fam, TIGHT_OTHERS)
    out.append(Claim("{family}: tightness, B_i / measured error of the worst row at the (1 - delta) quantile over "
                     "seeds <= {target:g} (the target)", s["tightness"], target, id=f"certify.{fam}.tight",
                     values={"family": fam, "target": target}, **kw))
    cal = s.get("calibration")
    if cal:
        tolerance, widened = coverage_tolerance(cal["rows"])
        widened_note = (f"tolerance widened to {tolerance:.1%} of 0.9: 3 binomial standard errors over "
                        f"{cal['rows']:,} rows exceed {COVERAGE_TOLERANCE:.0%}" if widened else None)
        out.append(Claim("{family}: exact conditional law, coverage of its central 90% interval over {rows:,} "
                         "row draws (Monte Carlo of the law)", cal["coverage90"], 0.9, relation="~", tolerance=tolerance,
                         id=f"certify.{fam}.coverage", note=widened_note, values={"family": fam, "rows": cal["rows"]},
                         **kw))
        out.append(Claim("{family}: probability-integral transform uniform (Kolmogorov-Smirnov p-value >= 0.01; rows "
                         "of one S are weakly dependent)", cal["ks_pvalue"], 0.01, relation=">=",
                         id=f"certify.{fam}.uniform", values={"family": fam}, **kw))
    return out
