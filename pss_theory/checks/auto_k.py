"""``k="auto"`` (``--k auto``, after scikit-learn's ``n_components="auto"``): the sketch size from the
theorem's eps, rho and delta, said with the rule that chose it.

Theorems 7 and 4, and certify: for each family of the form S E, the per-row certificate's k where the family's
certificate is proven (the smallest k at which every row with rho_i > rho is certified to eps_cert_i
<= eps, all of them together with probability >= 1 - delta: ``k_search.k_for_eps`` on one pass over
the table, ``measure.table_stats``), else Theorem 7's sufficient k as its proof supports (Part A's
factor 2).  Theorem 6: its sufficient k as its proof supports.  One k serves every family of a run:
the largest of theirs.  ROBE-Z is not S E and takes no k.
"""
from __future__ import annotations

import math

from .. import families, theory, validate
from ..errors import InputError
from ..measure import cost
from ..measure.table_stats import table_stats
from ..theory import certificates, k_search

AUTO = "auto"


def is_auto(k) -> bool:
    return isinstance(k, str) and k.strip().lower() == AUTO


def parse(text):
    """A sketch size, or ``auto``."""
    return AUTO if is_auto(text) else validate.count("k", text)


def _said(k: int, rule: str, family: str, several: bool, o) -> tuple[int, str]:
    return k, (f"k = auto: {k:,}, {rule} for {family} at eps = {o.eps:g}, delta = {o.delta:g}"
               + (f", rho = {o.rho:g}" if hasattr(o, "rho") else "") + (" (the largest over the families)" if several else ""))


def _needed(k, name: str, rule: str, o, limit: float) -> int:
    if k is None or not math.isfinite(k) or k > limit:
        raise InputError(f"--k auto: no k up to {limit:.3g} meets eps = {o.eps:g} for {name} {rule}: give --k, or a "
                         "larger --eps" + (" or --rho" if hasattr(o, "rho") else ""))
    return int(math.ceil(k))


def _certificate_k(stats, dist, o, limit: int) -> int | None:
    """The smallest k whose certificate has every eps_cert_i <= eps on the rows in scope (None: none up to limit)."""
    st, scope, _ = stats
    if scope.rows.size == 0:
        raise InputError(f"--k auto: no row has rho_i > {o.rho:g}, so the certificate has no row to certify: lower --rho")

    def cert(k):
        return certificates.certify(st, dist.at_k(int(k)).row_law(), dist.family, int(k), o.delta, o.rho, rows=scope.rows,
                                    masses=scope.masses)

    return k_search.k_for_eps(o.eps, cert, dist.d, limit)


def per_row(o, table, backend, params: dict[str, dict], yes: bool = False) -> tuple[int, str]:
    """(k, the line that says its rule) for a check of per-row errors (Theorems 7 and 4, certify); ``params``
    by family; ``yes`` (``--yes``) runs the pass it reads even when it is priced above an hour."""
    linear = [name for name in o.family if families.get(name).linear]
    if not linear:
        raise InputError("--k auto: no family of the form S E in --family (ROBE-Z takes no k)")
    needs, stats = {}, None
    for name in linear:
        dist = families.Distribution.of(name, k=table.d, n=table.n, d=table.d, **params[name])
        if dist.row_law().proven:
            if stats is None:
                cost.check_time(cost.pass_seconds(table), f"the pass --k auto reads, {table.n:,} x {table.d}", yes)
                stats = table_stats(table, backend, o.rho)
            rule, limit = "by the per-row certificate", k_search.k_limit(name, table.n)
            k = _certificate_k(stats, dist, o, limit)
        else:
            drawn = dist.bound_params()
            rule, limit = "by Theorem 7 as its proof supports", k_search.k_limit(name, table.n)
            k = theory.theorem7_k(o.eps, o.delta, table.d, table.n, o.rho, name, part_a_factor=2.0, **drawn)
        needs[name] = (max(_needed(k, name, rule, o, limit), table.d), rule)
    name = max(needs, key=lambda f: needs[f][0])
    return _said(needs[name][0], needs[name][1], name, len(needs) > 1, o)


def macro(o, n: int, d: int, params: dict[str, dict]) -> tuple[int, str]:
    """(k, the line that says its rule) for Theorem 6: its sufficient k as its proof supports."""
    needs = {}
    for name in o.family:
        drawn = families.Distribution.of(name, k=d, n=n, **params[name]).bound_params()
        needs[name] = max(_needed(theory.theorem6_k_proved(o.eps, o.delta, d, name, **drawn), name,
                                  "by Theorem 6 as its proof supports", o, k_search.K_MAX), d)
    name = max(needs, key=needs.get)
    return _said(needs[name], "by Theorem 6 as its proof supports", name, len(needs) > 1, o)
