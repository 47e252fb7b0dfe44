"""PSS methods at equal memory (``pss_theory.methods``, ``verify.compare``): every read-back against a dense
reference, the least-squares fits against their normal equations, memory counted, and the check's outputs."""
import json

import numpy as np
import pytest
import scipy.linalg
from conftest import run_command as run

import pss_theory as p
from pss_theory import methods
from pss_theory.measure.compare import macro_distortion
from pss_theory.methods import codebook, compositional
from pss_theory.tables import as_table
from verify import compare as command

N, D = 600, 8


def _table(n=N, d=D, seed=2):
    return as_table(p.table("zipf", n=n, d=d, seed=seed))


def _fit(spec, compression, table=None, seed=3):
    table = table or _table()
    (s,) = methods.specs(spec)
    return methods.get(s.family).fit(table, methods.budget_bytes(table.n, table.d, compression), seed, block_rows=97,
                                     **s.kwargs)


def _dense(table):
    return np.asarray(table.block(0, table.n), dtype=np.float64)


def _hash_matrix(fitted, signed):
    """S (m x n): one entry per column, s_i at row h(i)."""
    rows, signs = fitted.hash.nonzeros_of(range(fitted.n))
    S = np.zeros((fitted.config["buckets"], fitted.n))
    S[rows[:, 0], np.arange(fitted.n)] = signs[:, 0] if signed else 1.0
    return S


@pytest.mark.parametrize("signed", [False, True])
def test_hashing_fits_are_the_sketch_and_the_least_squares_solution(signed):
    table = _table()
    E = _dense(table)
    for fit in ("sketch", "lsq"):
        f = _fit(f"hashing:fit={fit}" + (":signed" if signed else ""), 20, table)
        S = _hash_matrix(f, signed)
        M = f.arrays["M"].astype(np.float64)
        if fit == "sketch":
            np.testing.assert_allclose(M, S @ E, rtol=1e-6, atol=1e-6 * np.abs(E).max())
        else:  # normal equations of min ||S^T M - E||: S S^T M = S E
            np.testing.assert_allclose(S @ S.T @ M, S @ E, rtol=1e-5, atol=1e-5 * np.abs(E).max())
        np.testing.assert_allclose(f.read(range(N)), S.T @ M, rtol=1e-12)


def test_signed_hashing_sketch_reading_is_countsketch_on_the_same_hash():
    table = _table()
    f = _fit("hashing:signed:fit=sketch", 20, table, seed=11)
    cs = p.sketch("countsketch", k=f.config["buckets"], n=N, seed=11)
    want = cs.decompress(cs.apply(table), range(N))
    np.testing.assert_allclose(f.read(range(N)), want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


@pytest.mark.parametrize("signed", [False, True])
def test_robez_fits_are_the_sketch_and_the_least_squares_solution(signed):
    table = _table(n=200)
    E = _dense(table)
    for fit in ("sketch", "lsq"):
        f = _fit(f"robez:Z=4:fit={fit}" + (":signed" if signed else ""), 10, table)
        A = f.op.to_dense()  # m x (n d): vec(Mhat) = A^T M
        M = f.arrays["M"].astype(np.float64)
        if fit == "sketch":
            np.testing.assert_allclose(M, A @ E.ravel(), rtol=1e-6, atol=1e-6 * np.abs(E).max())
        else:
            np.testing.assert_allclose(A @ A.T @ M, A @ E.ravel(), rtol=1e-5, atol=1e-5 * np.abs(E).max())
        np.testing.assert_allclose(f.read(range(200)).ravel(), A.T @ M, rtol=1e-12)


@pytest.mark.parametrize("combine", ["mult", "add"])
def test_quotient_remainder_last_half_sweep_solves_its_normal_equations(combine):
    """The last ALS step updates R with Q fixed: R is then the least-squares R (zero gradient), and the
    read-back is Q[i // m] (*|+) R[i mod m]."""
    table = _table()
    E = _dense(table)
    f = _fit(f"qr:combine={combine}", 10, table)
    m = f.config["remainder"]
    Q, R = f.arrays["Q"].astype(np.float64), f.arrays["R"].astype(np.float64)
    i = np.arange(N)
    q, r = Q[i // m], R[i % m]
    mhat = q * r if combine == "mult" else q + r
    np.testing.assert_allclose(f.read(range(N)), mhat, rtol=1e-12)
    resid = mhat - E
    grad = np.zeros_like(R)
    np.add.at(grad, i % m, resid * q if combine == "mult" else resid)
    assert np.abs(grad).max() <= 1e-4 * np.abs(E).max() * np.abs(Q).max() * N / m
    assert f.history == sorted(f.history, reverse=True) or max(np.diff(f.history)) <= 1e-6  # ALS never gets worse


def test_remainder_size_is_the_largest_that_fits():
    for n, rows in ((600, 60), (10**5, 1000), (7, 6), (10**6, 2000)):
        m = compositional.remainder_size(n, rows)
        assert m is not None and -(-n // m) + m <= rows and (m == n or -(-n // (m + 1)) + m + 1 > rows)
    assert compositional.remainder_size(10**6, 1999) is None  # 2 sqrt(n) rows are needed


def test_pq_codes_name_the_nearest_centroids_and_memory_counts_packed_bits():
    table = _table()
    E = _dense(table)
    f = _fit("pq", 6, table)
    P, K, bits = f.config["P"], f.config["K"], f.config["bits"]
    books = f.arrays["codebooks"].astype(np.float64)
    w = D // P
    for part in range(P):
        sub = E[:, part * w : (part + 1) * w]
        dist = ((sub[:, None, :] - books[part][None, :, :]) ** 2).sum(axis=2)
        np.testing.assert_allclose(dist[np.arange(N), f.codes[:, part]], dist.min(axis=1), rtol=1e-9, atol=1e-9)
    assert f.nbytes == books.size * 4 + -(-N * P * bits // 8) and bits == int(np.ceil(np.log2(K)))
    dense = np.concatenate([books[part][f.codes[:, part]] for part in range(P)], axis=1)  # each row: its centroids
    np.testing.assert_array_equal(f.read(range(N)), dense)


def test_svd_is_the_best_rank_r_approximation():
    table = _table()
    E = _dense(table)
    f = _fit("svd", 4, table)
    r = f.config["rank"]
    s = np.linalg.svd(E, compute_uv=False)
    err = ((f.read(range(N)) - E) ** 2).sum()
    assert err == pytest.approx((s[r:] ** 2).sum(), rel=1e-4)


@pytest.mark.parametrize("spec", methods.DEFAULT)
@pytest.mark.parametrize("compression", [2, 10, 60])
def test_memory_counted_is_what_is_stored_and_within_the_budget(spec, compression):
    try:
        f = _fit(spec, compression)
    except methods.Unreachable as u:
        assert not u.lo <= compression <= u.hi
        return
    stored = sum(a.nbytes for a in f.arrays.values()) + -(-f.code_bits // 8) + 8 * f.seeds
    assert f.nbytes == stored <= methods.budget_bytes(N, D, compression)
    assert all(a.dtype == np.float32 for a in f.arrays.values())


@pytest.mark.parametrize("spec", ["pq", "svd", "tt"])
def test_below_compression_1_pq_svd_and_tt_read_back_to_rounding(spec):
    table = _table(n=200)
    E = _dense(table)
    err = np.linalg.norm(_fit(spec, 0.5, table).read(range(200)) - E, axis=1) / np.linalg.norm(E, axis=1)
    assert err.max() < 1e-5


def test_tensor_train_reads_back_its_cores_contracted_and_truncates_as_tt_svd(monkeypatch):
    """Mhat[i, j] = sum_ab G1[i1 j1, a] G2[a, i2 j2, b] G3[b, i3 j3] (a dense contraction of the cores), the
    cores of TT-SVD are orthonormal where they are singular vectors, and the factors cover the table."""
    from pss_theory.methods import tensor_train as tt

    table = _table()
    f = _fit("tt", 20, table)
    (n1, n2, n3), (d1, d2, d3), (r1, r2) = f.config["rows"], f.config["cols"], f.config["ranks"]
    assert n1 * n2 * n3 >= N and d1 * d2 * d3 == D and tt.column_factors(128) == (4, 4, 8)
    G1 = f.arrays["G1"].astype(np.float64).reshape(n1, d1, r1)
    G2 = f.arrays["G2"].astype(np.float64).reshape(r1, n2, d2, r2)
    G3 = f.arrays["G3"].astype(np.float64).reshape(r2, n3, d3)
    full = np.einsum("xpa,aqyb,bsz->xqspyz", G1, G2, G3).reshape(n1 * n2 * n3, D)
    np.testing.assert_allclose(f.read(range(N)), full[:N], rtol=1e-9, atol=1e-12)
    monkeypatch.setattr(tt, "PAIRS_AT_ONCE", 5)  # rows over many (i1, i2) pairs, contracted a few pairs at a time
    some = np.random.default_rng(0).permutation(N)[:100]
    np.testing.assert_allclose(f.read(some), full[some], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(f.arrays["G1"].T.astype(np.float64) @ f.arrays["G1"], np.eye(r1), atol=1e-5)
    assert f.nbytes == 4 * (r1 * n1 * d1 + r1 * r2 * n2 * d2 + r2 * n3 * d3)


def test_macro_distortion_is_the_sup_over_x():
    """max |sqrt(lambda) - 1| of (Mhat^T Mhat, E^T E) equals max |sigma(Mhat R^-1) - 1| with E = Q R, the sup
    over x of | ||Mhat x|| / ||E x|| - 1 |."""
    rng = np.random.default_rng(4)
    E = rng.standard_normal((300, 6))
    mhat = E + 0.3 * rng.standard_normal((300, 6))
    _, R = np.linalg.qr(E)
    want = np.abs(np.linalg.svd(scipy.linalg.solve_triangular(R.T, mhat.T, lower=True).T, compute_uv=False) - 1).max()
    assert macro_distortion(mhat.T @ mhat, E.T @ E) == pytest.approx(want, rel=1e-9)


def test_check_measures_eps_i_and_pairs_as_a_dense_computation(tmp_path):
    table = _table(n=2000)
    E = _dense(table)
    s = p.run_check("compare", table="zipf", n=2000, d=D, seed=2, compression=[4], method=["pq", "svd"],
                    pairs=500, top=30, rho=0.05, block_rows=333)
    for cell in s["cells"]:
        f = _fit(cell["method"], 4, table, seed=2)
        err = np.linalg.norm(f.read(range(2000)) - E, axis=1) / np.linalg.norm(E, axis=1)
        assert cell["eps_i"]["p50"] == pytest.approx(np.quantile(err, 0.5), rel=1e-9)
        assert cell["eps_i"]["max"] == pytest.approx(err.max(), rel=1e-9)
        rho = np.linalg.norm(E, axis=1) / np.linalg.norm(E, 2)
        assert cell["eps_i_scope"]["max"] == pytest.approx(err[rho > 0.05].max(), rel=1e-9)
        assert cell["within_eps"] == pytest.approx((err <= 0.5).mean())
        top = np.sort(np.argsort(-rho, kind="stable")[:30])
        mh, e = f.read(top), E[top]
        pi = np.abs(mh @ mh.T - e @ e.T) / np.outer(np.linalg.norm(e, axis=1), np.linalg.norm(e, axis=1))
        assert cell["pairs_top"]["max"] == pytest.approx(pi[np.triu_indices(30, 1)].max(), rel=1e-9)
        assert cell["pairs_top"]["pairs"] == 30 * 29 // 2


def test_a_compression_a_method_cannot_reach_is_na_with_its_range(tmp_path, capsys):
    rc, _, _ = run(command, ["--n", "3000", "--d", "8", "--compression", "5,5000", "--method", "svd,qr:combine=add",
                             "--pairs", "200", "--top", "10", "--out", str(tmp_path), "--no-figures"], capsys)
    assert rc == 0
    s = json.loads((tmp_path / "summary.json").read_text())
    na = [c for c in s["cells"] if not c["reached"]]
    assert {c["method"] for c in na} == {"svd", "qr:combine=add"} and all(c["compression"] == 5000 for c in na)
    for c in na:
        assert c["reachable"][1] < 5000
    assert [r["note"].startswith("n/a") for r in s["comparison"]] == [not c["reached"] for c in s["cells"]]


@pytest.mark.parametrize("args, message", [
    (["--compression", "0"], "compression"),
    (["--method", "nope"], "unknown method"),
    (["--method", "hashing:fit=best"], "fit must be one of"),
    (["--method", "pq:K=16"], "'pq' has no parameter 'K'; it takes: none"),
    (["--n", "1e9", "--d", "128", "--compression", "1", "--method", "svd", "--yes"], "GiB but about"),
    (["--n", "1e8", "--d", "128"], "add --yes"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    rc, _, err = run(command, ["--n", "1000", "--d", "4", *args, "--out", str(tmp_path / "o")], capsys)
    assert rc == 2 and message in err and not (tmp_path / "o").exists()


def test_pq_rule_prefers_8_bit_codes_and_falls_back_to_fewer_bits():
    assert codebook.config(10**5, 64, methods.budget_bytes(10**5, 64, 10)) == (16, 256)
    P, K = codebook.config(10**5, 64, methods.budget_bytes(10**5, 64, 1000))
    assert P == 1 and K < 256
    assert codebook.config(10**5, 64, 10**4) is None


def test_the_appendix_block_has_the_table_the_sources_and_no_empty_claims_table():
    from pss_theory import report

    s = p.run_check("compare", n=2000, d=8, compression=[4, 40], method=["tt", "pq"], pairs=200, top=10)
    block = report.block(s, "python -m verify.compare --n 2000 --d 8", "paper_appendix.md")
    assert "| # | claim" not in block and "| method | compression |" in block
    for key in ("yin2021", "oseledets2011", "jegou2011", "faiss2019"):
        assert f"- `{key}`: " in block
    assert block.count("\n| tt |") == 2 and "Verdict: At 4x" in block
    assert "- pq: K = 256 and the largest P" in block and "- tt: ranks r1 = min(r, n1 d1)" in block
