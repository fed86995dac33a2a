"""The banner, the criteria evaluated and not evaluated, ClinVar beside the automated points,
and the summary sentences on the sensitivity table (cmmvar/report/scope.py).

Expected sentences are written by hand; the RAD1 numbers in them are the brute-force
figures of tests/unit/test_sensitivity.py (recomputed here by enumeration).
"""

from __future__ import annotations

import pytest

from cmmvar.report.scope import BANNER, clinvar_assertion, criteria_scope, sensitivity_summary
from cmmvar.segregate.segregation import Model, Settings
from cmmvar.segregate.sensitivity import grid_from_config, sensitivity
from tests.unit.helpers.sensitivity import RAD1, RAD1_COPIES, brute_ad, calls_of, family_from

NEVER = ("PS1", "PS3", "PS4", "PM1", "PM3", "PM4", "PM5", "PP2", "PP4", "BS2", "BS3", "BP1",
         "BP2", "BP3", "BP5", "BP7")


def candidate(**fields) -> dict:
    """A report.json candidate: a missense variant found in gnomAD, inherited, with a
    Bayes factor, no criteria met, unless told otherwise."""
    base = {"consequence": "missense_variant", "gnomad_status": "found", "revel": "",
            "criteria": [], "gene_model": {"mechanism": "LoF"},
            "segregation": {"flb": 1.5, "flb_reason": None, "de_novo": "no"}}
    return {**base, **fields}


def results(item: dict) -> tuple[dict, dict]:
    evaluated, missing = criteria_scope(item)
    return ({k["code"]: k["result"] for k in evaluated},
            {k["code"]: k["reason"] for k in missing})


def test_banner_states_scope_research_use_and_confirmation():
    assert BANNER.startswith("Partial automated evidence toward an ACMG/AMP classification, "
                             "not a classification")
    assert "For research use only." in BANNER
    assert "confirmed in an accredited clinical laboratory" in BANNER


def test_offline_missense_lists_what_was_and_was_not_evaluated():
    evaluated, missing = results(candidate())
    assert evaluated == {"PVS1": "not met", "BA1, BS1, PM2": "none met",
                         "PP1, BS4": "neither met", "PS2, PM6": "not met"}
    assert missing["PP3, BP4"] == "no REVEL score (REVEL is fetched only in online mode)"
    assert list(missing) == ["PP3, BP4", *NEVER]


def test_revel_present_makes_pp3_bp4_evaluated():
    item = candidate(revel="0.7", criteria=[{"code": "PP3_Supporting"}])
    evaluated, missing = results(item)
    assert evaluated["PP3, BP4"] == "PP3_Supporting" and "PP3, BP4" not in missing
    # the same score on a non-missense variant is not used
    evaluated, missing = results(candidate(revel="0.7", consequence="synonymous_variant"))
    assert "PP3, BP4" not in evaluated
    assert missing["PP3, BP4"] == "not a missense variant: no splice or other predictor is used"


def test_edges_gnomad_not_checked_no_bayes_factor_de_novo():
    item = candidate(gnomad_status="not_checked",
                     segregation={"flb": None, "de_novo": "unknown",
                                  "flb_reason": "no affected carrier to take as proband"})
    evaluated, missing = results(item)
    assert list(evaluated) == ["PVS1"]
    assert missing["BA1, BS1, PM2"] == "gnomAD not checked for this variant"
    assert missing["PP1, BS4"] == "no Bayes factor: no affected carrier to take as proband"
    assert missing["PS2, PM6"] == ("no carrier has both parents tested as confident "
                                   "non-carriers")
    item = candidate(criteria=[{"code": "PM6"}],
                     segregation={"flb": None, "de_novo": "yes", "flb_reason": "x"})
    assert results(item)[0]["PS2, PM6"] == "PM6"
    assert criteria_scope(item)[0][-1]["reason"] == "parentage not confirmed: PM6, not PS2"
    # a Bayes factor of 0 is a Bayes factor: PP1/BS4 evaluated
    item = candidate(criteria=[{"code": "BS4_Strong"}],
                     segregation={"flb": 0.0, "de_novo": "no", "flb_reason": "z"})
    assert results(item)[0]["PP1, BS4"] == "BS4_Strong"


def test_pvs1_reasons():
    item = candidate(consequence="stop_gained", gene_model={"mechanism": "LoF (presumed)"})
    assert criteria_scope(item)[0][0] == {
        "code": "PVS1", "result": "not met",
        "reason": "the gene's disease mechanism is not established loss of function "
                  "(LoF (presumed))"}
    item = candidate(consequence="stop_gained", criteria=[{"code": "PVS1"}])
    assert criteria_scope(item)[0][0]["result"] == "PVS1"


@pytest.mark.parametrize("fields, expected", [
    ({"clinvar_significance": "Pathogenic", "clinvar_stars": "2"},
     "ClinVar: Pathogenic (2 stars), independent of the automated points above and not "
     "counted in them."),
    ({"clinvar_significance": "Likely pathogenic", "clinvar_stars": "1"},
     "ClinVar: Likely pathogenic (1 star), independent of the automated points above and not "
     "counted in them."),
    ({"clinvar_significance": "Pathogenic", "clinvar_stars": ""},
     "ClinVar: Pathogenic, independent of the automated points above and not counted in "
     "them."),
    ({"clinvar_significance": "not in ClinVar"}, "ClinVar: no record of this variant."),
    ({"clinvar_significance": ""}, "ClinVar: not checked."),
])
def test_clinvar_is_set_beside_the_points(fields, expected):
    assert clinvar_assertion(fields) == expected


def test_rad1_sensitivity_sentences(tmp_path):
    """RAD1 as the demo: BS4 strong as used (FLB 0.0053), moderate at phenocopy 0.05
    (0.228), neither with RAD_II2 coded unknown (1.33); RAD_II3 coded unknown stays strong."""
    assert f"{brute_ad(0.5, 0.001, 1e-4):.2g}" == "0.0053"
    assert f"{brute_ad(0.5, 0.05, 1e-4):.3g}" == "0.228"
    family = family_from(tmp_path, RAD1)
    table = sensitivity(family, calls_of(RAD1_COPIES), Model("AD", 0.5, 0.001),
                        Settings(allele_frequency=1e-4), "RAD_I1", grid_from_config(None))
    assert sensitivity_summary({"sensitivity": table}) == (
        "Sensitivity: as used, BS4 strong (Bayes factor 0.0053); it becomes BS4 moderate at "
        "phenocopy rate 0.05 (Bayes factor 0.228); and neither PP1 nor BS4 with RAD_II2 "
        "(affected non-carrier) coded unknown (Bayes factor 1.33). The evidence rests on "
        "RAD_II2 (affected non-carrier) and RAD_II3 (unaffected carrier); checks to consider "
        "for these individuals: phenotype review, confirmation of sample identity and "
        "confirmation of parentage (RAD_II2).")


def row(assumption, setting, flb, pp1="none", bs4="none"):
    return {"assumption": assumption, "setting": setting, "flb": flb, "pp1": pp1, "bs4": bs4}


def test_unchanged_strength_gives_the_range_and_only_an_affected_child_needs_parentage():
    table = {"rows": [row("as used", "x", 5.0, pp1="moderate"),
                      row("phenocopy rate", "0.05", 4.4, pp1="moderate"),
                      row("penetrance", "-0.2", None),  # not computed: not in the range
                      row("allele frequency", "0.001", 18.0, pp1="moderate")],
             "key_individuals": [{"id": "A", "role": "unaffected carrier", "is_child": True,
                                  "phenotype": "unaffected"}]}
    assert sensitivity_summary({"sensitivity": table}) == (
        "Sensitivity: PP1 moderate in every row of the table (Bayes factor 4.4 to 18). The "
        "evidence rests on A (unaffected carrier); checks to consider for this individual: "
        "phenotype review and confirmation of sample identity.")
    # an affected non-carrier founder: no parents in the pedigree to confirm
    table["key_individuals"] = [{"id": "B", "role": "affected non-carrier", "is_child": False,
                                 "phenotype": "affected"}]
    assert sensitivity_summary({"sensitivity": table}).endswith(
        "checks to consider for this individual: phenotype review and confirmation of sample "
        "identity.")
    assert sensitivity_summary({"sensitivity": None}) == ""
