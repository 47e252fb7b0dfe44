"""One array namespace, ``xp``, for numpy (CPU) or CuPy (GPU), and every operation whose fastest
(or only) form differs between the two.

CuPy is imported lazily and only when a GPU is asked for, so the package imports, installs and
passes its tests without it.  This package is the only place that asks which of the two it runs on: the
rest of the package writes ``xp`` code and calls the operations below for the few places where the
two libraries differ (a random-number kernel, matrix products, triangular solves, scatter-adds, a gather
of overlapping windows, free memory and out-of-memory errors; the E.1 timing study's own operations in
``timing_ops``).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numpy as np
import scipy.sparse
from scipy import linalg

from ..errors import InputError
from ..philox import philox_blocks
from .timing_ops import TimingOps

DEVICES = ("cpu", "gpu", "auto")

#: The inner-dimension panel of ``matmul``.  OpenBLAS blocks a product's inner dimension in pieces that
#: depend on its thread count once that dimension exceeds its K-block (GEMM_Q, 256 or more on x86-64);
#: a panel no longer than that is one piece whatever the thread count.  Measured with OpenBLAS 0.3.31
#: (SkylakeX kernels): 1 and 2 threads agree to the bit on 356 random shapes with panels of 256, and
#: differ on 17 of 369 with panels of 512.
PANEL = 256


class DeviceError(InputError):
    """A device was asked for that this machine cannot give."""


def _cupy() -> ModuleType | None:
    try:
        import cupy  # noqa: PLC0415  (optional dependency)
    except ImportError:
        return None
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
    except Exception:  # CUDA driver missing or broken: no usable device
        return None
    return cupy


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """Threads for the CPU's generation pieces: up to 4, fewer on fewer cores, and no more than
    OMP_NUM_THREADS where it is set (a Dask worker is started with 1: its tasks then keep to one core,
    as its BLAS does)."""
    limit = os.environ.get("OMP_NUM_THREADS", "")
    return ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1, int(limit) if limit.isdigit() and int(limit) > 0 else 4))


@dataclass(frozen=True)
class Backend(TimingOps):
    """The array module and the matching sparse module of one device (and, from ``TimingOps``, what the
    E.1 timing study asks of it)."""

    name: str  # "numpy" or "cupy"
    xp: ModuleType
    sparse: ModuleType

    @property
    def is_gpu(self) -> bool:
        return self.xp is not np

    def __reduce__(self):
        """Pickled as its device (a task sent to another process gets that process's backend)."""
        return get_backend, ("gpu" if self.is_gpu else "cpu",)

    @property
    def device(self) -> str:
        return "gpu" if self.is_gpu else "cpu"

    def describe(self) -> str:
        if not self.is_gpu:
            return f"numpy {np.__version__} on CPU"
        props = self.xp.cuda.runtime.getDeviceProperties(self.xp.cuda.Device().id)
        return f"cupy {self.xp.__version__} on {props['name'].decode()}"

    def asarray(self, a, dtype=None):
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a) -> np.ndarray:
        return to_host(a)

    # ---- random numbers ----
    def philox_words(self, key: tuple[int, int], start: int, count: int):
        """The Philox4x64-10 words at global positions [start, start + count): word p is lane p % 4 of the
        block with counter p // 4 (upper counter bits zero).

        CPU: numpy's own C Philox, positioned at the counter; GPU: the same rounds as integer array
        operations (``philox.philox_blocks``), tested equal bit for bit.
        """
        first_block, skip = divmod(int(start), 4)
        nblocks = (skip + count + 3) // 4
        if not self.is_gpu:
            # numpy increments the counter before each block, so position it one block early
            bg = np.random.Philox(key=np.array(key, dtype=np.uint64), counter=(first_block - 1) % (1 << 256))
            words = bg.random_raw(4 * nblocks)
        else:
            xp = self.xp
            words = philox_blocks(xp, xp.arange(first_block, first_block + nblocks, dtype=xp.uint64), key).ravel()
        return words[skip : skip + count]

    def philox_rows_at(self, key: tuple[int, int], idx, width: int):
        """Rows ``idx`` (a 1-D int64 array) of ``width`` words each, row i being the words at positions
        [i width, (i + 1) width): shape (len(idx), width).  On the CPU the indices are sorted and read as
        runs of consecutive rows (numpy's Philox is fastest sequentially); on a GPU each word is computed
        from its counter directly."""
        xp = self.xp
        if self.is_gpu:
            pos = (idx[:, None] * width + xp.arange(width)).astype(xp.uint64)
            blocks = philox_blocks(xp, pos >> xp.uint64(2), key)
            return xp.take_along_axis(blocks.reshape(-1, 4), (pos & xp.uint64(3)).reshape(-1, 1).astype(xp.int64),
                                      1).reshape(pos.shape)
        out = np.empty((idx.size, width), dtype=np.uint64)
        if idx.size == 0:
            return out
        order = np.argsort(idx, kind="stable")
        sorted_idx = idx[order]
        breaks = np.flatnonzero(np.diff(sorted_idx) != 1) + 1
        for run in np.split(np.arange(idx.size), breaks):
            first, last = int(sorted_idx[run[0]]), int(sorted_idx[run[-1]])
            out[order[run]] = self.philox_words(key, first * width, (last + 1 - first) * width).reshape(-1, width)
        return out

    def map_pieces(self, piece, start: int, stop: int, step: int) -> None:
        """``piece(a)`` for a in range(start, stop, step): on all CPU cores (numpy's ufuncs and Philox
        release the GIL); one call for the whole range on a GPU, where one kernel is already parallel."""
        if self.is_gpu:
            piece(start, stop)
            return
        list(_pool().map(lambda a: piece(a, min(stop, a + step)), range(start, stop, step)))

    # ---- linear algebra and scatter ----
    def solve_right_upper(self, X, R):
        """X R^-1 for upper-triangular R (d x d): a triangular solve on the CPU (scipy), a general
        solve on the GPU (CuPy has no triangular solve for a right-hand side of this shape)."""
        if not self.is_gpu:
            return linalg.solve_triangular(R, X.T, trans="T", lower=False).T
        return self.xp.linalg.solve(self.xp.asarray(R).T, X.T).T

    def scatter_add(self, out, idx, values) -> None:
        """out[idx] += values, with repeated indices accumulated (unbuffered).

        For a 1-D ``out`` on the CPU, ``np.bincount`` (measured faster than ``np.add.at`` for
        8.4M-entry blocks into 3e4 to 1.3e7 slots); ``np.add.at`` otherwise; ``cupyx.scatter_add`` on a GPU.
        """
        if self.is_gpu:
            import cupyx  # noqa: PLC0415

            cupyx.scatter_add(out, idx, values)
        elif out.ndim == 1:
            out += np.bincount(idx, weights=values, minlength=out.shape[0])
        else:
            np.add.at(out, idx, values)

    def gather_windows(self, memory, starts, width: int):
        """memory[s : s + width] for every start s (any shape), concatenated along the last axis.

        On the CPU a window is copied as one item of ``width`` floats (memory viewed as overlapping
        items of width * itemsize bytes, numpy's void dtype), measured 2-10x faster than a per-element
        gather for width >= 2; on a GPU one gather per element.  Both give the same values.
        """
        if width == 1:
            return self.xp.take(memory, starts)
        if self.is_gpu:
            return memory[starts[..., None] + self.xp.arange(width, dtype=self.xp.int64)].reshape(
                starts.shape[:-1] + (starts.shape[-1] * width,))
        memory = np.ascontiguousarray(memory)
        size = memory.itemsize
        items = np.ndarray(shape=(memory.shape[0] - width + 1,), dtype=np.dtype((np.void, width * size)),
                           buffer=memory, strides=(size,))
        return items[starts].view(memory.dtype).reshape(starts.shape[:-1] + (starts.shape[-1] * width,))

    # ---- memory ----
    def available_bytes(self) -> float:
        """Free memory of the device: MemAvailable on the CPU, free device memory on a GPU."""
        if self.is_gpu:
            free, _ = self.xp.cuda.runtime.memGetInfo()
            return float(free)
        try:
            with open("/proc/meminfo", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("MemAvailable:"):
                        return float(line.split()[1]) * 1024
        except OSError:
            pass
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))

    @property
    def out_of_memory_errors(self) -> tuple[type, ...]:
        """What an allocation that does not fit raises on this device."""
        if self.is_gpu:
            return (MemoryError, self.xp.cuda.memory.OutOfMemoryError)
        return (MemoryError,)

    def free_pool(self) -> None:
        """Return cached device blocks (CuPy's memory pool) after an out-of-memory error; no-op on the CPU."""
        if self.is_gpu:
            self.xp.get_default_memory_pool().free_all_blocks()


#: DLPack device types of CUDA memory (``kDLCUDA``, ``kDLCUDAManaged`` of dlpack.h)
DLPACK_CUDA = (2, 13)


def on_gpu(a) -> bool:
    """Whether the array object ``a`` lives in CUDA memory (CUDA array interface, or a DLPack device of CUDA)."""
    if hasattr(a, "__cuda_array_interface__"):
        return True
    device = getattr(a, "__dlpack_device__", None)
    return device is not None and int(device()[0]) in DLPACK_CUDA


def as_array(a):
    """A numpy or CuPy array for any array object, without a copy where its producer allows.

    Arrays in CUDA memory (CuPy, torch or JAX on a GPU) become CuPy arrays and stay on the GPU
    (``cupy.asarray`` reads the CUDA array interface, ``cupy.from_dlpack`` DLPack); the others come
    through DLPack (``np.from_dlpack``: torch, JAX) or, failing that, ``__array__`` (pandas, lists).
    """
    if isinstance(a, np.ndarray):
        return a
    if on_gpu(a):
        cupy = get_backend("gpu").xp  # DeviceError without CuPy and a device
        return cupy.asarray(a) if hasattr(a, "__cuda_array_interface__") else cupy.from_dlpack(a)
    if hasattr(a, "__dlpack__"):
        try:
            return np.from_dlpack(a)
        except (BufferError, RuntimeError, TypeError):  # a dtype numpy lacks, or a producer that refuses export
            if not hasattr(a, "__array__"):
                raise
    return np.asarray(a)


def move(a, xp):
    """``a`` (numpy or CuPy) as an array of ``xp``: copied between host and GPU only when they differ."""
    if xp is np:
        return to_host(a)
    if getattr(a, "dtype", np.dtype("f4")).byteorder not in "=|":
        a = a.astype(a.dtype.newbyteorder("="))  # CuPy holds native byte order only (a big-endian .npy)
    return xp.asarray(a)


def matmul(a, b):
    """a @ b for 2-D a and b, summed over the inner dimension in panels of ``PANEL``, left to right.

    On the CPU its bits do not depend on BLAS's thread count, so a Dask worker (one thread) and this
    process (all cores) compute the same M, Grams and per-row values.  A matrix-vector product is taken
    as a two-column one, since OpenBLAS's gemv splits its sum by thread count too.  On a GPU it is one
    cuBLAS call: no CPU thread count enters it.
    """
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul takes 2-D arrays, got shapes {a.shape} and {b.shape}")
    if on_gpu(a):
        return a @ b
    if b.shape[1] == 1:
        return np.ascontiguousarray(matmul(a, np.repeat(b, 2, axis=1))[:, :1])
    if a.shape[0] == 1:
        return np.ascontiguousarray(matmul(np.repeat(a, 2, axis=0), b)[:1])
    inner = a.shape[1]
    out = a[:, :PANEL] @ b[:PANEL]
    if inner > PANEL:
        part = np.empty_like(out)
        for s in range(PANEL, inner, PANEL):
            np.matmul(a[:, s : s + PANEL], b[s : s + PANEL], out=part)
            out += part
    return out


def to_host(a) -> np.ndarray:
    """A numpy array for a numpy or CuPy array (or anything ``np.asarray`` takes)."""
    if hasattr(a, "__cuda_array_interface__"):
        return a.get()
    return np.asarray(a)


def holding(a) -> Backend:
    """The backend whose device holds the array ``a``."""
    return get_backend("gpu" if hasattr(a, "__cuda_array_interface__") else "cpu")


def of(xp) -> Backend:
    """The backend whose array module is ``xp``."""
    return get_backend("cpu" if xp is np else "gpu")


def get_backend(device: str = "cpu") -> Backend:
    """Backend for ``device`` in {"cpu", "gpu", "auto"}; "auto" takes a GPU when one is usable."""
    if isinstance(device, Backend):
        return device
    if device not in DEVICES:
        raise DeviceError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "cpu":
        return Backend("numpy", np, scipy.sparse)
    cupy = _cupy()
    if cupy is None:
        if device == "auto":
            return get_backend("cpu")
        raise DeviceError(
            "device 'gpu' asked for, but no CUDA device is usable here "
            "(install the extra with `pip install -e '.[gpu]'` on a machine with an NVIDIA GPU, or use --device cpu)"
        )
    import cupyx.scipy.sparse  # noqa: PLC0415

    return Backend("cupy", cupy, cupyx.scipy.sparse)
