"""Each sentence pattern a report uses where a looser word would overstate, on hand-made
report.json records: expected sentences written by hand from the panel's numbers (DCC:
penetrance 0.68, male 0.74, female 0.54)."""

from __future__ import annotations

import pytest

from cmmvar.report.report_html import segregation_sentence
from cmmvar.report.wording import (
    NONE_SUPPORTED,
    clinvar_supports,
    de_novo_words,
    family_note,
    headline,
    supported,
)
from tests.unit.helpers.report_html import candidate

DCC_MODEL = {"inheritance": "AD", "penetrance": 0.68, "phenocopy_rate": 0.001,
             "penetrance_male": 0.74, "penetrance_female": 0.54, "liability_classes": {}}
CONDITION = "congenital mirror movements"
AFFECTED = {"id": "A", "sex": "male", "phenotype": "affected"}


def dcc(carriers: list[dict], model: dict | None = None) -> tuple[dict, list[dict]]:
    """An affected carrier A and the unaffected carriers given (id, sex, liability_class)."""
    pedigree = [AFFECTED] + [dict(p, phenotype="unaffected") for p in carriers]
    c = candidate(affected_carriers=1, unaffected_carriers=len(carriers),
                  genotypes={p["id"]: {"copies": 1} for p in pedigree})
    c["segregation"]["model"] = model or DCC_MODEL
    return c, pedigree


@pytest.mark.parametrize("carriers, modelled", [
    # DCC1: the unaffected carrier is a woman, so the likelihood used the female 0.54
    ([{"id": "W", "sex": "female"}], "0.54 for women"),
    ([{"id": "M", "sex": "male"}], "0.74 for men"),
    ([{"id": "W", "sex": "female"}, {"id": "M", "sex": "male"}],
     "0.54 for women and 0.74 for men"),
    ([{"id": "W", "sex": "female"}, {"id": "V", "sex": "female"}], "0.54 for women"),
    # PED sex 0: the likelihood took neither sex-specific value, so the general 0.68
    ([{"id": "Q", "sex": "unknown"}], "0.68 for people of unknown sex"),
])
def test_the_penetrance_quoted_is_the_one_used_for_those_carriers(carriers, modelled):
    c, pedigree = dcc(carriers)
    n = len(carriers)
    assert segregation_sentence(c, pedigree, CONDITION) == (
        f"Present in the affected family member tested; {n} unaffected carrier"
        f"{'s' if n > 1 else ''}, consistent with the reduced penetrance of congenital mirror "
        f"movements in DCC carriers (modelled at {modelled}); Bayes factor 12.4, PP1 "
        f"moderate.")


def test_the_condition_named_is_the_panels():
    """Another laboratory's panel names its own condition ('## condition:' line); without
    one the sentence says 'the condition', never mirror movements."""
    c, pedigree = dcc([{"id": "W", "sex": "female"}])
    c["gene"] = "SPAST"
    assert ("consistent with the reduced penetrance of hereditary spastic paraplegia in SPAST "
            "carriers (modelled at 0.54 for women)") in segregation_sentence(
        c, pedigree, "hereditary spastic paraplegia")
    plain = segregation_sentence(c, pedigree)
    assert "reduced penetrance of the condition in SPAST carriers" in plain
    assert "mirror" not in plain


def test_without_sex_specific_values_the_penetrance_is_quoted_alone():
    model = dict(DCC_MODEL, penetrance=0.5, penetrance_male=None, penetrance_female=None)
    c, pedigree = dcc([{"id": "W", "sex": "female"}], model)
    assert "(modelled at 0.5);" in segregation_sentence(c, pedigree)


def test_a_liability_class_penetrance_is_quoted_with_its_class():
    model = dict(DCC_MODEL, liability_classes={"child": {"penetrance": 0.2}})
    c, pedigree = dcc([{"id": "K", "sex": "female", "liability_class": "child"}], model)
    assert "(modelled at 0.2 for liability class child);" in segregation_sentence(c, pedigree)


def test_complete_penetrance_is_not_called_reduced():
    model = dict(DCC_MODEL, penetrance=1.0, penetrance_male=None, penetrance_female=None)
    c, pedigree = dcc([{"id": "W", "sex": "female"}], model)
    assert "reduced penetrance" not in segregation_sentence(c, pedigree)


def test_de_novo_is_apparent_until_parentage_is_confirmed():
    pm6 = {"de_novo_children": ["TRIO_C"], "acmg_codes": ["PM6"]}
    assert de_novo_words(pm6) == ("apparently de novo in TRIO_C (both parents tested "
                                  "non-carriers; parentage not confirmed)")
    ps2 = {"de_novo_children": ["TRIO_C"], "acmg_codes": ["PS2"]}
    assert de_novo_words(ps2) == ("de novo in TRIO_C (both parents tested non-carriers, "
                                  "parentage confirmed)")


def test_a_variant_no_genotyped_affected_member_carries_does_not_explain_the_family():
    """XL1's second ANOS1 variant: the affected son typed non-carrier, one affected member
    not typed, the mother an unaffected heterozygote: never 'as expected'."""
    pedigree = [{"id": "XL_M", "sex": "female", "phenotype": "unaffected"},
                {"id": "XL_S1", "sex": "male", "phenotype": "affected"},
                {"id": "XL_S2", "sex": "male", "phenotype": "affected"}]
    c = candidate(inheritance="XLR", penetrance=0.9, flb=None, pp1="none",
                  reason="no genotyped affected member carries the variant",
                  affected_noncarriers=1, affected_missing=1, unaffected_carriers=1,
                  genotypes={"XL_M": {"copies": 1}, "XL_S1": {"copies": 0},
                             "XL_S2": {"copies": None}})
    c["segregation"]["explains_family"] = "no"
    assert segregation_sentence(c, pedigree) == (
        "Does not explain this family's condition: not present in the affected family member "
        "tested (1 not tested or failed quality); 1 unaffected heterozygous woman; no Bayes "
        "factor, PP1 or BS4 from this family.")


def test_a_variant_with_no_affected_member_genotyped_says_so():
    c = candidate(flb=None, pp1="none", reason="no affected carrier to take as proband",
                  affected_missing=2, unaffected_carriers=1)
    c["segregation"]["explains_family"] = "untested"
    sentence = segregation_sentence(c)
    assert sentence.startswith("No affected family member was tested successfully (2 not "
                               "tested or failed quality)")
    assert "does not explain" not in sentence.lower()


def rad1() -> dict:
    """RAD1's only candidate: BS4_Strong, ClinVar Uncertain significance."""
    c = candidate(flb=0.0053, pp1="none", bs4="strong", affected_carriers=2,
                  affected_noncarriers=1, unaffected_carriers=1)
    c["clinvar_significance"] = "Uncertain significance"
    return c


def test_a_bs4_candidate_is_never_put_first_and_the_family_says_none_is_supported():
    assert headline([rad1()]) is None
    assert family_note([rad1()]) == (
        "no candidate in the panel genes is supported by this family's data; 1 candidate "
        "with evidence against cosegregation (BS4) is not put forward")
    weak = candidate(flb=1.2, pp1="none")  # PM2 only, say: not BS4, not supported
    assert headline([rad1(), weak]) is weak
    assert family_note([rad1(), weak]).startswith(NONE_SUPPORTED + "; ")
    assert family_note([]) == ""


@pytest.mark.parametrize("changes, expected", [
    ({"pp1": "supporting"}, True),  # PP1 at its weakest
    ({"de_novo": "yes"}, True),
    ({}, False),
])
def test_supporting_evidence_is_pp1_de_novo_or_clinvar(changes, expected):
    c = candidate(flb=1.2, pp1="none")
    c["segregation"].update(changes)
    assert supported(c) is expected
    assert family_note([c]) == ("" if expected else NONE_SUPPORTED)


@pytest.mark.parametrize("significance, expected", [
    ("Pathogenic", True), ("Likely pathogenic", True), ("Pathogenic/Likely_pathogenic", True),
    ("Uncertain significance", False), ("Conflicting classifications of pathogenicity", False),
    ("Pathogenic/Likely_benign", False), ("", False), ("not in ClinVar", False),
])
def test_clinvar_supports_only_pathogenic_or_likely_pathogenic(significance, expected):
    assert clinvar_supports({"clinvar_significance": significance}) is expected


def test_the_pedigree_key_and_tooltip_say_when_the_rule_chose_the_proband(tmp_path):
    from cmmvar.io.ped_file import read_family
    from cmmvar.report.pedigree_svg import draw_pedigree
    ped = tmp_path / "f.ped"
    ped.write_text("F d 0 0 1 1\nF m 0 0 2 1\nF k d m 1 2\n")
    family = read_family(ped, "F")
    ruled = draw_pedigree(family, proband="k", proband_note="chosen by rule")
    assert ruled.count("proband, chosen by rule") == 2  # the key and k's tooltip
    assert "proband, chosen by rule (P)" in ruled
    named = draw_pedigree(family, proband="k")
    assert "chosen by rule" not in named and "proband (P)" in named


def test_family_note_says_a_ranked_pair_is_supported_when_no_single_variant_is():
    """CH1 of the demo: neither DNAL4 variant alone has PP1, the pair (rank 1) has PP1
    moderate; a filtered pair (no rank) or a pair without PP1 changes nothing."""
    from cmmvar.report.wording import NONE_SUPPORTED, ONLY_PAIR_SUPPORTED, family_note

    alone = [{"segregation": {"pp1": "none", "bs4": "none", "de_novo": "no"},
              "clinvar_significance": ""}]
    pair = {"rank": 1, "segregation": {"pp1": "moderate"}}
    assert family_note(alone, [pair]) == ONLY_PAIR_SUPPORTED
    assert family_note(alone, [dict(pair, rank="")]) == NONE_SUPPORTED
    assert family_note(alone, [{"rank": 1, "segregation": {"pp1": "none"}}]) == NONE_SUPPORTED
    assert family_note(alone) == NONE_SUPPORTED
