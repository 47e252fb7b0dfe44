"""pss-theory: measure the PSS compression theorems of Desai & Shrivastava (arXiv 2207.10731)."""
from .backend import get_backend
from .sketches import FAMILIES, Sketch, sketch
from .tables import load_table, table

__version__ = "0.1.0"
__all__ = ["FAMILIES", "Sketch", "get_backend", "load_table", "sketch", "table", "__version__"]
