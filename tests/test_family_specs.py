"""Families with their own parameters (``--family osnap:s=8,countsketch``): parsing, routing of the bare
flags, and a second family with a parameter of the same name, which must never collide."""
import json
import os

import pytest
from conftest import run_command as run

from pss_theory import checks, families
from pss_theory import validate as V
from pss_theory.errors import InputError
from pss_theory.families import FamilySpec, Param
from pss_theory.families.sparse_sign import SparseSignFamily
from verify import __main__ as report
from verify import runner, theorem6, theorem7


def test_specs_parse_each_family_with_its_own_parameters():
    specs = families.specs("osnap:s=8, countsketch,robez:Z=8:signed:compression=100")
    assert specs == [FamilySpec("osnap", (("s", 8),)), FamilySpec("countsketch"),
                     FamilySpec("robez", (("Z", 8), ("signed", True), ("compression", 100.0)))]
    assert [str(s) for s in specs] == ["osnap:s=8", "countsketch", "robez:Z=8:signed=True:compression=100.0"]
    assert families.specs(specs) == specs  # a parsed list parses to itself
    assert families.specs("osnap:s=8,gaussian,osnap:s=8") == families.specs("osnap:s=8,gaussian")
    assert families.specs("robez:signed=false")[0].kwargs == {"signed": False}
    assert [s.family for s in families.specs("all", sketches_only=True)] == list(families.SKETCHES)


def test_variants_keep_one_family_with_two_settings_in_order():
    """The compare check's methods: each setting is its own cell (the families' parse refuses this)."""
    got = families.spec.parse("osnap:s=2,gaussian,osnap:s=8,osnap:s=2", families.ALL, families.get, variants=True)
    assert got == [FamilySpec("osnap", (("s", 2),)), FamilySpec("gaussian"), FamilySpec("osnap", (("s", 8),))]
    with pytest.raises(InputError, match="two settings"):
        families.spec.parse("osnap:s=2,osnap:s=8", families.ALL, families.get)


@pytest.mark.parametrize("text, message", [
    ("osnap:t=3", "has no parameter 't'; it takes: s"),
    ("osnap:s", "needs a value"),
    ("osnap:s=0", "s"),
    ("osnap:s=2:s=3", "given twice"),
    ("osnap,gaussian,osnap:s=8", "given with two settings"),
    ("robez:signed=maybe", "is a switch"),
    ("osnap:=3", "empty parameter"),
    ("nosuch:s=1", "unknown sketch family"),
    ("", "no family given"),
])
def test_specs_refuse_bad_text_in_one_line(text, message):
    with pytest.raises(InputError, match=message):
        families.specs(text)


def test_bare_parameters_reach_the_one_family_that_takes_them():
    assert families.specs("gaussian,osnap", shared={"s": 8})[1] == FamilySpec("osnap", (("s", 8),))
    with pytest.raises(InputError, match="--s does not apply to family gaussian"):
        families.specs("gaussian", shared={"s": 8})
    with pytest.raises(InputError, match="given twice for family osnap"):
        families.specs("osnap:s=2", shared={"s": 8})


@pytest.fixture
def second_s_family(monkeypatch):
    """A second registered family with a parameter named ``s``, as a new sparse family would have."""
    fam = SparseSignFamily(name="sjlt", params=(Param("s", lambda t: V.integer("s", t, minimum=1), "sjlt: nonzeros"),))
    for registry in (families.ALL, families.SKETCHES):
        monkeypatch.setitem(registry, "sjlt", fam)
    return fam


def test_two_families_with_one_parameter_name_never_collide(second_s_family):
    for check in checks.CHECKS.values():  # every command still builds its flags
        runner.parser(check)
    specs = families.specs("osnap:s=8,sjlt:s=2")
    assert [s.kwargs for s in specs] == [{"s": 8}, {"s": 2}]
    assert families.specs("sjlt", shared={"s": 3})[0].kwargs == {"s": 3}
    with pytest.raises(InputError, match="--s applies to osnap and sjlt: give it to one family, e.g. --family osnap:s=8"):
        families.specs("osnap,sjlt", shared={"s": 8})


def test_a_shared_flag_name_is_checked_by_the_family_it_reaches(second_s_family, tmp_path, capsys):
    code, _, err = run(theorem7, ["--n", "2000", "--d", "8", "--k", "64", "--family", "osnap,sjlt", "--s", "8",
                                  "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "--s applies to osnap and sjlt" in err and not os.path.exists(tmp_path / "o")


def _summary(out):
    with open(os.path.join(out, "summary.json")) as fh:
        return json.load(fh)


def test_a_parameter_given_either_way_draws_the_same_sketch(tmp_path, capsys):
    small = ["--n", "3000", "--d", "8", "--k", "64", "--trials", "2", "--no-figures"]
    outs = {name: str(tmp_path / name) for name in ("spec", "flag", "default")}
    for name, argv in (("spec", ["--family", "osnap:s=8,gaussian"]), ("flag", ["--family", "osnap,gaussian", "--s", "8"]),
                       ("default", ["--family", "osnap,gaussian"])):
        assert run(theorem6, small + argv + ["--out", outs[name]], capsys)[0] == 0
    spec, flag, default = (_summary(outs[name]) for name in ("spec", "flag", "default"))
    assert spec["params"] == flag["params"] == {"gaussian": {}, "osnap": {"s": 8}}
    assert spec["stats"] == flag["stats"]
    osnap = [i for i, f in enumerate(spec["stats"]["family"]) if f == "osnap"]
    assert [spec["stats"]["eps_macro_norm"][i] for i in osnap] != [default["stats"]["eps_macro_norm"][i] for i in osnap]


def test_a_rerun_with_other_parameters_measures_again(tmp_path, capsys):
    out = str(tmp_path / "o")
    argv = ["--n", "2000", "--d", "8", "--k", "64", "--coherence-pairs", "1000", "--out", out]
    run(theorem7, argv + ["--family", "osnap:s=2"], capsys)
    code, _, err = run(theorem7, argv + ["--family", "osnap:s=4"], capsys)
    assert code == 0 and "reusing" not in err
    assert _summary(out)["params"] == {"osnap": {"s": 4}}


def test_the_report_keeps_a_family_parameters_for_the_checks_that_take_it():
    t6 = checks.get("theorem6")
    field = next(f for f in runner.option_fields(t6) if f.name == "family")
    assert report.check_families(field.metadata["parse"], "osnap:s=8,robez:Z=8") == "osnap:s=8"
