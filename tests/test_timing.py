"""The E.1 timing harness at tiny sizes: what it computes, what it writes, how it fails (no timing asserted)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from pss_theory import e1
from pss_theory.backend import get_backend, host_allocator
from pss_theory.e1 import analysis, grid
from pss_theory.errors import InputError
from pss_theory.families.robez import RobeZ
from verify import cli, robez_timing

CPU = get_backend("cpu")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tiny_grid(**kw):
    args = dict(size="smoke", batch=64, d=8, repeats=2, n=[1024, 4096], compressions=[10, 100], Zs=[1, 4])
    args.update(kw)
    return e1.make_grid("cpu", **args)


def test_paper_tables_are_complete_and_their_claims_hold():
    for num, tab in e1.PAPER.items():
        assert len(tab["values"]) == len(tab["rows"]), num
        assert all(len(row) == len(tab["cols"]) for row in tab["values"]), num
    assert e1.paper_value(8, 1 << 26, 10) == 35.10 and e1.paper_value(5, ("forward", "sparse"), 1 << 22) == 0.12
    assert e1.paper_value(6, 1 << 28, 10) is None  # empty in the paper
    paper = e1.evaluate(e1.views_from_paper(), d=128)
    # the thresholds are chosen so that the paper's own numbers satisfy every observation of E.1
    assert paper[analysis.PLAIN_DENSE_GROWS][0] > analysis.GROWS
    assert paper[analysis.PLAIN_SPARSE_FLAT][0] < analysis.FLAT
    assert abs(paper[analysis.FORWARD_ABOUT_2X][0] - 2.25) < 0.01
    assert paper[analysis.SPARSE_BACKWARD_FLAT][0] < analysis.FLAT and paper[analysis.DENSE_BEATS_SPARSE][0] > 1


def test_grid_scaling_and_validation():
    g = e1.make_grid("cpu")
    assert g.n == tuple(1 << k for k in range(16, 23)) and g.scale == 64 and g.batch == 10240 and g.d == 128
    q = e1.make_grid("cpu", size="quick")
    assert q.n == (1 << 14, 1 << 16, 1 << 18) and q.n_fixed == 1 << 18 and q.Zs == (1, 8, 32)
    assert e1.make_grid("gpu", size="quick").n == (1 << 22, 1 << 24, 1 << 26)
    for kw, match in [({"Zs": [0]}, "Z must be >= 1"), ({"Zs": [16]}, "Z = 16 > d = 8"),
                      ({"compressions": [0]}, "compression must be > 0"), ({"batch": 0}, "batch"),
                      ({"compressions": [1e6]}, "fewer than Z"), ({"n": [1000]}, "paper row")]:
        with pytest.raises(InputError, match=match):
            tiny_grid(**kw)


def test_cells_are_unique_and_cover_the_studies():
    g = tiny_grid()
    cells = e1.cells(g, seed=0, backend="numpy")
    keys = [(c["kind"], c["n"], c["compression"], c["Z"], c["mode"]) for c in cells]
    assert len(keys) == len(set(keys))
    assert sum(c["kind"] == "plain" for c in cells) == 2 * len(g.n)
    assert {(c["n"], c["Z"]) for c in cells if c["kind"] == "robez" and c["compression"] == g.compression_fixed} == \
        {(n, z) for n in g.n for z in g.Zs}


@pytest.mark.parametrize("shape", [(500,), (500, 3)])
@pytest.mark.parametrize("bound", [40, 1 << 50])  # packed sort, and the argsort fallback
def test_coalesce_sums_duplicates(shape, bound, rng):
    keys = rng.integers(0, min(bound, 40), shape[0]) * (bound // 40)
    vals = rng.standard_normal(shape).astype(np.float32)
    uniq, sums = e1.coalesce(CPU, keys, vals, bound)
    np.testing.assert_array_equal(uniq, np.unique(keys))
    want = np.zeros((uniq.size,) + shape[1:], dtype=np.float64)
    np.add.at(want, np.searchsorted(uniq, keys), vals)
    np.testing.assert_allclose(sums, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_models_do_one_sgd_step_on_the_norm(mode, rng):
    n, d, B = 300, 8, 500  # B > n: repeated ids
    ids = rng.integers(0, n, B)
    plain = e1.PlainModel(CPU, n, d, seed=1)
    p0 = plain.params.copy()
    loss, r = plain.forward(ids)
    np.testing.assert_allclose(r, p0[ids])
    assert loss == pytest.approx(float((p0[ids].astype(np.float64) ** 2).sum()), rel=1e-5)
    plain.backward(ids, r, mode)
    want = p0.astype(np.float64)
    np.add.at(want, ids, -2 * e1.LR * r)
    np.testing.assert_allclose(plain.params, want, rtol=1e-5, atol=1e-6)

    robe = e1.RobeZModel(CPU, n, d, compression=4, Z=4, seed=2)
    m0 = robe.params.copy()
    loss, cache = robe.forward(ids)
    pss = RobeZ(n=n, d=d, compression=4, Z=4)
    np.testing.assert_array_equal(cache[0], pss.decompress(m0, ids))
    robe.backward(ids, cache, mode)
    want = m0 + np.bincount(pss.locations(ids).ravel(), -2 * e1.LR * cache[0].ravel(), minlength=pss.m)
    np.testing.assert_allclose(robe.params, want, rtol=1e-5, atol=1e-6)


def test_harness_records_claims_tables():
    g = tiny_grid()
    todo, skipped = e1.plan(g, CPU, seed=0)
    assert not skipped
    bench = e1.Bench(CPU, g, seed=0)
    records = [{**c, **bench.measure(c)} for c in todo]
    bench.release()
    for r in records:
        assert 1 <= r["iterations"] <= g.repeats
        for p in ("forward_ms", "backward_ms"):
            assert set(r[p]) == {"p25", "p50", "p75"} and 0 <= r[p]["p25"] <= r[p]["p50"] <= r[p]["p75"]
    claims, ours, paper = e1.claims(records, g)
    assert [c.name for c in claims] and len(claims) == len(e1.CLAIM_NAMES)
    assert all(c.measured is not None for c in claims)
    tables = e1.layout(records, g)
    assert [t["table"] for t in tables] == list(range(5, 18))
    assert all(len(r["ours"]) == len(t["cols"]) == len(r["paper"]) for t in tables for r in t["rows"])
    st = e1.statistics(records, g, ours, paper, skipped)
    assert st["cells_measured"] == len(records) and st["forward_ratio"] is not None


def test_bench_leaves_the_process_allocator_alone(monkeypatch):
    def forbidden():
        raise AssertionError("only the command line may change glibc's malloc")

    monkeypatch.setattr(host_allocator, "steady_allocator", forbidden)
    monkeypatch.setattr(e1, "steady_allocator", forbidden)
    g = tiny_grid()
    cell = e1.cells(g, seed=0, backend="numpy")[0]
    assert e1.Bench(CPU, g, seed=0).measure(cell)["iterations"] >= 1


def test_memory_check_skips_cells_that_do_not_fit(monkeypatch):
    monkeypatch.setattr(grid, "available_bytes", lambda backend: 1024 * 1024)
    g = tiny_grid(n=[1 << 16], batch=16)  # plain table 65536 x 8 float32 = 2 MiB: does not fit
    todo, skipped = e1.plan(g, CPU, seed=0)
    assert {c["kind"] for c in skipped} == {"plain"} and "MiB" in skipped[0]["skipped"]
    assert all(c["kind"] == "robez" for c in todo)


SMOKE = ["--smoke", "--batch", "64", "--d", "8", "--Z", "1,4", "--compression", "10,100", "--repeats", "2"]


def test_cli_writes_summary_records_and_resumes(tmp_path, capsys):
    out = tmp_path / "out"
    argv = SMOKE + ["--out", str(out), "--no-figures", "--quiet"]
    assert cli.run(robez_timing.main, argv) == 0
    s = json.loads((out / "summary.json").read_text())
    for key in ("theorem", "n", "d", "k", "family", "table", "seed", "backend", "seconds", "claims", "stats"):
        assert key in s
    assert s["theorem"] is None and s["check"] == "robez_timing" and s["family"] == ["robez"]
    assert s["table"] == "random" and s["k"] == []
    assert s["n"] == [1024, 4096] and s["d"] == 8
    assert len(s["claims"]) == len(e1.CLAIM_NAMES)
    assert s["allocator"] == "default" or "steady_allocator" in s["allocator"]  # the command line opts in
    assert all({"name", "measured", "bound", "holds"} <= set(c) for c in s["claims"])
    lines = (out / "records.jsonl").read_text().splitlines()
    assert len(lines) == s["stats"]["cells_measured"]
    assert cli.run(robez_timing.main, argv) == 0  # resumed: every cell reused, nothing appended
    assert (out / "records.jsonl").read_text().splitlines() == lines
    assert capsys.readouterr().out == ""


def test_cli_prints_tables_and_draws_figures(tmp_path, capsys):
    figs = tmp_path / "figs"
    assert cli.run(robez_timing.main, SMOKE + ["--out", str(tmp_path / "o"), "--figures", str(figs)]) == 0
    text = capsys.readouterr().out
    assert "Table 5:" in text and "Table 17:" in text and "(25.7)" in text  # the paper's number beside ours
    assert sorted(os.listdir(figs)) == ["robez_timing_vs_n.png", "robez_timing_vs_n.svg",
                                        "robez_timing_vs_z.png", "robez_timing_vs_z.svg"]


@pytest.mark.parametrize("argv", [["--Z", "0"], ["--Z", "16", "--d", "8"], ["--compression", "0"],
                                  ["--compression", "1e7"], ["--batch", "0"], ["--n", "1000"], ["--device", "tpu"]])
def test_cli_bad_input_one_line_exit_2(argv, tmp_path, capsys):
    out = tmp_path / "never"
    assert cli.run(robez_timing.main, ["--smoke", "--out", str(out), "--no-figures"] + argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "Traceback" not in err[0]
    assert not out.exists()


@pytest.mark.parametrize("argv", [["--Z", "200"], ["--batch", "-3"]])
def test_cli_subprocess_bad_input(argv, tmp_path):
    out = tmp_path / "never"
    proc = subprocess.run([sys.executable, "-m", "verify.robez_timing", "--smoke", "--out", str(out)] + argv,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert not out.exists()
