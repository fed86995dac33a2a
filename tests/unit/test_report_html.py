"""The words and links of the counsellor report, on hand-made candidates (expected sentences
written by hand from the counts)."""

from __future__ import annotations

from cmmvar.report.report_html import (
    genotype_labels,
    link_note,
    segregation_sentence,
    variant_links,
)
from tests.unit.helpers.report_html import candidate


def test_dominant_with_non_penetrant_carriers():
    """Without the pedigree the carriers' sexes are unknown: no penetrance is quoted."""
    c = candidate(affected_carriers=5, unaffected_carriers=2, unaffected_noncarriers=3)
    assert segregation_sentence(c) == (
        "Present in all 5 affected family members tested; 2 unaffected carriers; "
        "Bayes factor 12.4, PP1 moderate.")


def test_affected_non_carrier_and_missing_against_cosegregation():
    c = candidate(flb=0.0053, pp1="none", bs4="strong", affected_carriers=2,
                  affected_noncarriers=1, affected_missing=1, unaffected_noncarriers=1)
    assert segregation_sentence(c) == (
        "Present in 2 of the 3 affected family members tested (1 not tested or failed "
        "quality); Bayes factor 0.0053 (against cosegregation), BS4 strong.")


def test_recessive_homozygotes_and_heterozygous_relatives():
    c = candidate(inheritance="AR", penetrance=0.9, flb=6.64, affected_carriers=2,
                  affected_homozygous=2, unaffected_carriers=3, unaffected_noncarriers=1)
    assert segregation_sentence(c) == (
        "Homozygous in both affected family members tested; 3 unaffected heterozygous "
        "carriers, as expected for a recessive condition; Bayes factor 6.64, PP1 moderate.")


def test_x_linked_mother_and_de_novo_wording():
    pedigree = [{"id": "M", "sex": "female", "phenotype": "unaffected"},
                {"id": "S", "sex": "male", "phenotype": "affected"}]
    c = candidate(inheritance="XLR", penetrance=1.0, flb=3.63, pp1="supporting",
                  affected_carriers=1, unaffected_carriers=1,
                  genotypes={"M": {"copies": 1, "label": "+/-"}, "S": {"copies": 1,
                                                                     "label": "+"}})
    assert segregation_sentence(c, pedigree) == (
        "Present in the affected family member tested; 1 unaffected heterozygous woman, "
        "as expected for X-linked recessive inheritance; Bayes factor 3.63, PP1 supporting.")
    novo = candidate(flb=None, pp1="none", de_novo="yes", children=["C"],
                     reason="a de novo variant", affected_carriers=1, unaffected_noncarriers=2)
    assert segregation_sentence(novo) == (
        "Present in the affected family member tested; apparently de novo in C (both "
        "parents tested non-carriers; parentage not confirmed); no Bayes factor: a de novo "
        "variant.")
    assert genotype_labels(c) == {"M": "+/\u2212", "S": "+"}


def test_links_only_to_records_that_exist():
    """ClinVar only with a VariationID, gnomAD only when found there, never on the demo's
    synthetic resources; the Ensembl region always (it exists for any position)."""
    ensembl38 = ("Ensembl",
                 "https://www.ensembl.org/Homo_sapiens/Location/View?r=18%3A52340409-52340409")
    c = candidate()  # no VariationID, gnomAD status unknown (not checked)
    assert variant_links(c, "GRCh38") == [ensembl38]
    assert link_note(c) == ("No link to ClinVar (no VariationID for this allele in the ClinVar "
                            "source) or gnomAD (gnomAD was not checked).")
    c["gnomad_status"] = "absent"
    assert variant_links(c, "GRCh38") == [ensembl38]
    assert link_note(c).endswith("or gnomAD (the variant was not found in gnomAD).")
    c.update(clinvar_id="900001", gnomad_status="found (FILTER AC0)")
    assert variant_links(c, "GRCh38") == [
        ("ClinVar", "https://www.ncbi.nlm.nih.gov/clinvar/variation/900001/"),
        ("gnomAD", "https://gnomad.broadinstitute.org/variant/18-52340409-G-C"
                   "?dataset=gnomad_r4"),
        ensembl38]
    assert link_note(c) == ""
    links = dict(variant_links(c, "GRCh37"))
    assert links["gnomAD"].endswith("?dataset=gnomad_r2_1")
    assert links["Ensembl"].startswith("https://grch37.ensembl.org/")
    assert variant_links(c, "GRCh38", synthetic=True) == [ensembl38]
    assert link_note(c, synthetic=True) == (
        "No ClinVar or gnomAD link: this run used the demo's synthetic resources, whose "
        "records are invented.")


def test_x_linked_unaffected_carriers_are_named_by_their_pedigree_sex():
    """Under XLR an unaffected carrier is a heterozygous woman, a non-penetrant hemizygous man
    or, with PED sex 0, of unknown sex: never called male because they are not coded female."""
    pedigree = [{"id": "M", "sex": "female", "phenotype": "unaffected"},
                {"id": "U", "sex": "male", "phenotype": "unaffected"},
                {"id": "Q", "sex": "unknown", "phenotype": "unaffected"},
                {"id": "S", "sex": "male", "phenotype": "affected"}]
    c = candidate(inheritance="XLR", penetrance=0.9, flb=1.2, pp1="none", affected_carriers=1,
                  unaffected_carriers=3,
                  genotypes={"M": {"copies": 1}, "U": {"copies": 1}, "Q": {"copies": 1},
                             "S": {"copies": 1}})
    assert segregation_sentence(c, pedigree) == (
        "Present in the affected family member tested; 1 unaffected heterozygous woman, "
        "as expected for X-linked recessive inheritance; 1 unaffected male carrier; "
        "1 unaffected carrier of unknown sex; Bayes factor 1.2, not informative on its own.")
