"""What the E.1 timing study asks of a device beyond the checks' operations: dense gradient sums, seeded
draws that need not match across devices, read-only shared arrays and step timers.  Part of ``Backend``
(which inherits it): the same one place where numpy and CuPy differ, kept in its own module.
"""
from __future__ import annotations

from time import perf_counter

import numpy as np


class TimingOps:
    """Methods of ``Backend`` for the E.1 timing study; they read the backend's ``xp``, ``is_gpu`` and
    ``scatter_add``."""

    # ---- dense gradients (E.1 timing study) ----
    @property
    def atomic_scatter_add(self) -> bool:
        """Whether ``scatter_add`` into rows is one atomic-add kernel (CuPy).  On the CPU it is
        ``np.add.at``, measured 4x slower on 10240 rows of 128 floats than sorting the indices and
        summing the runs."""
        return self.is_gpu

    def dense_sum_dtype(self, dtype) -> np.dtype:
        """dtype of ``dense_sum``'s buffer for values of ``dtype``: float64 on the CPU (``np.bincount``
        sums in float64 only), ``dtype`` on a GPU."""
        return np.dtype(dtype if self.is_gpu else np.float64)

    def dense_sum(self, idx, values, size: int):
        """A new zero-filled buffer of ``size`` with the 1-D ``values`` summed at ``idx``: one
        ``np.bincount`` pass (zero-fill and scatter-add together) on the CPU, zeros and
        ``cupyx.scatter_add`` on a GPU."""
        if not self.is_gpu:
            return np.bincount(idx, weights=values, minlength=size)
        out = self.xp.zeros(size, dtype=self.dense_sum_dtype(values.dtype))
        self.scatter_add(out, idx, values)
        return out

    # ---- seeded draws that need not match across devices (E.1 timing study) ----
    def uniform_float32(self, shape, seed: int):
        """Uniform [0, 1) float32 array of ``shape``: on the CPU filled in place from
        ``np.random.default_rng(seed)``, 2^24 values at a time; on a GPU from CuPy's global generator
        seeded with ``seed`` mod 2^32."""
        if self.is_gpu:
            self.xp.random.seed(seed % (1 << 32))
            return self.xp.random.random_sample(shape, dtype=self.xp.float32)
        out = np.empty(shape, dtype=np.float32)
        flat = out.reshape(-1)
        gen = np.random.default_rng(seed)
        step = 1 << 24
        for a in range(0, flat.size, step):
            gen.random(out=flat[a : a + step], dtype=np.float32)
        return out

    def int_sampler(self, seed: list[int]):
        """``draw(high, size)``: ``size`` int64 uniform over [0, high), each call the next draws of a
        stream fixed by ``seed``: ``np.random.default_rng(seed)`` on the CPU; on a GPU CuPy's global
        generator, seeded here with the seed folded to 32 bits (s0 * 1000003 + s1 ...), so a later
        seeding of that generator (``uniform_float32``) restarts the stream."""
        xp = self.xp
        if self.is_gpu:
            folded = 0
            for s in seed:
                folded = folded * 1_000_003 + int(s)
            xp.random.seed(folded % (1 << 32))

            def draw_gpu(high: int, size: int):
                return xp.random.randint(0, high, size=size, dtype=xp.int64)

            return draw_gpu
        gen = np.random.default_rng(list(seed))

        def draw(high: int, size: int):
            return gen.integers(0, high, size, dtype=np.int64)

        return draw

    # ---- arrays shared between calls, and timers (E.1 timing study) ----
    def read_only(self, a):
        """``a``, marked read-only on the CPU (CuPy arrays have no such flag)."""
        if not self.is_gpu:
            a.flags.writeable = False
        return a

    def stopwatch(self, marks: int):
        """``(mark, laps_ms)`` to time consecutive steps: ``mark(i)`` at boundary i of ``marks``, then
        ``laps_ms()`` is the list of milliseconds between consecutive marks.  On a GPU, CUDA events
        (device time; ``laps_ms`` waits for the last mark), created once here; on the CPU,
        ``time.perf_counter``."""
        if self.is_gpu:
            cuda = self.xp.cuda
            events = [cuda.Event() for _ in range(marks)]

            def record(i: int) -> None:
                events[i].record()

            def elapsed_ms() -> list[float]:
                events[-1].synchronize()
                return [cuda.get_elapsed_time(a, b) for a, b in zip(events, events[1:])]

            return record, elapsed_ms
        stamps = [0.0] * marks

        def stamp(i: int) -> None:
            stamps[i] = perf_counter()

        def laps_ms() -> list[float]:
            return [1e3 * (b - a) for a, b in zip(stamps, stamps[1:])]

        return stamp, laps_ms
