"""Figures drawn from records and summaries only: nothing here measures or bounds anything.

Every figure is laid out the same way: legends outside the axes, to their right, so that they hide
no data, no bound and no note; notes (a vacuous bound, a value off the chart) in red and the footer
(sizes, family, the table's name, seed) below the axes; log axes with decimal tick labels (0.6, not
6 x 10^-1); several families told apart by marker and a small horizontal offset as well as colour;
compression n / k as a second axis over every k axis.  The E.1 figures draw the paper's own numbers
(``e1.paper``, its Tables 5-17) beside ours.
"""
import matplotlib

# before any pyplot import (the modules below): no display is needed, and SVG ids are fixed so a rerun
# writes the same bytes
matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "pss-theory"

from .certify import certify_ratios  # noqa: E402
from .layout import decimal_ticks, style  # noqa: E402
from .robez_timing import robez_timing_vs_n, robez_timing_vs_z  # noqa: E402
from .theorem4 import theorem4_pairs  # noqa: E402
from .theorem6 import failure_rate_vs_k, theorem6_eps_vs_k  # noqa: E402
from .theorem7 import theorem7_eps_vs_rho, theorem7_proof_steps  # noqa: E402

__all__ = ["certify_ratios", "decimal_ticks", "failure_rate_vs_k", "robez_timing_vs_n", "robez_timing_vs_z", "style",
           "theorem4_pairs", "theorem6_eps_vs_k", "theorem7_eps_vs_rho", "theorem7_proof_steps"]
