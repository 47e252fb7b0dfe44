"""Per-row certificates: the bounds hold against the empirical law of each row's error, are not loose by
more than a stated factor, invert correctly in k, and the certify check, the planner and Theorem 7's
rows.npz say what they claim."""
import math

import numpy as np
import pytest
from conftest import run_command
from scipy import stats

import pss_theory as p
from pss_theory import families, report, theory
from pss_theory.checks import run_check
from pss_theory.errors import InputError
from pss_theory.report import certify as certify_report
from pss_theory.theory import cert_tails, k_search
from pss_theory.theory import certificates as C

N, D, K = 300, 4, 32


def _table():
    E = np.asarray(p.table("zipf", n=N, d=D, seed=3, rank=D).block(0, N), dtype=np.float64)
    return E, C.TableStats.from_gram(E.T @ E, np.linalg.norm(E, axis=1))


def _row_errors(family, E, rows, seeds, params):
    """||Mhat_i - E_i|| for the rows over many dense draws of S (seeds x rows)."""
    out = np.empty((seeds, rows.size))
    for t in range(seeds):
        S = p.sketch(family, k=K, n=N, seed=1000 + t, dtype=np.float64, **params).to_dense()
        out[t] = np.linalg.norm(S[:, rows].T @ (S @ E) - E[rows], axis=1)
    return out


@pytest.mark.parametrize("family,params,loose", [("gaussian", {}, 2.0), ("rademacher", {}, 2.0),
                                                 ("achlioptas", {}, 3.9), ("countsketch", {}, 2.8),
                                                 ("osnap", {"s": 2}, 2.6), ("srht", {}, 3.6)])
def test_each_row_bound_covers_its_empirical_quantile_and_is_not_loose(family, params, loose):
    """B_i is at least the empirical (1 - delta/m) quantile of the row's error (the union bound gives each row
    delta/m), and at most ``loose`` times it: a bound that drops a term or a constant fails one side."""
    E, st = _table()
    delta, rho = 0.5, 0.3
    law = families.Distribution.of(family, k=K, n=N, d=D, **params).row_law()
    cert = C.certify(st, law, family, K, delta, rho)
    assert cert.kind == "certificate" and 1 <= cert.m <= 10
    err = _row_errors(family, E, cert.rows, 600, params)
    q = np.quantile(err, 1 - delta / cert.m, axis=0)
    assert (cert.bound >= q).all(), (cert.bound, q)
    assert (cert.bound <= loose * q).all(), (cert.bound / q)


def test_gaussian_form_tail_bounds_the_exact_tail():
    """The tabulated bound on P(g^T G g >= t) is above the Monte Carlo tail and within a factor 3 of it."""
    lam = np.array([0.05, 0.2, 0.3, 1.0])
    t, phi = cert_tails.gaussian_form_tail(lam)
    g = np.random.default_rng(0).standard_normal((400_000, lam.size))
    Q = (g**2 * lam).sum(axis=1)
    for level in (1e-1, 1e-2, 1e-3):
        at = np.quantile(Q, 1 - level)
        bound = phi[np.searchsorted(t, at, side="right") - 1]
        assert level * 0.9 <= bound <= 3 * level


def test_laurent_massart_matches_its_statement():
    """For a = (1,...,1) the bound is the chi^2_d quantile bound d + 2 sqrt(d x) + 2 x."""
    assert cert_tails.laurent_massart(5.0, np.sqrt(5.0), 1.0, 2.0) == pytest.approx(5 + 2 * np.sqrt(10) + 4)


def test_rademacher_sum_mgf_is_at_most_the_gaussian_one():
    """E exp(theta ||sum eps_l v_l||^2) over all 2^8 sign vectors <= det(I - 2 theta C)^{-1/2}, C = sum v_l v_l^T
    (the comparison ``signed_sum_chernoff`` rests on), and the bound is not slack by more than the mgf of a
    Gaussian sum should be."""
    v = np.random.default_rng(5).standard_normal((8, 3)) * np.array([1.0, 0.5, 0.2])[None, :]
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * 8)).reshape(8, -1).T
    z = ((signs @ v) ** 2).sum(axis=1)
    lam = np.linalg.eigvalsh(v.T @ v)
    for u in (0.1, 0.5, 0.9):
        theta = u / (2.0 * lam.max())
        exact = np.exp(theta * z).mean()
        gauss = np.prod(1.0 - 2.0 * theta * lam) ** -0.5
        assert exact <= gauss and exact >= np.exp(theta * z.mean())


def test_signed_sum_chernoff_bounds_the_tail_over_signs_and_supports():
    """P(||h + sum_j B_j eps_j E_j||^2 >= t) <= e^-x by Monte Carlo (B_j ~ Bernoulli(1/2), L = lambda_max of every
    row's Gram, which bounds C surely), and t is not above 4 times the measured (1 - e^-x) quantile."""
    rng = np.random.default_rng(6)
    E = rng.standard_normal((40, 3)) * 0.2
    a = (E**2).sum(axis=1)
    L = float(np.linalg.eigvalsh(E.T @ E).max())
    h = np.array([6.0, 0.0, 0.0])
    for x in (2.0, 4.0):
        t, _, _ = cert_tails.signed_sum_chernoff((a, np.ones(a.size)), 0.5, 1.0, 1.0, L, x, h_sq=float(h @ h))
        B = rng.random((200_000, a.size)) < 0.5
        eps = rng.choice([-1.0, 1.0], size=B.shape)
        z = ((h[None, :] + (B * eps) @ E) ** 2).sum(axis=1)
        assert (z >= t).mean() <= math.exp(-x)
        assert t <= 4.0 * np.quantile(z, 1.0 - math.exp(-x))


def test_matrix_chernoff_top_solves_its_statement_and_bounds_the_top_eigenvalue():
    """dim [e^u / (1 + u)^(1 + u)]^(mu / R) = e^-x at L = (1 + u) mu, and P(lambda_max >= L) <= e^-x for a sum of
    Bernoulli-selected rank-one matrices by Monte Carlo."""
    rng = np.random.default_rng(7)
    E = rng.standard_normal((300, 4)) / 4.0
    p_sel = 0.05
    X = p_sel * E.T @ E
    mu, R = float(np.linalg.eigvalsh(X).max()), float((E**2).sum(axis=1).max())
    x = 3.0
    L = cert_tails.matrix_chernoff_top(mu, R, 4, x)
    u = L / mu - 1.0
    assert 4 * math.exp(mu / R * (u - (1 + u) * math.log1p(u))) == pytest.approx(math.exp(-x), rel=1e-6)
    tops = []
    for _ in range(4000):
        F = E[rng.random(300) < p_sel]
        tops.append(np.linalg.eigvalsh(F.T @ F).max() if F.size else 0.0)
    assert (np.array(tops) >= L).mean() <= math.exp(-x)


def _collided_outcomes(a, p_hit, slots):
    """Every collision pattern and sign pattern of ``a``'s rows over ``slots`` slots: (probability, W, S)."""
    r = np.tile(np.sqrt(a), slots)
    hits = np.array(np.meshgrid(*[[0, 1]] * r.size)).reshape(r.size, -1).T
    signs = np.array(np.meshgrid(*[[-1, 1]] * r.size)).reshape(r.size, -1).T
    prob = np.prod(np.where(hits == 1, p_hit, 1 - p_hit), axis=1)[:, None] * 0.5**r.size
    return (np.broadcast_to(prob, (hits.shape[0], signs.shape[0])).ravel(), np.repeat(hits @ r, signs.shape[0]),
            ((hits[:, None, :] * signs[None, :, :]) @ r).ravel())


def test_collided_sign_laws_are_the_exact_law_up_to_the_grid():
    """For 4 rows, 2 slots and p = 0.3 the law of (W, S) is enumerated over every collision and sign pattern: the
    computed law of |S| is the exact one up to the rounding (one grid step per term, at most 8 terms), E e^{c S^2} is
    at least the exact value and within that rounding of it, the heavy set of tau = 0.5 is the top row alone, and
    the groups count W's steps."""
    a = np.array([1.0, 0.49, 0.25, 0.09])
    p_hit, slots = 0.3, 2
    prob, W, S = _collided_outcomes(a, p_hit, slots)
    h, pmf, beyond = cert_tails.collided_sign_laws((a, np.ones(4)), p_hit, 1.0, slots, [0.0, 0.5], 1e-30)
    assert beyond.max() < 1e-12 and pmf.sum(axis=(1, 2)) == pytest.approx(1.0, abs=1e-12)
    grid = np.arange(pmf.shape[2]) * h
    law = pmf[0].sum(axis=0)
    for s in (0.0, 0.3, 1.0, 1.6, 2.5):
        below = law[grid <= s + 1e-12].sum()
        assert prob[np.abs(S) <= s - 8 * h].sum() - 1e-12 <= below <= prob[np.abs(S) <= s + 8 * h].sum() + 1e-12
    s_max = slots * np.sqrt(a).sum()
    for c in (0.1, 1.0, 3.0):
        exact = (prob * np.exp(c * S**2)).sum()
        computed = (law * np.exp(c * grid**2)).sum()
        assert exact <= computed <= exact * math.exp(c * (16 * h * s_max + 64 * h * h))
    top = pmf[1].sum(axis=0)  # the top row alone (norm 1, on the grid): |S| = 1 after one collision, 0 or 2 after two
    at = {round(g / h): q for g, q in zip(grid, top) if q > 0}
    assert at == pytest.approx({0: 0.49 + 0.045, round(1 / h): 0.42, round(2 / h): 0.045})
    step = int(np.ceil(1.0 / (cert_tails.SIGN_RANGE / cert_tails.W_GROUPS)))
    assert pmf[1][step].sum() == pytest.approx(0.42) and pmf[1][2 * step].sum() == pytest.approx(0.09)


def test_rademacher_norm_moments_are_at_most_those_of_the_scalar_sum_of_norms():
    """E e^{c ||sum eps_l v_l||^2} <= E e^{c (sum eps_l ||v_l||)^2} (the step ``heavy_light_quantile`` takes over the
    heavy signs), by enumeration over the signs; equal when the v_l are parallel."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        v = rng.standard_normal((6, 3)) * rng.random((6, 1))
        signs = np.array(np.meshgrid(*[[-1, 1]] * 6)).reshape(6, -1).T
        for c in (0.05, 0.3, 1.0):
            vector = np.exp(c * ((signs @ v) ** 2).sum(axis=1)).mean()
            scalar = np.exp(c * (signs @ np.linalg.norm(v, axis=1)) ** 2).mean()
            assert vector <= scalar * (1 + 1e-12)
    v = np.outer(rng.random(6), [0.6, 0.8])
    assert np.exp(((signs @ v) ** 2).sum(axis=1)).mean() == pytest.approx(
        np.exp((signs @ np.linalg.norm(v, axis=1)) ** 2).mean())


def test_matrix_cumulant_top_bounds_the_top_eigenvalue_and_beats_dim_copies():
    """P(lambda_max(C) >= L) <= e^-x by Monte Carlo over the Bernoulli draws, for C = sum_j B_j E_j E_j^T with many
    small rows and a spectrum with one large direction; there L is below ``matrix_chernoff_top``'s (which pays d
    copies of the top eigenvalue and every row as large as the largest)."""
    rng = np.random.default_rng(2)
    d, p_sel, x = 8, 0.05, 3.0
    E = rng.standard_normal((400, d)) * np.array([3.0] + [0.5] * (d - 1)) * rng.random((400, 1))
    a = (E**2).sum(axis=1)
    G = E.T @ E
    L = cert_tails.matrix_cumulant_top((a, np.ones(a.size)), p_sel, 1.0, 1.0, np.linalg.eigvalsh(G), x)
    tops = []
    for _ in range(4000):
        F = E[rng.random(400) < p_sel]
        tops.append(np.linalg.eigvalsh(F.T @ F)[-1] if F.size else 0.0)
    assert (np.array(tops) >= L).mean() <= math.exp(-x)
    assert L < cert_tails.matrix_chernoff_top(p_sel * np.linalg.eigvalsh(G)[-1], a.max(), d, x)


def test_light_masses_sets_exactly_the_heaviest_rows_aside():
    values, counts = np.array([1.0, 2.0, 5.0]), np.array([10.0, 3.0, 2.0])
    (v, c), h = cert_tails.light_masses((values, counts), 3.7)
    assert h == 3 and c.sum() == counts.sum() - 3 and v.max() == 2.0 and c[v == 2.0][0] == 2


def test_k_for_eps_is_the_smallest_k_that_certifies():
    _, st = _table()
    dist = families.Distribution.of("gaussian", k=D, n=N, d=D)

    def cert(k):
        return C.certify(st, dist.at_k(k).row_law(), "gaussian", k, 0.1, 0.3)

    k = k_search.k_for_eps(0.5, cert, D, 10**7)
    assert cert(k).eps_max <= 0.5 < cert(int(k * 0.99)).eps_max


def test_pair_bound_is_the_theorem4_algebra():
    rng = np.random.default_rng(1)
    Ei, Ej = rng.standard_normal(5), rng.standard_normal(5)
    ai, aj = rng.standard_normal(5), rng.standard_normal(5)
    ei, ej = np.linalg.norm(ai) / np.linalg.norm(Ei), np.linalg.norm(aj) / np.linalg.norm(Ej)
    err = abs((Ei + ai) @ (Ej + aj) - Ei @ Ej) / (np.linalg.norm(Ei) * np.linalg.norm(Ej))
    assert err <= C.pair_eps(ei, ej)
    assert C.pair_eps(0.1, 0.1) == pytest.approx(0.1**2 + 2 * 0.1)


def test_robez_has_no_certificate():
    _, st = _table()
    assert families.Distribution.of("robez", k=None, n=N, d=D).row_law() is None
    assert C.certify(st, None, "robez", K, 0.1, 0.3).kind == "n/a"


def test_certify_check_is_the_same_whatever_the_batch():
    """Cells are batches of seeds: the per-seed ratios do not depend on how seeds are grouped."""
    kw = dict(n=2000, d=8, k=64, seeds=6, family="gaussian,countsketch", mc_draws=50, calibration_rows=5)
    a, b = run_check("certify", batch=2, **kw), run_check("certify", batch=6, **kw)
    assert a["stats"] == b["stats"]
    ids = {c["id"]: c for c in a.claims}
    assert ids["certify.gaussian.rate"]["status"] == "holds"
    cal = a["stats"]["gaussian"]["calibration"]
    inside = round(cal["coverage90"] * cal["rows"])
    assert inside == cal["coverage90"] * cal["rows"] and ids["certify.gaussian.coverage"]["measured"] == cal["coverage90"]
    assert stats.binomtest(inside, cal["rows"], 0.9).pvalue > 1e-3  # the exact law's central 90 % holds 90 %


def test_planner_answers_both_ways(rng):
    """The k the planner says the certificate needs certifies eps there; asked at that k it reports eps <= target."""
    E = rng.standard_normal((500, 8)) * np.geomspace(1, 20, 8)
    s = run_check("plan", table=E, eps=0.5, rho=0.05, family="gaussian,osnap")
    assert s["stats"]["rows_in_scope"] > 10 and s["check"] == "plan" and s["theorem"] is None  # not a theorem
    g = {f["family"]: f for f in s["families"]}["gaussian"]
    k = int(g["k_certificate"])
    back_summary = run_check("plan", table=E, k=k, rho=0.05, family="gaussian")
    back = back_summary["families"][0]
    assert back["certificate_eps_max"] <= 0.5
    # scikit-learn's rule beside the guarantees, in eps mode only
    assert s["sklearn_jl_k"] == theory.jl_min_dim(500, 0.5) == 298 and back_summary["sklearn_jl_k"] is None
    line, = [x for x in report.PARTS["plan"].text(s) if "scikit-learn JL rule" in x]
    assert line.split()[5] == "298"
    assert g["k_theorem7_proof"] >= g["k_theorem7"] and g["compression_certificate"] == pytest.approx(500 / k)
    with pytest.raises(InputError):
        run_check("plan", table=E, eps=0.5, k=100)


def test_planner_pass_equals_the_in_memory_table_stats(rng, monkeypatch):
    """table_stats (row norms to a file, read back a chunk at a time) gives the rows in scope, their masses
    and the certificates of TableStats.from_gram on the whole array, chunk size aside."""
    from pss_theory.backend import get_backend, matmul
    from pss_theory.measure import rows as rowfiles
    from pss_theory.measure import table_stats
    from pss_theory.measure.passes import row_norms
    from pss_theory.tables import as_table

    E = rng.standard_normal((5000, 6)) * np.geomspace(1, 30, 6)
    E[rng.integers(0, 5000, 40)] *= 8  # a few heavy rows: the scope
    ref = C.TableStats.from_gram(matmul(E.T, E), row_norms(np, E))  # certify's in-memory Gram and norms
    law = families.Distribution.of("gaussian", k=64, n=5000, d=6).row_law()
    for chunk in (700, 1 << 18):
        monkeypatch.setattr(rowfiles, "CHUNK_ROWS", chunk)
        st, scope, rho_max = table_stats.table_stats(as_table(E), get_backend("cpu"), 0.1)
        np.testing.assert_array_equal(scope.rows, ref.scope(0.1))
        np.testing.assert_array_equal(scope.masses, ref.row_sq[scope.rows])
        assert rho_max == ref.rho.max() and st.frobenius_sq == pytest.approx(ref.frobenius_sq, rel=1e-12)
        np.testing.assert_array_equal(st.masses[1], ref.masses[1])
        got = C.certify(st, law, "gaussian", 64, 0.1, 0.1, rows=scope.rows, masses=scope.masses)
        np.testing.assert_allclose(got.eps, C.certify(ref, law, "gaussian", 64, 0.1, 0.1).eps, rtol=1e-12)


def test_planner_memory_does_not_grow_with_n(monkeypatch):
    """The planner's peak Python allocations at n and 8 n: within 1.25x (the n row norms it held before
    made 6.1x)."""
    import tracemalloc

    from pss_theory.measure import rows as rowfiles
    from pss_theory.measure import table_stats
    from pss_theory.tables import tiles

    monkeypatch.setattr(rowfiles, "CHUNK_ROWS", 4096)
    monkeypatch.setattr(table_stats, "BLOCK_ROWS", 4096)
    monkeypatch.setattr(tiles, "TABLE_TILE_ROWS", 4096)

    def peak(n):
        tracemalloc.start()
        run_check("plan", table="zipf", n=n, d=8, eps=0.5, rho=0.25, family="countsketch")
        out = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return out

    small, large = peak(20_000), peak(160_000)
    assert large < 1.25 * small, (small, large)


def test_theorem7_save_rows_writes_the_per_row_arrays(tmp_path, capsys):
    from verify import theorem7

    out = tmp_path / "t7"
    code, _, err = run_command(theorem7, ["--n", "3000", "--d", "8", "--k", "64", "--rho", "0.2", "--save-rows",
                                          "--coherence-pairs", "1000", "--out", str(out), "--no-figures", "--quiet"],
                               capsys)
    assert code == 0, err
    z = np.load(out / "rows.npz")
    assert set(z.files) == {"eps_i", "rho_i", "eps_cert_i"}
    scope = z["rho_i"] > 0.2
    assert np.isfinite(z["eps_cert_i"][scope]).all() and np.isnan(z["eps_cert_i"][~scope]).all()


@pytest.mark.parametrize("family,rho", [("gaussian", 0.02), ("gaussian", 0.3), ("countsketch", 0.02)])
def test_theorem7_certificate_from_the_row_files_is_the_dense_one(monkeypatch, tmp_path, family, rho):
    """eps_cert_i bounded a chunk at a time from the row files (small chunks: several per run) is
    certificates.certify on the whole table to rounding: the same rows, the same mass grid (more than and
    fewer than GRID_POINTS rows in scope) and the same row masses."""
    from pss_theory.measure import rows

    monkeypatch.setattr(rows, "CHUNK_ROWS", 700)
    n = 3000
    E = np.asarray(p.table("zipf", n=n, d=D, seed=3, rank=D).block(0, n), dtype=np.float64)
    check = p.CHECKS["theorem7"]
    plan = check.plan(check.options(table=E, k=K, family=family, rho=rho, coherence_pairs=100))
    plan.context.rows_folder = str(tmp_path)
    record = check.measure(plan, plan.cells[0], None)
    st = C.TableStats.from_gram(E.T @ E, np.linalg.norm(E, axis=1))
    pss = plan.state.pss[family]
    cert = C.certify(st, pss.distribution.row_law(), family, K, plan.options.delta, rho)
    got = np.load(tmp_path / family / "eps_cert_i.npy")
    assert (cert.m > C.GRID_POINTS) == (rho < 0.1) and record["certificate.m"] == cert.m
    np.testing.assert_array_equal(np.flatnonzero(np.isfinite(got)), cert.rows)
    np.testing.assert_allclose(got[cert.rows], cert.eps, rtol=1e-12)


@pytest.mark.parametrize("rows", [30, 200, 1000, 10_000, 200_000])
def test_coverage_tolerance_rarely_fails_a_correct_law(rows):
    """Under the exact law the count inside the central 90 % is Binomial(rows, 0.9): the claim's tolerance
    lets a correct law fail at most ~1 % of the time at any sample size (0.3 % in the normal limit), and is
    the fixed 3 % wherever the sample resolves it (the report's default: 200 seeds x 50 rows)."""
    tolerance, widened = certify_report.coverage_tolerance(rows)
    lo, hi = 0.9 * (1 - tolerance), 0.9 * (1 + tolerance)
    law = stats.binom(rows, 0.9)
    outside = law.cdf(math.ceil(lo * rows) - 1) + law.sf(math.floor(hi * rows))
    assert outside <= 0.01
    assert widened == (tolerance > certify_report.COVERAGE_TOLERANCE) and (rows < 2000 or tolerance == certify_report.COVERAGE_TOLERANCE)


def test_a_budget_below_the_gaussian_tail_floor_is_vacuous_not_certified():
    """delta / m = 1e-20 is below the smallest tail the Gaussian bound resolves (~1.1e-16): B_i = inf, said
    in the note; a budget above the floor keeps a finite bound whose tail meets it."""
    E, st = _table()
    law = families.Distribution.of("gaussian", k=K, n=N, d=D).row_law()
    a = st.row_sq[st.scope(0.3)]
    assert cert_tails.gaussian_tail_floor() > 1e-20
    assert np.isinf(C.gaussian_bounds(st, law, a, 1e-20)).all()
    finite = C.gaussian_bounds(st, law, a, 1e-10)
    assert np.isfinite(finite).all()
    loose = C.gaussian_bounds(st, law, a, 1e-3)
    assert (loose < finite).all()  # a smaller budget needs a larger bound
    cert = C.certify(st, law, "gaussian", K, 1e-20 * a.size, 0.3)
    assert np.isinf(cert.eps).all() and "vacuous (B_i = inf)" in cert.note and "1e-20" in cert.note


def test_bennett_radius_solves_the_bennett_tail_and_is_below_bernstein():
    """r solves (b^2 / M^2) h(r M / b^2) = x exactly (h(u) = (1 + u) ln(1 + u) - u), and lies below the Bernstein
    radius M x / 3 + sqrt((M x / 3)^2 + 2 b^2 x) that h(u) >= u^2 / (2 (1 + u / 3)) gives; 0 where b^2 = 0."""
    from scipy import optimize

    from pss_theory.theory import cert_tails

    rng = np.random.default_rng(5)
    b_sq, M, x = 10.0 ** rng.uniform(-3, 6, 40), 10.0 ** rng.uniform(-2, 3, 40), 9.3
    r = cert_tails.bennett_radius(b_sq, M, x)
    for bi, mi, ri in zip(b_sq, M, r):
        def tail(t, bi=bi, mi=mi):
            return bi / mi**2 * ((1 + t * mi / bi) * np.log1p(t * mi / bi) - t * mi / bi) - x
        assert ri == pytest.approx(optimize.brentq(tail, 0.0, 1e3 * (mi * x + np.sqrt(bi * x))), rel=1e-9)
    assert (r <= M * x / 3 + np.sqrt((M * x / 3) ** 2 + 2 * b_sq * x)).all()
    assert cert_tails.bennett_radius(np.array([0.0, 4.0]), 2.0, x)[0] == 0.0
    # c = x M^2 / b^2 down to 1e-19, where Lambert's W loses c's digits: finite, and at least the Gaussian radius
    # sqrt(2 b^2 x) that every Bennett radius exceeds (h(u) <= u^2 / 2)
    big = 10.0 ** np.arange(8, 22)
    tiny = cert_tails.bennett_radius(big, np.ones(1), x)
    assert np.isfinite(tiny).all() and (tiny >= np.sqrt(2 * big * x)).all()
    assert (tiny <= np.sqrt(2 * big * x) * (1 + 1e-2)).all()


def test_srht_certificate_holds_over_seeds_and_is_not_loose():
    """SRHT is certified (Hoeffding's comparison, a Bennett bound in Hilbert space, the rows of H D E): over 200
    seeds on a zipf 2000 x 8 table no seed fails at delta 0.1 beyond what Clopper-Pearson allows, and the bound is
    within 3x of the worst measured row at the 1 - delta quantile."""
    s = run_check("certify", n=2000, d=8, k=256, seeds=200, batch=100, rho=0.05, delta=0.1, family="srht",
                  mc_draws=50, calibration_rows=5)
    st = s["stats"]["srht"]
    assert st["kind"] == "certificate" and st["m"] > 0
    assert st["cp_high"] <= 0.15 and 1.0 <= st["tightness"] <= 3.0, st


def test_hashing_certificates_hold_over_seeds_and_are_within_2x():
    """CountSketch and OSNAP are certified by ``hashing_bounds`` (the heavy rows' collided terms by their exact law,
    the light rows by a joint Chernoff bound): over 200 seeds on a zipf 2000 x 8 table no more seeds fail at delta
    0.1 than Clopper-Pearson allows, and the bound is within 2x of the worst measured row at the 1 - delta quantile
    (issue 22's target for the sign sketches)."""
    s = run_check("certify", n=2000, d=8, k=256, seeds=200, batch=100, rho=0.05, delta=0.1, family="countsketch,osnap",
                  mc_draws=50, calibration_rows=5)
    for fam in ("countsketch", "osnap"):
        st = s["stats"][fam]
        assert st["kind"] == "certificate" and st["m"] > 0
        assert st["cp_high"] <= 0.15 and 1.0 <= st["tightness"] <= 2.0, (fam, st)


def test_hashing_certificate_is_small_where_collisions_are_rare():
    """At k = 1e6 for n = 300 rows, a row meets another with probability at most n / k = 3e-4, below its budget
    delta / m = 0.033, so its error is 0 with probability above 1 - delta / m.  The certificate is not 0 there,
    but it is small (eps_cert < 0.25): the V route's Chernoff parameter is unbounded, where the heavy-law bound's is
    capped by the light rows' lambda_max."""
    E, st = _table()
    for family in ("countsketch", "osnap"):
        law = families.Distribution.of(family, k=10**6, n=N, d=D).row_law()
        cert = C.certify(st, law, family, 10**6, 0.1, 0.3)
        assert cert.kind == "certificate" and cert.eps_max < 0.25, (family, cert.eps_max)
        assert (cert.bound <= C.hashing_bounds(st, law, st.row_sq[cert.rows], 0.1 / cert.m)).all()


def test_hashing_bounds_at_tiny_budgets_stay_finite_and_grow():
    """The hashing certificate's tails are Chernoff bounds and the heavy law's, with no floor: down to delta / m
    = 1e-20 B is finite and grows as the budget shrinks (its bisection ends only where the summed tail meets the
    budget, and a tau whose lost mass exceeds the budget gives inf, never a bound)."""
    E, st = _table()
    a = st.row_sq[st.scope(0.3)]
    for family in ("countsketch", "osnap"):
        law = families.Distribution.of(family, k=K, n=N, d=D).row_law()
        bounds = [C.hashing_bounds(st, law, a, budget)[0] for budget in (1e-2, 1e-6, 1e-12, 1e-20)]
        assert np.isfinite(bounds).all() and np.all(np.diff(bounds) > 0), (family, bounds)
