"""glibc's malloc kept steady for the host's large temporaries: a process-wide setting a program opts into."""
from __future__ import annotations

MiB = 1 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def _glibc():
    """The C library as ctypes sees it, or None off glibc (no libc.so.6, or a libc without these calls)."""
    try:
        import ctypes  # noqa: PLC0415

        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def steady_allocator(mmap_threshold: int = 64 * MiB, trim_threshold: int = 128 * MiB) -> bool:
    """Ask glibc to serve allocations below ``mmap_threshold`` from its heap and not to give the heap
    back to the system until ``trim_threshold`` is free: what a caching allocator (CuPy's pool,
    PyTorch's) does on a GPU.  Without it every iteration's temporaries of a few MiB (the batch, its
    locations, sort keys) are fresh mmaps whose pages fault in again, measured to add 1-5 ms to an
    iteration and to make the forward pass depend on which backward ran before it.  Returns whether
    the allocator accepted (False, and nothing changed, off glibc).  It changes the whole process, so the
    library never calls it: a program opts in (``python -m verify.robez_timing`` does on a CPU).
    """
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold))
                                     and libc.mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))


def give_back_free_heap() -> bool:
    """glibc's ``malloc_trim(0)``: return every free page of the heap to the system, the middle of the heap
    included (the trim threshold governs its top only).  After a run held tile-sized temporaries in the
    heap, a later run in the same process (the report runs every check in one) and the memory guards
    that read MemAvailable see that memory free again.  Returns False off glibc."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
