"""run_check as a researcher uses it: one seed convention, families compared in one table, sweeps
over chosen k, rho read from the data, results that load in one line."""
import dataclasses
import json
import types
import typing

import numpy as np
import pytest
from conftest import run_command

import pss_theory as pss
from pss_theory import metrics
from pss_theory.errors import InputError
from verify import theorem4, theorem6, theorem7


@pytest.fixture(scope="module")
def small():
    return pss.table("zipf", n=600, d=6, seed=2).block(0, 600).astype(np.float64)


# ---- seeds ----

def test_python_seed_draws_the_sketch_the_command_draws(small):
    """seed=5 in Python and --seed 5 in a check give the same S: the check's trial 0 is pss.sketch's draw."""
    s = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=5)
    S = pss.sketch("gaussian", k=24, E=small, seed=5)
    assert s.stats["eps_macro_norm"][0] == pytest.approx(metrics.eps_macro(S, small)["eps_macro_norm"], rel=1e-6)


def test_a_generator_becomes_one_uint64_seed():
    S = pss.sketch("countsketch", k=8, n=50, seed=np.random.default_rng(7))
    drawn = int(np.random.default_rng(7).integers(2**64, dtype=np.uint64))
    assert S.seed == drawn
    np.testing.assert_array_equal(S.to_dense(), pss.sketch("countsketch", k=8, n=50, seed=drawn).to_dense())
    assert pss.table("gaussian", n=5, d=2, seed=np.random.default_rng(7)).seed == drawn


def test_a_random_state_becomes_one_uint64_seed_and_advances():
    """scikit-learn's random_state: a legacy RandomState gives one draw, as a Generator does."""
    r = np.random.RandomState(11)
    drawn = int(np.random.RandomState(11).randint(2**64, dtype=np.uint64))
    S = pss.sketch("gaussian", k=8, n=50, seed=r)
    assert S.seed == drawn
    np.testing.assert_array_equal(S.to_dense(), pss.sketch("gaussian", k=8, n=50, seed=drawn).to_dense())
    assert pss.sketch("gaussian", k=8, n=50, seed=r).seed != drawn  # the state advanced by that one draw
    assert pss.run_check("theorem6", table=np.eye(40, 4) + 1, k=8, trials=1, seed=np.random.RandomState(11)).seed == drawn


def test_seed_none_is_fresh_and_reported(small):
    a, b = pss.sketch("gaussian", k=8, n=50, seed=None), pss.sketch("gaussian", k=8, n=50, seed=None)
    assert a.seed != b.seed
    np.testing.assert_array_equal(a.to_dense(), pss.sketch("gaussian", k=8, n=50, seed=a.seed).to_dense())
    s = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=None)
    again = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=s.seed)
    assert isinstance(s.seed, int) and again.stats["eps_macro_norm"] == s.stats["eps_macro_norm"]


def test_n_is_read_off_the_table(small):
    assert pss.sketch("gaussian", k=8, E=small).n == small.shape[0]
    with pytest.raises(InputError, match="not both"):
        pss.sketch("gaussian", k=8, n=600, E=small)
    with pytest.raises(InputError, match="give n"):
        pss.sketch("gaussian", k=8)
    with pytest.raises(InputError, match="seed must be"):
        pss.sketch("gaussian", k=8, n=10, seed=-1)


# ---- several families in one run, one comparison table ----

def test_theorem7_compares_families_cell_by_cell(small):
    both = pss.run_check("theorem7", table=small, k=24, family="gaussian,robez", coherence_pairs=500,
                         params={"compression": 50})
    alone = pss.run_check("theorem7", table=small, k=24, family="gaussian", coherence_pairs=500)
    assert both.family == ["gaussian", "robez"] and both.k == [24] and alone.family == ["gaussian"]
    assert both.stats["gaussian"] == alone.stats["gaussian"]  # a family's cell does not depend on the others
    gauss, robez = both.comparison
    assert gauss["family"] == "gaussian" and gauss["k"] == 24 and gauss["compression"] == 600 / 24
    assert gauss["eps_i_p50"] == both.stats["gaussian"]["eps_i"]["p50"]
    assert robez["k"] is None and robez["eps_jlt"] is None and robez["eps_i_max"] > 0  # n/a, not a crash
    assert [c["family"] for c in both.claims] == ["gaussian"] * 12 + ["robez"] * 11  # the certificate: sketches only


def test_comparison_renderer_says_n_a_and_inf():
    from pss_theory.claims import comparison_row
    from pss_theory.report.claim_tables import comparison_markdown, comparison_text

    rows = [comparison_row(family="a", k=8, bound=float("inf")), comparison_row(family="robez", k=None, bound=0.5)]
    assert rows[0]["bound"] == "inf"
    text = comparison_text(rows).splitlines()
    assert text[0].split() == ["family", "k", "bound"] and text[2].split() == ["a", "8", "inf"]
    assert text[3].split() == ["robez", "n/a", "0.5"]
    assert comparison_markdown(rows).splitlines()[3] == "| robez | n/a | 0.5 |"


def test_family_all_prints_the_comparison_first_and_each_note_once(tmp_path, capsys):

    code, out, _ = run_command(theorem6, ["--n", "1000", "--d", "4", "--k", "32", "--trials", "2", "--family", "all",
                                          "--out", str(tmp_path / "o"), "--no-figures"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["family", "k", "compression"]
    assert [line.split()[0] for line in lines[3:9]] == list(pss.FAMILIES)[:6]
    notes = lines[lines.index("notes:") + 1:]
    notes = notes[:next(i for i, line in enumerate(notes) if not line.startswith("  ["))]
    texts = [line.split("] ", 1)[1] for line in notes]
    assert len(texts) == len(set(texts)) and len(texts) < 18


def test_theorem4_resumes_family_by_family(tmp_path, capsys):

    args = ["--n", "800", "--d", "4", "--k", "16", "--pairs", "500", "--out", str(tmp_path / "o"), "--no-figures"]
    assert run_command(theorem4, args + ["--family", "countsketch"], capsys)[0] == 0
    code, out, err = run_command(theorem4, args + ["--family", "countsketch,robez", "--compression", "10"], capsys)
    assert code == 0 and "reusing 1 of 2 cells" in err
    assert [line.split()[0] for line in out.splitlines()[3:5]] == ["countsketch", "robez"]


# ---- sweep control ----

def test_k_list_compression_and_log_grid(small):
    s = pss.run_check("theorem6", table=small, family="gaussian", k=[12, 48], trials=1)
    assert s.k == [12, 48] and [r["k"] for r in s.per_k] == [12, 48] and s.fit["gaussian"]
    assert [r["compression"] for r in s.per_k] == [50.0, 12.5]
    assert s.comparison == [r for r in s.per_k if r["k"] == 48]
    c = pss.run_check("theorem6", table=small, family="gaussian", compression=[50, 12.5], trials=1)
    assert c.k == [12, 48] and c.stats["eps_macro_norm"] == s.stats["eps_macro_norm"]
    g = pss.run_check("theorem6", table=small, family="gaussian", k_min=10, k_max=300, k_points=3, trials=1)
    assert g.k == [10, 55, 300]
    one = pss.run_check("theorem6", table=small, family="gaussian", k=48, trials=1)
    assert one.k == [48] and one.fit is None


@pytest.mark.parametrize("options", [dict(k=[16], sweep=True), dict(k=[16], compression=[10]),
                                     dict(compression=[10], k_max=100), dict(k_min=50, k_max=20)])
def test_k_given_two_ways_is_refused(small, options):
    with pytest.raises(InputError, match="k values one way|above --k-max"):
        pss.CHECKS["theorem6"].plan(pss.CHECKS["theorem6"].options(table=small, **options))


def test_sweep_prints_claims_at_every_k(tmp_path, capsys):

    code, out, _ = run_command(theorem6, ["--n", "1000", "--d", "4", "--k", "16,64", "--trials", "2", "--out",
                                          str(tmp_path / "o"), "--no-figures"], capsys)
    assert code == 0 and "claims at every k" in out
    table = out.split("claims at every k")[1].splitlines()
    assert [line.split()[1] for line in table[3:5]] == ["16", "64"]
    code, _, err = run_command(theorem6, ["--k", "16", "--sweep", "--out", str(tmp_path / "p")], capsys)
    assert code == 2 and err.count("\n") == 1 and "one way" in err and not (tmp_path / "p").exists()


# ---- rho from the data ----

@pytest.mark.parametrize("name", ["theorem7", "theorem4"])
def test_the_rho_scan_of_pass_1_matches_the_dense_norms(small, name):
    dense = np.linalg.norm(small, axis=1) / np.linalg.svd(small, compute_uv=False)[0]
    extra = {"coherence_pairs": 100} if name == "theorem7" else {"pairs": 300, "top": 10}

    def rows_scan(rho):
        return pss.run_check(name, table=small, k=64, rho=rho, **extra)["rho_scan"]

    summary = pss.run_check(name, table=small, k=64, rho=0.1, **extra)
    s = summary["rho_scan"]
    # pass 2's rho_i and the scan's are one computation now: the same bits
    stats = summary["stats"]["gaussian"]
    assert s["rho_i"]["max"] == (stats["rho_i"]["max"] if name == "theorem7" else stats["rho_max"])
    for key, q in metrics.QUANTILES.items():
        assert s["rho_i"][key] == pytest.approx(np.quantile(dense, q), rel=1e-9)
    assert s["selected_rows"] == int((dense > 0.1).sum()) > 0 and s["rows"] == dense.size
    rho = s["suggested_rho"]
    assert 100 <= rows_scan(rho)["selected_rows"] <= 110
    with pytest.warns(UserWarning, match="selects no row"):
        assert rows_scan(s["rho_i"]["max"])["selected_rows"] == 0


def test_a_rho_that_selects_nothing_is_said_after_pass_1_before_pass_2(tmp_path, capsys):
    check = pss.CHECKS["theorem7"]
    plan = check.plan(check.options(table=np.ones((50, 2)) + np.eye(50, 2), k=8, rho=0.9, coherence_pairs=10))
    events = []
    plan.context.warn = events.append
    pss.checks.run(check, plan, None, lambda stage, done, total, unit: events.append(stage))
    said = [i for i, e in enumerate(events) if "selects no row" in e]
    assert len(said) == 1 and "try --rho" in events[said[0]]
    assert events[said[0] - 1] == "pass 1" and "pass 2" not in events[:said[0]] and "pass 2" in events[said[0]:]
    for quiet in ([], ["--quiet"]):  # a warning, not progress: said with --quiet too
        code, out, err = run_command(theorem7, ["--n", "2000", "--d", "8", "--k", "64", "--rho", "0.9", "--coherence-pairs",
                                                "100", "--out", str(tmp_path / f"o{len(quiet)}"), "--no-figures", *quiet],
                                     capsys)
        assert code == 0 and err.splitlines()[0].startswith("--rho 0.9 selects no row: the largest rho_i")
        assert ("rho = 0.9 selects 0 of 2,000 rows (try --rho" in out) != bool(quiet)


# ---- results that load in one line ----

def test_records_are_flat_and_load_with_pandas(tmp_path, capsys):
    pd = pytest.importorskip("pandas")

    for module, extra in ((theorem7, ["--coherence-pairs", "100"]), (theorem4, ["--pairs", "300", "--top", "10"])):
        out = tmp_path / module.__name__
        code, _, _ = run_command(module, ["--n", "700", "--d", "4", "--k", "16", "--family", "gaussian,robez", "--out",
                                          str(out), "--no-figures", "--compression", "10", *extra], capsys)
        assert code == 0
        records = pd.read_json(out / "records.jsonl", lines=True)
        assert list(records["family"]) == ["gaussian", "robez"] and "eps_i.p50" in records
        assert (records["compression"] > 1).all()
        for line in (out / "records.jsonl").read_text().splitlines():
            assert not [k for k, v in json.loads(line).items() if isinstance(v, dict)]
        assert records["table.kind"].tolist() == ["zipf", "zipf"] and records["params.compression"].isna().tolist() == [True, False]  # gaussian has no parameter
        def plain(v):
            return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(
                x is None or isinstance(x, (int, float)) for x in v))

        assert [c for c in records if not records[c].map(plain).all()] == []
        fresh = json.loads((out / "summary.json").read_text())
        code, _, err = run_command(module, ["--n", "700", "--d", "4", "--k", "16", "--family", "gaussian,robez", "--out",
                                            str(out), "--no-figures", "--compression", "10", *extra], capsys)
        resumed = json.loads((out / "summary.json").read_text())
        assert code == 0 and "reusing 2" in err  # read back from the flat records, the same tables and histograms
        assert (resumed["stats"], resumed["histograms"]) == (fresh["stats"], fresh["histograms"])
        summary = json.loads((out / "summary.json").read_text())
        claims = pd.json_normalize(summary["claims"])
        assert {"id", "family", "measured", "bound", "status"} <= set(claims.columns)
        assert isinstance(summary["theorem"], int) and summary["k"] == [16] and summary["family"] == ["gaussian", "robez"]
        assert pd.json_normalize(summary["comparison"])["family"].tolist() == ["gaussian", "robez"]


def test_types_do_not_depend_on_sweep(small):
    one = pss.run_check("theorem6", table=small, k=24, trials=1)
    sweep = pss.run_check("theorem6", table=small, sweep=True, k_points=2, trials=1)
    assert one.theorem == sweep.theorem == 6 and one.check == "theorem6"
    assert one.k == [24] and len(sweep.k) == 2 and one.family == sweep.family == ["gaussian"]
    assert one.to_dict().keys() == sweep.to_dict().keys() and one.fit is None and sweep.fit["gaussian"]


def conforms(value, hint) -> bool:
    """Whether ``value`` has the type its field declares (a float field takes an int too, as JSON does)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in typing.get_args(hint))
    if hint is type(None) or hint is None:
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, typing.get_origin(hint) or hint)


#: options that run each check in about a second (its smoke scale where it has one)
QUICK = {name: check.scales.get("smoke", {}) for name, check in pss.CHECKS.items()} | {
    "plan": dict(n=3000, d=8, eps=0.5, family="gaussian,osnap:s=2"),
    "certify": dict(n=1500, d=6, seeds=4, k=64, family="gaussian")}


@pytest.mark.parametrize("name", list(pss.CHECKS))
def test_each_check_returns_its_typed_result(name):
    """A check's Result declares every field it reports, each of the declared type, and reads back from
    its summary.json form unchanged."""
    check = pss.CHECKS[name]
    result = pss.run_check(name, **QUICK[name])
    assert type(result) is check.Result and result.extra == {}
    hints = typing.get_type_hints(check.Result)
    wrong = {f.name: type(getattr(result, f.name)).__name__ for f in dataclasses.fields(result)
             if f.name != "extra" and not conforms(getattr(result, f.name), hints[f.name])}
    assert wrong == {}
    assert check.Result.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_old_records_are_measured_again_not_reused(tmp_path, capsys):

    out = tmp_path / "o"
    args = ["--n", "700", "--d", "4", "--k", "16", "--coherence-pairs", "100", "--out", str(out), "--no-figures"]
    assert run_command(theorem7, args, capsys)[0] == 0
    record = json.loads((out / "records.jsonl").read_text())
    key = pss.CHECKS["theorem7"].record_key
    cell = {c: v for c, v in record.items() if any(c == f or c.startswith(f + ".") for f in key)}
    old = {**cell, "stats": {"eps_i": {"p50": 1.0}}, "selection": {}, "histograms": {}, "pss": record["pss"],
           "seconds": 1.0}
    older = {**old, "theorem": "7"}  # the format before summary.json's theorem was an int
    (out / "records.jsonl").write_text(json.dumps(older) + "\n" + json.dumps(old) + "\n")
    code, _, err = run_command(theorem7, args, capsys)
    assert code == 0 and "reusing" not in err
    lines = (out / "records.jsonl").read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["eps_i.p50"] == record["eps_i.p50"]


def test_e1_records_are_flat_and_nested_ones_are_measured_again():
    check = pss.CHECKS["robez_timing"]
    flat = {"forward_ms.p25": 1.0, "forward_ms.p50": 1.1, "forward_ms.p75": 1.2, "backward_ms.p25": 2.0,
            "backward_ms.p50": 2.1, "backward_ms.p75": 2.2}
    nested = {"forward_ms": {"p25": 1.0, "p50": 1.1, "p75": 1.2}, "backward_ms": {"p25": 2.0, "p50": 2.1, "p75": 2.2}}
    assert check.valid_record(flat) and not check.valid_record(nested)
    assert check.valid_record({"forward_ms": None, "backward_ms": None, "skipped": "out of memory"})


def test_the_report_passes_family_to_each_check():
    from verify.__main__ import check_families

    sketches, every = pss.CHECKS["theorem6"], pss.CHECKS["theorem7"]
    parse = {c.name: next(f for f in dataclasses.fields(c.Options) if f.name == "family").metadata["parse"]
             for c in (sketches, every)}
    assert check_families(parse["theorem7"], "gaussian,robez") == "gaussian,robez"
    assert check_families(parse["theorem6"], "gaussian,robez") == "gaussian"
    assert check_families(parse["theorem6"], "all") == "all"


def test_a_plan_is_fixed_and_its_run_context_stays_here():
    check = pss.CHECKS["theorem7"]
    plan = check.plan(check.options(n=2000, d=8, k=64, coherence_pairs=10))
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.cells = []
    plan.context.rows_folder, plan.context.warn, plan.context.pool = "/somewhere", print, object()
    sent = plan.for_workers()
    assert sent.context.rows_folder == "/somewhere" and sent.context.warn is None and sent.context.pool is None
    assert sent.options is plan.options and sent.cells is plan.cells
    assert plan.context.warn is print  # what stays here is untouched


@pytest.mark.parametrize("name", list(pss.CHECKS))
def test_each_checks_records_load_in_pandas_as_numbers(name, tmp_path):
    """Every column of records.jsonl is a number, a string or a list of numbers (no object, no list of
    lists or of objects), and a rerun reuses those records to the same summary."""
    pd = pytest.importorskip("pandas")
    from pss_theory.checks import run
    from pss_theory.records import RecordLog

    check = pss.CHECKS[name]
    log = RecordLog(str(tmp_path / "records.jsonl"), check.record_key)
    fresh = run(check, check.plan(check.options(**QUICK[name])), log)[0]
    records = pd.read_json(tmp_path / "records.jsonl", lines=True)

    def plain(v):
        return not isinstance(v, (dict, list)) or all(x is None or isinstance(x, (int, float)) for x in v)

    assert [c for c in records if not records[c].map(plain).all()] == []
    again = RecordLog(str(tmp_path / "records.jsonl"), check.record_key)
    resumed = run(check, check.plan(check.options(**QUICK[name])), again)[0]
    assert len(again.records) == len(records)  # every cell reused
    assert {**resumed.to_dict(), "seconds": 0} == {**fresh.to_dict(), "seconds": 0}
