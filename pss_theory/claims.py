"""A claim: what a theorem (or a sharper law) promises, what was measured, and the slack between; and
a check's comparison rows (one flat row per family, the ``comparison`` of summary.json).  How they read
is ``pss_theory.report.claim_tables``'s."""
from __future__ import annotations

import math
import string
from dataclasses import dataclass, field

from .theory.stats import clopper_pearson

#: every claim has one of these statuses; scripts filter on it alone
STATUSES = ("holds", "fails", "vacuous", "not promised", "n/a")


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def _plain(value):
    """A value of a statement as JSON holds it (a numpy scalar becomes its Python number)."""
    return value.item() if hasattr(value, "item") else value


def statement_fields(statement: str) -> set[str]:
    """The names of the fields a statement template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(statement) if name}


def literal(text: str) -> str:
    """``text`` as a part of a statement template: its braces are text, not fields."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass
class Claim:
    """``measured <relation> bound``, with a status from ``STATUSES``: a record whose ``statement`` is a
    template without numbers (``"{family}: max pi_ij <= eps^2 + 2 eps = {bound:.4g} for eps = {eps:g}"``)
    and whose ``values`` are the numbers it names, so the same statement is the same text in every run
    and a script groups or filters on it; ``name`` is the statement with its values, as a person reads it.
    ``interval``: the confidence interval a rate is judged on (Clopper-Pearson), where there is one.

    - ``n/a``: the quantity or the bound does not exist for this PSS (measured or bound None).
    - ``vacuous``: an upper bound that certifies nothing: inf, or at least ``vacuous_at`` (1 for an
      accuracy eps: no eps < 1 is certified).
    - ``not promised``: the theorem does not promise the statement at the tested scale
      (``promised=False``, e.g. k below the calculator's sufficient k); measured and bound are shown.
    - ``holds`` / ``fails``: the relation, or ``holds`` given explicitly (a count of violations, a
      confidence interval).  ``~`` compares with a prediction: met within ``tolerance`` (relative).

    slack: how many times the bound exceeds what was measured (``<=``), or the measured value exceeds
    what was required (``>=``); above 1 means room to spare.  None where the status is vacuous or n/a.
    ``id`` is a stable key for scripts (``theorem6.norm.stated``), ``family`` the family measured.
    """

    statement: str
    measured: float | None
    bound: float | None
    relation: str = "<="
    holds: bool | None = None
    note: str = ""
    tolerance: float = 0.1  # for "~": a prediction met within this relative error
    id: str = ""
    family: str | None = None
    promised: bool = True
    vacuous_at: float | None = None
    values: dict = field(default_factory=dict)
    interval: tuple[float, float] | None = None

    def __post_init__(self):
        if self.relation not in ("<=", ">=", "==", "~"):
            raise ValueError(f"unknown relation {self.relation!r}")
        self.values = {key: _plain(value) for key, value in self.values.items()}
        if statement_fields(self.statement) != set(self.values):  # our bug: fail here, not when printed
            raise ValueError(f"statement {self.statement!r} names {sorted(statement_fields(self.statement))}, "
                             f"its values hold {sorted(self.values)}")
        if self.holds is None and _finite(self.measured) and self.bound is not None and not math.isnan(self.bound):
            if self.relation == "~":
                self.holds = _finite(self.bound) and abs(self.measured - self.bound) <= self.tolerance * abs(self.bound)
            else:
                self.holds = {"<=": self.measured <= self.bound, ">=": self.measured >= self.bound,
                              "==": self.measured == self.bound}[self.relation]

    @property
    def name(self) -> str:
        """The statement with its values filled in."""
        return self.statement.format(**self.values)

    @property
    def status(self) -> str:
        if self.measured is None or self.bound is None or (isinstance(self.bound, float) and math.isnan(self.bound)):
            return "n/a"
        if self.relation == "<=" and (not _finite(self.bound) or (self.vacuous_at is not None
                                                                  and self.bound >= self.vacuous_at)):
            return "vacuous"
        if not self.promised:
            return "not promised"
        return "holds" if self.holds else "fails"

    @property
    def slack(self) -> float | None:
        if self.status in ("vacuous", "n/a") or not (_finite(self.measured) and _finite(self.bound)) \
                or self.relation in ("==", "~"):
            return None
        num, den = (self.bound, self.measured) if self.relation == "<=" else (self.measured, self.bound)
        if den == 0:
            return math.inf if num > 0 else None
        return num / den

    def as_dict(self) -> dict:
        status = self.status
        out = {"id": self.id, "family": self.family, "name": self.name, "measured": self.measured,
               "bound": self.bound, "relation": self.relation, "status": status,
               "holds": None if status in ("vacuous", "n/a") else bool(self.holds), "slack": self.slack,
               "note": self.note, "statement": self.statement, "values": dict(self.values),
               "interval": None if self.interval is None else [float(x) for x in self.interval]}
        if self.relation == "~":
            out["ratio"] = self.measured / self.bound if _finite(self.measured) and _finite(self.bound) and self.bound else None
            out["tolerance"] = self.tolerance
        return out


def rate_claim(what: str, failures: int, trials: int, delta: float, note: str = "", values: dict | None = None,
               **kw) -> Claim:
    """A failure probability judged on ``failures`` of ``trials``: the lower end of its 95% Clopper-Pearson
    interval against delta (it fails only when the data show the rate above delta), so the printed
    relation is the one judged; the observed fraction and the interval are in the name and in ``interval``.
    ``what`` is a statement template with ``values``."""
    lo, hi = clopper_pearson(failures, trials)
    return Claim(what + ": {failures} of {trials} ({fraction:.3g}); rate <= delta, judged on the 95% "
                 "Clopper-Pearson interval [{low:.3g}, {high:.3g}] (lower end shown)", lo, delta,
                 note="; ".join(x for x in (note, f"{failures} of {trials} trials") if x), interval=(lo, hi),
                 values={**(values or {}), "failures": failures, "trials": trials, "fraction": failures / trials,
                         "low": lo, "high": hi}, **kw)


def headline(claims: list[dict], family, claim_id: str) -> dict:
    """The status of one family's headline claim and how many of its claims fail: the comparison
    table's last two columns."""
    own = [c for c in claims if c.get("family") == family]
    status = next((c["status"] for c in own if c["id"] == claim_id), "n/a")
    return {"status": status, "claims_failing": sum(c["status"] == "fails" for c in own)}


def comparison_row(**columns) -> dict:
    """One family's row of a comparison table: numbers as they are, None where the quantity does not exist
    for the family (n/a), and the string "inf" for an infinite bound (vacuous), which summary.json could
    not otherwise tell from n/a (``float("inf")`` and ``pandas.to_numeric`` read it back)."""
    return {key: "inf" if isinstance(value, float) and math.isinf(value) else value for key, value in columns.items()}
