"""Sketch families behind one protocol; ``sketch(family, k=..., n=...)`` builds one."""
from __future__ import annotations

from ..errors import InputError
from .base import Sketch
from .dense import Achlioptas, Gaussian, Rademacher
from .hashing import OSNAP, CountSketch
from .srht import SRHT

FAMILIES = {cls.family: cls for cls in (Gaussian, Rademacher, Achlioptas, CountSketch, OSNAP, SRHT)}


def sketch(family: str, *, k: int, n: int, seed: int = 0, device="cpu", **params) -> Sketch:
    """A k x n sketch of ``family`` (one of FAMILIES), drawn from ``seed`` on ``device``."""
    try:
        cls = FAMILIES[family]
    except (KeyError, TypeError):
        raise InputError(f"unknown sketch family {family!r}: expected one of {', '.join(FAMILIES)}") from None
    return cls(k=k, n=n, seed=seed, device=device, **params)


__all__ = ["FAMILIES", "Sketch", "sketch"]
