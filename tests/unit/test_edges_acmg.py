"""The ACMG/AMP criteria and filters of cmmvar.report.prioritise pinned at every threshold (at, just
below and just above) and through every branch, each test citing the rule it checks.

Sources, as the module docstring quotes them:
- Richards et al. 2015 (Genet Med 17:405): BA1 "allele frequency is >5%"; BS1 "allele
  frequency is greater than expected for disorder"; PM2 absent or extremely rare; PVS1 null
  variants in a gene where loss of function is a known mechanism of disease.
- ClinGen SVI: BA1 is an allele frequency above 5% (Ghosh et al. 2018, Hum Mutat 39:1525);
  PM2 downgraded to supporting (SVI 2020); maximum credible allele frequency per gene
  (Whiffin et al. 2017, Genet Med 19:1151); PVS1 decision tree (Abou Tayoun et al. 2018, Hum
  Mutat 39:1517): a nonsense or frameshift variant predicted to escape nonsense-mediated decay
  (last exon) is not PVS1 at full strength.
- Pejaver et al. 2022 (AJHG 109:2163) Table 2, REVEL: PP3 supporting [0.644, 0.773), moderate
  [0.773, 0.932), strong >= 0.932; BP4 supporting (0.183, 0.290], moderate (0.016, 0.183],
  strong (0.003, 0.016] (and very strong <= 0.003, which the code caps at strong).
- Tavtigian et al. 2020 (Hum Mutat 41:1734): points supporting 1, moderate 2, strong 4, very
  strong 8, benign codes negative.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from cmmvar.annotate.annotation_table import Annotation
from cmmvar.report.prioritise import Criterion, frequency_criteria, in_silico, prioritise, pvs1

LOF = "LoF (ClinGen: loss of function)"
KEEP = ["missense_variant", "stop_gained", "frameshift_variant", "splice_donor_variant",
        "splice_acceptor_variant", "transcript_ablation"]
MAX_AF = 1e-4  # the project's default maximum credible allele frequency


def found(grpmax=None, af=None, faf=None) -> Annotation:
    """A gnomAD hit with the given numbers, read from strings as the annotation TSV holds
    them."""
    fields = {"chrom": "chr18", "pos": "100", "ref": "A", "alt": "G",
              "consequence": "missense_variant", "exon": "3/10", "gnomad_status": "found"}
    for key, value in (("gnomad_grpmax_af", grpmax), ("gnomad_af", af),
                       ("gnomad_faf95_max", faf)):
        if value is not None:
            fields[key] = value
    return Annotation.from_row(fields)


def cells(row: dict) -> Annotation:
    """An annotation record read from the given table cells (text)."""
    return Annotation.from_row({"chrom": "chr18", "pos": "100", "ref": "A", "alt": "G"}
                               | {k: v for k, v in row.items() if v is not None})


def codes_of(criteria) -> list[str]:
    return [c.code for c in criteria]


# --- BA1: allele frequency above 5% ----------------------------------------------------------

@pytest.mark.parametrize(("grpmax", "expected"), [
    ("0.049999", "BS1"), ("0.05", "BS1"), ("0.050001", "BA1"),
])
def test_ba1_needs_a_group_maximum_af_strictly_above_five_percent(grpmax, expected):
    """Richards 2015 and ClinGen SVI (Ghosh 2018): BA1 is AF > 5%, so exactly 5% is not BA1;
    it is still far above the maximum credible AF, hence BS1 and the frequency filter."""
    criteria, reason = frequency_criteria(found(grpmax=grpmax, af="0.01", faf="0.04"), MAX_AF)
    assert codes_of(criteria) == [expected]
    assert reason == "frequency: gnomAD filtering AF 0.04 > 0.0001"


def test_ba1_reason_quotes_the_frequency():
    criteria, _ = frequency_criteria(found(grpmax="0.050001", faf="0.04"), MAX_AF)
    assert criteria[0].reason == "gnomAD group-maximum AF 0.05 > 5%"
    criteria, _ = frequency_criteria(found(grpmax="0.3"), MAX_AF)
    assert criteria[0].reason == "gnomAD group-maximum AF 0.3 > 5%"


@pytest.mark.parametrize(("af", "expected"), [("0.05", ["BS1"]), ("0.0501", ["BA1"])])
def test_ba1_falls_back_on_the_overall_af_without_a_group_maximum(af, expected):
    """Without a group-maximum AF the overall AF is the frequency BA1 (> 5%) is judged on."""
    criteria, reason = frequency_criteria(found(af=af), MAX_AF)
    assert codes_of(criteria) == expected
    assert reason == f"frequency: gnomAD filtering AF {float(af):.3g} > 0.0001"


def test_ba1_is_judged_on_the_group_maximum_not_the_overall_af():
    """A group-maximum AF of 6% makes BA1 even when the overall AF is 1%."""
    criteria, _ = frequency_criteria(found(grpmax="0.06", af="0.01", faf="0.055"), MAX_AF)
    assert codes_of(criteria) == ["BA1"]
    criteria, _ = frequency_criteria(found(grpmax="0.01", af="0.06", faf="0.009"), MAX_AF)
    assert codes_of(criteria) == ["BS1"]


# --- the frequency filter, BS1 and PM2_Supporting at the gene's maximum credible AF ----------

@pytest.mark.parametrize(("value", "codes", "kept"), [
    ("9.99e-05", ["PM2_Supporting"], True),
    ("0.0001", ["PM2_Supporting"], True),
    ("0.0001001", ["BS1"], False),
])
def test_filter_bs1_and_pm2_at_the_maximum_credible_af(value, codes, kept):
    """Whiffin 2017: a variant commoner than the gene's maximum credible AF cannot cause the
    disorder, so it is filtered (BS1) only when its filtering AF *exceeds* that AF; at or
    below it the variant is rare enough for PM2_Supporting (ClinGen SVI 2020)."""
    priority = prioritise(found(grpmax=value, af="1e-05", faf=value), {}, LOF, MAX_AF, KEEP)
    assert codes_of(priority.criteria) == codes
    assert priority.kept is kept
    assert priority.filters == (() if kept else
                                (f"frequency: gnomAD filtering AF {float(value):.3g} > 0.0001",))


def test_pm2_reason_and_bs1_reason_name_both_frequencies():
    criteria, _ = frequency_criteria(found(grpmax="0.0001", faf="0.0001"), MAX_AF)
    assert criteria[0].reason == ("gnomAD group-maximum AF 0.0001 <= the gene's maximum "
                                  "credible AF 0.0001")
    criteria, _ = frequency_criteria(found(grpmax="0.0003", faf="0.0002"), MAX_AF)
    assert criteria[0].reason == ("gnomAD filtering AF 0.0002 > the gene's maximum credible "
                                  "AF 0.0001")


def test_filtering_af_below_and_group_maximum_above_passes_without_pm2():
    """The filtering AF (faf95, a lower confidence bound) decides the filter, the
    group-maximum AF decides PM2: faf 5e-5 <= 1e-4 keeps the variant, grpmax 2e-4 > 1e-4
    denies PM2; neither BS1 nor PM2."""
    priority = prioritise(found(grpmax="0.0002", faf="5e-05"), {}, LOF, MAX_AF, KEEP)
    assert priority.kept and priority.criteria == ()


@pytest.mark.parametrize(("grpmax", "codes", "reason"), [
    ("0.0001", ["PM2_Supporting"], None),
    ("0.0001001", ["BS1"], "frequency: gnomAD filtering AF 0.0001 > 0.0001"),
])
def test_without_faf95_the_group_maximum_is_the_filtering_af(grpmax, codes, reason):
    """No faf95 in the gnomAD record: the group-maximum AF stands in for it (module rule).
    1.001e-4 prints as 0.0001 at three significant digits, but is above the limit."""
    criteria, why = frequency_criteria(found(grpmax=grpmax, af="1e-06"), MAX_AF)
    assert (codes_of(criteria), why) == (codes, reason)


@pytest.mark.parametrize(("af", "codes", "kept"), [
    ("0.0001", ["PM2_Supporting"], True), ("0.0001001", ["BS1"], False),
])
def test_with_only_the_overall_af_it_decides_everything(af, codes, kept):
    priority = prioritise(found(af=af), {}, LOF, MAX_AF, KEEP)
    assert (codes_of(priority.criteria), priority.kept) == (codes, kept)


def test_the_gene_maximum_credible_af_is_the_one_given():
    """DNAL4's recessive ceiling 4.5e-4 (panel): 3e-4 passes with PM2; at the 1e-4 default
    the same variant is BS1 and filtered."""
    variant = found(grpmax="0.0003", faf="0.0003")
    assert prioritise(variant, {}, LOF, 4.5e-4, KEEP).codes == "PM2_Supporting"
    assert prioritise(variant, {}, LOF, 1e-4, KEEP).codes == "BS1"


def test_a_found_record_without_any_frequency_gives_no_code_and_no_filter():
    """Empty cells are no number (None); a cell that is not a number never reaches the
    rules: reading the table stops on it (test_records.py)."""
    assert found().gnomad_af is None
    assert frequency_criteria(found(), MAX_AF) == ([], None)


def test_absent_from_gnomad_is_pm2_naming_the_source_or_the_local_file():
    absent = replace(found(), gnomad_status="absent")
    assert codes_of(frequency_criteria(absent, MAX_AF)[0]) == ["PM2_Supporting"]
    criteria, reason = frequency_criteria(absent, MAX_AF)
    assert (criteria[0].reason, reason) == ("absent from gnomAD (local file)", None)
    criteria, _ = frequency_criteria(replace(absent, gnomad_source="v4.1"), MAX_AF)
    assert criteria[0].reason == "absent from gnomAD (v4.1)"


@pytest.mark.parametrize("status", ["", "not_checked", "found (FILTER AC0)"])
def test_gnomad_not_checked_or_not_passing_gives_no_frequency_code(status):
    """Only a PASS gnomAD record ('found') is a frequency; a record failing gnomAD's own
    filters, or no lookup, says nothing (no PM2, no BS1, no filter)."""
    fields = replace(found(grpmax="0.3", faf="0.2"), gnomad_status=status)
    assert frequency_criteria(fields, MAX_AF) == ([], None)


# --- PVS1 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["stop_gained", "frameshift_variant", "splice_donor_variant",
                                  "splice_acceptor_variant", "transcript_ablation"])
def test_every_null_variant_term_is_pvs1_in_an_inner_exon(term):
    criterion = pvs1(cells({"consequence": term, "exon": "3/10"}), LOF)
    assert criterion == Criterion(
        "PVS1", f"{term} in a gene whose disease mechanism is loss of function")


@pytest.mark.parametrize("term", ["missense_variant", "splice_region_variant",
                                  "inframe_deletion", "start_lost", "stop_lost", ""])
def test_other_consequences_are_never_pvs1(term):
    assert pvs1(cells({"consequence": term, "exon": "3/10"}), LOF) is None


@pytest.mark.parametrize(("mechanism", "applies"), [
    ("LoF", True), ("LoF (ClinGen: loss of function)", True),
    ("LoF (presumed; human mechanism not confirmed)", False), ("presumed LoF", False),
    ("unknown", False), ("gain of function", False), ("", False),
])
def test_pvs1_needs_an_established_loss_of_function_mechanism(mechanism, applies):
    """Richards 2015: PVS1 only where loss of function is a known disease mechanism; the
    panel says 'presumed' where it is not established."""
    stop = cells({"consequence": "stop_gained", "exon": "3/10"})
    assert (pvs1(stop, mechanism) is not None) is applies


@pytest.mark.parametrize(("term", "exon", "code"), [
    ("stop_gained", "10/10", "PVS1_Moderate"),
    ("frameshift_variant", "10/10", "PVS1_Moderate"),
    ("stop_gained", "9/10", "PVS1"),  # penultimate exon: the 50-nt rule is not applied
    ("frameshift_variant", "1/1", "PVS1_Moderate"),  # single-exon gene: no junction downstream
    ("stop_gained", "", "PVS1"),  # exon unknown: not taken as the last
    ("stop_gained", "10", "PVS1"),
    ("splice_donor_variant", "10/10", "PVS1"),
    ("splice_acceptor_variant", "10/10", "PVS1"),
    ("transcript_ablation", "1/1", "PVS1"),
])
def test_pvs1_strength_by_exon(term, exon, code):
    """Abou Tayoun 2018, as far as the code implements it: a nonsense or frameshift variant
    in the last exon escapes nonsense-mediated decay -> PVS1_Moderate (the tree's 'role of
    the region' and '>10% of the protein' questions are not asked). Canonical splice
    variants take the tree's splicing branch, which this code does not downgrade in the last
    exon (no RNA or exon-skipping prediction); they stay PVS1."""
    criterion = pvs1(cells({"consequence": term, "exon": exon}), LOF)
    assert criterion.code == code
    if code == "PVS1_Moderate":
        assert criterion.reason == (f"{term} in the last exon ({exon}): predicted to escape "
                                    f"nonsense-mediated decay")


def test_the_first_null_term_of_a_combined_consequence_is_named():
    criterion = pvs1(cells({"consequence": "splice_region_variant&frameshift_variant",
                      "exon": "7/7"}), LOF)
    assert criterion.code == "PVS1_Moderate" and criterion.reason.startswith(
        "frameshift_variant in the last exon (7/7)")
    criterion = pvs1(cells({"consequence": "splice_region_variant,stop_gained", "exon": "2/7"}),
                     LOF)
    assert criterion.reason.startswith("stop_gained in a gene")


# --- PP3 / BP4 from REVEL: every cut-off at, just below and just above -------------------------

@pytest.mark.parametrize(("revel", "code"), [
    ("1.0", "PP3_Strong"), ("0.933", "PP3_Strong"), ("0.932", "PP3_Strong"),
    ("0.931", "PP3_Moderate"), ("0.774", "PP3_Moderate"), ("0.773", "PP3_Moderate"),
    ("0.772", "PP3_Supporting"), ("0.645", "PP3_Supporting"), ("0.644", "PP3_Supporting"),
    ("0.643", None), ("0.5", None), ("0.291", None),
    ("0.290", "BP4_Supporting"), ("0.289", "BP4_Supporting"), ("0.184", "BP4_Supporting"),
    ("0.183", "BP4_Moderate"), ("0.182", "BP4_Moderate"), ("0.017", "BP4_Moderate"),
    ("0.016", "BP4_Strong"), ("0.015", "BP4_Strong"), ("0.003", "BP4_Strong"),
    ("0.0", "BP4_Strong"),
])
def test_revel_cut_offs_of_pejaver_2022(revel, code):
    """Pejaver 2022 Table 2 (REVEL): intervals closed on the side of the stronger level, so
    each cut-off itself belongs to the stronger level; very strong benign (<= 0.003) is
    capped at strong."""
    criterion = in_silico(cells({"consequence": "missense_variant", "revel": revel}))
    assert (criterion.code if criterion else None) == code


def test_revel_reasons_quote_the_score_and_the_cut_off():
    assert in_silico(cells({"consequence": "missense_variant", "revel": "0.773"})).reason == \
        "REVEL 0.773 >= 0.773"
    assert in_silico(cells({"consequence": "missense_variant", "revel": "0.29"})).reason == \
        "REVEL 0.290 <= 0.29"


@pytest.mark.parametrize(("consequence", "revel", "scored"), [
    ("missense_variant", "0.95", True),
    ("missense_variant&splice_region_variant", "0.95", True),
    ("synonymous_variant", "0.95", False), ("stop_gained", "0.01", False),
    ("missense_variant", "", False),
    ("missense_variant", None, False),
])
def test_revel_applies_to_missense_variants_with_a_score_only(consequence, revel, scored):
    """Pejaver 2022 calibrated REVEL on missense variants only."""
    assert (in_silico(cells({"consequence": consequence, "revel": revel})) is not None) is scored


# --- filters, the ClinVar override and the order of the codes ---------------------------------

@pytest.mark.parametrize(("consequence", "consequences", "kept"), [
    ("intron_variant", KEEP, False),
    ("missense_variant&splice_region_variant", KEEP, True),  # one term in the list is enough
    ("splice_region_variant&intron_variant", KEEP, False),
    ("intron_variant", None, True),  # no consequence list configured: no consequence filter
    ("", KEEP, True),  # no consequence known: nothing to filter on (the report says so)
])
def test_consequence_filter(consequence, consequences, kept):
    priority = prioritise(cells({"consequence": consequence, "gnomad_status": "absent"}), {},
                          LOF, MAX_AF, consequences)
    assert priority.kept is kept
    if not kept:
        assert priority.filters == (
            f"consequence: {consequence} is not in filters.consequences",)


@pytest.mark.parametrize(("significance", "kept"), [
    ("Pathogenic", True), ("Likely pathogenic", True), ("Pathogenic/Likely pathogenic", True),
    ("Pathogenic/Likely_pathogenic", True), ("Likely_pathogenic", True),
    ("Pathogenic, low penetrance", True),
    ("Pathogenic/Likely pathogenic/Pathogenic, low penetrance|risk factor", True),
    ("Uncertain significance|Likely pathogenic", True),
    ("Uncertain significance", False), ("Conflicting classifications of pathogenicity", False),
    ("Likely benign", False), ("not in ClinVar", False), ("", False), (None, False),
])
def test_clinvar_pathogenic_or_likely_pathogenic_is_kept_whatever_the_filters(significance,
                                                                               kept):
    """DESIGN: ClinVar P/LP always kept. Both filters fail here (intron, AF 3e-4 > 1e-4);
    the override lifts the filters but keeps the evidence (BS1 stays among the codes)."""
    variant = replace(found(grpmax="0.0003", faf="0.0003"), consequence="intron_variant")
    if significance is not None:
        variant = replace(variant, clinvar_significance=significance)
    priority = prioritise(variant, {}, LOF, MAX_AF, KEEP)
    assert priority.kept is kept
    assert priority.codes == "BS1"
    assert (priority.filters == ()) is kept
    if not kept:
        assert len(priority.filters) == 2


def test_codes_come_in_order_pvs1_frequency_in_silico_segregation():
    variant = cells({"consequence": "stop_gained&missense_variant", "exon": "2/5",
                     "revel": "0.95", "gnomad_status": "absent"})
    seg = {"acmg_codes": ("PP1_Strong", "PS2"), "flb": 20.0, "de_novo_children": ("A", "B")}
    priority = prioritise(variant, seg, LOF, MAX_AF, KEEP)
    assert priority.codes == "PVS1;PM2_Supporting;PP3_Strong;PP1_Strong;PS2"
    assert [c.reason for c in priority.criteria[3:]] == [
        "cosegregation Bayes factor 20", "de novo in A, B (parentage confirmed)"]
    # Tavtigian 2020: 8 + 1 + 4 + 4 + 4
    assert priority.points == 21


def test_bs4_reason_quotes_the_bayes_factor():
    priority = prioritise(cells({"gnomad_status": "not_checked"}),
                          {"acmg_codes": ["BS4_Moderate"], "flb": 0.1234}, LOF, MAX_AF, None)
    assert priority.criteria == (Criterion("BS4_Moderate", "cosegregation Bayes factor 0.123"),)
    assert priority.points == -2


# --- points (Tavtigian et al. 2020) -------------------------------------------------------------

@pytest.mark.parametrize(("code", "points"), [
    ("PVS1", 8), ("PVS1_Moderate", 2), ("PS2", 4), ("PM6", 2), ("PM2_Supporting", 1),
    ("PP3_Supporting", 1), ("PP3_Moderate", 2), ("PP3_Strong", 4), ("PP1_Supporting", 1),
    ("PP1_Moderate", 2), ("PP1_Strong", 4), ("BA1", -8), ("BS1", -4), ("BS4_Supporting", -1),
    ("BS4_Moderate", -2), ("BS4_Strong", -4), ("BP4_Supporting", -1), ("BP4_Moderate", -2),
    ("BP4_Strong", -4), ("PP1", 1), ("BS4", -1),
])
def test_points_of_every_code(code, points):
    """Tavtigian 2020: supporting 1, moderate 2, strong 4, very strong 8; a code without a
    level has its default strength (PVS1 and BA1 very strong, PS2 and BS1 strong, PM6
    moderate, PP/BP supporting); benign codes count against."""
    assert Criterion(code, "").points == points
