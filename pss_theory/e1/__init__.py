"""The timing study of appendix E.1 (Tables 5-17): forward and backward passes of a plain embedding
table and of ROBE-Z, with dense and sparse gradients, over n, compression and chunk size Z.

One iteration, as in the paper's benchmark:

- **forward**: look up a batch of ``batch`` random row ids (uniform over [0, n), drawn outside the
  timed region) at dimension d and reduce the result r (batch x d) to its norm L = sum r^2.
  Plain table: a row gather from the n x d float32 table.  ROBE-Z: the chunk hash of
  ``robez.chunk_hash`` for every (id, chunk), then a gather from the memory of m float32.
- **backward**: the gradient dL/dr = 2 r pushed back to the parameters and one SGD step
  (learning rate ``LR``; the step -LR * 2 r is formed on the batch before it is scattered, which gives
  the same update as scattering the gradient and scaling it afterwards, with one full pass less).
  *dense*: a full-size gradient buffer (n x d, or m) is zero-filled, the batch is scatter-added into
  it, and every parameter is updated.  *sparse*: the touched ids (plain) or memory slots (ROBE-Z)
  are made unique, the batch is summed into a compact buffer, and only the touched parameters are
  updated.

The forward pass is the same code in both modes (the paper's sparse-mode forward, Tables 7, 11 and
15, was slower than its dense-mode one; ours should not differ beyond noise); we time it in each
mode's run anyway so that every paper table has a measured counterpart.

Everything is ``xp`` code (numpy or CuPy); the few places where the fastest primitive differs
(the dense scatter-add: ``np.bincount`` on numpy, ``cupyx.scatter_add`` on CuPy) are methods of ``Backend``.  GPU
times come from CUDA events, CPU times from ``time.perf_counter``.  After ``warmup`` untimed iterations (four times
as many for the first cell of a run, which also warms the allocator and the caches) each cell
runs up to ``repeats`` timed iterations, stopping early once ``budget_s`` seconds of timed work are
done (never fewer than ``MIN_ITERATIONS``); the 25th/50th/75th percentiles of the per-iteration
times are reported in milliseconds.

Scaling.  The paper ran n = 4M..256M rows on one GPU.  The CPU grid keeps batch = 10240 and d = 128
and divides every n by ``scale`` (64 by default: n = 2^16..2^22; 256 with ``--quick``: 2^14, 2^16,
2^18, matching the paper's 4M, 16M, 64M); row r of every table here corresponds to row r of the
paper's table, and the paper's number for that row is printed beside ours.  "M" in the paper's n is
read as 2^20.  Cells whose parameters (plus dense gradient buffer) would not fit in the free memory
are skipped and listed, as the paper's tables leave them empty.

Modules: ``paper`` (the paper's grid and numbers), ``grid`` (our grid, its cells, their memory), ``models`` (the
plain table and ROBE-Z), ``harness`` (the timing loop), ``layout`` (Tables 5-17, ours beside the paper's),
``analysis`` (claims, statistics).
"""
from __future__ import annotations

from ..backend.host_allocator import steady_allocator
from .analysis import CLAIM_NAMES, TARGET, claims, evaluate, statistics
from .grid import Grid, cells, make_grid, plan
from .harness import Bench
from .layout import layout
from .models import LR, PlainModel, RobeZModel, coalesce
from .paper import PAPER, PAPER_D, paper_value, views_from_paper

__all__ = ["CLAIM_NAMES", "LR", "PAPER", "PAPER_D", "TARGET", "Bench", "Grid", "PlainModel", "RobeZModel", "cells",
           "claims", "coalesce", "evaluate", "layout", "make_grid", "paper_value", "plan", "statistics",
           "steady_allocator", "views_from_paper"]
