"""Counter-based random streams: every draw is a pure function of (seed, stream tag, position).

The generator is Philox4x64-10 (Salmon et al., SC'11), exactly as numpy's ``np.random.Philox``
implements it: key = (seed, tag), and the 64-bit word at global position ``p`` is lane ``p % 4`` of
the Philox block with counter ``p // 4``.  On the CPU numpy's C implementation produces the words;
on a GPU (and in the tests, on the CPU) ``philox.philox_blocks`` computes the same words with plain integer
array operations, so integer draws are bit-identical on both backends.

A *row* of a stream is ``width`` consecutive words: row ``i`` holds words ``[i*width, (i+1)*width)``.
Column ``j`` of a sketch S and row ``i`` of a generated table are rows of their streams, so any entry
can be regenerated alone, in any block, in any order.
"""
from __future__ import annotations

import numpy as np

from . import backend, validate
from .errors import InputError

_CPU_CHUNK_WORDS = 1 << 17  # pieces of the CPU transforms: 1 MiB of words (measured: 1.3-1.8x 2^15 on 2 threads)

# Stream tags: one per independent use of randomness.  Changing one changes every published number.
TAG_SKETCH = 1
TAG_SKETCH_SIGNS = 2
TAG_SKETCH_ROWS = 3
TAG_TABLE = 16
TAG_TABLE_BASIS = 17
TAG_TABLE_NOISE = 18
TAG_SAMPLE = 32
TAG_TRIAL = 33


def sketch_key(seed: int, trial: int = 0) -> int:
    """The Philox key of the sketch (or PSS) drawn for ``seed`` in trial ``trial``: word ``trial`` of the
    stream (seed, TAG_TRIAL).  Every sketch is keyed this way, whether made in Python
    (``pss.sketch(..., seed=s)`` is trial 0) or by a check (trial t of ``--seed s``), so the same seed
    gives the same S everywhere, and trials of different seeds never share a key."""
    return int(Stream(seed, TAG_TRIAL).words(trial, 1)[0])


class Stream:
    """The words of Philox keyed by (seed, tag)."""

    def __init__(self, seed: int, tag: int):
        self.key = (validate.seed_integer(seed), int(tag))

    def __repr__(self) -> str:
        return f"Stream(seed={self.key[0]}, tag={self.key[1]})"

    def words(self, start: int, count: int, xp=np):
        """Words at global positions [start, start + count) as uint64."""
        return backend.of(xp).philox_words(self.key, start, count)

    def rows(self, start: int, stop: int, width: int, xp=np):
        """Rows start..stop-1 of ``width`` words each: shape (stop - start, width)."""
        return self.words(start * width, (stop - start) * width, xp).reshape(stop - start, width)

    def rows_at(self, idx, width: int, xp=np):
        """Rows at arbitrary indices ``idx`` (1-D integer array): shape (len(idx), width)."""
        idx = xp.asarray(idx, dtype=xp.int64)
        return backend.of(xp).philox_rows_at(self.key, idx, width)


# ---- transforms of words into draws (xp code: identical arithmetic on numpy and CuPy) ----

def uniform32_halves(xp, words):
    """Split each word into its (high, low) 32-bit halves as uint64 arrays."""
    return words >> xp.uint64(32), words & xp.uint64(0xFFFFFFFF)


def bounded(xp, u32, m: int):
    """floor(u32 * m / 2**32): an integer in [0, m) (Lemire's multiply-shift; bias <= m / 2**32)."""
    return ((u32 * xp.uint64(m)) >> xp.uint64(32)).astype(xp.int64)


def normals(xp, words, count: int, out=None):
    """Standard normals by Box-Muller, two per word, in float32.

    For a row of W words, each word split into its high and low 32 bits: u1 = (hi + 1/2) 2^-32,
    theta = 2 pi lo 2^-32, r = sqrt(-2 ln u1); the row's normals are [r cos(theta) for each word]
    followed by [r sin(theta) for each word], cut to ``count``.  The tail reaches
    sqrt(-2 ln 2^-33) ~ 6.8 standard deviations.  The halves are read through a uint32 view
    (little-endian, as on x86, ARM and CUDA devices), which converts to float32 about 3x faster
    than shifting 64-bit words.
    """
    words = xp.ascontiguousarray(words)
    halves = words.view(xp.uint32).reshape(words.shape + (2,))
    r = halves[..., 1].astype(xp.float32)
    r *= xp.float32(2.0**-32)
    r += xp.float32(2.0**-33)
    xp.log(r, out=r)
    r *= xp.float32(-2.0)
    xp.sqrt(r, out=r)
    theta = halves[..., 0].astype(xp.float32)
    theta *= xp.float32(2.0 * np.pi * 2.0**-32)
    w = words.shape[-1]
    if out is None:
        out = xp.empty(words.shape[:-1] + (count,), dtype=xp.float32)
    ncos = min(w, count)
    xp.cos(theta[..., :ncos], out=out[..., :ncos])
    out[..., :ncos] *= r[..., :ncos]
    if count > w:
        xp.sin(theta[..., : count - w], out=out[..., w:count])
        out[..., w:count] *= r[..., : count - w]
    return out


def signs(xp, words, count: int):
    """+-1 in float32 from the bits of each word (bit b of word t gives entry 64 t + b)."""
    words = xp.ascontiguousarray(words)
    # flattened, then reshaped: CuPy's unpackbits takes no axis, and C order keeps each row's bits together
    flat = xp.unpackbits(words.view(xp.uint8).ravel(), bitorder="little")
    bits = flat.reshape(words.shape[:-1] + (64 * words.shape[-1],))[..., :count]
    return bits.astype(xp.float32) * xp.float32(2.0) - xp.float32(1.0)


def sample_without_replacement(stream: Stream, n: int, m: int) -> np.ndarray:
    """m distinct integers from [0, n), uniformly (Floyd's algorithm: O(m) time and memory), on the host.

    Draw t uses word t of row 0 of ``stream``; n must be below 2^32 (``bounded`` maps 32 bits).
    """
    if not 0 <= m <= n < 2**32:
        raise InputError(f"cannot draw {m} distinct values from [0, {n}) (n must be below 2^32)")
    hi, _ = uniform32_halves(np, stream.words(0, m))
    chosen: dict[int, None] = {}
    for t, j in enumerate(range(n - m, n)):
        v = int(bounded(np, hi[t : t + 1], j + 1)[0])
        chosen[j if v in chosen else v] = None
    return np.fromiter(chosen, dtype=np.int64, count=m)


def fill_rows(stream: Stream, start: int, stop: int, width: int, transform, out, xp=np) -> None:
    """out[r] = transform(xp, words of row start + r), in cache-sized pieces (on all cores of a CPU)."""

    def piece(a: int, b: int) -> None:
        transform(xp, stream.rows(a, b, width, xp), out.shape[-1], out=out[a - start : b - start])

    backend.of(xp).map_pieces(piece, start, stop, max(1, _CPU_CHUNK_WORDS // width))
