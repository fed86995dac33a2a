"""A compound-heterozygous pair in the report stage: its candidates.tsv row, its rank among
the single variants, the members' rows without single-variant BS4, and report.json's `pairs`.
The family is test_pairs' hand-worked one (FLB 8 / (1-q)^4) in DNAL4 (AR)."""

from __future__ import annotations

import pytest

from cmmvar.records import FamilyResult
from cmmvar.report.family import candidate_rows
from cmmvar.segregate.likelihood import Person
from cmmvar.segregate.pair_likelihood import pair_flb
from tests.unit.helpers.report_pairs import KEEP, Q, annotation


def people_of(result: FamilyResult) -> list[Person]:
    return [Person(p.id, p.father, p.mother, p.sex == "male") for p in result.pedigree]


def test_the_pair_is_one_row_ranked_first_naming_its_partner(result):
    """Pair: FLB by pair_flb with DNAL4's panel model (penetrance 0.9, phenocopy 0.001),
    7.99894, a little below the complete-penetrance 8 / 0.999^4 = 8.03208 of test_pairs
    (PP1_Moderate, 2 points), PM3 (2 points: in trans by
    the parents' genotypes with c.100del, pathogenic), and its weaker member's own criteria
    (c.200A>G: PM2_Supporting, 1 point): 5 points, above either variant alone."""
    rows, filtered, _ = candidate_rows(result, KEEP)
    assert filtered == []
    pair = rows[0]
    assert (pair["rank"], pair["pos"], pair["compound_het_with"]) == (
        1, 38780000, "chr22:38790000:A:G")
    assert pair["hgvs_c"] == "c.100del / c.200A>G"
    assert pair["consequence"] == "frameshift_variant / missense_variant"
    pairs = {p: (0.001, 0.9) for p in "FMAB"}
    phen = {"F": "unaffected", "M": "unaffected", "A": "affected", "B": "affected"}
    engine = pair_flb(people_of(result), "A", Q, Q, False, pairs, phen,
                      {"F": 1, "M": 0, "A": 1, "B": 1}, {"F": 0, "M": 1, "A": 1, "B": 1})
    assert pair["flb"] == f"{engine.value:.6g}" == "7.99894"
    assert engine.value < 8 / (1 - Q) ** 4
    assert (pair["pp1"], pair["bs4"], pair["proband"]) == ("moderate", "none", "A")
    assert pair["acmg_codes"] == "PM2_Supporting;PP1_Moderate;PM3"
    assert pair["acmg_points"] == 5
    assert pair["flb_note"] == "in trans by the family's genotypes"
    assert (pair["affected_carriers"], pair["unaffected_noncarriers"]) == (2, 2)
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert all(row["compound_het_with"] == "" for row in rows[1:])


def test_member_rows_carry_no_single_variant_bs4_and_say_the_pair_replaces_it(result):
    rows, _, _ = candidate_rows(result, KEEP)
    for row in rows[1:]:
        assert row["bs4"] == "none" and "BS4" not in row["acmg_codes"]
        assert "the pair's Bayes factor replaces this variant's BS4" in row["flb_note"]


def test_a_pair_with_a_filtered_member_is_filtered_with_the_members_reason(result):
    rows, filtered, _ = candidate_rows(result, {"consequences": ["frameshift_variant"]})
    assert [row["compound_het_with"] for row in rows] == [""]
    reason = ["consequence: missense_variant is not in filters.consequences"]
    # the filtered pair (more points) is listed before its filtered member
    assert [(row["compound_het_with"], row["filters"]) for row in filtered] == [
        ("chr22:38790000:A:G", reason), ("", reason)]


def test_report_json_lists_the_pair_apart_and_the_html_states_its_numbers(result, tmp_path):
    """report.json: `candidates` holds the two variants only (the cohort multiplies those),
    `pairs` the pair with its rank and members; the HTML's pair card says who carries both,
    the phase and the Bayes factor (7.99894 shown as 8.0 to 3 significant digits)."""
    import json

    from cmmvar.report.family import write_family_outputs

    write_family_outputs(result, {}, {}, {}, {"filters": KEEP, "panel": "",
                                              "segregation": {"allele_frequency": Q}}, tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c["compound_het_with"] for c in report["candidates"]] == ["", ""]
    [pair] = report["pairs"]
    assert (pair["rank"], pair["members"]) == (1, ["chr22:38780000:A:G", "chr22:38790000:A:G"])
    assert pair["genotypes"]["F"] == ["+/-", "-/-"]
    assert pair["segregation"]["phase"]["words"] == "in trans"
    html = (tmp_path / "report.html").read_text()
    sentence = ("Affected members carrying both variants: 2 (lacking one: 0); unaffected "
                "members carrying both: 0. In the proband A: in trans by the family&#39;s "
                "genotypes. Taken together as a compound heterozygote under the AR model "
                "(penetrance 0.9, phenocopy rate 0.001, allele frequency 0.001 at each site), "
                "the family&#39;s genotypes and phenotypes give a Bayes factor of 8 for the "
                "pair (PP1 moderate).")
    assert html.count(sentence) == 2  # the summary and the pair's card
    assert 'id="pair-1" data-rank="1" data-partner="chr22:38790000:A:G"' in html


@pytest.mark.parametrize(("words", "clinvar", "pm3"), [
    ("in trans", "Pathogenic", True),
    ("in trans", "Likely_pathogenic", True),
    ("phase unknown", "Pathogenic", False),   # trans likely but not certain: no PM3
    ("in cis", "Pathogenic", False),
    ("in trans", "Uncertain_significance", False),
])
def test_pm3_needs_a_certain_trans_phase_and_a_pathogenic_partner(words, clinvar, pm3):
    """prioritise_pair: the weaker member's own criteria (both have PM2_Supporting, 1 point;
    the first's BS4 is a segregation code, left out), the pair's PP1 (2 points), and PM3
    (2 points) only in trans with a ClinVar P/LP partner; kept only if both members are."""
    from cmmvar.report.prioritise import Criterion, Priority, prioritise_pair

    pm2 = Criterion("PM2_Supporting", "absent from gnomAD")
    first = Priority(True, (), (pm2, Criterion("BS4_Moderate", "single-variant FLB")))
    second = Priority(False, ("consequence: x",), (pm2,))
    pair = {"acmg_codes": ["PP1_Moderate"], "flb": 7.99,
            "phase": {"words": words, "by": "the family's genotypes"}}
    got = prioritise_pair(first, second, (annotation(1, "c.1A>G", "missense_variant"),
                                          annotation(2, "c.2del", "frameshift_variant",
                                                     clinvar)), pair)
    codes = ["PM2_Supporting", "PP1_Moderate"] + (["PM3"] if pm3 else [])
    assert [c.code for c in got.criteria] == codes
    assert got.points == 1 + 2 + (2 if pm3 else 0)
    assert (got.kept, got.filters) == (False, ("consequence: x",))
    if pm3:
        assert got.criteria[-1].reason == (
            f"in trans (the family's genotypes) with c.2del, {clinvar} in ClinVar")


def test_the_cohort_index_counts_families_not_lines():
    """A family's pair line (cohort_summary.tsv) is a second line, not a second family."""
    from cmmvar.report.report_html import render_index

    lines = [{"family_id": "A", "compound_het_with": ""},
             {"family_id": "A", "compound_het_with": "chr22:2:C:T"},
             {"family_id": "B", "compound_het_with": ""}]
    page = render_index(lines, {"config": {}}, "s.tsv", "mirror movements")
    assert "<title>cmmvar cohort: 2 families</title>" in page
    assert "<h1>Mirror movements gene panel: 2 families</h1>" in page


def test_a_pair_takes_the_weaker_members_criteria_and_names_a_partner_without_hgvs_by_key():
    """prioritise_pair: the first member has PVS1 (8 points), the second only PM2_Supporting
    (1): the pair takes the weaker member's own criteria (by points, so PM2_Supporting), the
    pair's PP1 with the reason quoting its Bayes factor to 3 significant figures (7.99 ->
    "7.99"), and PM3 in trans with a ClinVar P partner that has no HGVS c., named by its key
    chrom:pos:ref:alt."""
    from cmmvar.report.prioritise import Criterion, Priority, prioritise_pair

    first = Priority(True, (), (Criterion("PVS1", "stop gained"),))
    second = Priority(True, (), (Criterion("PM2_Supporting", "absent from gnomAD"),))
    pair = {"acmg_codes": ["PP1_Moderate"], "flb": 7.99,
            "phase": {"words": "in trans", "by": "the family's genotypes"}}
    got = prioritise_pair(first, second, (annotation(1, "c.1A>G", "missense_variant"),
                                          annotation(2, "", "frameshift_variant",
                                                     "Pathogenic")), pair)
    assert [(c.code, c.reason) for c in got.criteria] == [
        ("PM2_Supporting", "absent from gnomAD"),
        ("PP1_Moderate", "the pair's cosegregation Bayes factor 7.99"),
        ("PM3", "in trans (the family's genotypes) with chr22:2:A:G, Pathogenic in ClinVar")]
