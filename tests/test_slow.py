"""Larger runs, deselected by default: python -m pytest -m slow."""
import numpy as np
import pytest

import pss_theory as p
from pss_theory import metrics
from pss_theory.checks import run_check
from pss_theory.report import certify as certify_report

pytestmark = pytest.mark.slow


def test_marchenko_pastur_edges_at_d_64():
    """S Q is k x d Gaussian: over 6 seeds the edges sit within 3% of 1 +- sqrt(d/k) at d = 64, k = 4096."""
    n, d, k = 100_000, 64, 4096
    E = p.table("lowrank", n=n, d=d, seed=1, rank=d)
    sv = [metrics.eps_macro(metrics.compress(p.sketch("gaussian", k=k, n=n, seed=s), E))["singular_values"]
          for s in range(6)]
    edge = np.sqrt(d / k)
    assert np.mean([v.max() for v in sv]) == pytest.approx(1 + edge, rel=0.03)
    assert np.mean([v.min() for v in sv]) == pytest.approx(1 - edge, rel=0.03)


@pytest.mark.parametrize("family", ["gaussian", "srht", "countsketch"])
def test_rms_eta_law_at_scale(family):
    """RMS eta_i ~ sqrt(srank / k) on 2e5 rows, for Gaussian S and, empirically, SRHT and CountSketch."""
    n, d, k = 200_000, 32, 2048
    E = p.table("zipf", n=n, d=d, seed=4)
    S = p.sketch(family, k=k, n=n, seed=2)
    comp = metrics.compress(S, E)
    spec = metrics.spectrum(comp)
    mi = metrics.micro(S, E, comp, spec)
    assert np.sqrt((mi.eta**2).mean()) == pytest.approx(np.sqrt(spec.stable_rank / k), rel=0.05)
    assert np.all(mi.eta <= mi.c * (1 + 1e-9) + 1e-12)


def test_certificates_fail_at_most_delta_over_1000_seeds():
    """Issue 22's Monte Carlo with the toolkit's own sketches and bounds: 1000 independent S per certified
    family on a zipf table (n = 3000, d = 10, rho = 0.05, delta = 0.1).  Each family's failure rate has a
    Clopper-Pearson upper end at most 1.5 delta, and its bound is at least the worst measured row at the
    1 - delta quantile over seeds (what a valid certificate implies)."""
    fams = ("gaussian", "rademacher", "achlioptas", "countsketch", "osnap", "srht")
    s = run_check("certify", n=3000, d=10, k=256, seeds=1000, batch=250, rho=0.05, delta=0.1,
                  family=",".join(fams), mc_draws=50, calibration_rows=5)
    assert set(s["stats"]) == set(fams)
    for fam, st in s["stats"].items():
        assert st["kind"] == "certificate" and st["trials"] == 1000 and st["m"] > 0, fam
        assert st["cp_high"] <= 0.15, (fam, st["failures"])
        assert 1 <= st["tightness"] <= certify_report.TIGHT[fam], (fam, st["tightness"])
