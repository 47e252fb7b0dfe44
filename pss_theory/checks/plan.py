"""The planner: from one pass over E, the sketch size each guarantee needs, per family.

``python -m verify.plan --table PATH|KIND --eps E --rho R --delta D`` reads E once (its Gram and every
row norm, the norms into a temporary row file: ``measure.table_stats``) and answers, per sketch family: the k
that Theorem 6 and Theorem 7 need (as stated, and as their proofs support), the k the per-row
certificate needs (every row with rho_i > rho certified to eps_i <= eps, bisection on the bound, which
falls as k grows), the smallest k at which each certifies anything (an eps below 1), and the
compression n / k of each.
With ``--k`` or ``--compression`` instead it answers the other way: the eps each certifies at that k.
Any S E sketch needs k >= d, so its compression is at most n / d; beyond that only a PSS that is not
S E (ROBE-Z) compresses further, with no certificate of this kind.

It is a check without an appendix block (``in_report = False``): the runner gives it its flags,
``--json`` and ``--out``; the report does not run it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import families, theory, validate
from ..backend import get_backend
from ..errors import InputError
from ..measure import cost
from ..measure.table_stats import Scope, table_stats
from ..progress import stage
from ..records import flatten, unflatten
from ..summary import Summary
from ..tables import registry, resolve
from ..theory import certificates, k_search
from .base import Check, Plan, State, option
from .common import DEFAULT_D, DEFAULT_N, family_help, family_list, plan_families

#: eps just below 1: where a bound stops being vacuous
NON_VACUOUS = 1.0 - 1e-9


@dataclass
class Options:
    """Exactly one of ``eps`` (the k each guarantee needs), ``k`` or ``compression`` (the eps each certifies)."""

    table: object = option("zipf", registry.table_help(), str)
    n: int | None = option(None, f"rows of a generated table (default {DEFAULT_N:g})", lambda t: validate.count("n", t))
    d: int | None = option(None, f"columns of a generated table (default {DEFAULT_D})", lambda t: validate.count("d", t))
    key: str | None = option(None, registry.key_help(), str)
    eps: float | None = option(None, "target accuracy eps_i <= eps, in (0, 1)", lambda t: validate.open_unit("eps", t))
    k: int | None = option(None, "sketch size: report the eps each guarantee certifies", lambda t: validate.count("k", t))
    compression: float | None = option(None, "n / k: report the eps each guarantee certifies at k = n / compression",
                                       lambda t: validate.positive("compression", t))
    rho: float = option(0.25, "rows in scope: rho_i > rho, in (0, 1]", lambda t: validate.unit_closed_right("rho", t))
    delta: float = option(0.1, "failure probability, in (0, 1)", lambda t: validate.open_unit("delta", t))
    family: list = option("all", family_help("sketch families"), family_list)
    seed: int = option(0, "seed of a generated table", validate.seed_text)
    yes: bool = option(False, "run even when the pass is estimated to take over an hour", flag=True)


def _finite(x):
    return None if x is None or not math.isfinite(x) else float(x)


def family_plan(fam_name: str, given: dict, st: certificates.TableStats, scope: Scope, o: Options,
                k_at: int | None) -> dict:
    """One family's answer: required k (eps mode) or certified eps (k mode) for each guarantee, for the
    family's parameters ``given`` (``--family osnap:s=8``; the family's defaults where none is given)."""
    fam = families.get(fam_name, sketches_only=True)
    n, d = st.n, st.d
    k_hi = k_search.k_limit(fam_name, n)
    dist = families.Distribution.of(fam_name, k=d, n=n, d=d, **given)
    law_kind = "certificate" if dist.row_law().proven else "prediction"
    params = dist.bound_params()

    def cert(k):
        return certificates.certify(st, dist.at_k(int(k)).row_law(), fam_name, int(k), o.delta, o.rho, rows=rows,
                                    masses=scope.masses)

    rows = scope.rows
    out = {"family": fam_name, "certificate_kind": law_kind, "rows_in_scope": int(rows.size),
           "jlt_constants_proven": fam.constants_proven}
    if k_at is not None:
        c = cert(k_at)
        out.update(k=k_at, compression=n / k_at,
                   theorem6_eps=_finite(theory.theorem6_eps(k_at, o.delta, d, fam_name, **params)),
                   theorem6_eps_proof=_finite(theory.theorem6_eps_proved(k_at, o.delta, d, fam_name, **params)),
                   theorem7_eps=_finite(theory.theorem7_eps(k_at, o.delta, d, n, o.rho, fam_name, **params)),
                   theorem7_eps_proof=_finite(theory.theorem7_eps(k_at, o.delta, d, n, o.rho, fam_name, part_a_factor=2.0,
                                                                  **params)),
                   certificate_eps_max=c.eps_max, certificate_eps_median=float(np.median(c.eps)) if c.m else None)
        return out

    def needs(eps):
        t6 = theory.theorem6_k(eps, o.delta, d, fam_name, **params)
        t6p = theory.theorem6_k_proved(eps, o.delta, d, fam_name, **params)
        t7 = theory.theorem7_k(eps, o.delta, d, n, o.rho, fam_name, **params)
        t7p = theory.theorem7_k(eps, o.delta, d, n, o.rho, fam_name, part_a_factor=2.0, **params)
        kc = k_search.k_for_eps(eps, cert, d, k_hi) if rows.size else None
        return {"theorem6": t6, "theorem6_proof": t6p, "theorem7": t7, "theorem7_proof": t7p, "certificate": kc}

    want, first = needs(o.eps), needs(NON_VACUOUS)
    for name in want:
        k = want[name]
        k = None if k is None or not math.isfinite(k) else max(float(k), float(d))
        out[f"k_{name}"] = k
        out[f"compression_{name}"] = n / k if k else None
        k0 = first[name]
        out[f"k_nonvacuous_{name}"] = None if k0 is None or not math.isfinite(k0) else max(float(k0), float(d))
    return out


@dataclass(kw_only=True)
class PlannerState(State):
    """What the planner keeps: the k it answers at (--k, or n / --compression; None: it finds the k)."""

    k_at: int | None


@dataclass(kw_only=True)
class Result(Summary):
    """What ``plan`` reports beside the common fields (docs/schema.md): ``stats`` holds the table's sigma_max,
    Frobenius norm, stable rank, largest rho_i and rows in scope; ``families`` one answer per family."""

    eps: float | None
    rho: float
    delta: float
    families: list[dict]  # per family: the k each rule needs, or the eps each gives at k_at
    ceiling_compression: float  # n / d, the most any S E sketch compresses
    k_max: int  # the largest k the search looks at
    sklearn_jl_k: int | None  # scikit-learn's JL rule at eps (None without --eps)
    verdict: str


class PlanCheck(Check):
    name = "plan"
    theorem = None  # not a theorem (summary.json: "theorem": null); its records keep the key "theorem": "plan"
    order = 90
    title = "Planner: the sketch size each guarantee needs"
    description = "Planner: from one pass over the table, the k (or eps) of Theorems 6, 7 and the per-row certificate."
    Options = Options
    Result = Result
    in_report = False
    examples = (
        ("--table zipf --n 1e6 --d 128 --eps 0.5 --rho 0.25", "the k each guarantee needs, per family"),
        ("--table emb.npy --k 4096 --rho 0.03", "your table: the eps each guarantee certifies at k = 4096"),
        ("--table model.safetensors --key embeddings.word_embeddings.weight --compression 10 --rho 0.02 --json",
         "a tensor of a safetensors file at 10x, as JSON"),
    )
    record_key = ("theorem", "table", "n", "d", "eps", "k", "compression", "rho", "delta", "family", "params")


    def plan(self, o: Options) -> Plan:
        given = [x for x in (o.eps, o.k, o.compression) if x is not None]
        if len(given) != 1:
            raise InputError("give exactly one of --eps (the k each guarantee needs), --k or --compression (the eps "
                             "each certifies)")
        if o.eps is not None:
            o.eps = validate.open_unit("eps", o.eps)
        o.rho = validate.unit_closed_right("rho", o.rho)
        o.delta = validate.open_unit("delta", o.delta)
        params = plan_families(o)
        table = resolve(o.table, n=o.n, d=o.d, key=o.key, seed=o.seed, default_n=DEFAULT_N, default_d=DEFAULT_D)
        k_at = o.k if o.k is not None else (None if o.compression is None else max(1, round(table.n / o.compression)))
        if k_at is not None:
            for name in o.family:
                families.get(name).check_k(k_at, table.n, table.d)
        cost.check_time(cost.pass_seconds(table), f"one pass over {table.n:,} x {table.d}", o.yes, "a smaller --n")
        cell = {"theorem": "plan", "table": table.describe(), "n": table.n, "d": table.d, "eps": o.eps, "k": k_at,
                "compression": o.compression, "rho": o.rho, "delta": o.delta,
                "family": ",".join(o.family), "params": params}
        return Plan(o, table, get_backend("cpu"), [cell], PlannerState(k_at=k_at))

    def work(self, plan, cell):
        return plan.table.n

    def measure(self, plan, cell, progress):
        st, scope, rho_max = table_stats(plan.table, plan.backend, plan.options.rho,
                                         stage(progress, "pass", plan.table.n))
        answers = [family_plan(f, cell["params"][f], st, scope, plan.options, plan.state.k_at)
                   for f in plan.options.family]
        eps = plan.options.eps
        # by family, so that records.jsonl has one number a column (families.gaussian.k_certificate)
        return flatten({"families": dict(zip(plan.options.family, answers)), "sklearn_jl_k": None if eps is None else int(theory.jl_min_dim(st.n, eps)),
                "sigma_max": math.sqrt(st.sigma_sq), "frobenius": math.sqrt(st.frobenius_sq),
                "stable_rank": st.frobenius_sq / st.sigma_sq, "rho_max": rho_max, "rows_in_scope": int(scope.rows.size)})

    def summarize(self, plan, records, seconds) -> Result:
        (cell,), (record,) = plan.cells, records
        r = unflatten({k: v for k, v in record.items() if k not in cell and k != "seconds"})
        o, t = plan.options, plan.table
        return self.common(plan, k=plan.state.k_at, family=o.family, seconds=seconds, claims=[],
                           stats={key: r[key] for key in ("sigma_max", "frobenius", "stable_rank", "rho_max",
                                                          "rows_in_scope")},
                           eps=o.eps, rho=o.rho, delta=o.delta, families=[r["families"][f] for f in o.family], ceiling_compression=t.n / t.d, k_max=k_search.K_MAX,
                           sklearn_jl_k=r.get("sklearn_jl_k"),
                           verdict=f"any S E sketch needs k >= d = {t.d}, so compresses at most n / d = {t.n / t.d:.4g}x; "
                                   "beyond that only a PSS that is not S E (ROBE-Z) compresses further, with no "
                                   "per-row certificate of this kind")

CHECK = PlanCheck()
