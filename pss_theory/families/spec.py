"""Which families a run measures, each with its own parameters: ``--family osnap:s=8,countsketch``.

A family's parameters are namespaced by the family, so two families with a parameter of the same name
never collide: ``osnap:s=8,sjlt:s=2`` gives each its own ``s``.  The grammar, one way to write each thing:

    specs  := "all" | spec ("," spec)*
    spec   := family (":" param)*
    param  := name "=" value | name          (a bare name switches a flag on: ``robez:signed``)

Bare flags (``--s 8`` on the command line, ``params={"s": 8}`` from Python) stay as a shorthand: each
goes to the one listed family that takes a parameter of that name, and is refused when none or several
do, so a shorthand can never reach two families.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class FamilySpec:
    """A family's name and the parameters given for it (parsed and checked by the family's ``Param``s)."""

    family: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict:
        """The parameters as keywords (``Distribution.of(spec.family, k=k, n=n, **spec.kwargs)``)."""
        return dict(self.params)

    def __str__(self) -> str:
        return ":".join([self.family, *(f"{k}={v}" for k, v in self.params)])


def _flag_value(name: str, text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE or low in _FALSE:
        return low in _TRUE
    raise InputError(f"{name} is a switch: give {name}=true or {name}=false, got {name}={text}")


def param(family, name: str, value):
    """One parameter of ``family`` checked by its ``Param`` (InputError naming the accepted ones)."""
    params = {p.name: p for p in family.params}
    if name not in params:
        accepted = ", ".join(params) or "none"
        raise InputError(f"{family.name!r} has no parameter {name!r}; it takes: {accepted}")
    prm = params[name]
    if prm.flag:
        return value if isinstance(value, bool) else _flag_value(name, str(value))
    return prm.parse(value)


def _one(text: str, get) -> FamilySpec:
    name, *parts = [t.strip() for t in text.split(":")]
    family = get(name)
    params = {}
    for part in parts:
        key, eq, value = part.partition("=")
        key = key.strip()
        if not key:
            raise InputError(f"empty parameter in {text!r}: write name:parameter=value, e.g. osnap:s=8")
        if key in params:
            raise InputError(f"parameter {key!r} given twice in {text!r}")
        if not eq and not any(p.name == key and p.flag for p in family.params):
            raise InputError(f"parameter {key!r} of {name!r} needs a value: {name}:{key}=VALUE")
        params[key] = param(family, key, value if eq else True)
    return FamilySpec(family.name, tuple(params.items()))


def parse(value, pool: dict, get, shared: dict | None = None, variants: bool = False) -> list[FamilySpec]:
    """The families of ``value`` (``"all"``, a spec text, or a list of texts, names and ``FamilySpec``s),
    in order, with the bare ``shared`` parameters routed to the one family that takes each.

    ``pool`` is the registry the families come from (every PSS, or the sketches S only) and ``get`` its
    lookup, which says why a name is refused.  A family given twice with the same parameters counts once;
    with two settings of them it is an error (one cell per family), unless ``variants`` (the compare
    check's methods: each setting is a cell of its own, and there are no bare parameters to route).
    """
    if isinstance(value, FamilySpec):
        items = [value]
    elif isinstance(value, str):
        items = list(pool) if value.strip() == "all" else [t for t in value.split(",") if t.strip()]
    else:
        items = list(value)
    specs = [s if isinstance(s, FamilySpec) else _one(str(s), get) for s in items]
    for s in specs:
        get(s.family)  # a FamilySpec given as a value is checked against the pool too
    if not specs:
        raise InputError("no family given")
    specs = list(dict.fromkeys(specs))  # the same family and parameters twice is one cell
    names = [s.family for s in specs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if variants:
        return specs  # no bare parameters to route: each setting is written out
    if twice:
        raise InputError(f"family {', '.join(twice)} given with two settings of its parameters: one cell per "
                         "family (run the check again for the other setting)")
    return _route(specs, shared or {}, pool, get)


def _route(specs: list[FamilySpec], shared: dict, pool: dict, get) -> list[FamilySpec]:
    """Each bare parameter added to the one spec whose family takes it."""
    out = {s.family: s.kwargs for s in specs}
    for name, value in shared.items():
        owners = [s.family for s in specs if any(p.name == name for p in get(s.family).params)]
        if len(owners) != 1:
            listed = ", ".join(s.family for s in specs)
            if not owners:
                takers = [f.name for f in pool.values() if any(p.name == name for p in f.params)]
                raise InputError(f"--{name} does not apply to family {listed} (it applies to "
                                 f"{', '.join(takers) or 'none'})")
            raise InputError(f"--{name} applies to {' and '.join(owners)}: give it to one family, e.g. "
                             f"--family {owners[0]}:{name}={value}")
        if name in out[owners[0]]:
            raise InputError(f"{name} given twice for family {owners[0]}: as --{name} and as {owners[0]}:{name}=...")
        out[owners[0]][name] = param(get(owners[0]), name, value)
    return [FamilySpec(s.family, tuple(out[s.family].items())) for s in specs]
