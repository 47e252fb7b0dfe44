"""Theorem 6 (Macro PSS): measured worst-case distortion against what the theory promises.

Claim (appendix B): if S is JLT(eps, delta, 9^d) then ||S E x|| = (1 +- eps) ||E x|| for all x
(Eq. 4), and the inner products within O(eps) (Eq. 5), with probability >= 1 - delta.
``metrics.eps_macro`` measures the sup over all x exactly; this check runs trials (a cell is one
family, one k, one trial), sweeps k, and turns the records into claims.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import families, theory, validate
from ..backend import get_backend
from ..claims import Claim, comparison_row, headline
from ..errors import InputError
from ..measure import cost, memory
from ..measure.cells import log_k_grid, trial_seed
from ..measure.macro import MEASURED, fit_power_law, trial
from ..progress import stage
from ..report.theorem6 import claims_at, verdict
from ..summary import Summary
from . import auto_k
from .base import Check, Plan, State, option
from .common import TableOptions, check_common, family_help, family_list, plan_families, resolve_table

#: cells (each a pass over the table) a run may plan; more is a typo, not a study
MAX_CELLS = 100_000


#: k values of a log-spaced sweep unless --k-points says otherwise
K_POINTS = 6


@dataclass
class Options(TableOptions):
    """``family``: one name, a list, or ``all``; ``trials`` sketches per k.  The k values, given one way:
    ``k`` (one or a list; default 8 d), ``compression`` (a list of n / k), or a sweep: ``k_points`` values
    log-spaced from ``k_min`` (default 2 d) to ``k_max`` (default n / 4), asked for by ``sweep`` or by any
    of those three.  With more than one k the run fits eps ~ C (d/k)^a and draws its figures."""

    k: object = option(None, "sketch sizes, comma-separated (default 8 d), or auto: the k Theorem 6's proof needs for eps",
                       lambda t: auto_k.AUTO if auto_k.is_auto(t) else validate.listed(lambda v: validate.count("k", v))(t))
    family: object = option(None, family_help("sketch family"),
                            family_list, default_factory=lambda: ["gaussian"])
    trials: int = option(3, "independent sketches per cell", lambda t: validate.count("trials", t))
    sweep: bool = option(False, f"sweep k log-spaced from 2d to n/4 ({K_POINTS} values) and fit eps ~ C (d/k)^a",
                         flag=True)
    k_min: int | None = option(None, "smallest k of a log-spaced sweep (default 2 d)", lambda t: validate.count("k_min", t))
    k_max: int | None = option(None, "largest k of a log-spaced sweep (default n / 4)", lambda t: validate.count("k_max", t))
    k_points: int | None = option(None, f"k values in a log-spaced sweep (default {K_POINTS})",
                                  lambda t: validate.count("k_points", t))
    compression: list | None = option(None, "compressions n / k, comma-separated (each gives k = n / compression)",
                                      validate.listed(lambda t: validate.positive("compression", t)))


def k_values(o: Options, n: int, d: int, params: dict[str, dict]) -> tuple[list[int], str | None]:
    """The k values of a run, from exactly one of --k (or --k auto), --compression and a sweep (InputError for
    two), and the line that says auto's rule (None without auto)."""
    grid = o.sweep or o.k_min is not None or o.k_max is not None or o.k_points is not None
    given = [name for name, on in (("--k", o.k is not None), ("--compression", o.compression is not None),
                                   ("a sweep (--sweep, --k-min, --k-max, --k-points)", grid)) if on]
    if len(given) > 1:
        raise InputError(f"give the k values one way: {' and '.join(given)} both set them")
    if o.k == auto_k.AUTO:
        k, rule = auto_k.macro(o, n, d, params)
        return [k], rule
    if o.k is not None:
        return sorted(set(o.k if isinstance(o.k, list) else [o.k])), None
    if o.compression is not None:
        comps = [validate.positive("compression", c) for c in o.compression]
        return sorted({max(1, round(n / c)) for c in comps}), None
    if grid:
        points = validate.positive_int("k_points", o.k_points if o.k_points is not None else K_POINTS)
        lo = validate.positive_int("k_min", o.k_min) if o.k_min is not None else 2 * d
        hi = validate.positive_int("k_max", o.k_max) if o.k_max is not None else max(2 * d, n / 4)
        if lo > hi:
            raise InputError(f"--k-min {lo:,} is above --k-max {hi:,.0f}")
        return log_k_grid(lo, hi, min(points, MAX_CELLS)), None
    return [8 * d], None


def theory_at(family: str, k: int, n: int, d: int, eps: float, delta: float, params: dict | None = None) -> dict:
    """The theory side at this k: the eps Theorem 6 gives as stated and as its proof supports (norm and
    inner-product forms), the calculator's sufficient k for ``eps`` both ways, and sharper predictions.

    The bounds get the parameters of the sketch actually drawn (osnap's s, achlioptas' density, srht's N).
    """
    fam = families.get(family, sketches_only=True)
    dist = families.Distribution.of(family, k=k, n=n, d=d, **(params or {}))
    extra = dist.bound_params()
    log10 = math.log(10)
    k_proof = theory.theorem6_k_proved(eps, delta, d, family, **extra)
    return {
        "theorem6_eps": theory.theorem6_eps(k, delta, d, family, **extra),
        "theorem6_eps_norm_proof": theory.theorem6_eps_proved(k, delta, d, family, **extra),
        "theorem6_eps_inner": theory.theorem6_eps_proved(k, delta, d, family, form="inner", **extra),
        "theorem6_k": theory.theorem6_k(eps, delta, d, family, **extra),
        "theorem6_log10_k": theory.theorem6_log_k(eps, delta, d, family, **extra) / log10,
        "theorem6_k_proof": k_proof,
        "theorem6_log10_k_proof": math.log10(k_proof) if math.isfinite(k_proof) else
        theory.theorem6_log_k(eps, delta, d, family, jlt_factor=4 / (2 - eps), **extra) / log10,
        "constants_proven": fam.constants_proven,
        **dist.macro_prediction(delta),
    }


def per_k_row(family: str, k: int, n: int, records: list[dict], th: dict, claims: list[Claim]) -> dict:
    """One family at one k: the measured eps_macro against Theorem 6's eps (as stated and as the proof
    supports) and its sufficient k, and the status of the norm-form claim as the proof supports it."""
    norm = np.array([r["eps_macro_norm"] for r in records])
    return comparison_row(family=family, k=k, compression=n / k, trials=len(records),
                          eps_macro_p50=float(np.median(norm)), eps_macro_max=float(norm.max()),
                          theorem6_eps=th["theorem6_eps"], theorem6_eps_proof=th["theorem6_eps_norm_proof"],
                          theorem6_k_proof=th["theorem6_k_proof"],
                          **headline([c.as_dict() for c in claims], family, "theorem6.norm.proof"))


def failure_rates(records: list[dict], family: str, eps: float, delta: float, n: int, d: int,
                  params: dict | None = None) -> dict:
    """Per k: the fraction of trials with eps_macro > eps and its 95% Clopper-Pearson interval."""
    ks = sorted({r["k"] for r in records if r["family"] == family})
    out = {"k": ks, "rate": [], "lo": [], "hi": [], "trials": [],
           "k_required": theory_at(family, ks[0], n, d, eps, delta, params)["theorem6_k_proof"]}
    for k in ks:
        vals = [r["eps_macro_norm"] for r in records if r["family"] == family and r["k"] == k]
        fails = sum(v > eps for v in vals)
        lo, hi = theory.clopper_pearson(fails, len(vals))
        out["rate"].append(fails / len(vals))
        out["lo"].append(lo)
        out["hi"].append(hi)
        out["trials"].append(len(vals))
    return out


@dataclass(kw_only=True)
class SweepState(State):
    """What a Theorem 6 plan keeps: the families and their parameters, and whether the run is a sweep
    (several k, or --sweep: then curves, fits and failure rates are reported)."""

    families: list[str]
    params: dict  # family -> its parameters
    sweep: bool


@dataclass(kw_only=True)
class Result(Summary):
    """What ``theorem6`` reports beside the common fields (docs/schema.md); ``stats`` holds one list per
    measured quantity, a value per trial.  ``curves``, ``fit`` and ``failure_rate`` (by family) are None
    unless the run is a sweep."""

    eps: float
    delta: float
    trials: int
    params: dict  # family -> its parameters
    verdict: list[str]  # one line per family, in order
    sources: dict
    comparison: list[dict]  # one row per family at the largest k
    per_k: list[dict]  # one row per (family, k)
    curves: dict | None = field(default=None)  # family -> Theorem 6's eps and the prediction against k
    fit: dict | None = field(default=None)  # family -> eps_macro ~ a (d / k)^b, fitted
    failure_rate: dict | None = field(default=None)  # family -> measured failure rate against k


class Theorem6(Check):
    name = "theorem6"
    theorem = 6
    order = 1
    title = "Theorem 6 (Macro PSS)"
    description = "Theorem 6: worst-case distortion of ||S E x|| over all x."
    examples = (
        ("--n 1e5 --d 64 --k 512", "exact eps_macro of 3 draws of a Gaussian S on a generated table"),
        ("--sweep --family gaussian,countsketch,srht", "sweep k from 2d to n/4 for three families, with figures"),
        ("--table emb.npy --family all --k 2048 --trials 10", "your table, every sketch family, 10 draws each"),
    )
    Options = Options
    Result = Result
    figures_default = "figures"
    record_key = ("family", "params", "k", "trial", "n", "d", "seed", "table")
    family_params = True
    scales = {
        "smoke": dict(n=2048, d=8, sweep=True, k_points=3, trials=4, eps=0.5, family=["gaussian", "countsketch", "srht"]),
        "default": dict(n=20000, d=32, sweep=True, k_points=6, trials=8, eps=0.3,
                        family=["gaussian", "countsketch", "srht"]),
        "paper": dict(n=10**6, d=128, sweep=True, k_points=6, trials=10, eps=0.3,
                      family=["gaussian", "countsketch", "srht"]),
    }

    def plan(self, o: Options) -> Plan:
        check_common(o)
        params = plan_families(o)  # sketches S only: Theorem 6 needs M = S E
        fams = o.family
        validate.positive_int("trials", o.trials)
        backend = get_backend(o.device)
        table = resolve_table(o)
        d, n = table.d, table.n
        ks, k_rule = k_values(o, n, d, params)
        if len(fams) * len(ks) * o.trials > MAX_CELLS:
            raise InputError(f"{len(fams)} families x {len(ks)} k values x {o.trials:,} trials is more than "
                             f"{MAX_CELLS:,} cells (each a full pass over the table): use fewer --trials or --k-points")
        for k in ks:
            for fam in fams:
                families.get(fam).check_k(k, n, d)
        largest = {}
        for fam in fams:  # the theory and the memory once before any work: errors surface here
            theory_at(fam, ks[0], n, d, o.eps, o.delta, params[fam])
            largest[fam] = families.sketch(fam, k=ks[-1], n=n, device=backend, **params[fam])
            memory.plan_block_rows(largest[fam], d, o.block_rows, row_arrays=1)
        seconds = o.trials * sum(cost.pass_seconds(table, S, k=k) for S in largest.values() for k in ks)
        cost.check_time(seconds, f"{len(fams) * len(ks) * o.trials:,} passes over {n:,} x {d}", o.yes)
        desc = table.describe()
        cells = [{"family": fam, "params": params[fam], "k": k, "trial": t, "n": n, "d": d, "seed": o.seed, "table": desc,
                  "sketch_seed": trial_seed(o.seed, t), "compression": n / k}
                 for fam in fams for k in ks for t in range(o.trials)]
        return Plan(o, table, backend, cells, SweepState(families=fams, params=params, k_rule=k_rule,
                                                         sweep=o.sweep or len(ks) > 1))

    def work(self, plan, cell):
        return plan.table.n

    def valid_record(self, record):
        values = [record.get(name) for name in MEASURED]
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
                   for v in values)

    def measure(self, plan, cell, progress):
        return trial(cell["family"], cell["k"], cell["seed"], cell["trial"], plan.table, params=cell["params"],
                     device=plan.backend,
                     block_rows=plan.options.block_rows, progress=stage(progress, "pass 1", plan.table.n),
                     pool=plan.context.pool)

    def summarize(self, plan, records, seconds) -> Result:
        o, table = plan.options, plan.table
        fams, params, ks = plan.state.families, plan.state.params, sorted({r["k"] for r in records})
        sweep = plan.state.sweep
        claims, verdicts, curves, fits, rates, per_k = [], [], {}, {}, {}, []
        k_main = ks[-1]  # the claims are made at the largest k; per_k has every k
        for fam in fams:
            fam_records = [r for r in records if r["family"] == fam]
            for k in ks:
                at_k = [r for r in fam_records if r["k"] == k]
                th = theory_at(fam, k, table.n, table.d, o.eps, o.delta, params[fam])
                made = claims_at(fam, at_k, th, k, o.eps, o.delta)
                per_k.append(per_k_row(fam, k, table.n, at_k, th, made))
            claims += made
            verdicts.append(verdict(fam, at_k, th, k_main, o.eps, o.delta))
            if sweep:
                at = [theory_at(fam, k, table.n, table.d, o.eps, o.delta, params[fam]) for k in ks]
                curves[fam] = {"k": ks, **{name: [t[name] for t in at] for name in ("theorem6_eps", "prediction")}}
                fits[fam] = fit_power_law(fam_records, table.d)
                rates[fam] = failure_rates(records, fam, o.eps, o.delta, table.n, table.d, params[fam])
        st = {name: [r[name] for r in records] for name in MEASURED + ("family", "k", "trial", "dtype", "condition")}
        extra = {"eps": o.eps, "delta": o.delta, "trials": o.trials, "params": params, "verdict": verdicts,
                 "sources": {key: theory.SOURCES[key] for key in ("desai2022", "woodruff2014", "davidson_szarek2001")},
                 "comparison": [row for row in per_k if row["k"] == k_main], "per_k": per_k}
        if sweep:
            extra.update(curves=curves, fit=fits, failure_rate=rates)
        return self.common(plan, k=ks, family=fams, seconds=seconds, claims=claims, stats=st, **extra)

CHECK = Theorem6()
