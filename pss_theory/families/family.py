"""A family is the *distribution* of PSS operators, kept apart from the operator (``families.operator``) as
RandBLAS keeps a distribution from its operator: a name, its parameters and their validation, its theory
hooks (a sufficient k for JLT(eps, delta, f) and its inverse, sharper predictions) and sources.  The bytes a
streamed block allocates are the operator's (``StreamedPSS.block_bytes``), its plot style the figures' (by its
place in the registry).  ``Family.make`` samples an operator.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Param:
    """A family parameter: its name, how the command line parses it, and a one-line help."""

    name: str
    parse: object
    help: str
    flag: bool = False  # a switch (--signed) rather than a value


class Family:
    """A distribution of PSS operators; subclasses fill in the class attributes and hooks.

    Attributes: ``name``; ``operator`` (the class ``make`` instantiates); ``params`` (CLI and API
    parameters of the operator); ``theory_keys`` (parameters the theory hooks accept);
    ``sources`` (keys of ``theory.SOURCES``) and ``formula`` (the JLT bound in one line);
    ``constants_proven`` (False where a constant of the bound is a convention of
    this project rather than a published value).
    """

    name: str
    operator: type
    params: tuple[Param, ...] = ()
    theory_keys: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    formula: str = ""
    constants_proven: bool = True

    def __init__(self, **attributes):
        """A family declared in one statement: any class attribute given as a keyword."""
        for name, value in attributes.items():
            if not any(name in vars(c) or name in getattr(c, "__annotations__", {}) for c in type(self).__mro__):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r} to declare")
            setattr(self, name, value)

    @property
    def linear(self) -> bool:
        return self.operator.linear

    @property
    def has_columns(self) -> bool:
        return self.operator.has_columns

    @property
    def source(self) -> str:
        return self.sources[0]

    def make(self, *, k: int | None = None, n: int, d: int | None = None, seed=0, trial: int = 0, device="cpu",
             **params):
        """The operator of this family (a sampled S, or a PSS) for a table of n rows, drawn for ``seed``
        (None, an int or a ``numpy.random.Generator``: ``validate.seed``) in trial ``trial``."""
        if k is None:
            raise InputError(f"family {self.name!r} needs a sketch size k")
        return self.operator(k=k, n=n, seed=seed, trial=trial, device=device, **params)

    def check_k(self, k: int, n: int, d: int) -> None:
        """InputError unless a k x n sketch of this family can embed a d-dimensional column space."""
        if k < d:
            raise InputError(f"k = {k} < d = {d}: no k x n sketch can embed a {d}-dimensional column space "
                             "(eps_macro = 1); use k >= d")

    # ---- theory hooks ----
    def theory_params(self, **params) -> dict:
        """Validate the parameters the theory hooks take and fill in their defaults."""
        unknown = sorted(set(params) - set(self.theory_keys))
        if unknown:
            accepted = ", ".join(self.theory_keys) or "none"
            raise InputError(f"unknown parameter(s) {', '.join(unknown)} for family {self.name!r}; accepted: {accepted}")
        return {}

    def bound_params(self, dist) -> dict:
        """The theory parameters of the distribution ``dist`` (a ``Distribution`` of this family): what its
        operators are drawn with, defaults filled in (osnap's s, achlioptas' density, srht's N)."""
        return self.theory_params()

    def log_jlt_k(self, eps: float, delta: float, log_f: float, p: dict) -> float:
        """ln of a sufficient k for JLT(eps, delta, f = exp(log_f)), arguments already validated."""
        raise NotImplementedError

    def eps_jlt(self, k: float, delta: float, log_f: float, p: dict) -> float:
        """The smallest eps ``log_jlt_k`` certifies at k (inf when none below 1)."""
        raise NotImplementedError

    def macro_prediction(self, dist, delta: float) -> dict:
        """Sharper statements about eps_macro than Theorem 6 (``theory.predictions``) for ``dist``, by name:
        ``prediction`` (norm form, a typical value), ``prediction_delta`` (norm form, w.p. 1 - delta),
        ``prediction_inner`` (inner-product form, w.p. 1 - delta), ``prediction_name``."""
        return {"prediction": None, "prediction_name": None}

    def eta_law(self, dist) -> tuple[float, float] | None:
        """(a, b) with E ||Mhat_i - E_i||^2 = (a (||E||_F^2 - ||E_i||^2) + b ||E_i||^2) / k for operators of
        ``dist``, or None where no such law is derived (ROBE-Z).

        Mhat_i - E_i = sum_j ((S^T S)_ij - [i = j]) E_j; for the families here the off-diagonal entries
        are uncorrelated with mean 0, so a = k E <S e_i, S e_j>^2 (j != i) and b = k Var ||S e_i||^2.
        Averaged over the m nonzero rows and divided by sigma^2 this is the "beyond the paper" law
        RMS eta_i^2 = (srank / k) (a (1 - 1/m) + b / m)."""
        return None

    def row_law(self, dist):
        """The conditional law of a read-back error that ``theory.certificates`` turns into per-row
        bounds (``GaussianLaw``, ``SignedSumLaw``) for sketches of ``dist``, or None where there is none
        (a PSS that is not S E)."""
        return None
