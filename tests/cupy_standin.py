"""A stand-in for CuPy on the CPU: numpy under CuPy's names, so that every ``is_gpu`` branch of
``pss_theory.backend`` (the only place numpy and CuPy differ) runs in the default suite on a machine
without a GPU.  It stands in for the API the backend calls, not for CUDA: arrays are numpy arrays, the
"device" memory is the host's, events time with ``perf_counter``.  What it checks is that the GPU
branches compute the numbers the CPU branches do; a real card is still tested by the ``gpu`` tests.
"""
from __future__ import annotations

import sys
import time
import types

import numpy as np
import scipy.sparse


class OutOfMemoryError(MemoryError):
    pass


class _Event:
    def record(self):
        self.at = time.perf_counter()

    def synchronize(self):
        pass


class _Device:
    id = 0


class _Pool:
    def free_all_blocks(self):
        pass


class _Random:
    """CuPy's global generator: ``seed``, ``random_sample(shape, dtype)``, ``randint(low, high, size, dtype)``."""

    def __init__(self):
        self.gen = np.random.default_rng(0)

    def seed(self, value):
        self.gen = np.random.default_rng(value)

    def random_sample(self, shape, dtype=np.float64):
        return self.gen.random(shape, dtype=dtype)

    def randint(self, low, high, size=None, dtype=np.int64):
        return self.gen.integers(low, high, size, dtype=dtype)


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def make() -> tuple[types.ModuleType, types.ModuleType]:
    """(cupy, cupyx): a module that is not numpy but answers with numpy, and cupyx's scatter_add and
    scipy.sparse."""
    runtime = _module("cupy.cuda.runtime", getDeviceCount=lambda: 1,
                      getDeviceProperties=lambda i: {"name": b"CuPy stand-in on the CPU"},
                      memGetInfo=lambda: (float(8 << 30), float(16 << 30)))
    cuda = _module("cupy.cuda", runtime=runtime, Device=_Device, Event=_Event,
                   memory=_module("cupy.cuda.memory", OutOfMemoryError=OutOfMemoryError),
                   get_elapsed_time=lambda a, b: 1e3 * (b.at - a.at))
    cupy = _module("cupy", cuda=cuda, random=_Random(), asnumpy=np.asarray, __version__="stand-in",
                   get_default_memory_pool=_Pool)
    cupy.__getattr__ = lambda name: getattr(np, name)  # module-level __getattr__ (PEP 562): the rest is numpy
    cupyx = _module("cupyx", scatter_add=np.add.at, scipy=_module("cupyx.scipy", sparse=scipy.sparse))
    return cupy, cupyx


def install(monkeypatch) -> types.ModuleType:
    """Put the stand-in where the backend looks for CuPy (``backend._cupy`` and the cupyx imports);
    undone with ``monkeypatch``.  Returns the stand-in cupy module."""
    from pss_theory import backend

    cupy, cupyx = make()
    for name, module in (("cupy", cupy), ("cupyx", cupyx), ("cupyx.scipy", cupyx.scipy),
                         ("cupyx.scipy.sparse", scipy.sparse)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(backend, "_cupy", lambda: cupy)
    return cupy
