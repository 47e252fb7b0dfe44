"""The conditional laws of a sketch's read-back error that ``theory.certificates`` bounds row by row: what a
distribution's ``row_law`` returns (``theory.dense``, ``theory.sparse_sign``, ``theory.srht``).

``GaussianLaw``: S with iid N(0, 1/k) entries.  ``SignedSumLaw``: a Rademacher sum once the supports (and
hashes) are fixed.  ``SRHTLaw``: given the signs, a sample without replacement of the rows of H D E.  ``proven`` False makes the bound built on a law a prediction, with its ``reason``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GaussianLaw:
    """S with iid N(0, 1/k) entries."""

    k: int
    proven: bool = True
    sources: tuple = ("laurent_massart2000", "chernoff1952", "this_module")
    reason: str = ""


@dataclass(frozen=True)
class SignedSumLaw:
    """A sketch whose read-back error is a Rademacher sum once supports (and hashes) are fixed.

    ``density``: each entry is nonzero with this probability, with value +-1/sqrt(density k), so
    q = N / (density k) with N ~ Binomial(k, density) nonzeros in a column (density 1: dense +-1/sqrt(k),
    q = 1); ``slots``: for sketches with q = 1 exactly (CountSketch, OSNAP), the fixed number of nonzeros
    per column (then ``density`` is None).  Each of row i's N (or ``slots``) nonzeros meets row j's
    column with probability ``p``, adding ``weight`` a_j to V.  ``proven`` False makes it a prediction.
    """

    k: int
    p: float
    weight: float
    density: float | None = None
    slots: int | None = None
    proven: bool = True
    sources: tuple = ("boucheron2013", "chernoff1952", "this_module")
    reason: str = ""


@dataclass(frozen=True)
class SRHTLaw:
    """S = P H_N D / sqrt(k) (``families.srht``): given D, k (Mhat_i - E_i) is the sum of k of the N vectors
    D_i H_ri (H D E)_r - E_i drawn without replacement (``theory.srht.row_law``)."""

    k: int
    N: int
    proven: bool = True
    sources: tuple = ("hoeffding1963", "pinelis1994", "boucheron2013", "this_module")
    reason: str = ""
