"""pss-theory: measure the PSS compression theorems of Desai & Shrivastava (arXiv 2207.10731).

Layers (docs/design.md): ``backend`` and ``rng`` at the bottom; ``tables`` and ``families`` (the PSS
under test); ``measure`` (the passes over E); ``theory`` (what the theorems promise); ``checks`` (one
object per theorem check, returning a ``Summary``); ``figures`` read Summaries.
"""
from .backend import get_backend
from .checks import CHECKS, Summary, run_check
from .families import ALL as FAMILIES
from .families import Distribution, Sketch, sketch
from .measure import metrics
from .tables import load_table, table
from .version import __version__

__all__ = ["CHECKS", "FAMILIES", "Distribution", "Sketch", "Summary", "get_backend", "load_table", "metrics", "run_check", "sketch",
           "table", "__version__"]
