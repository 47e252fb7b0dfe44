"""The smallest k whose per-row certificate reaches a given eps: a bisection over k, and the largest k
any search considers."""
from __future__ import annotations

import math

from .. import validate as V

#: the largest k a search for a sufficient k considers (a guarantee that needs more is unreachable)
K_MAX = 10**12


def k_limit(family: str, n: int) -> int:
    """The largest k a search considers for ``family``: K_MAX, or SRHT's padded n (it samples k of its rows)."""
    return V.next_pow2(n) if family == "srht" else K_MAX


def k_for_eps(eps: float, make_cert, k_lo: int, k_hi: int) -> int | None:
    """The smallest k in [k_lo, k_hi] whose certificate has max eps_cert_i <= eps (bisection: the bound
    falls as k grows), or None when even k_hi does not reach it.  ``make_cert(k)`` -> Certificate."""
    def ok(k):
        c = make_cert(k)
        return c.eps_max is not None and c.eps_max <= eps

    if not ok(k_hi):
        return None
    lo, hi = k_lo, k_hi
    if ok(lo):
        return lo
    while hi - lo > max(1, lo // 200):
        mid = int(math.sqrt(lo * hi)) if hi > 4 * lo else (lo + hi) // 2  # geometric steps first, then halving
        mid = min(max(mid, lo + 1), hi - 1)
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi
