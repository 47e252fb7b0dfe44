"""What a check found, as every consumer reads it: the ``Summary`` (summary.json's content) and one
family's view of a several-family summary.  Below the checks, the report and the figures, which all read it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class Summary:
    """What a check found: the fields every summary.json has at its top level, plus the check's own.

    ``claims`` are ``Claim.as_dict()`` entries; ``stats`` the measured quantities by their notation
    names (DESIGN.md); ``environment`` the machine and library versions; ``k_rule`` the line saying how
    ``k="auto"`` chose k (None when k was given).  Each check returns its own subclass, its ``Result``,
    whose typed fields are what that check reports beside these (verdict, theory, histograms, ...);
    ``extra`` holds what a summary read back with this base class has beyond its fields.  All are
    written at the top level of summary.json.

    Types do not depend on the options: ``theorem`` is the theorem's number (7) or None for a check
    that is not a theorem (the E.1 timing study), ``check`` the check's name in every case; ``k`` is
    always the list of sketch sizes measured (empty for a PSS without one) and ``family`` always the
    list of families (docs/schema.md).
    """

    theorem: int | None
    n: int | list[int]
    d: int
    k: list[int]
    family: list[str]
    table: dict | str
    seed: int
    backend: str
    seconds: float
    claims: list[dict]
    stats: dict
    check: str = ""
    environment: dict = field(default_factory=dict)
    k_rule: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        own = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        return {**self.extra, **own}

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        """This class's fields from ``data`` (a field with a default may be missing), the rest as ``extra``."""
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        return cls(**{k: data[k] for k in names if k in data}, extra={k: v for k, v in data.items() if k not in names})

    def __getitem__(self, key):
        """Summary fields and extras by name, as in summary.json (what figures and renderers read)."""
        return self.to_dict()[key]

    def get(self, key, default=None):
        return self.to_dict().get(key, default)



def per_family(summary, family: str) -> dict:
    """The summary of a one-PSS check as one family's run: its stats, theory, histograms, pss, params and
    verdict in place of the dicts keyed by family (what the figures of one PSS read)."""
    s = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    i = s["family"].index(family)
    view = {key: s[key][family] for key in ("stats", "theory", "histograms", "pss", "params", "certificate") if key in s}
    cell = s["cells"][i]
    return {**s, **view, "family": family, "k": cell["k"], "verdict": s["verdict"][i],
            "claims": [c for c in s["claims"] if c["family"] == family]}
