"""k = "auto": the sketch size from eps, rho and delta by the rule the theorem's proof or the certificate
gives, said with that rule; refused in one line when no k reaches eps."""
import math

import pytest
from conftest import run_command

import pss_theory as p
from pss_theory import theory
from pss_theory.errors import InputError
from verify import theorem6, theorem7


def test_theorem7_auto_is_the_certificates_k_and_it_certifies_eps():
    s = p.run_check("theorem7", n=5000, d=8, k="auto", rho=0.2, eps=0.5, coherence_pairs=100)
    plan = p.run_check("plan", n=5000, d=8, rho=0.2, eps=0.5, family="gaussian")
    want = math.ceil(plan["families"][0]["k_certificate"])
    assert s["k"] == [want] and s["k_rule"].startswith(f"k = auto: {want:,}, by the per-row certificate for gaussian")
    cert = s["certificate"]["gaussian"]
    assert cert["kind"] == "certificate" and cert["eps_cert"]["max"] <= 0.5  # at that k every row is certified


def test_certify_auto_is_the_certificates_k_and_its_bound_certifies_eps():
    s = p.run_check("certify", n=1500, d=6, seeds=4, k="auto", eps=0.5, rho=0.05, family="gaussian")
    plan = p.run_check("plan", n=1500, d=6, rho=0.05, eps=0.5, family="gaussian")
    want = math.ceil(plan["families"][0]["k_certificate"])
    assert s.k == [want] and s.k_rule.startswith(f"k = auto: {want:,}, by the per-row certificate for gaussian")
    assert s.stats["gaussian"]["eps_cert"]["max"] <= 0.5
    assert p.run_check("certify", n=1500, d=6, seeds=4, k=64, family="gaussian").k_rule is None


def test_several_families_share_the_largest_k_and_robez_takes_none():
    one = {f: p.run_check("theorem4", n=5000, d=8, k="auto", rho=0.2, pairs=500, family=f)["k"][0]
           for f in ("gaussian", "countsketch")}
    s = p.run_check("theorem4", n=5000, d=8, k="auto", rho=0.2, pairs=500, family="gaussian,countsketch,robez")
    assert s["k"] == [max(one.values())] and "(the largest over the families)" in s["k_rule"]
    assert s["comparison"][2]["k"] is None


def test_theorem6_auto_is_its_proofs_sufficient_k():
    s = p.run_check("theorem6", n=5000, d=8, k="auto", eps=0.9, trials=1)
    assert s["k"] == [math.ceil(theory.theorem6_k_proved(0.9, 0.1, 8, "gaussian"))]
    assert "by Theorem 6 as its proof supports" in s["k_rule"]
    assert p.run_check("theorem6", n=5000, d=8, k=64, trials=1).k_rule is None


def test_auto_is_said_on_the_screen_and_refused_in_one_line(tmp_path, capsys):
    code, out, _ = run_command(theorem7, ["--n", "5000", "--d", "8", "--k", "AUTO", "--rho", "0.2", "--coherence-pairs",
                                          "100", "--no-figures", "--out", str(tmp_path / "a")], capsys)
    assert code == 0 and out.splitlines()[1].startswith("k = auto: ")
    for module, argv, match in (
            (theorem7, ["--k", "auto", "--rho", "0.99"], "no row has rho_i > 0.99"),
            (theorem7, ["--k", "auto", "--rho", "0.2", "--family", "srht", "--eps", "0.01"], "no k up to"),
            (theorem7, ["--k", "auto", "--family", "robez"], "ROBE-Z takes no k"),
            (theorem6, ["--k", "auto", "--sweep"], "one way")):
        out = tmp_path / "refused"
        code, _, err = run_command(module, ["--n", "5000", "--d", "8", *argv, "--out", str(out)], capsys)
        assert code == 2 and err.count("\n") == 1 and match in err and not out.exists()
    with pytest.raises(InputError, match="positive integer|whole number|integer"):
        p.run_check("theorem7", n=2000, d=8, k="automatic")
