"""A stand-in for CuPy on the CPU, so that every ``is_gpu`` branch of ``pss_theory.backend`` (the only
place numpy and CuPy differ), and all ``xp`` code above it, runs in the default suite on a machine
without a GPU.

Its arrays hold numpy arrays but behave like CuPy's where numpy-written code breaks on a GPU:
- implicit conversion to numpy is refused: ``np.asarray``/``np.array`` on them raise TypeError, with
  CuPy's message; ``.get()``, ``cupy.asnumpy`` and ``backend.to_host`` copy to the host explicitly;
- mixing them with numpy arrays in a ufunc, a ``cupy.*`` function or a sparse product raises TypeError
  (CuPy's "Unsupported type"); only ``cupy.asarray``/``array``/``ascontiguousarray`` take host arrays;
- a big-endian host array is copied as its bytes in native order (wrong values, as CuPy copies it);
- reductions and integer indexing return 0-d arrays, not numpy scalars;
- ``numpy`` functions called on them dispatch back to the stand-in (``__array_function__``), as CuPy's
  arrays do; ``flags`` is read-only;
- they carry ``__cuda_array_interface__`` (how the package tells a device array from a host one).

It stands in for the array API the package calls, not for CUDA: "device" memory is the host's, events
time with ``perf_counter``, and the random generator (CuPy's global one, which need not match numpy) is
numpy's.  What it checks is that code written for ``xp`` runs, and computes what the CPU computes,
when ``xp`` is not numpy; a real card is still tested by the ``gpu`` tests.
"""
from __future__ import annotations

import sys
import time
import types

import numpy as np
import numpy.lib.mixins
import scipy.sparse

IMPLICIT = ("Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly.")
HOST_READERS = {"asarray", "array", "ascontiguousarray", "asanyarray"}


def _unsupported(value):
    return TypeError(f"Unsupported type {type(value)}")


def _unwrap(value, host_ok: bool = False):
    """The numpy value under ``value`` (through lists, tuples and dicts); a numpy array of ndim > 0
    where only device arrays are accepted is a TypeError, as in CuPy."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, SparseMatrix):
        return value._m
    if isinstance(value, np.ndarray) and value.ndim > 0 and not host_ok:
        raise _unsupported(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, host_ok) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, host_ok) for k, v in value.items()}
    return value


def _wrap(value):
    """Device arrays for numpy results: arrays and numpy scalars (0-d, as CuPy's reductions give)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return ndarray(np.asarray(value))
    if scipy.sparse.issparse(value):
        return SparseMatrix(value)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _native_bytes(value):
    """What CuPy copies of a host array: its bytes read in native order, whatever its dtype says (a
    big-endian array comes out with wrong values, silently: cupy/cupy#3652, #4288)."""
    if isinstance(value, np.ndarray) and value.dtype.byteorder not in "=|":
        return value.view(value.dtype.newbyteorder("="))
    return value


def _device_function(func, host_ok: bool = False):
    def call(*args, **kwargs):
        if host_ok and args:
            args = (_native_bytes(args[0]), *args[1:])
        return _wrap(func(*_unwrap(args, host_ok), **_unwrap(kwargs, host_ok)))

    call.__name__ = getattr(func, "__name__", "function")
    return call


class _Flags:
    def __init__(self, a: np.ndarray):
        self.c_contiguous, self.f_contiguous, self.owndata = (a.flags.c_contiguous, a.flags.f_contiguous,
                                                              a.flags.owndata)


class ndarray(numpy.lib.mixins.NDArrayOperatorsMixin):  # noqa: N801  (CuPy's name)
    """A device array: a numpy array that refuses to become one implicitly."""

    __slots__ = ("_a",)

    def __init__(self, a: np.ndarray):
        self._a = a

    def __array__(self, *args, **kwargs):
        raise TypeError(IMPLICIT)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.pop("out", None)
        raw = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs),
                                     **({"out": _unwrap(out)} if out is not None else {}))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(raw)

    def __array_function__(self, func, types, args, kwargs):
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    @property
    def __cuda_array_interface__(self):
        return {"shape": self._a.shape, "typestr": self._a.dtype.str, "data": (self._a.ctypes.data, False),
                "version": 3}

    def get(self) -> np.ndarray:
        return self._a.copy()

    @property
    def flags(self):
        return _Flags(self._a)

    def __getattr__(self, name):
        if name.startswith("__"):  # numpy's own protocols (__array_interface__, ...) would hand over the data
            raise AttributeError(name)
        value = getattr(self._a, name)
        return _device_function(value) if callable(value) else _wrap(value)

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, host_ok=True)])

    def __setitem__(self, key, value):
        self._a[_unwrap(key, host_ok=True)] = _unwrap(value, host_ok=True)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (ndarray(np.asarray(row)) for row in self._a)

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __format__(self, spec):
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    def __repr__(self):
        return f"standin.{self._a!r}"

    def __reduce__(self):
        return ndarray, (self._a,)


class SparseMatrix:
    """cupyx.scipy.sparse's matrices: a SciPy matrix whose products take and give device arrays."""

    def __init__(self, m):
        self._m = m

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._m, name)
        return _device_function(value) if callable(value) else _wrap(value)

    def __matmul__(self, other):
        return _wrap(self._m @ _unwrap(other))

    def __rmatmul__(self, other):
        return _wrap(_unwrap(other) @ self._m)

    def __mul__(self, other):
        return _wrap(self._m * _unwrap(other))

    __rmul__ = __mul__

    def __neg__(self):
        return SparseMatrix(-self._m)


def _sparse_constructor(make):
    def construct(arg1, shape=None, dtype=None):
        return SparseMatrix(make(_unwrap(arg1), shape=shape, dtype=dtype))

    return construct


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


class OutOfMemoryError(MemoryError):
    pass


class _Random:
    """CuPy's global generator: ``seed``, ``random_sample(shape, dtype)``, ``randint(low, high, size, dtype)``."""

    def __init__(self):
        self.gen = np.random.default_rng(0)

    def seed(self, value):
        self.gen = np.random.default_rng(value)

    def random_sample(self, shape, dtype=np.float64):
        return ndarray(self.gen.random(shape, dtype=dtype))

    def randint(self, low, high, size=None, dtype=np.int64):
        return ndarray(np.asarray(self.gen.integers(low, high, size, dtype=dtype)))


class _Namespace(types.ModuleType):
    """numpy (or one of its submodules) under CuPy's rules: functions take and give device arrays;
    types, dtypes and constants are numpy's own."""

    def __init__(self, name: str, base: types.ModuleType, **attrs):
        super().__init__(name)
        self._base = base
        self.__dict__.update(attrs)

    def __getattr__(self, name):
        value = getattr(self._base, name)
        if isinstance(value, types.ModuleType):
            return _Namespace(f"{self.__name__}.{name}", value)
        if isinstance(value, type) or not callable(value):
            return value
        return _device_function(value, host_ok=name in HOST_READERS)


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def _scatter_add(out, idx, values):
    np.add.at(_unwrap(out), _unwrap(idx), _unwrap(values))


def _asnumpy(a):
    return a.get() if isinstance(a, ndarray) else np.asarray(a)


def make() -> tuple[types.ModuleType, types.ModuleType]:
    """(cupy, cupyx): the array namespace and cupyx's ``scatter_add`` and ``scipy.sparse``."""
    runtime = _module("cupy.cuda.runtime", getDeviceCount=lambda: 1,
                      getDeviceProperties=lambda i: {"name": b"CuPy stand-in on the CPU"},
                      memGetInfo=lambda: (float(8 << 30), float(16 << 30)))
    cuda = _module("cupy.cuda", runtime=runtime, Device=_Device, Event=_Event,
                   memory=_module("cupy.cuda.memory", OutOfMemoryError=OutOfMemoryError),
                   get_elapsed_time=lambda a, b: 1e3 * (b.at - a.at))
    cupy = _Namespace("cupy", np, cuda=cuda, random=_Random(), asnumpy=_asnumpy, ndarray=ndarray,
                      __version__="stand-in", get_default_memory_pool=_Pool)
    sparse = _module("cupyx.scipy.sparse", csr_matrix=_sparse_constructor(scipy.sparse.csr_matrix),
                     csc_matrix=_sparse_constructor(scipy.sparse.csc_matrix),
                     coo_matrix=_sparse_constructor(scipy.sparse.coo_matrix),
                     issparse=lambda m: isinstance(m, SparseMatrix))
    cupyx = _module("cupyx", scatter_add=_scatter_add, scipy=_module("cupyx.scipy", sparse=sparse))
    return cupy, cupyx


def install(monkeypatch) -> types.ModuleType:
    """Put the stand-in where the backend looks for CuPy (``backend._cupy`` and the cupyx imports);
    undone with ``monkeypatch``.  Returns the stand-in cupy module."""
    from pss_theory import backend

    cupy, cupyx = make()
    for name, module in (("cupy", cupy), ("cupyx", cupyx), ("cupyx.scipy", cupyx.scipy),
                         ("cupyx.scipy.sparse", cupyx.scipy.sparse)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(backend, "_cupy", lambda: cupy)
    return cupy
