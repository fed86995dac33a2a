"""The PP1/BS4 strength ladder, the informative-meioses labels and the segregation settings
pinned at every rung (at, just below and just above) and through every branch of segregate.

Sources (/work/shared/notes/segregation.md):
- Tavtigian et al. 2018 (Genet Med 20:1054), odds of pathogenicity 350 for very strong:
  PP1 supporting at FLB >= 2.08 = 350^(1/8), moderate >= 4.33 = 350^(1/4), strong >= 18.7
  = 350^(1/2); BS4 supporting <= 0.48, moderate <= 0.23, strong <= 0.053 (the reciprocals).
- Jarvik & Browning 2016 (AJHG 98:1077): 3 informative meioses in one family supporting,
  4 moderate, 5 strong; from several families one fewer each (2, 3, 4).
- No ClinGen-wide cut-off exists (expert panels calibrate per gene), hence a configurable
  ladder: a run's ladder is the one used, not the default.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from cmmvar.errors import PedigreeError
from cmmvar.io.ped_file import read_family
from cmmvar.io.pedigree import Sex
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.likelihood import Person
from cmmvar.segregate.segregation import (
    DEFAULT_LADDER,
    DEFAULT_MEIOSES,
    NOT_EXPLAINING,
    Model,
    Settings,
    check_liability_classes,
    meioses_label,
    people,
    segregate,
    settings_from_config,
    strength,
    table_fields,
)

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def below(x: float) -> float:
    return math.nextafter(x, -math.inf)


def above(x: float) -> float:
    return math.nextafter(x, math.inf)


def called(copies: int) -> Genotype:
    return Genotype(copies, "called")


MISSING = Genotype(None, "not_sequenced")


def family_from(tmp_path, text: str):
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return read_family(path, text.split()[0])


# --- strength(): every rung of both ladders --------------------------------------------------

PP1_EDGES = [
    (1.0, "none"), (below(2.08), "none"), (2.08, "supporting"), (above(2.08), "supporting"),
    (below(4.33), "supporting"), (4.33, "moderate"), (above(4.33), "moderate"),
    (below(18.7), "moderate"), (18.7, "strong"), (above(18.7), "strong"), (350.0, "strong"),
    (math.inf, "strong"),
]
BS4_EDGES = [
    (1.0, "none"), (above(0.48), "none"), (0.48, "supporting"), (below(0.48), "supporting"),
    (above(0.23), "supporting"), (0.23, "moderate"), (below(0.23), "moderate"),
    (above(0.053), "moderate"), (0.053, "strong"), (below(0.053), "strong"), (0.0, "strong"),
]


@pytest.mark.parametrize(("value", "level"), PP1_EDGES)
def test_pp1_strength_at_every_rung_of_the_tavtigian_ladder(value, level):
    """Tavtigian 2018: a Bayes factor at a rung reaches it (>=); the float just below does
    not. PP1 never applies to a factor at or below 1."""
    assert strength(value, DEFAULT_LADDER["pp1"], benign=False) == level
    assert strength(value, DEFAULT_LADDER["bs4"], benign=True) == "none"


@pytest.mark.parametrize(("value", "level"), BS4_EDGES)
def test_bs4_strength_at_every_rung_of_the_tavtigian_ladder(value, level):
    """Tavtigian 2018 benign side: a Bayes factor at a rung reaches it (<=); the float just
    above does not. BS4 never applies to a factor at or above 1."""
    assert strength(value, DEFAULT_LADDER["bs4"], benign=True) == level
    assert strength(value, DEFAULT_LADDER["pp1"], benign=False) == "none"


def test_an_undefined_bayes_factor_has_no_strength():
    assert strength(None, DEFAULT_LADDER["pp1"], benign=False) == "none"
    assert strength(None, DEFAULT_LADDER["bs4"], benign=True) == "none"


@pytest.mark.parametrize(("value", "level"), [
    (3.9, "none"), (4.0, "supporting"), (7.9, "supporting"), (8.0, "moderate"),
    (15.9, "moderate"), (16.0, "strong"),
])
def test_strength_follows_the_configured_ladder_not_the_default(value, level):
    """shinyseg's several-family labels, [4, 8) supporting, [8, 16) moderate, >= 16 strong:
    5.0 would be moderate on the default ladder."""
    assert strength(value, {"supporting": 4, "moderate": 8, "strong": 16}, benign=False) == level


# --- meioses_label(): Jarvik & Browning --------------------------------------------------------

@pytest.mark.parametrize(("meioses", "one_family", "several"), [
    (None, "none", "none"), (0, "none", "none"), (1, "none", "none"),
    (2, "none", "supporting"), (3, "supporting", "moderate"), (4, "moderate", "strong"),
    (5, "strong", "strong"), (6, "strong", "strong"),
])
def test_meioses_labels_at_every_threshold(meioses, one_family, several):
    """Jarvik & Browning 2016: one family 3 / 4 / 5 meioses; several families 2 / 3 / 4."""
    assert meioses_label(meioses, DEFAULT_MEIOSES) == one_family
    assert meioses_label(meioses, DEFAULT_MEIOSES, families=1) == one_family
    assert meioses_label(meioses, DEFAULT_MEIOSES, families=2) == several
    assert meioses_label(meioses, DEFAULT_MEIOSES, families=5) == several


@pytest.mark.parametrize(("meioses", "label"), [
    (1, "none"), (2, "supporting"), (5, "supporting"), (6, "moderate"), (9, "moderate"),
    (10, "strong"),
])
def test_meioses_labels_follow_the_configured_thresholds(meioses, label):
    assert meioses_label(meioses, {"supporting": 2, "moderate": 6, "strong": 10}) == label


# --- settings -------------------------------------------------------------------------

def test_settings_defaults_are_the_schema_defaults():
    """The library's defaults (Settings(), settings_from_config({})) and the config schema's
    must agree, or a run and a library call would weigh the same family differently."""
    schema = yaml.safe_load(SCHEMA.read_text())
    section = schema["properties"]["segregation"]["properties"]
    expected = Settings(allele_frequency=section["allele_frequency"]["default"],
                        ladder={"pp1": section["pp1"]["default"],
                                "bs4": section["bs4"]["default"]},
                        meioses=section["meioses"]["default"],
                        max_parent_alt_fraction=section["max_parent_alt_fraction"]["default"],
                        parentage_confirmed=False)
    assert Settings() == expected
    assert settings_from_config({}) == expected


def test_settings_from_config_reads_every_key():
    section = {"allele_frequency": 0.002, "max_parent_alt_fraction": 0.1,
               "pp1": {"supporting": 4, "moderate": 8, "strong": 16},
               "bs4": {"supporting": 0.25, "moderate": 0.125, "strong": 0.0625},
               "meioses": {"supporting": 2, "moderate": 3, "strong": 4}}
    assert settings_from_config(section, parentage_confirmed=True) == Settings(
        allele_frequency=0.002, ladder={"pp1": section["pp1"], "bs4": section["bs4"]},
        meioses=section["meioses"], max_parent_alt_fraction=0.1, parentage_confirmed=True)


# --- Model -------------------------------------------------------------------------

@pytest.mark.parametrize(("inheritance", "x_linked"), [
    ("AD", False), ("AR", False), ("XLD", True), ("XLR", True)])
def test_only_xld_and_xlr_are_x_linked(inheritance, x_linked):
    assert Model(inheritance, 0.5, 0.01).x_linked is x_linked


def test_liability_class_overrides_sex_specific_penetrance_and_keeps_what_it_leaves_out():
    model = Model("XLR", 0.9, 0.001, penetrance_male=0.8, penetrance_female=0.3,
                  liability_classes={"young": {"phenocopy_rate": 0.2},
                                     "adult": {"penetrance": 0.95}})
    assert model.vector(Sex.MALE, None) == (0.001, 0.8)
    assert model.vector(Sex.FEMALE, None) == (0.001, 0.001, 0.3)
    assert model.vector(Sex.UNKNOWN, None) == (0.001, 0.001, 0.9)
    assert model.vector(Sex.MALE, "young") == (0.2, 0.8)  # own phenocopy, male penetrance
    assert model.vector(Sex.FEMALE, "adult") == (0.001, 0.001, 0.95)


def test_model_to_dict_holds_every_parameter():
    model = Model("AD", 0.68, 0.001, 0.74, 0.54, {"child": {"penetrance": 0.1}})
    assert model.to_dict() == {
        "inheritance": "AD", "penetrance": 0.68, "phenocopy_rate": 0.001,
        "penetrance_male": 0.74, "penetrance_female": 0.54,
        "liability_classes": {"child": {"penetrance": 0.1}}}


def test_a_defined_liability_class_passes_and_an_undefined_one_says_what_to_do(tmp_path):
    family = family_from(tmp_path, "F a 0 0 1 2 young\nF b 0 0 2 1\n")
    check_liability_classes(family, Model("AD", 0.5, 0.01, liability_classes={
        "young": {"penetrance": 0.1}}))
    with pytest.raises(PedigreeError) as caught:
        check_liability_classes(family, Model("AD", 0.5, 0.01, liability_classes={
            "old": {"penetrance": 0.1}}))
    assert str(caught.value) == (
        f"{tmp_path / 'fam.ped'}, line 1: a has liability class 'young', which is not "
        "defined (define it under segregation.liability_classes in the config, or empty the "
        "PED's liability class column (see ped_columns))")


def test_people_carries_parents_and_only_males_as_male(tmp_path):
    family = family_from(tmp_path, "F f 0 0 1 2\nF m 0 0 2 1\nF c f m 0 2\n")
    assert people(family) == (Person("f", None, None, True), Person("m", None, None, False),
                              Person("c", "f", "m", False))


# --- table_fields -------------------------------------------------------------------------------

def test_table_fields_format_numbers_and_leave_undefined_cells_empty():
    seg = {"flb": 7.732161234, "log10_flb": 0.888302, "pp1": "moderate", "bs4": "none",
           "de_novo": "no", "acmg_codes": ("PP1_Moderate", "PM6"), "proband": "II-1",
           "meioses": 3, "meioses_label": "supporting", "flb_reason": None,
           "explains_family": "yes"}
    assert table_fields(seg) == {
        "flb": "7.73216", "log10_flb": "0.8883", "pp1": "moderate", "bs4": "none",
        "de_novo": "no", "acmg_codes": "PP1_Moderate;PM6", "proband": "II-1",
        "informative_meioses": 3, "meioses_strength": "supporting", "flb_note": "",
        "explains_family": "yes"}
    undefined = seg | {"flb": None, "log10_flb": None, "proband": None, "meioses": None,
                       "acmg_codes": (), "flb_reason": "no affected carrier"}
    del undefined["explains_family"]  # a record written before the field existed
    cells = table_fields(undefined)
    assert (cells["flb"], cells["log10_flb"], cells["proband"], cells["informative_meioses"],
            cells["acmg_codes"], cells["flb_note"], cells["explains_family"]) == (
        "", "", "", "", "", "no affected carrier", "yes")


def test_table_fields_keep_a_zero_bayes_factor_and_zero_meioses():
    """0 is a value (an affected non-carrier without phenocopies), not an empty cell."""
    seg = {"flb": 0.0, "log10_flb": None, "pp1": "none", "bs4": "strong", "de_novo": "unknown",
           "acmg_codes": ("BS4_Strong",), "proband": "a", "meioses": 0,
           "meioses_label": "none", "flb_reason": None, "explains_family": "yes"}
    cells = table_fields(seg)
    assert (cells["flb"], cells["log10_flb"], cells["informative_meioses"]) == ("0", "", 0)


@pytest.mark.parametrize("explains", ["no", "untested"])
def test_table_fields_carry_whether_the_variant_explains_the_family(explains):
    seg = {"flb": None, "log10_flb": None, "pp1": "none", "bs4": "none", "de_novo": "unknown",
           "acmg_codes": (), "proband": None, "meioses": None, "meioses_label": "none",
           "flb_reason": NOT_EXPLAINING, "explains_family": explains}
    assert table_fields(seg)["explains_family"] == explains


# --- segregate(): every branch ------------------------------------------------------------------

BROTHERS = ("S fa 0 0 1 0\nS mo 0 0 2 0\nS b1 fa mo 1 2\nS b2 fa mo 1 2\nS b3 fa mo 1 2\n"
            "S b4 fa mo 1 2\n")
# Thompson et al. 2003 pedigree 1 (people 1-8 as in the paper; 4 and 5 affected and untyped)
THOMPSON = ("T 1 0 0 1 1\nT 2 0 0 2 1\nT 3 0 0 1 1\nT 4 1 2 2 2\nT 5 1 2 1 2\nT 6 0 0 2 1\n"
            "T 7 3 4 1 2\nT 8 5 6 2 2\n")


def brothers(tmp_path):
    family = family_from(tmp_path, BROTHERS)
    calls = {"fa": MISSING, "mo": MISSING} | {f"b{i}": called(1) for i in range(1, 5)}
    return family, calls


def test_segregatr_readme_brothers_are_pp1_moderate_with_three_meioses(tmp_path):
    """segregatr README: four affected carrier brothers, parents of unknown status,
    q = 1e-4, penetrances (0.01, 0.9, 0.9): FLB 7.732161, so PP1 moderate (4.33 <= 7.73 <
    18.7); each further brother is one meiosis from the proband: 3, supporting."""
    family, calls = brothers(tmp_path)
    result = segregate(family, calls, Model("AD", 0.9, 0.01), Settings(allele_frequency=1e-4))
    assert round(result.flb, 6) == 7.732161
    assert (result.pp1, result.bs4, result.acmg_codes) == ("moderate", "none", ("PP1_Moderate",))
    assert (result.meioses, result.meioses_label) == (3, "supporting")
    assert result.model == {**Model("AD", 0.9, 0.01).to_dict(), "allele_frequency": 1e-4}


@pytest.mark.parametrize(("pp1", "code"), [
    ({"supporting": 8, "moderate": 8.1, "strong": 9}, "none"),
    ({"supporting": 7, "moderate": 7.8, "strong": 9}, "PP1_Supporting"),
    ({"supporting": 7, "moderate": 7.73, "strong": 9}, "PP1_Moderate"),
    ({"supporting": 2, "moderate": 4, "strong": 7.73}, "PP1_Strong"),
])
def test_segregate_uses_the_configured_pp1_ladder(tmp_path, pp1, code):
    """The same FLB, 7.732161, on ladders that put it in each level in turn."""
    family, calls = brothers(tmp_path)
    settings = Settings(ladder={"pp1": pp1, "bs4": DEFAULT_LADDER["bs4"]})
    result = segregate(family, calls, Model("AD", 0.9, 0.01), settings)
    assert result.acmg_codes == (() if code == "none" else (code,))


@pytest.mark.parametrize(("bs4", "code"), [
    (DEFAULT_LADDER["bs4"], "BS4_Moderate"),
    ({"supporting": 0.1, "moderate": 0.08, "strong": 0.05}, "BS4_Supporting"),
    ({"supporting": 0.5, "moderate": 0.4, "strong": 0.1}, "BS4_Strong"),
    ({"supporting": 0.08, "moderate": 0.05, "strong": 0.01}, "none"),
])
def test_thompson_pedigree_e_is_bs4_by_the_configured_ladder(tmp_path, bs4, code):
    """Thompson 2003 pedigree 1 case E: carrier 7, non-carrier 8, affected 4, 5, 7, 8,
    q = 0.001, penetrances (0.05, 0.7, 0.7): FLB 0.09, BS4 moderate on the default ladder
    (0.053 < 0.09 <= 0.23). No meioses are counted: affected 8 lacks the variant."""
    family = family_from(tmp_path, THOMPSON)
    calls = {str(i): MISSING for i in range(1, 9)} | {"7": called(1), "8": called(0)}
    settings = Settings(allele_frequency=0.001, ladder={"pp1": DEFAULT_LADDER["pp1"],
                                                        "bs4": bs4})
    result = segregate(family, calls, Model("AD", 0.7, 0.05), settings)
    assert round(result.flb, 2) == 0.09 and result.proband == "7"
    assert result.acmg_codes == (() if code == "none" else (code,))
    assert (result.meioses, result.meioses_label) == (None, "none")


def test_a_variant_no_genotyped_affected_member_carries_is_not_weighed(tmp_path):
    """notes/segregation.md: it does not explain this family; not evidence of benignity, so
    no FLB, no BS4, no meioses, whatever the ladder."""
    family = family_from(tmp_path, BROTHERS)
    calls = {"fa": called(1), "mo": MISSING} | {f"b{i}": called(0) for i in range(1, 5)}
    result = segregate(family, calls, Model("AD", 0.9, 0.01), Settings())
    assert (result.explains_family, result.flb, result.log10_flb, result.flb_reason) == (
        "no", None, None, NOT_EXPLAINING)
    assert (result.pp1, result.bs4, result.acmg_codes, result.meioses) == (
        "none", "none", (), None)
    assert result.proband is None
    # the father 0/1 and the missing mother could pass the sons' 0/0: no Mendelian error
    assert result.mendelian_errors == ()


def test_without_a_genotyped_affected_member_there_is_no_proband_and_no_flb(tmp_path):
    family = family_from(tmp_path, BROTHERS)
    calls = {"fa": called(1), "mo": called(0)} | {f"b{i}": MISSING for i in range(1, 5)}
    result = segregate(family, calls, Model("AD", 0.9, 0.01), Settings())
    assert (result.explains_family, result.proband, result.proband_source) == (
        "untested", None, "no affected carrier")
    assert (result.flb, result.log10_flb, result.flb_reason, result.acmg_codes) == (
        None, None, "no affected carrier to take as proband", ())
    assert (result.meioses, result.meioses_label, result.pp1, result.bs4) == (
        None, "none", "none", "none")


def test_segregate_weighs_each_person_with_the_penetrance_of_their_sex(tmp_path):
    """The brothers are male: with penetrance_male 0.9 (and 0.5 for everyone else) the FLB
    is segregatr's 7.732161 at penetrance 0.9."""
    family, calls = brothers(tmp_path)
    result = segregate(family, calls, Model("AD", 0.5, 0.01, penetrance_male=0.9), Settings())
    assert round(result.flb, 6) == 7.732161


def test_segregate_weighs_each_person_with_their_liability_class(tmp_path):
    """A liability class whose penetrance equals the phenocopy rate makes P(affected) the
    same for every genotype, so its members' phenotypes carry no information: the FLB equals
    the one with b3 and b4 of unknown phenotype."""
    ped = BROTHERS.replace("S b3 fa mo 1 2", "S b3 fa mo 1 2 flat").replace(
        "S b4 fa mo 1 2", "S b4 fa mo 1 2 flat")
    family = family_from(tmp_path, ped)
    calls = brothers(tmp_path)[1]
    model = Model("AD", 0.9, 0.01, liability_classes={"flat": {"penetrance": 0.01}})
    flat = segregate(family, calls, model, Settings())
    unknown_ped = ped.replace("1 2 flat", "1 0")  # phenotype 0: unknown
    unknown = segregate(family_from(tmp_path, unknown_ped), calls, Model("AD", 0.9, 0.01),
                        Settings())
    assert flat.flb == pytest.approx(unknown.flb, rel=1e-12)
    assert round(flat.flb, 6) != 7.732161  # the class changed the answer


@pytest.mark.parametrize(("confirmed", "code"), [(False, "PM6"), (True, "PS2")])
def test_a_de_novo_call_is_pm6_or_ps2(tmp_path, confirmed, code):
    """Richards 2015: de novo with parentage confirmed PS2, assumed PM6. Affected son of
    unaffected non-carrier parents: the FLB has no meaning there (no Mendelian transmission),
    so the de novo code is the only one, and the note says why."""
    family = family_from(tmp_path, "D fa 0 0 1 1\nD mo 0 0 2 1\nD kid fa mo 1 2\n")
    calls = {"fa": called(0), "mo": called(0), "kid": called(1)}
    result = segregate(family, calls, Model("AD", 0.9, 0.01),
                       Settings(parentage_confirmed=confirmed))
    assert (result.de_novo, result.de_novo_children, result.mendelian_errors) == (
        "yes", ("kid",), ())
    assert result.acmg_codes == (code,)
    assert (result.flb, result.pp1, result.bs4) == (None, "none", "none")
    assert result.flb_reason.startswith("the observed genotypes are not Mendelian-consistent")


def test_segregate_reports_the_mendelian_errors(tmp_path):
    """A homozygous son of two called non-carriers is not de novo (two new alleles) but a
    Mendelian error, which segregate passes on for the report."""
    family = family_from(tmp_path, "D fa 0 0 1 1\nD mo 0 0 2 1\nD kid fa mo 1 2\n")
    calls = {"fa": called(0), "mo": called(0), "kid": called(2)}
    result = segregate(family, calls, Model("AD", 0.9, 0.01), Settings())
    assert result.de_novo_children == ()
    assert len(result.mendelian_errors) == 1
    assert result.mendelian_errors[0].startswith("kid is ")
