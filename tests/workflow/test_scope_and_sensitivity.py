"""The banner, the criteria evaluated and not evaluated, ClinVar set apart, and the
sensitivity table in the demo's outputs (read from the shared demo run: no run of its own).

The RAD1 figures are the brute-force ones of tests/unit/test_sensitivity.py (RAD51 c.60C>A:
BS4 strong as used, moderate at phenocopy 0.05, 1.33 with RAD_II2 coded unknown).
"""

from __future__ import annotations

import json

import pytest

FAMILIES = ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1")
NEVER = ("PS1", "PS3", "PS4", "PM1", "PM3", "PM4", "PM5", "PP2", "PP4", "BS2", "BS3", "BP1",
         "BP2", "BP3", "BP5", "BP7")


def report(results, family):
    return json.loads((results / "families" / family / "report.json").read_text())


@pytest.mark.parametrize("family", FAMILIES)
def test_every_report_has_the_banner_and_the_criteria_scope(shared_demo, family):
    data = report(shared_demo, family)
    assert data["banner"].startswith("Partial automated evidence toward an ACMG/AMP "
                                     "classification, not a classification")
    html = (shared_demo / "families" / family / "report.html").read_text()
    assert html.index('id="scope-banner"') < html.index('id="summary"')
    listed = data["candidates"] + data.get("not_explaining", []) + data["filtered"]
    for candidate in listed:
        missing = {k["code"]: k["reason"] for k in candidate["criteria_not_evaluated"]}
        assert set(NEVER) <= set(missing)
        # offline demo: no REVEL score, so PP3/BP4 is never evaluated
        assert "PP3, BP4" in missing
        if "missense_variant" in candidate["consequence"]:
            assert missing["PP3, BP4"] == "no REVEL score (REVEL is fetched only in online mode)"
        evaluated = [k["code"] for k in candidate["criteria_evaluated"]]
        assert not set(evaluated) & set(missing)
        # a sensitivity table exactly where there is a Bayes factor, its first row the one used
        seg = candidate["segregation"]
        assert (candidate["sensitivity"] is None) == (seg["flb"] is None)
        if seg["flb"] is not None:
            first = candidate["sensitivity"]["rows"][0]
            assert first["criteria_row"] and first["flb"] == seg["flb"]
            assert (first["pp1"], first["bs4"]) == (seg["pp1"], seg["bs4"])
            assert "PP1, BS4" in evaluated


def test_clinvar_beside_the_points_in_dcc1(shared_demo):
    candidate = report(shared_demo, "DCC1")["candidates"][0]
    assert candidate["clinvar_assertion"] == (
        "ClinVar: Pathogenic (2 stars), independent of the automated points above and not "
        "counted in them.")


def test_rad1_sensitivity_in_the_outputs(shared_demo):
    candidate = report(shared_demo, "RAD1")["candidates"][0]
    rows = candidate["sensitivity"]["rows"]
    by = {(r["assumption"], r["setting"]): r for r in rows}
    assert by[("phenocopy rate", "0.001")]["bs4"] == "strong"
    assert by[("phenocopy rate", "0.01")]["bs4"] == "strong"
    assert by[("phenocopy rate", "0.05")]["bs4"] == "moderate"
    recoded = by[("phenotype recoded", "RAD_II2 (affected non-carrier) coded unknown")]
    assert (round(recoded["flb"], 2), recoded["pp1"], recoded["bs4"]) == (1.33, "none", "none")
    assert [k["id"] for k in candidate["sensitivity"]["key_individuals"]] == ["RAD_II2",
                                                                              "RAD_II3"]
    html = (shared_demo / "families" / "RAD1" / "report.html").read_text()
    summary = html[html.index('id="summary"'):html.index("<h2>Pedigree</h2>")]
    assert ("and neither PP1 nor BS4 with RAD_II2 (affected non-carrier) coded unknown "
            "(Bayes factor 1.33)") in summary


def test_dcc1_sex_specific_penetrances_shift_together(shared_demo):
    """DCC: male 0.74, female 0.54 in the panel; +-0.2 moves both."""
    rows = report(shared_demo, "DCC1")["candidates"][0]["sensitivity"]["rows"]
    assert [r["setting"] for r in rows if r["assumption"] == "penetrance"] == [
        "male 0.54, female 0.34 (-0.2)", "male 0.74, female 0.54 (the panel's value)",
        "male 0.94, female 0.74 (+0.2)"]


def test_cohort_index_has_the_banner_above_the_table(shared_demo):
    html = (shared_demo / "index.html").read_text()
    assert html.index('id="scope-banner"') < html.index('id="families"')
    assert "For research use only." in html


def test_ch1_pair_has_its_sensitivity_table_in_json_and_on_its_card(shared_demo):
    """CH1's compound heterozygote: a table in report.json's pairs section whose first row is
    the pair's Bayes factor and strengths, shown on the pair's card (one table row per row)."""
    data = report(shared_demo, "CH1")
    assert len(data["pairs"]) == 1
    pair = data["pairs"][0]
    table, seg = pair["sensitivity"], pair["segregation"]
    assert seg["flb"] is not None and table["proband"] == seg["proband"]
    first = table["rows"][0]
    assert first["criteria_row"] and first["flb"] == seg["flb"]
    assert (first["pp1"], first["bs4"]) == (seg["pp1"], seg["bs4"])
    assert [r["setting"] for r in table["rows"] if r["assumption"] == "allele frequency"] == [
        "1e-05", "0.0001", "0.001"]
    html = (shared_demo / "families" / "CH1" / "report.html").read_text()
    card = html[html.index('<article class="card pair"'):]
    card = card[:card.index("</article>")]
    assert card.count('<table class="sensitivity-table">') == 1
    assert card.count("<tr") - card.count("<tr><th") == len(table["rows"]) + len(pair["genotypes"])
