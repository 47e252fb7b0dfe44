"""Hostile options of the checks: answered before any work with one clear error, or with a correct result."""

import numpy as np
import pytest

import pss_theory as p
from pss_theory import checks
from pss_theory.errors import InputError
from verify import __main__ as report


def plan(name, **options):
    check = checks.get(name)
    return check.plan(check.options(**options))


def test_tiny_eps_and_rho_give_a_finite_sufficient_k_instead_of_a_domain_error():
    """eps^2 underflows below 1e-154: the calculators continue ln r(eps) by its eps^2 law."""
    s = p.run_check("theorem7", n=2000, d=8, k=64, coherence_pairs=100, rho=1e-300)
    assert s.theory["gaussian"]["theorem7_k"] is None  # k = inf: more than any float, reported as null
    six = p.run_check("theorem6", n=2000, d=8, k=64, trials=2, eps=1e-300)
    assert any(c["id"] == "theorem6.k.stated" and c["status"] == "not promised" for c in six.claims)


def test_duplicate_families_are_counted_once():
    s = p.run_check("theorem6", n=2000, d=8, k=64, trials=2, family="gaussian,gaussian,countsketch")
    assert s.family == ["gaussian", "countsketch"] and len(s.stats["eps_macro_norm"]) == 4


@pytest.mark.parametrize("name, options, match", [
    ("theorem4", dict(pairs=10**12), "--pairs"),
    ("theorem4", dict(top=10**5), "--top"),
    ("theorem7", dict(n=10**8, coherence_pairs=10**15), "--coherence-pairs"),
])
def test_allocations_an_option_asks_for_are_priced_before_work(name, options, match, monkeypatch):
    """Refused before any read of the table (every read is a span of the pass engine)."""
    from pss_theory.measure import passes

    def no_read(*a, **k):
        raise AssertionError("the table was read before the option was priced")

    monkeypatch.setattr(passes, "run_span", no_read)
    options = {"n": 3000, "d": 8, "k": 64, **options}
    with pytest.raises(InputError, match=match):
        plan(name, **options)


def test_theorem4_counts_do_not_depend_on_the_block_size():
    runs = [p.run_check("theorem4", n=3000, d=8, k=64, pairs=5000, top=30, block_rows=b).stats["gaussian"]
            for b in (None, 256, 1000)]
    for s in runs[1:]:
        for key in ("theorem_violations", "per_row_violations", "exact_pairs", "eq25_violations"):
            assert s[key] == runs[0][key]
        assert s["pair_ratio"]["min"] == pytest.approx(runs[0]["pair_ratio"]["min"], rel=1e-9)
        assert s["top"]["ratio"]["min"] == pytest.approx(runs[0]["top"]["ratio"]["min"], rel=1e-9)


def test_the_report_records_the_command_that_produced_its_numbers(tmp_path):
    """--table X in the report: the recorded command names X (it recorded the synthetic table's command)."""
    path = tmp_path / "E.npy"
    np.save(path, np.random.default_rng(0).standard_normal((500, 8)))
    args = report.parser().parse_args(["--scale", "smoke", "--table", str(path)])
    for check in (c for c in checks.CHECKS.values() if c.in_report):
        values = report.step_options(check, args)
        line = report.command_line(check, values)
        if check.on_user_table and check.name != "robez_timing":
            assert f"--table {path}" in line and "--n " not in line
            assert check.options(**values).table == str(path)
        elif check.name == "certify":  # hundreds of sketches of an in-memory table: it keeps its small one
            assert "--table" not in line


@pytest.mark.parametrize("name, options", [
    ("theorem6", dict(n=20000, d=8, k=64, family="gaussian,srht")),
    ("theorem7", dict(n=20000, d=8, k=64, family="srht", coherence_pairs=1000))])
def test_a_block_that_is_not_a_multiple_of_srht_pieces_gives_the_same_bits(name, options):
    """SRHT transforms whole pieces of B rows; blocks of 1000 rows (B = 16384 here) are gathered into them."""
    assert p.run_check(name, **options, block_rows=1000).stats == p.run_check(name, **options).stats


def test_an_edited_record_is_measured_again_not_reused(tmp_path, capsys):
    """records.jsonl is data a user can edit: a record missing a field or holding a value no measurement
    gives is measured again (before: a traceback, or -5 reused silently)."""
    import json

    from verify import cli, runner

    out = tmp_path / "o"
    argv = ["--n", "2000", "--d", "8", "--k", "64", "--trials", "2", "--out", str(out), "--quiet"]
    assert cli.run(lambda a: runner.main("theorem6", a), argv) == 0
    first = json.loads((out / "summary.json").read_text())["stats"]["eps_macro_norm"]
    lines = (out / "records.jsonl").read_text().splitlines()
    bad = [json.loads(line) for line in lines]
    bad[0]["eps_macro_norm"] = -5
    del bad[1]["eps_macro_inner"]
    (out / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bad))
    assert cli.run(lambda a: runner.main("theorem6", a), argv) == 0
    assert json.loads((out / "summary.json").read_text())["stats"]["eps_macro_norm"] == first


def test_a_typo_sized_number_of_cells_is_refused_before_it_is_built():
    with pytest.raises(InputError, match="cells"):
        plan("theorem6", n=2000, d=8, k=64, trials=10**9)


def test_theorem4_with_no_row_above_rho_reports_n_a_instead_of_failing_after_its_passes():
    """The report's Theorem 4 on a table whose rows all have rho_i <= rho: a result (n/a pair claims and the
    largest rho_i to lower --rho to), not an error after Theorems 6 and 7 have run; --top is capped."""
    s = p.run_check("theorem4", n=3000, d=8, k=64, rho=0.9, top=5, pairs=100)
    pair_claims = [c for c in s.claims if c["id"].startswith("theorem4.sampled")]
    assert pair_claims and all(c["status"] == "n/a" for c in pair_claims)
    assert "lower --rho" in s.verdict[0] and s.stats["gaussian"]["top"] is None
    capped = p.run_check("theorem4", n=3000, d=8, k=64, rho=0.1, top=1000, pairs=100)
    assert capped.stats["gaussian"]["top"]["rows"] < 1000 and "capped" in " ".join(c["name"] for c in capped.claims)


HUGE = [("theorem7", ["--n", "1e9", "--d", "4096"]), ("theorem4", ["--n", "1e9", "--d", "4096"]),
        ("theorem6", ["--n", "1e10", "--d", "4096"]),
        ("theorem6", ["--n", "9007199254740992", "--d", "1", "--family", "countsketch"]),
        ("plan", ["--n", "9007199254740992", "--d", "2", "--eps", "0.5"])]


@pytest.mark.parametrize("name, argv", HUGE, ids=[f"{n} {' '.join(a)}" for n, a in HUGE])
def test_runs_estimated_above_an_hour_are_refused_before_any_work(name, argv, tmp_path, capsys):
    import importlib

    from conftest import run_command

    out = tmp_path / "out"
    code, _, err = run_command(importlib.import_module(f"verify.{name}"), argv + ["--out", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "estimated at about" in err and "--yes" in err
    assert not out.exists()


def test_the_time_estimate_grows_with_the_work_and_yes_lets_a_run_start():
    from pss_theory.measure import cost

    table = p.table("zipf", n=10**6, d=64)
    read = 10**6 * 64 * cost.read_seconds(table)
    dense = [cost.pass_seconds(table, p.sketch("gaussian", k=k, n=10**6)) - read for k in (512, 1024)]
    assert dense[1] == pytest.approx(2 * dense[0], rel=1e-12)  # dense S: 2 k flops an entry
    second = cost.pass_seconds(table, p.sketch("countsketch", k=512, n=10**6), read_back=True)
    assert second > cost.pass_seconds(table, p.sketch("countsketch", k=512, n=10**6))
    assert cost.pass_seconds(p.table("zipf", n=2 * 10**6, d=64), p.sketch("countsketch", k=512, n=2 * 10**6)) == \
        pytest.approx(2 * cost.pass_seconds(table, p.sketch("countsketch", k=512, n=10**6)), rel=1e-12)
    held = p.tables.as_table(np.ones((1000, 64), dtype=np.float32))
    assert cost.read_seconds(held) == 0 < cost.read_seconds(table)
    with pytest.raises(InputError, match="estimated at about"):
        plan("theorem6", n=10**8, d=1024, k=8192)
    assert plan("theorem6", n=10**8, d=1024, k=8192, yes=True).cells  # priced, then planned: no work yet


def test_the_report_at_paper_scale_is_priced_before_any_check_runs(tmp_path, capsys):
    """--scale paper runs 1e8-row checks: refused before the first check starts, with the estimate; --yes passes
    it to every check that takes it."""
    import shutil

    from conftest import run_command

    from tests.test_report import ROOT

    shutil.copy(f"{ROOT}/paper_appendix.md", tmp_path / "a.md")
    out = tmp_path / "results"
    code, _, err = run_command(report, ["--scale", "paper", "--out", str(out), "--appendix", str(tmp_path / "a.md")],
                               capsys)
    assert code == 2 and err.count("\n") == 1 and "estimated at about" in err and not out.exists()
    args = report.parser().parse_args(["--scale", "paper", "--yes"])
    assert report.step_options(checks.get("theorem7"), args)["yes"] is True
    assert "yes" not in report.step_options(checks.get("certify"), args)


@pytest.mark.parametrize("name, options, match", [
    ("theorem7", dict(n=10**9, d=4096), "estimated at about"),
    ("theorem4", dict(n=10**9, d=4096), "estimated at about"),
    ("theorem6", dict(n=10**10, d=4096), "estimated at about"),
    ("theorem6", dict(n=2**53, d=1, family="countsketch"), "estimated at about"),
    ("theorem7", dict(n=2**53 + 1, d=4), "too large"),
    ("plan", dict(n=2**53, d=2, eps=0.5), "estimated at about"),
])
def test_huge_requests_are_input_errors_from_the_python_api(name, options, match):
    with pytest.raises(InputError, match=match):
        p.run_check(name, **options)


def test_the_command_line_keeps_tile_temporaries_in_the_heap_and_the_library_does_not(tmp_path, monkeypatch):
    """On a CPU a check's command line asks glibc to serve the largest float64 tile from its heap (below
    the mmap threshold, kept until twice that is free) and gives the free heap back after the check (the report
    runs the next check in the same process); ``run_check``, the library, leaves the process alone."""
    from pss_theory.backend import host_allocator
    from pss_theory.tables.tiles import TILE_FLOATS
    from verify import cli, runner

    calls, trims = [], []
    monkeypatch.setattr(host_allocator, "steady_allocator", lambda **kw: calls.append(kw) or True)
    monkeypatch.setattr(host_allocator, "give_back_free_heap", lambda: trims.append(len(calls)) or True)
    p.run_check("theorem6", n=2000, d=8, k=64, trials=1)
    assert calls == [] and trims == []
    argv = ["--n", "2000", "--d", "8", "--k", "64", "--trials", "1", "--out", str(tmp_path / "o"), "--quiet"]
    assert cli.run(lambda a: runner.main("theorem6", a), argv) == 0
    assert len(calls) == 1 and trims == [1]  # the heap it kept is given back once the check is done
    assert calls[0]["mmap_threshold"] > 8 * TILE_FLOATS and calls[0]["trim_threshold"] >= calls[0]["mmap_threshold"]
