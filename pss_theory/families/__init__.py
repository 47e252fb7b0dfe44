"""The registry of families: one module per family, each ending in ``FAMILY = <Family>()``.

A family module holds the streaming operator (how S, or a PSS without S, is applied block by block
and read back) and its ``Family`` (parameters, theory hooks with sources, cost model).
Nothing outside a family's own module switches on its name: the checks, the memory planner, the
command line and the plots ask the registry.  To add a family, write its module and add it to
``_MODULES`` below (see docs/design.md).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import validate
from ..errors import InputError
from ..tables import as_table
from ..theory import jlt
from . import achlioptas, countsketch, gaussian, osnap, rademacher, robez, spec, srht
from .family import Family, Param
from .operator import Sketch, StreamedPSS
from .spec import FamilySpec

_MODULES = (gaussian, rademacher, achlioptas, countsketch, osnap, srht, robez)

#: every PSS family by name, in the order they are listed and plotted
ALL: dict[str, Family] = {m.FAMILY.name: m.FAMILY for m in _MODULES}
#: the families of the form M = S E (sketches S with columns): what Theorem 6 and the JLT calculators take
SKETCHES: dict[str, Family] = {name: f for name, f in ALL.items() if f.linear}


def get(name, sketches_only: bool = False) -> Family:
    """The family called ``name`` (a ``Family`` is returned as it is); InputError for an unknown one."""
    if isinstance(name, Family):
        return name
    pool = SKETCHES if sketches_only else ALL
    if isinstance(name, str) and name in pool:
        return pool[name]
    if sketches_only and name in ALL:
        raise InputError(f"this needs a sketch S with M = S E, which does not apply to {name}: it is a PSS but not "
                         f"of that form, so there is no S to measure; use one of {', '.join(SKETCHES)}")
    raise InputError(f"unknown sketch family {name!r}: expected one of {', '.join(pool)}")


jlt.use_family_lookup(lambda name: get(name, sketches_only=True))


def specs(value, sketches_only: bool = False, shared: dict | None = None) -> list[FamilySpec]:
    """The families a run measures, each with its parameters, from ``value`` (``"all"``, a text such as
    ``"osnap:s=8,countsketch"``, or a list of names, texts and ``FamilySpec``s); ``shared`` holds bare
    parameters (``--s 8``), each given to the one listed family that takes it (``families.spec``)."""
    pool = SKETCHES if sketches_only else ALL
    return spec.parse(value, pool, lambda name: get(name, sketches_only), shared)


def _shape(n, d, E):
    """(n, d) given, or read off the table ``E`` (an array or a table object) when E is given."""
    if E is None:
        if n is None:
            raise InputError("give n (the rows of the table) or the table E itself")
        return n, d
    if n is not None or d is not None:
        raise InputError("give the table E or its size n (and d), not both: with E they are read off it")
    table = as_table(E)
    return table.n, table.d


@dataclass(frozen=True)
class Distribution:
    """A PSS distribution as a value (after RandBLAS's ``DenseDist`` and ``SparseDist``): the family, the
    sketch size k (None for a PSS without one, ROBE-Z), the table's n rows and d columns, and the family's
    own parameters, each checked once, when the value is made; ``sample(key)`` draws its operator.

    Equal values draw equal operators: ``sample((seed, trial))`` is keyed ``rng.sketch_key(seed, trial)``,
    the draw of trial ``trial`` in a check run with ``--seed seed`` (a bare ``seed`` is trial 0).
    ``Distribution.of("osnap", k=1024, n=10**6, d=128, s=8)`` makes one from keywords.
    """

    family: str
    k: int | None
    n: int
    d: int | None = None
    params: tuple[tuple[str, object], ...] = ()

    def __post_init__(self):
        fam = get(self.family)
        validate.count("n", validate.positive_int("n", self.n))
        if self.d is not None:
            validate.count("d", validate.positive_int("d", self.d))
        if self.k is None:
            if fam.linear:
                raise InputError(f"family {self.family!r} needs a sketch size k")
        else:
            validate.count("k", validate.positive_int("k", self.k))
            if self.d is not None:
                fam.check_k(self.k, self.n, self.d)
        object.__setattr__(self, "params", tuple((name, spec.param(fam, name, value)) for name, value in self.params))

    @classmethod
    def of(cls, family: str, *, k: int | None, n: int, d: int | None = None, **params) -> Distribution:
        return cls(get(family).name, k, n, d, tuple(params.items()))

    def sample(self, key=0, device="cpu", **options) -> StreamedPSS:
        """The operator drawn for ``key``: a seed (``validate.seed``: None, an int, a Generator or a
        RandomState), or (seed, trial).  ``options`` say how the operator computes, not what it draws
        (``dtype``; SRHT's ``block``)."""
        seed, trial = key if isinstance(key, tuple) else (key, 0)
        op = get(self.family).make(k=self.k, n=self.n, d=self.d, seed=seed, trial=trial, device=device,
                                   **dict(self.params), **options)
        op.distribution = self
        return op

    def at_k(self, k: int) -> Distribution:
        """The same distribution with sketch size ``k`` (a planner's search over k)."""
        return replace(self, k=k)

    # the theory of this distribution: its family binds it to ``pss_theory.theory``
    def bound_params(self) -> dict:
        """The parameters the JLT and theorem calculators take (``theory.jlt``), defaults filled in."""
        return get(self.family).bound_params(self)

    def macro_prediction(self, delta: float) -> dict:
        """Sharper statements on eps_macro than Theorem 6 at this k (``Family.macro_prediction``)."""
        return get(self.family).macro_prediction(self, delta)

    def eta_law(self) -> tuple[float, float] | None:
        """(a, b) of the law of E ||Mhat_i - E_i||^2 (``Family.eta_law``), None where none is derived."""
        return get(self.family).eta_law(self)

    def row_law(self):
        """The conditional law the per-row certificates bound (``Family.row_law``), None for a PSS not S E."""
        return get(self.family).row_law(self)

    def param(self, name: str, default=None):
        """The parameter ``name`` as given, else ``default``."""
        return dict(self.params).get(name, default)


def _split(family: str, params: dict) -> tuple[dict, dict]:
    """A caller's keywords as the family's parameters (``Family.params``) and the operator's options."""
    names = {p.name for p in get(family).params}
    return {k: v for k, v in params.items() if k in names}, {k: v for k, v in params.items() if k not in names}


def sketch(family: str, *, k: int, n: int | None = None, E=None, seed=0, trial: int = 0, device="cpu",
           **params) -> Sketch:
    """A k x n sketch S of ``family`` (one of ``SKETCHES``) for a table of n rows, or for the table ``E``
    (n read off it), drawn for ``seed`` on ``device``.

    ``seed``: None (fresh entropy), an int, or a ``numpy.random.Generator`` (one uint64 drawn from it);
    ``S.seed`` is the integer used, and ``--seed S.seed`` on the command line draws the same S
    (``validate.seed``, ``rng.sketch_key``).  ``trial`` is the trial of a check's cell (0 here).
    """
    n, _ = _shape(n, None, E)
    name = get(family, sketches_only=True).name
    own, options = _split(name, params)
    return Distribution.of(name, k=k, n=n, **own).sample((seed, trial), device, **options)


def make(family: str, *, k: int | None, n: int | None = None, d: int | None = None, E=None, seed=0, trial: int = 0,
         device="cpu", **params) -> StreamedPSS:
    """The PSS under test for a table of n x d (or the table ``E``): a sketch S of size k, or (``robez``)
    the hashed memory.  ``seed`` as in ``sketch``."""
    n, d = _shape(n, d, E)
    own, options = _split(family, params)
    return Distribution.of(family, k=k, n=n, d=d, **own).sample((seed, trial), device, **options)


__all__ = ["ALL", "SKETCHES", "Distribution", "Family", "FamilySpec", "Param", "Sketch", "StreamedPSS", "get", "make", "sketch", "specs"]
