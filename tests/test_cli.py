"""The commands end to end at small sizes, and every bad input answered with one line and exit code 2."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import run_command as run

from verify import theorem4, theorem6, theorem7

SMALL6 = ["--n", "3000", "--d", "8", "--k", "64", "--trials", "3"]
SMALL7 = ["--n", "3000", "--d", "8", "--k", "64", "--coherence-pairs", "5000"]
SMALL4 = ["--n", "3000", "--d", "8", "--k", "64", "--pairs", "5000", "--top", "30"]
TOP_KEYS = {"theorem", "n", "d", "k", "family", "table", "seed", "backend", "seconds", "claims", "stats"}


def read(out):
    with open(os.path.join(out, "summary.json")) as fh:
        summary = json.load(fh)
    with open(os.path.join(out, "records.jsonl")) as fh:
        records = [json.loads(line) for line in fh]
    return summary, records


def test_theorem6_end_to_end(tmp_path, capsys):
    out = str(tmp_path / "t6")
    code, stdout, _ = run(theorem6, SMALL6 + ["--family", "gaussian,countsketch", "--out", out], capsys)
    assert code == 0
    s, records = read(out)
    assert TOP_KEYS <= set(s) and s["theorem"] == 6 and s["check"] == "theorem6"
    assert len(records) == 6 and len(s["stats"]["eps_macro_norm"]) == 6
    assert all(set(c) >= {"name", "measured", "bound", "holds"} for c in s["claims"])
    assert "eps_macro" in stdout and "holds" in stdout


def test_theorem6_sweep_fits_and_draws(tmp_path, capsys):
    out, figs = str(tmp_path / "t6"), str(tmp_path / "figs")
    code, stdout, _ = run(theorem6, ["--n", "4000", "--d", "8", "--sweep", "--k-points", "3", "--trials", "3",
                                     "--out", out, "--figures", figs], capsys)
    assert code == 0
    s, records = read(out)
    assert len(records) == 9 and len(s["curves"]["gaussian"]["k"]) == 3
    assert 0.3 < s["fit"]["gaussian"]["a"] < 0.7  # eps_macro ~ (d/k)^(1/2)
    for name in ("theorem6_eps_vs_k", "theorem6_failure_rate"):
        for ext in ("png", "svg"):
            assert os.path.getsize(os.path.join(figs, f"{name}.{ext}")) > 1000


def test_theorem7_and_theorem4_end_to_end(tmp_path, capsys):
    for module, argv in ((theorem7, SMALL7), (theorem4, SMALL4)):
        out = str(tmp_path / module.__name__)
        code, stdout, _ = run(module, argv + ["--out", out, "--figures", str(tmp_path / "f")], capsys)
        assert code == 0
        s, records = read(out)
        assert TOP_KEYS <= set(s) and len(records) == 1
    s7, _ = read(str(tmp_path / "verify.theorem7"))
    st7 = s7["stats"]["gaussian"]
    for name in ("sigma_max", "frobenius", "stable_rank", "eta_mean", "eta_pred", "eta_cv"):
        assert isinstance(st7[name], float)
    for name in ("eps_i", "eta_i", "rho_i", "c_i"):
        assert set(st7[name]) == {"min", "p01", "p50", "p99", "max"}
    assert st7["part_b_violations"] == 0
    s4, _ = read(str(tmp_path / "verify.theorem4"))
    assert s4["stats"]["gaussian"]["per_row_violations"] == 0 and s4["stats"]["gaussian"]["eq25_violations"] == 0


def without_timing(obj):
    if isinstance(obj, dict):
        return {k: without_timing(v) for k, v in obj.items() if k != "seconds"}
    if isinstance(obj, (list, tuple)):
        return [without_timing(v) for v in obj]
    return obj


@pytest.mark.parametrize("module, argv", [(theorem6, SMALL6), (theorem7, SMALL7), (theorem4, SMALL4)])
def test_same_seed_same_numbers(tmp_path, capsys, module, argv):
    """Two runs into fresh folders: identical files apart from timing; other block sizes: same numbers."""
    results = []
    for i, extra in enumerate(([], [], ["--block-rows", "256"])):
        code, _, _ = run(module, argv + extra + ["--out", str(tmp_path / str(i))], capsys)
        assert code == 0
        results.append(read(str(tmp_path / str(i))))
    assert without_timing(results[0]) == without_timing(results[1])
    a, b = results[0][0]["claims"], results[2][0]["claims"]
    for ca, cb in zip(a, b, strict=True):
        if isinstance(ca["measured"], float):
            assert ca["measured"] == pytest.approx(cb["measured"], rel=1e-4, abs=1e-9)


def test_subprocess_exit_code_and_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "verify.theorem6", "--n", "abc", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "--n" in proc.stderr
    assert not (tmp_path / "o").exists()


def _tables(d):
    """Files for the bad-table cases."""
    np.save(d / "vec.npy", np.ones(10))
    np.save(d / "cplx.npy", np.ones((50, 4), dtype=np.complex128))
    nan = np.random.default_rng(0).standard_normal((300, 4))
    nan[17, 2] = np.nan
    np.save(d / "nan.npy", nan)
    inf = nan.copy()
    inf[17, 2] = np.inf
    np.save(d / "inf.npy", inf)
    np.save(d / "zero.npy", np.zeros((300, 4)))
    np.save(d / "short.npy", np.random.default_rng(0).standard_normal((3, 8)))
    np.save(d / "full.npy", np.ones((100, 4)))
    (d / "trunc.npy").write_bytes((d / "full.npy").read_bytes()[:300])
    np.savez(d / "two.npz", a=np.ones((5, 2)), b=np.ones((5, 2)))
    (d / "adir").mkdir()
    (d / "afile").write_text("x")


HOSTILE = [
    (theorem6, ["--n", "abc"], "--n"),
    (theorem6, ["--n", "-5"], "--n"),
    (theorem6, ["--n", "0"], "--n"),
    (theorem6, ["--n", "1e400"], "--n"),
    (theorem6, ["--n", "2.5"], "--n"),
    (theorem6, ["--d", "0"], "--d"),
    (theorem6, ["--k", "0"], "--k"),
    (theorem6, ["--n", "100", "--d", "4", "--k", "200", "--family", "srht"], "srht needs k <= 128"),
    (theorem6, ["--n", "1000", "--d", "16", "--k", "8"], "k = 8 < d = 16"),
    (theorem6, ["--trials", "0"], "--trials"),
    (theorem6, ["--eps", "0"], "--eps"),
    (theorem6, ["--eps", "1.5"], "--eps"),
    (theorem6, ["--delta", "0"], "--delta"),
    (theorem6, ["--family", "fourier"], "gaussian, rademacher"),
    (theorem6, ["--family", "robez"], "does not apply to robez"),
    (theorem6, ["--table", "cauchy"], "gaussian, lowrank, zipf"),
    (theorem6, ["--device", "tpu"], "--device"),
    (theorem6, ["--seed", "-1"], "--seed"),
    (theorem6, ["--bogus"], "unrecognized"),
    (theorem7, ["--rho", "0"], "--rho"),
    (theorem7, ["--rho", "1.5"], "--rho"),
    (theorem7, ["--family", "gaussian,cauchy"], "unknown sketch family"),
    (theorem7, ["--s", "3"], "--s does not apply"),
    (theorem7, ["--family", "osnap", "--s", "0"], "--s"),
    (theorem4, ["--top", "1"], "--top needs"),
    (theorem6, ["--table", "{d}/missing.npy"], "not found"),
    (theorem6, ["--table", "{d}/adir"], "directory"),
    (theorem6, ["--table", "{d}/trunc.npy"], "cannot read"),
    (theorem6, ["--table", "{d}/vec.npy"], "2-D"),
    (theorem6, ["--table", "{d}/cplx.npy"], "real numbers"),
    (theorem6, ["--table", "{d}/two.npz"], "name one"),
    (theorem6, ["--table", "{d}/nan.npy", "--k", "8"], "NaN or Inf"),
    (theorem7, ["--table", "{d}/inf.npy", "--k", "8"], "NaN or Inf"),
    (theorem6, ["--table", "{d}/zero.npy", "--k", "8"], "every row of the table is zero"),
    (theorem7, ["--table", "{d}/short.npy", "--k", "8"], "rank"),
    (theorem6, ["--table", "{d}/full.npy", "--n", "7"], "conflicts"),
    (theorem6, ["--out", "{d}/afile/sub"], "not a folder"),
    (theorem6, ["--device", "gpu"], "no CUDA device"),
]


@pytest.mark.parametrize("module, argv, match", HOSTILE, ids=[" ".join(a) for _, a, _ in HOSTILE])
def test_hostile_input_is_one_line_and_exit_2(tmp_path, capsys, module, argv, match):
    if "gpu" in argv:
        pytest.importorskip("numpy")
        try:
            import cupy  # noqa: F401

            pytest.skip("a CUDA stack is installed here")
        except ImportError:
            pass
    _tables(tmp_path)
    argv = [a.replace("{d}", str(tmp_path)) for a in argv]
    out = tmp_path / "out"
    if "--out" not in argv:
        argv += ["--out", str(out)]
    code, stdout, err = run(module, argv, capsys)
    assert code == 2, (stdout, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert match in err
    assert not out.exists()


def test_robez_through_theorem7_with_figures_and_theorem4(tmp_path, capsys):
    """ROBE-Z has no columns and no k: the quantities that need them are absent, never a crash."""
    figs = str(tmp_path / "f")
    code, _, err = run(theorem7, ["--family", "robez", "--n", "4096", "--d", "8", "--out", str(tmp_path / "r7"),
                                  "--figures", figs], capsys)
    assert code == 0, err
    s7, _ = read(str(tmp_path / "r7"))
    st7 = s7["stats"]["robez"]
    assert s7["k"] == [] and st7["eta_pred"] is None and "c_i" not in st7
    assert s7["theory"]["robez"]["eps_jlt"] is None
    assert os.path.getsize(os.path.join(figs, "theorem7_eps_vs_rho.png")) > 1000
    code, _, err = run(theorem4, ["--family", "robez", "--n", "4096", "--d", "8", "--pairs", "5000",
                                  "--out", str(tmp_path / "r4")], capsys)
    assert code == 0, err
    s4, _ = read(str(tmp_path / "r4"))
    assert s4["stats"]["robez"]["per_row_violations"] == 0 and s4["family"] == ["robez"]


def test_python_api_returns_the_commands_summary(tmp_path, capsys):
    """run_check with the same options as the command line gives the same Summary (timings aside)."""
    import pss_theory

    out = str(tmp_path / "o")
    assert run(theorem7, SMALL7 + ["--out", out, "--no-figures"], capsys)[0] == 0
    from_command, _ = read(out)
    from_api = pss_theory.run_check("theorem7", n=3000, d=8, k=64, coherence_pairs=5000).to_dict()
    assert without_timing(from_api) == without_timing(from_command)
    E = pss_theory.table("zipf", n=3000, d=8).block(0, 3000)
    on_array = pss_theory.run_check("theorem7", table=E, k=64, coherence_pairs=5000)
    assert on_array.stats["gaussian"]["eps_i"] == from_command["stats"]["gaussian"]["eps_i"]


def test_the_console_script_serves_the_report_and_every_check(tmp_path, capsys):
    from importlib.metadata import entry_points

    from verify import console

    (script,) = entry_points(group="console_scripts", name="pss-theory")
    assert script.value == "verify.console:main"
    out = str(tmp_path / "t6")
    assert console.main(["theorem6", *SMALL6, "--out", out]) == 0
    assert read(out)[0]["check"] == "theorem6"
    assert console.main(["theorem6", "--k", "0"]) == 2 and "k must be" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        console.main(["--help"])
    assert "pss-theory CHECK" in capsys.readouterr().out


@pytest.mark.parametrize("mode, said", [(["--eps", "0.5"], "eps = 0.5"), (["--k", "64"], "k = 64"),
                                        (["--compression", "50"], "k = 60")])
def test_the_planner_prints_its_answer_in_every_mode(mode, said, tmp_path, capsys):
    from verify import plan

    code, stdout, _ = run(plan, ["--n", "3000", "--d", "8", "--rho", "0.1", "--family", "gaussian,osnap:s=2",
                                 *mode, "--out", str(tmp_path / "plan")], capsys)
    assert code == 0
    head, *rows = stdout.splitlines()
    assert head.startswith("Planner on table zipf: n = 3,000, d = 8") and f"; {said}, delta = 0.1" in head
    assert {row.split()[0] for row in rows} >= {"family", "gaussian", "osnap"}


def test_the_planner_bounds_the_family_it_is_given():
    from pss_theory import run_check

    def cert(family):
        return run_check("plan", n=3000, d=8, k=64, rho=0.1, family=family)["families"][0]["certificate_eps_max"]

    assert cert("osnap:s=2") != cert("osnap") == cert("osnap:s=4")
