"""What every table is, whatever its source: the ``Table`` protocol the passes, the checks and the
fingerprints read, and that a user's own table object implements to be measured as it is."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

#: the members ``Table`` asks for, named when an object lacks some
MEMBERS = ("n", "d", "name", "describe", "block", "rows")


@runtime_checkable
class Table(Protocol):
    """n rows of d columns, read a block or a set of rows at a time on the backend of ``xp``.

    ``describe()`` identifies the content (records are keyed by it); ``block(start, stop, xp)`` returns rows
    start..stop-1 and ``rows(idx, xp)`` the rows at ``idx``, each a float array of ``xp`` (numpy or CuPy).
    A table may also say ``needs_float64`` (entries float32 does not hold accurately) and give a
    ``fingerprint`` of its values.
    """

    @property
    def n(self) -> int: ...

    @property
    def d(self) -> int: ...

    @property
    def name(self) -> str: ...

    def describe(self) -> dict: ...

    def block(self, start: int, stop: int, xp=np): ...

    def rows(self, idx, xp=np): ...
