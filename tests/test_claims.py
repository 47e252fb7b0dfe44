"""Verdicts a referee would sign: each claim's status, bound and wording (one test per point of the review)."""
import numpy as np
import pytest

import pss_theory as p
from pss_theory import checks, report
from pss_theory.checks import theorem6
from pss_theory.claims import STATUSES, Claim
from pss_theory.measure import metrics, row_stats, rows
from pss_theory.report import theorem6 as theorem6_report
from pss_theory.report.claim_tables import claim_line, claims_markdown, claims_text


@pytest.fixture(scope="module")
def t6():
    """Theorem 6 at the report's default size for one k (n = 20000, d = 32, k = 5000)."""
    return p.run_check("theorem6", n=20000, d=32, k=5000, trials=3, eps=0.3,
                       family=["gaussian", "rademacher", "countsketch", "osnap", "srht"])


def by_id(summary, cid, family=None):
    (c,) = [c for c in summary.claims if c["id"] == cid and (family is None or c["family"] == family)]
    return c


def test_every_claim_has_one_status_the_same_in_json_text_and_markdown(t6):
    for c in t6.claims:
        assert c["status"] in STATUSES and c["id"] and c["family"]
        assert not (c["holds"] is True and c["bound"] is None)
    text, md = claims_text(t6.claims).splitlines(), claims_markdown(t6.claims).splitlines()
    for i, c in enumerate(t6.claims, 1):
        (row,) = [line for line in text if line.startswith(f"{i}. ")]
        assert row.rstrip().endswith(c["status"])
        (mrow,) = [line for line in md if line.startswith(f"| {i} |")]
        assert mrow.endswith(f"| {c['status']} |")


def test_the_three_renderers_print_the_same_cells(t6):
    """The terminal table, the markdown table and the report's one-line screen show each claim's measured
    value, relation and bound identically (inf for a vacuous bound in all three)."""
    text, md = claims_text(t6.claims).splitlines(), claims_markdown(t6.claims).splitlines()
    vacuous = [c for c in t6.claims if c["status"] == "vacuous" and c["bound"] is None]
    assert vacuous  # Theorem 6 as stated is vacuous at this k for some family: the case that differed
    screen = report.claims_screen([(checks.get("theorem6").title, t6)]).splitlines()[-len(t6.claims):]
    for i, (c, line) in enumerate(zip(t6.claims, screen), 1):
        (mrow,) = [line for line in md if line.startswith(f"| {i} |")]
        measured, bound = [cell.strip() for cell in mrow.split(" | ")[2:4]]
        (row,) = [line for line in text if line.startswith(f"{i}. ")]
        assert line.strip() == claim_line(c, with_family=True).strip()
        for rendered in (row, line):
            assert f" {measured} " in rendered and f" {bound} " in rendered, (rendered, measured, bound)


def test_a_new_claim_column_is_one_entry_in_the_column_spec(t6, monkeypatch):
    """The terminal table, the markdown table and the one-line screen all read ``COLUMNS``: a column added
    there (here each claim's Clopper-Pearson interval) appears in all three, with nothing else changed."""
    from pss_theory.report import claim_tables

    monkeypatch.setattr(claim_tables, "COLUMNS", claim_tables.COLUMNS + (
        ("interval", lambda c: "[{:.3g}, {:.3g}]".format(*c["interval"]) if c.get("interval") else "none", ""),))
    rate = next(c for c in t6.claims if c.get("interval"))
    cell = "[{:.3g}, {:.3g}]".format(*rate["interval"])
    text, md = claims_text(t6.claims), claims_markdown(t6.claims)
    assert text.splitlines()[0].split()[-1] == "interval" and md.splitlines()[0].endswith("| interval |")
    assert cell in text and f"| {cell} |" in md and claim_line(rate, with_family=True).endswith(cell)


def test_point1_theorem6_as_stated_and_as_proved_side_by_side(t6):
    """At k = 5000 the statement's eps_JLT is 0.378, but the net argument gives 4 eps_JLT = 1.51 >= 1 in
    inner-product form (nothing certified) and no norm-form eps either."""
    stated = by_id(t6, "theorem6.norm.stated", "gaussian")
    assert stated["status"] == "holds" and "0.3783" in stated["name"]
    inner = by_id(t6, "theorem6.inner.proof", "gaussian")
    assert inner["status"] == "vacuous" and inner["bound"] == pytest.approx(1.513, abs=1e-3) and inner["slack"] is None
    assert by_id(t6, "theorem6.norm.proof", "gaussian")["status"] == "vacuous"
    th = theorem6.theory_at("gaussian", 100_000, 20000, 32, 0.3, 0.1)
    assert th["theorem6_eps_norm_proof"] == pytest.approx(1 - np.sqrt(1 - th["theorem6_eps_inner"]))


def test_point2_per_trial_bounds_count_trials_above_them():
    """A bound holding per trial w.p. 1 - delta is judged on the number of trials above it: the lower end of
    the Clopper-Pearson interval against delta, which is also what the row prints."""
    tight = np.array([0.05, 0.06, 0.07, 0.11, 0.08, 0.05, 0.06, 0.07])  # one trial of 8 above 0.1
    c = theorem6_report.per_trial_claim("gaussian", "x", "test", tight, 0.1, 0.1).as_dict()
    assert "1 of 8" in c["name"] and c["bound"] == 0.1 and c["status"] == "holds" and c["measured"] <= 0.1
    worse = np.full(8, 0.2)  # every trial above: the data show the rate is above delta
    c = theorem6_report.per_trial_claim("gaussian", "x", "test", worse, 0.1, 0.1).as_dict()
    assert c["status"] == "fails" and c["measured"] > 0.1
    two_of_three = np.array([0.2, 0.2, 0.05])  # too few trials to refute: the printed relation still holds
    c = theorem6_report.per_trial_claim("gaussian", "x", "test", two_of_three, 0.1, 0.1).as_dict()
    assert c["status"] == "holds" and c["measured"] <= c["bound"]


def test_point3_davidson_szarek_only_for_gaussian(t6):
    ids = {(c["family"], c["id"]) for c in t6.claims}
    assert ("gaussian", "theorem6.norm.davidson_szarek") in ids
    assert ("rademacher", "theorem6.norm.davidson_szarek") not in ids
    assert ("rademacher", "theorem6.norm.mp") in ids


def test_point4_srht_eta_law_carries_the_finite_population_factor():
    """n = N = 4096, k = N/2: SRHT's error is sqrt((N - k)/(N - 1)) of the Gaussian-style law."""
    s = p.run_check("theorem7", n=4096, d=8, k=2048, family="srht", coherence_pairs=1000)
    c = by_id(s, "theorem7.eta_rms_law")
    assert c["status"] == "holds" and abs(c["ratio"] - 1) < 0.05
    st = s.stats["srht"]
    assert st["eta_rms_law"] == pytest.approx(st["eta_pred"] * np.sqrt(2048 / 4095), rel=1e-3)


def test_point5_statements_not_promised_at_this_k_say_so(t6):
    s7 = p.run_check("theorem7", n=4096, d=8, k=64, coherence_pairs=1000)
    assert by_id(s7, "theorem7.statement")["status"] == "not promised"
    s4 = p.run_check("theorem4", n=4096, d=8, k=64, pairs=2000, top=20)
    assert by_id(s4, "theorem4.sampled.theorem")["status"] == "not promised"
    assert by_id(s4, "theorem4.top.theorem")["status"] == "not promised"
    assert by_id(t6, "theorem6.failure_rate", "gaussian")["status"] == "not promised"
    robez = p.run_check("theorem7", n=4096, d=8, family="robez", coherence_pairs=1000)
    assert by_id(robez, "theorem7.statement")["status"] == "not promised"
    assert all(c["status"] != "fails" for c in robez.claims)


def test_point6_c_i_covers_all_zero_rows():
    """Most rows zero: c_i = (S Q)^T S e_i is defined for them and enters max ||c_i|| (here it is the max)."""
    E = p.table("gaussian", n=400, d=4, seed=2).block(0, 400).astype(np.float64)
    E[:360] = 0
    S = p.sketch("gaussian", k=16, n=400, seed=3, dtype=np.float64)
    comp = metrics.compress(S, E)
    spec = metrics.spectrum(comp)
    mi = metrics.micro(S, E, comp, spec)
    with rows.row_arrays(None, 400, metrics.row_fields(S)) as arrays:
        bias = metrics.read_back(S, E, comp, spec, arrays.write)
        st = row_stats.statistics(arrays, row_stats.scan(arrays, 0.1, 0.5, None), spec, comp, bias, None, 16, (1.0, 2.0))
    assert mi.c[:360].max() > mi.c[360:].max()
    assert st["c_i"]["max"] == mi.c.max()


def test_point7_sufficient_k_wording_and_osnap_convention(t6):
    for c in t6.claims:
        assert "requires" not in c["name"] + c["note"] and "allows no compression" not in c["name"] + c["note"]
    assert "sufficient k" in by_id(t6, "theorem6.k.stated", "gaussian")["name"]
    assert "not a certificate" in by_id(t6, "theorem6.norm.stated", "osnap")["name"]
    (osnap,) = [v for v in t6.verdict if v.startswith("osnap")]
    assert "Theorem 6 certifies" not in osnap and "no certificate" in osnap


def test_point8_eq25_against_the_theorems_eps():
    s = p.run_check("theorem4", n=4096, d=8, k=64, pairs=2000)
    assert "consistency check" in by_id(s, "theorem4.eq25.per_row")["name"]
    c = by_id(s, "theorem4.eq25.theorem")
    assert c["bound"] == 0.5 and c["status"] == "not promised" and c["measured"] == s.stats["gaussian"]["eq25_selected_max"]


def test_statuses_from_the_claim_itself():
    assert Claim("a", 0.5, float("inf")).status == "vacuous"
    assert Claim("a", 0.5, 1.2, vacuous_at=1.0).status == "vacuous"
    assert Claim("a", None, 1.0).status == "n/a" and Claim("a", 0.5, None).status == "n/a"
    assert Claim("a", 2.0, 1.0, promised=False).status == "not promised"
    assert Claim("a", 2.0, 1.0).status == "fails" and Claim("a", 0.5, 1.0).status == "holds"
    assert Claim("a", 0.5, float("inf")).as_dict()["holds"] is None


def test_a_claim_is_a_statement_without_numbers_and_the_values_it_names():
    c = Claim("{family}: max <= {bound:.3g}", 0.5, 1.0, values={"family": "gaussian", "bound": 1.0})
    assert c.name == "gaussian: max <= 1" and c.as_dict()["statement"] == "{family}: max <= {bound:.3g}"
    with pytest.raises(ValueError, match="names"):
        Claim("{family}: max", 0.5, 1.0)  # a field without its value is a bug, found when the claim is made
    with pytest.raises(ValueError, match="names"):
        Claim("max", 0.5, 1.0, values={"unused": 1})


def test_the_same_claims_are_the_same_statements_at_another_scale():
    small = p.run_check("theorem4", n=2048, d=8, k=64, pairs=500)
    large = p.run_check("theorem4", n=4096, d=8, k=128, pairs=900)
    for a, b in zip(small.claims, large.claims, strict=True):
        assert a["id"] == b["id"] and a["statement"] == b["statement"]
        assert a["name"] == a["statement"].format(**a["values"])
    assert [a["name"] for a in small.claims] != [b["name"] for b in large.claims]
    rates = [c for c in p.run_check("theorem6", n=2048, d=8, k=64, trials=4).claims if c["interval"] is not None]
    assert rates and all(c["interval"][0] == c["measured"] <= c["interval"][1] for c in rates)


def test_each_run_says_in_which_precision_it_multiplied_and_why_float64():
    """A well-conditioned table keeps float32 products; one with cond(E) above the float32 limit is redone
    in float64 and the line says why; Theorem 4's sketches are float64 for its pair errors."""
    rng = np.random.default_rng(5)
    well = rng.standard_normal((2000, 6)).astype(np.float32)
    ill = well * np.geomspace(1, 1e5, 6).astype(np.float32)
    runs = {name: p.run_check(name, table=table, k=48, **options)
            for name, table, options in (("theorem7", well, {"coherence_pairs": 100}),
                                         ("theorem6", ill, {"trials": 1}),
                                         ("theorem4", well, {"pairs": 200, "family": "gaussian,robez"}))}
    lines = {name: [x for x in report.PARTS[name].text(s) if x.startswith("arithmetic:")] for name, s in runs.items()}
    assert lines["theorem7"] == ["arithmetic: float32 products for gaussian; the Gram E^T E and the row norms "
                                 "accumulated in float64"]
    cond = runs["theorem6"].stats["condition"][0]
    assert cond > metrics.FLOAT32_MAX_CONDITION and runs["theorem6"].stats["dtype"] == ["float64"]
    assert f"float64 products for gaussian (cond(E) = {cond:.3g} > 1000" in lines["theorem6"][0]
    (t4,) = lines["theorem4"]
    assert "float64 products for gaussian (pair errors are differences" in t4 and "float32 products for robez" in t4
