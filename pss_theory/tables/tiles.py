"""Fixed row tiles: the unit in which every sum over the rows of a table is computed.

A pass reads a table in *blocks* (``--block-rows``: how many rows are read at once, a choice of memory and
I/O) and computes in *tiles*: rows [j T, (j + 1) T) for a tile size T that the computation fixes (the PSS,
n and d, ``tile_rows``), never the blocks.  Blocks are cut into tiles, and a tile that two blocks share is
gathered from both, so each partial sum (a tile's S_t E_t, its Gram, its squared norms) sees the same rows
in the same order whatever the block size; the pass then adds the tiles' parts in a fixed order
(``measure.passes``).  Floating-point addition is not associative, so this is what makes M, the Gram and
every per-row value the same to the bit whatever ``--block-rows``.
"""
from __future__ import annotations

#: at most this many entries in one tile (128 MiB in float32): a wide table gets tiles of fewer rows
TILE_FLOATS = 1 << 25
#: the tile of a pass that has no PSS (the planner's scan, the PSS methods' passes)
TABLE_TILE_ROWS = 1 << 16


def tile_rows(natural: int, d: int, multiple: int = 1) -> int:
    """``natural`` rows (what the computation prefers), at most ``TILE_FLOATS`` / d, a multiple of
    ``multiple`` (a family whose kernel works on fixed pieces, SRHT's B) and at least one piece."""
    cap = TILE_FLOATS // max(1, d) // multiple * multiple
    return max(multiple, min(natural, cap))


def tile_starts(n: int, tile: int) -> list[tuple[int, int]]:
    """The tiles (start, stop) covering rows 0..n-1."""
    return [(s, min(n, s + tile)) for s in range(0, n, tile)]


def read_tiles(read, span: tuple[int, int], block_rows: int, tile: int, xp):
    """Yield (start, stop, rows) for each tile of rows ``span`` (whose start is a tile's), reading
    ``read(b0, b1)`` (rows b0..b1-1 as an array of ``xp``) a block of ``block_rows`` rows at a time.

    A tile inside one block is a view of it; one that blocks share is their pieces concatenated.
    """
    start, stop = span
    pending, tile_start = [], start
    for b0 in range(start, stop, block_rows):
        b1 = min(stop, b0 + block_rows)
        block = read(b0, b1)
        at = b0
        while at < b1:
            tile_stop = min(stop, tile_start + tile)
            upto = min(b1, tile_stop)
            piece = block[at - b0 : upto - b0]
            if upto < tile_stop:
                pending.append(piece)
            else:
                yield tile_start, tile_stop, xp.concatenate([*pending, piece]) if pending else piece
                pending, tile_start = [], tile_stop
            at = upto
        del block  # before the next block is read
