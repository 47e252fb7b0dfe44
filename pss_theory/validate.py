"""The one place where values a user passes are checked.

Each check returns the clean value or raises ``InputError`` (a ``ValueError``) whose message names
the parameter and says what is expected.  The library calls these before any work; the command
line wraps them as argparse types (``verify.cli``), so both say the same thing about the same value.
"""
from __future__ import annotations

import importlib.util
import math

import numpy as np

from .errors import InputError

MAX_SEED = 2**64


def real(name: str, x) -> float:
    """A real number (not a bool, not NaN; may be infinite)."""
    if isinstance(x, (bool, np.bool_)):
        raise InputError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a real number, got {x!r}") from None
    if math.isnan(v):
        raise InputError(f"{name} must be a real number, got nan")
    return v


def open_unit(name: str, x) -> float:
    """A number in the open interval (0, 1) (eps, delta)."""
    v = real(name, x)
    if not 0.0 < v < 1.0:
        raise InputError(f"{name} must lie in the open interval (0, 1), got {x!r}")
    return v


def unit_closed_right(name: str, x) -> float:
    """A number in (0, 1] (rho, a density)."""
    v = real(name, x)
    if not 0.0 < v <= 1.0:
        raise InputError(f"{name} must lie in (0, 1], got {x!r}")
    return v


def positive(name: str, x) -> float:
    """A finite number above 0."""
    v = real(name, x)
    if not (v > 0.0 and math.isfinite(v)):
        raise InputError(f"{name} must be a positive finite number, got {x!r}")
    return v


def nonnegative(name: str, x) -> float:
    """A finite number >= 0."""
    v = real(name, x)
    if not (v >= 0.0 and math.isfinite(v)):
        raise InputError(f"{name} must be a non-negative finite number, got {x!r}")
    return v


def integer(name: str, x, minimum: int = 0) -> int:
    """A whole number >= minimum, also given as a float with no fractional part (1e6).  An int, or a text
    of digits, is taken exactly (2^53 + 1 stays itself: through a float it would round to 2^53)."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        v = int(x)
    elif isinstance(x, str) and x.strip().lstrip("+").isdigit():
        v = int(x.strip())
    else:
        f = real(name, x)
        if not (math.isfinite(f) and f == int(f)):
            raise InputError(f"{name} must be an integer >= {minimum}, got {x!r}")
        v = int(f)
    if v < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return v


def positive_int(name: str, x) -> int:
    """A positive Python or numpy integer (sizes of arrays: no floats, no bools)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise InputError(f"{name} must be a positive integer, got {x!r}")
    if int(x) <= 0:
        raise InputError(f"{name} must be a positive integer, got {x}")
    return int(x)


def seed(x) -> int:
    """The integer seed of a run from what a caller passes (SciPy's ``rng`` convention, SPEC 7):

    - an integer in [0, 2^64): itself;
    - a ``numpy.random.Generator``: one uint64 drawn from it, ``int(x.integers(2**64, dtype=np.uint64))``
      (the Generator advances by that one draw);
    - a legacy ``numpy.random.RandomState`` (scikit-learn's ``random_state``): the same, one draw
      ``int(x.randint(2**64, dtype=np.uint64))``;
    - ``None``: the same draw from a Generator on fresh OS entropy (``np.random.default_rng()``).

    The integer returned is the seed the run reports (``Summary.seed``, ``S.seed``), so a run made with
    ``None`` or a Generator is reproduced by passing that integer.  Sketches are keyed by
    ``rng.sketch_key(seed, trial)``; generated tables use the seed itself.
    """
    if x is None or isinstance(x, np.random.Generator):
        return int(np.random.default_rng(x).integers(MAX_SEED, dtype=np.uint64))
    if isinstance(x, np.random.RandomState):
        return int(x.randint(MAX_SEED, dtype=np.uint64))
    return seed_integer(x, "None, a numpy.random.Generator or RandomState, or ")


def seed_integer(x, also: str = "") -> int:
    """An integer seed in [0, 2^64) (a Philox key word), else InputError; ``also`` names what else the
    caller accepts, for the message."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)) or not 0 <= int(x) < MAX_SEED:
        raise InputError(f"seed must be {also}an integer in [0, 2**64), got {x!r}")
    return int(x)


def next_pow2(n: float) -> int:
    """The next power of two >= n: the dimension a Walsh-Hadamard transform of R^n acts on."""
    return 1 << max(0, (math.ceil(n) - 1).bit_length())


def count(name: str, x) -> int:
    """A positive whole number, also written as 1e6 or 1_000_000 (at most 2^53, exact in a float)."""
    v = integer(name, str(x).replace("_", "") if isinstance(x, str) else x, minimum=1)
    if v > 2**53:
        raise InputError(f"{name} = {x!r} is too large (at most 2^53)")
    return v


def seed_text(x) -> int:
    """A seed written as a whole number (command line) or given as an int."""
    if isinstance(x, str):
        try:
            x = int(x)
        except ValueError:
            raise InputError(f"seed must be a whole number in [0, 2^64), got {x!r}") from None
    return seed(x)


def listed(parse):
    """A parser of comma-separated values, each checked by ``parse``."""

    def parse_list(x):
        items = [t.strip() for t in x.split(",") if t.strip()] if isinstance(x, str) else list(x)
        if not items:
            raise InputError(f"expected a comma-separated list, got {x!r}")
        return [parse(t) for t in items]

    return parse_list


def one_of(name: str, x, choices) -> str:
    """One of a fixed set of names."""
    if x not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, got {x!r}")
    return x


def dask_address(x):
    """Where to run (``--dask``): ``local``, ``local:N`` (N worker processes), a scheduler address with a
    scheme (``tcp://host:port``), or from Python a ``dask.distributed.Client`` or a
    ``concurrent.futures.Executor`` (anything with ``submit``), returned as given; None runs here.
    Asking for Dask where it is not installed is refused here, before any work."""
    if x is None or (not isinstance(x, str) and callable(getattr(x, "submit", None))):
        return x
    if not isinstance(x, str):
        raise InputError(f"dask must be an address (local, local:N, tcp://host:port), a dask.distributed.Client or a "
                         f"concurrent.futures.Executor, got {type(x).__name__}")
    text = x.strip()
    head, colon, count = text.partition(":")
    if head == "local" and colon:
        count_ok = count.isdigit() and int(count) > 0
        if not count_ok:
            raise InputError(f"--dask {x}: local:N needs a positive whole number of workers N")
    elif text != "local" and ("://" not in text or not text.split("://", 1)[1]):
        raise InputError(f"--dask {x}: expected local, local:N or a scheduler address such as tcp://host:8786")
    if importlib.util.find_spec("distributed") is None:
        raise InputError(f"--dask {text} needs Dask, which is not installed: pip install 'pss-theory[dask]' "
                         "(dask[distributed] and zarr)")
    return text
