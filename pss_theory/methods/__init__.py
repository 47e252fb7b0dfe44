"""The PSS methods researchers use, fitted from a table at a memory budget: one module each, each ending
in ``METHOD = <Method>()`` (``methods.base``: the budget, the bytes counted, the read-back).

hashing (the hashing trick), robez (ROBE-Z), qr (quotient-remainder compositional embeddings), tt (TT-Rec's
tensor-train cores), pq (a product-quantization codebook) and svd (truncated SVD).  A method's parameters use the families' grammar:
``hashing:signed:fit=sketch``.  To add a method, write its module and add it to ``_MODULES``.
"""
from __future__ import annotations

from ..errors import InputError
from ..families import spec
from . import codebook, compositional, hashing, robez, svd, tensor_train
from .base import Fitted, Method, Unreachable, budget_bytes

_MODULES = (hashing, robez, compositional, tensor_train, codebook, svd)

#: every method by name, in the order they are listed and plotted
ALL: dict[str, Method] = {m.METHOD.name: m.METHOD for m in _MODULES}

#: the default comparison: each method in its usual settings, hashing and ROBE-Z read both ways
DEFAULT = ("hashing:signed:fit=sketch", "hashing:signed:fit=lsq", "robez:signed:fit=sketch", "robez:fit=lsq",
           "qr:combine=mult", "qr:combine=add", "tt", "pq", "svd")


def get(name) -> Method:
    if isinstance(name, Method):
        return name
    if isinstance(name, str) and name in ALL:
        return ALL[name]
    raise InputError(f"unknown method {name!r}: expected one of {', '.join(ALL)}")


def specs(value) -> list[spec.FamilySpec]:
    """The methods a comparison fits, each with its parameters (``"hashing:signed,svd"`` or a list)."""
    return spec.parse(value, ALL, get, variants=True)


__all__ = ["ALL", "DEFAULT", "Fitted", "Method", "Unreachable", "budget_bytes", "get", "specs"]
