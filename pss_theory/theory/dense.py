"""The theory of the dense families (``families.dense``: gaussian, rademacher, achlioptas), every entry of S
independent with mean 0 and variance 1/k.

Their JLT bounds are the union bound over a per-vector tail rate (``tails.chernoff_log_k``).  Predictions
for eps_macro: S Q has iid entries of mean 0 and variance 1/k, so its singular values concentrate at the
Marchenko-Pastur edges 1 +- sqrt(d/k) (a "~" prediction for every dense family); for Gaussian S only,
Davidson & Szarek 2001, Thm II.13 bounds them with a Gaussian tail at delta.
"""
from __future__ import annotations

from . import predictions
from .row_laws import GaussianLaw, SignedSumLaw


def macro_prediction(k: int, d: int, delta: float, gaussian_entries: bool) -> dict:
    """The Marchenko-Pastur edge, and for Gaussian entries its Davidson-Szarek bound at delta."""
    out = {"prediction": predictions.mp_eps_norm(d, k), "prediction_name": "Marchenko-Pastur edge sqrt(d/k)"}
    if gaussian_entries:
        out["prediction_delta"] = predictions.mp_eps_norm(d, k, predictions.davidson_szarek_t(delta))
    return out


def eta_law(column_norm_variance: float) -> tuple[float, float]:
    """(a, b) of ``Family.eta_law``: independent entries of variance 1/k give E <S e_i, S e_j>^2 = k (1/k)^2
    = 1/k, so a = 1; b = k Var ||S e_i||^2 is ``column_norm_variance`` (2 for Gaussian entries: chi^2_k / k;
    0 for +-1/sqrt(k); (1 - q)/q for +-1/sqrt(q k) with probability q: Binomial(k, q) / (q k))."""
    return 1.0, column_norm_variance


def gaussian_row_law(k: int) -> GaussianLaw:
    """Gaussian entries: the exact Gaussian law."""
    return GaussianLaw(k)


def sign_row_law(k: int, density: float = 1.0) -> SignedSumLaw:
    """Entries +-c, c^2 = 1/(density k), nonzero with probability density: given the nonzeros of s_i, each
    meets row j's entry with probability density, adding c^4 a_j to V (density 1: +-1/sqrt(k), every slot
    meeting every row, V = (||E||_F^2 - a_i) / k)."""
    return SignedSumLaw(k, p=density, weight=1.0 / (density * k) ** 2, density=density)
