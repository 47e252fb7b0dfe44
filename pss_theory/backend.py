"""One array namespace, ``xp``, for numpy (CPU) or CuPy (GPU).

CuPy is imported lazily and only when a GPU is asked for, so the package imports, installs and
passes its tests without it.  Everything that differs between the two backends lives here.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .errors import InputError

DEVICES = ("cpu", "gpu", "auto")


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


@dataclass(frozen=True)
class Backend:
    """The array module and the matching sparse module of one device."""

    name: str  # "numpy" or "cupy"
    xp: ModuleType
    sparse: ModuleType

    @property
    def device(self) -> str:
        return "cpu" if self.name == "numpy" else "gpu"

    def describe(self) -> str:
        if self.name == "numpy":
            return f"numpy {np.__version__} on CPU"
        props = self.xp.cuda.runtime.getDeviceProperties(self.xp.cuda.Device().id)
        return f"cupy {self.xp.__version__} on {props['name'].decode()}"

    def asarray(self, a, dtype=None):
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a) -> np.ndarray:
        return a if isinstance(a, np.ndarray) else self.xp.asnumpy(a)

    def scatter_add(self, out, idx, values) -> None:
        """out[idx] += values, with repeated indices accumulated (unbuffered)."""
        if self.name == "numpy":
            np.add.at(out, idx, values)
        else:
            import cupyx  # noqa: PLC0415

            cupyx.scatter_add(out, idx, values)


def get_backend(device: str = "cpu") -> Backend:
    """Backend for ``device`` in {"cpu", "gpu", "auto"}; "auto" takes a GPU when one is usable."""
    if isinstance(device, Backend):
        return device
    if device not in DEVICES:
        raise DeviceError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "cpu":
        import scipy.sparse  # noqa: PLC0415

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
