"""A claim: what a theorem (or a sharper law) promises, what was measured, and the slack between."""
from __future__ import annotations

import math
from dataclasses import dataclass


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


@dataclass
class Claim:
    """``measured <relation> bound``.  A bound of inf (or None) is vacuous: it holds, and says nothing.

    slack: how many times the bound exceeds what was measured (``<=``), or the measured value
    exceeds what was required (``>=``); above 1 means room to spare, below 1 a violation.
    ``~`` compares with a prediction rather than a bound: it holds within ``tolerance`` (relative).
    ``holds`` may be given explicitly (e.g. a count of violations, or a confidence interval); by
    default it is the relation itself.
    """

    name: str
    measured: float | None
    bound: float | None
    relation: str = "<="
    holds: bool | None = None
    note: str = ""
    tolerance: float = 0.1  # for "~": a prediction met within this relative error

    def __post_init__(self):
        if self.relation not in ("<=", ">=", "==", "~"):
            raise ValueError(f"unknown relation {self.relation!r}")
        if self.holds is None and _finite(self.measured) and self.bound is not None and not math.isnan(self.bound):
            if self.relation == "~":
                self.holds = _finite(self.bound) and abs(self.measured - self.bound) <= self.tolerance * abs(self.bound)
            else:
                self.holds = {"<=": self.measured <= self.bound, ">=": self.measured >= self.bound,
                              "==": self.measured == self.bound}[self.relation]

    @property
    def vacuous(self) -> bool:
        return self.relation == "<=" and self.bound is not None and not _finite(self.bound) and self.bound > 0

    @property
    def slack(self) -> float | None:
        if not (_finite(self.measured) and _finite(self.bound)) or self.relation in ("==", "~"):
            return None
        num, den = (self.bound, self.measured) if self.relation == "<=" else (self.measured, self.bound)
        if den == 0:
            return math.inf if num > 0 else None
        return num / den

    def as_dict(self) -> dict:
        out = {"name": self.name, "measured": self.measured, "bound": self.bound, "relation": self.relation,
               "holds": self.holds, "slack": self.slack, "vacuous": self.vacuous, "note": self.note}
        if self.relation == "~":
            out["ratio"] = self.measured / self.bound if _finite(self.measured) and _finite(self.bound) and self.bound else None
            out["tolerance"] = self.tolerance
        return out
