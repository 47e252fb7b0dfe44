"""Per-row certificates verified: many independent S on a small table, every row in scope measured.

For each family the certificate (``theory.certificates``) gives B_i for the m rows with rho_i > rho,
to hold for all of them together with probability >= 1 - delta.  Each seed draws a fresh S, reads
every row in scope back and records the worst ratio ||Mhat_i - E_i|| / B_i; the seed fails when that
ratio exceeds 1.  Reported per family: the failure rate with its Clopper-Pearson interval against
delta, and the tightness, B / measured at the (1 - delta) quantile over seeds of the worst ratio.
For Gaussian S also the calibration of the exact conditional law: given q_i = ||S e_i||^2, the error is
N((q_i - 1) E_i, (q_i / k) Sigma_i); each sampled row's measured ||Mhat_i - E_i|| is set against that law
by Monte Carlo (``mc_draws`` draws), giving a probability-integral transform that should be uniform
(coverage of the central 90 % interval, and a Kolmogorov-Smirnov test across rows and seeds).

A cell is a batch of seeds of one family, so an interrupted run resumes batch by batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .. import families, theory, validate
from ..backend import get_backend, matmul
from ..errors import InputError
from ..measure.passes import row_norms
from ..progress import stage
from ..report.certify import family_claims, verdict
from ..summary import Summary
from ..tables import registry, resolve
from ..theory import certificates
from . import auto_k
from .base import Check, Plan, State, option
from .common import family_help, family_list, plan_families

#: most values n d of the table held in memory (the check draws hundreds of S on a small table)
MAX_ENTRIES = 5 * 10**7


@dataclass
class Options:
    """A small table, many seeds: ``seeds`` independent S per family, ``batch`` seeds per cell."""

    table: object = option("zipf", registry.table_help(), str)
    n: int | None = option(None, "rows of a generated table (default 10000)", lambda t: validate.count("n", t))
    d: int | None = option(None, "columns of a generated table (default 32)", lambda t: validate.count("d", t))
    key: str | None = option(None, registry.key_help(), str)
    k: int | str = option(256, "sketch size, or auto: the smallest k whose certificate meets --eps on every row in "
                                "scope", auto_k.parse)
    eps: float = option(0.5, "with --k auto: the per-row accuracy the chosen k certifies, in (0, 1)",
                        lambda t: validate.open_unit("eps", t))
    family: list = option("gaussian,rademacher,countsketch,osnap", family_help("sketch families"), family_list)
    rho: float = option(0.05, "rows in scope: rho_i > rho, in (0, 1]", lambda t: validate.unit_closed_right("rho", t))
    delta: float = option(0.1, "the certificate's failure probability, in (0, 1)", lambda t: validate.open_unit("delta", t))
    seeds: int = option(200, "independent sketches per family", lambda t: validate.count("seeds", t))
    batch: int = option(25, "seeds per cell (the unit of resuming)", lambda t: validate.count("batch", t))
    calibration_rows: int = option(50, "rows per seed whose Gaussian law is checked", lambda t: validate.count("calibration_rows", t))
    mc_draws: int = option(1000, "Monte Carlo draws of the conditional Gaussian law per row",
                           lambda t: validate.count("mc_draws", t))
    seed: int = option(0, "seed of the table and the sketches", validate.seed_text)
    params: dict = option(None, "", None, default_factory=dict)


def conditional_pit(err, q, mu_basis, lam, k: int, draws) -> np.ndarray:
    """P(||(q - 1) E_i + sqrt(q / k) Sigma_i^{1/2} g||^2 <= err_i^2) by Monte Carlo over the draws g
    (``draws``: mc x d standard normals), per row; ``mu_basis`` = U^T E_i and ``lam`` the eigenvalues of
    Sigma_i = U diag(lam) U^T."""
    mean = (q - 1.0)[:, None] * mu_basis  # rows x d
    scale = np.sqrt(np.clip(lam, 0, None) * (q / k)[:, None])  # rows x d
    sim = ((mean[:, None, :] + scale[:, None, :] * draws[None, :, :]) ** 2).sum(axis=2)
    return (sim <= (err**2)[:, None]).mean(axis=1)


@dataclass(kw_only=True)
class CertifyState(State):
    """What a certify plan keeps: the table in memory with its Gram, each family's certificate, and the
    calibration rows (made by the first cell that needs them)."""

    E: np.ndarray  # the table, float64
    gram: np.ndarray  # E^T E
    certs: dict  # family -> its certificates.Certificate
    calibration: tuple | None = None  # (rows, eigenvalues, eigenvectors) of the rows checked against the law


@dataclass(kw_only=True)
class Result(Summary):
    """What ``certify`` reports beside the common fields (docs/schema.md); ``stats`` is by family."""

    rho: float
    delta: float
    seeds: int
    verdict: str  # the families' results in one line
    sources: dict


class Certify(Check):
    name = "certify"
    order = 5
    title = "Per-row certificates, verified over many sketches"
    description = "Per-row certificates (beyond the paper): failure rate over many seeds, tightness, Gaussian calibration."
    Options = Options
    Result = Result
    unit = "seeds"
    examples = (
        ("", "200 sketches per family (gaussian, rademacher, countsketch, osnap) on a 1e4 x 32 Zipf-normed table"),
        ("--family all --seeds 400", "every family, srht included, over more seeds"),
        ("--family osnap --s 8 --k 512", "one family with its own parameter"),
    )
    on_user_table = False  # hundreds of sketches of a table held in memory: the report keeps the small table
    family_params = True
    record_key = ("theorem", "family", "params", "k", "n", "d", "table", "seed", "rho", "delta", "trials",
                  "calibration_rows", "mc_draws")
    scales = {
        "smoke": dict(n=2000, d=8, k=64, seeds=20, batch=10, mc_draws=200, calibration_rows=10),
        "default": dict(),
        "paper": dict(n=20000, seeds=400),
    }

    def plan(self, o: Options) -> Plan:
        auto = auto_k.is_auto(o.k)
        if not auto:
            o.k = validate.positive_int("k", o.k)
        o.eps = validate.open_unit("eps", o.eps)
        o.delta = validate.open_unit("delta", o.delta)
        o.rho = validate.unit_closed_right("rho", o.rho)
        o.seed = validate.seed(o.seed)
        params = plan_families(o)
        for name in ("seeds", "batch", "calibration_rows", "mc_draws"):
            setattr(o, name, validate.positive_int(name, getattr(o, name)))
        table = resolve(o.table, n=o.n, d=o.d, key=o.key, seed=o.seed, default_n=10**4, default_d=32)
        if table.n * table.d > MAX_ENTRIES:
            raise InputError(f"certify holds the table in memory and draws {o.seeds} sketches of it: "
                             f"{table.n:,} x {table.d} is too large (at most {MAX_ENTRIES:,} entries); use a smaller --n")
        E = np.ascontiguousarray(table.block(0, table.n), dtype=np.float64)
        gram = matmul(E.T, E)
        st = certificates.TableStats.from_gram(gram, row_norms(np, E))  # the passes' formula: the planner's scope to the bit
        if st.scope(o.rho).size == 0:
            raise InputError(f"no row has rho_i > {o.rho:g} (largest rho_i = {st.rho.max():.3g}): lower --rho")
        backend = get_backend("cpu")
        o.k, k_rule = auto_k.per_row(o, table, backend, params) if auto else (o.k, None)
        certs, cells = {}, []
        for fam_name in o.family:
            dist = families.Distribution.of(fam_name, k=o.k, n=table.n, d=table.d, **params[fam_name])
            certs[fam_name] = certificates.certify(st, dist.row_law(), fam_name, o.k, o.delta, o.rho)
            for start in range(0, o.seeds, o.batch):
                cells.append({"theorem": self.theorem, "family": fam_name, "params": params[fam_name], "k": o.k, "n": table.n,
                              "d": table.d, "table": table.describe(), "seed": o.seed, "rho": o.rho, "delta": o.delta,
                              "trials": [start, min(o.seeds, start + o.batch)],
                              "calibration_rows": o.calibration_rows, "mc_draws": o.mc_draws})
        return Plan(o, table, backend, cells, CertifyState(E=E, gram=gram, certs=certs, k_rule=k_rule))

    def work(self, plan, cell):
        return cell["trials"][1] - cell["trials"][0]

    def valid_record(self, record):
        return isinstance(record.get("max_ratio"), list) and isinstance(record.get("pit"), list)

    def _calibration(self, plan: Plan):
        """Rows checked against the Gaussian law, with the eigen-decomposition of each Sigma_i."""
        if plan.state.calibration is None:
            o, E, cert = plan.options, plan.state.E, plan.state.certs["gaussian"]
            pick = np.random.default_rng(o.seed).permutation(cert.rows)[: o.calibration_rows]
            gram = plan.state.gram
            lam, mu = [], []
            for i in pick:
                w, U = np.linalg.eigh(gram - np.outer(E[i], E[i]))
                lam.append(w)
                mu.append(U.T @ E[i])
            plan.state.calibration = (np.sort(pick), np.array(lam)[np.argsort(pick)], np.array(mu)[np.argsort(pick)])
        return plan.state.calibration

    def measure(self, plan, cell, progress):
        o, E, cert = plan.options, plan.state.E, plan.state.certs[cell["family"]]
        dist = families.Distribution.of(cell["family"], k=o.k, n=plan.table.n, d=plan.table.d, **cell["params"])
        rows = cert.rows
        max_ratio, worst, pit = [], [], []
        update = stage(progress, f"{cell['family']} seeds", self.work(plan, cell), "seeds")
        for done, t in enumerate(range(*cell["trials"]), 1):
            pss = dist.sample((o.seed, t)).with_dtype("float64")
            M = pss.apply(E)
            err = np.linalg.norm(pss.decompress(M, rows) - E[rows], axis=1)
            ratio = err / cert.bound
            max_ratio.append(float(ratio.max()))
            worst.append(int(rows[np.argmax(ratio)]))
            if cell["family"] == "gaussian":
                pick, lam, mu = self._calibration(plan)
                q = np.asarray(pss.column_sq_norms(pick))
                e = np.linalg.norm(pss.decompress(M, pick) - E[pick], axis=1)
                draws = np.random.default_rng([o.seed, t]).standard_normal((o.mc_draws, plan.table.d))
                pit += conditional_pit(e, q, mu, lam, o.k, draws).tolist()
            if update:
                update(done)
        return {"max_ratio": max_ratio, "worst_row": worst, "pit": pit}

    def summarize(self, plan, records, seconds) -> Result:
        o = plan.options
        per, claims = {}, []
        for fam_name in o.family:
            recs = [r for r in records if r["family"] == fam_name]
            ratio = np.array([x for r in recs for x in r["max_ratio"]])
            pit = np.array([x for r in recs for x in r["pit"]])
            cert = plan.state.certs[fam_name]
            per[fam_name] = family_stats(cert, ratio, pit, o.delta)
            claims += family_claims(fam_name, per[fam_name], o.delta)
        return self.common(plan, k=o.k, family=o.family, seconds=seconds, claims=claims, stats=per, rho=o.rho,
                           delta=o.delta, seeds=o.seeds, verdict=verdict(per, o.delta),
                           sources={key: theory.SOURCES[key] for key in
                                    ("laurent_massart2000", "chernoff1952", "boucheron2013", "hoeffding1963", "pinelis1994",
                                     "clopper_pearson1934")})

def family_stats(cert, ratio: np.ndarray, pit: np.ndarray, delta: float) -> dict:
    failures = int((ratio > 1).sum())
    lo, hi = theory.clopper_pearson(failures, ratio.size)
    q = float(np.quantile(ratio, 1 - delta))
    out = {"kind": cert.kind, "m": cert.m, "trials": int(ratio.size), "failures": failures, "rate": failures / ratio.size,
           "cp_low": lo, "cp_high": hi, "ratio_quantile": q, "tightness": 1.0 / q if q > 0 else math.inf,
           "max_ratio": {name: float(np.quantile(ratio, p)) for name, p in
                         (("min", 0), ("p10", 0.1), ("p50", 0.5), ("p90", 0.9), ("max", 1))},
           "eps_cert": {"min": float(cert.eps.min()), "p50": float(np.median(cert.eps)), "max": float(cert.eps.max())},
           "sources": list(cert.sources), "note": cert.note}
    if pit.size:
        out["calibration"] = {"rows": int(pit.size), "coverage90": float(((pit >= 0.05) & (pit <= 0.95)).mean()),
                              "ks_pvalue": float(stats.kstest(pit, "uniform").pvalue),
                              "pit_hist": np.histogram(pit, bins=10, range=(0, 1))[0].tolist()}
    return out


CHECK = Certify()
