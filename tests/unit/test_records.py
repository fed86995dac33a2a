"""The records between the stages: each written and read back equals itself (through the
file or JSON text the workflow uses), and a damaged annotation table is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmmvar.annotate.annotation_table import (
    ANNOTATION_COLUMNS,
    Annotation,
    read_annotations,
    write_annotations,
)
from cmmvar.errors import InputError
from cmmvar.io.panel import load_panel
from cmmvar.io.ped_file import read_family
from cmmvar.records import FamilyResult, PedigreeMember, VariantResult
from cmmvar.segregate.genotypes import Thresholds
from cmmvar.stages import segregate_stage
from tests.unit.helpers.stages import prepare

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "config/panels/cmm.tsv"

# every number present, at most 6 significant digits (what the table keeps)
FULL = Annotation(
    "chr18", 52340197, "C", "T", gene="DCC", transcript="ENST00000442544.7",
    consequence="missense_variant", hgvs_c="c.1234C>T", hgvs_p="p.(Arg412Trp)",
    impact="MODERATE", exon="8/29", intron="", gnomad_status="found", gnomad_af=2.053e-05,
    gnomad_grpmax_af=9.81e-05, gnomad_grpmax="sas", gnomad_faf95_max=6.2e-05,
    gnomad_nhomalt=0, gnomad_source="gnomad.vcf.gz", clinvar_significance="Pathogenic",
    clinvar_review_status="criteria provided, single submitter", clinvar_stars=1,
    clinvar_conditions="Mirror movements 1|not provided", clinvar_id="12345",
    clinvar_source="clinvar.vcf.gz", cadd_phred=27.3, revel=0.812, scores_source="MyVariant",
    inheritance="AD", other_genes="", annotation_source="cmmvar offline (GFF3 + FASTA)",
    other_transcripts='[{"transcript": "ENST1", "gene": "DCC"}]')
# no number at all, and a frequency of exactly 0 (found in gnomAD with no carrier: not absent)
EMPTY = Annotation("chr18", 52340198, "CA", "C")
ZERO = Annotation("chrX", 5, "A", "G", gnomad_status="found", gnomad_af=0.0,
                  gnomad_grpmax_af=1.0, gnomad_nhomalt=0)


def test_annotation_table_columns_are_the_record_fields_in_order():
    assert ANNOTATION_COLUMNS[:4] == ("chrom", "pos", "ref", "alt")
    assert len(ANNOTATION_COLUMNS) == 32 and ANNOTATION_COLUMNS[-1] == "other_transcripts"


def test_annotations_written_and_read_back_are_equal_with_numbers_as_numbers(tmp_path):
    path = tmp_path / "annotations.tsv"
    write_annotations([FULL, EMPTY, ZERO], path)
    back = read_annotations(path)
    assert back == {FULL.key: FULL, EMPTY.key: EMPTY, ZERO.key: ZERO}
    assert back[ZERO.key].gnomad_af == 0.0 and back[EMPTY.key].gnomad_af is None
    assert isinstance(back[FULL.key].pos, int) and isinstance(back[FULL.key].clinvar_stars, int)


def test_annotation_cells_are_formatted_once_six_significant_digits_and_empty_for_none():
    """1.2345678e-05 to 6 significant digits is 1.23457e-05; 0 stays "0" (not "0.0", which
    pandas would write for a float), 1 stays "1"; None is an empty cell."""
    cells = Annotation("chr1", 1, "A", "G", gnomad_af=1.2345678e-05, gnomad_grpmax_af=1.0,
                       gnomad_faf95_max=0.0, revel=0.5, gnomad_nhomalt=3).to_row()
    assert (cells["gnomad_af"], cells["gnomad_grpmax_af"], cells["gnomad_faf95_max"]) == (
        "1.23457e-05", "1", "0")
    assert (cells["revel"], cells["cadd_phred"], cells["gnomad_nhomalt"],
            cells["clinvar_stars"]) == ("0.5", "", "3", "")


def test_annotation_round_trips_through_json_text():
    for record in (FULL, EMPTY, ZERO):
        assert Annotation.from_dict(json.loads(json.dumps(record.to_dict()))) == record


@pytest.mark.parametrize(("column", "text"), [("revel", "."), ("gnomad_af", "0.1x"),
                                              ("gnomad_faf95_max", "nan"),
                                              ("clinvar_stars", "2.5"), ("pos", "12x")])
def test_a_cell_that_is_not_a_number_stops_the_read_naming_file_line_and_column(
        tmp_path, column, text):
    path = tmp_path / "annotations.tsv"
    write_annotations([EMPTY, FULL], path)
    lines = path.read_text().splitlines()
    index = ANNOTATION_COLUMNS.index(column)
    cells = lines[2].split("\t")
    cells[index] = text
    lines[2] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        read_annotations(path)
    assert str(caught.value) == (
        f"{path}, line 3: column {column!r} holds {text!r}, which is not a number "
        f"(regenerate the annotation table with the annotate stage)")


def test_pedigree_member_round_trips_and_gives_back_the_individual_with_its_ped_line(
        tmp_path):
    """A PED whose child names a father not listed: cmmvar adds him (no PED line)."""
    ped = tmp_path / "f.ped"
    ped.write_text("F1 mum 0 0 2 1\nF1 kid dad mum 1 2\n")
    family = read_family(ped, "F1")
    members = [PedigreeMember.from_individual(ind, ind.id == "kid")
               for ind in family.individuals]
    assert [(m.id, m.ped_line, m.added_by_cmmvar) for m in members] == [
        ("mum", 1, False), ("kid", 2, False), ("dad", None, True)]
    for member, ind in zip(members, family.individuals, strict=True):
        data = json.loads(json.dumps(member.to_dict()))
        assert data["added_by_cmmvar"] is member.added_by_cmmvar
        assert PedigreeMember.from_dict(data) == member
        assert member.individual() == ind


@pytest.fixture(scope="module")
def dcc_result(tmp_path_factory) -> FamilyResult:
    """The DCC1 demo family through the stage functions the workflow runs."""
    tmp = tmp_path_factory.mktemp("dcc")
    vcf = ROOT / "test_data/vcf/dcc_family.vcf.gz"
    prepare(vcf, tmp)
    family = {"family": "DCC1", "ped": str(ROOT / "test_data/ped/DCC1.ped"), "proband": "",
              "parentage_confirmed": False}
    [result] = segregate_stage([family], vcf, tmp / "n.vcf.gz", tmp / "a.tsv", PANEL,
                               "GRCh38", Thresholds(20, 8), {"allele_frequency": 1e-4}, None)
    return result


def test_variant_result_round_trips_through_json_text(dcc_result):
    assert dcc_result.variants, "the DCC1 demo family carries panel variants"
    genes = {g.symbol: g for g in load_panel(PANEL, "GRCh38")}
    for variant in dcc_result.variants:
        back = VariantResult.from_dict(json.loads(json.dumps(variant.to_dict())))
        assert back == variant
        assert back.segregation.counts == variant.segregation.counts
        assert back.gene == genes[back.annotation.gene]  # the panel's record, whole


def test_family_result_written_and_read_back_is_equal(dcc_result, tmp_path):
    dcc_result.write(tmp_path / "DCC1.json")
    back = FamilyResult.read(tmp_path / "DCC1.json")
    assert back == dcc_result
    assert any(v.segregation.flb is not None for v in back.variants)
    assert [p.id for p in back.pedigree] == [p.id for p in dcc_result.pedigree]


def test_family_result_json_holds_numbers_as_numbers_and_counts_once(dcc_result):
    data = dcc_result.to_dict()
    variant = data["variants"][0]
    assert "counts" not in variant and set(variant["segregation"]["counts"]) == {
        "affected_carriers", "affected_noncarriers", "affected_missing",
        "unaffected_carriers", "unaffected_noncarriers", "unaffected_missing",
        "unknown_carriers", "unknown_noncarriers", "unknown_missing", "affected_homozygous",
        "unaffected_homozygous", "unknown_homozygous"}
    assert isinstance(variant["annotation"]["pos"], int)
    found = [v["annotation"] for v in data["variants"]
             if v["annotation"]["gnomad_status"] == "found"]
    assert found and all(isinstance(a["gnomad_af"], float) for a in found)


def test_column_lists_derived_from_counts_are_the_output_contract():
    """DESIGN.md's candidates.tsv columns, written out here by hand: the derived lists must
    keep them, in order; cmmvar segregate lists every count, then the statistics."""
    from cmmvar.report.cohort import SUMMARY_COLUMNS
    from cmmvar.report.family import CANDIDATE_COLUMNS, EXTRA_COLUMNS
    from cmmvar.segregate.analysis import SEGREGATE_COLUMNS

    contract = (
        "family_id, chrom, pos, ref, alt, gene, transcript, consequence, hgvs_c, hgvs_p, "
        "impact, gnomad_af, gnomad_grpmax_af, clinvar_significance, clinvar_review_status, "
        "clinvar_id, inheritance, affected_carriers, affected_noncarriers, affected_missing, "
        "unaffected_carriers, unaffected_noncarriers, unaffected_missing, unknown_carriers, "
        "flb, log10_flb, pp1, bs4, de_novo, acmg_codes, rank").split(", ")
    assert list(CANDIDATE_COLUMNS) == contract
    others = ["unknown_noncarriers", "unknown_missing", "affected_homozygous",
              "unaffected_homozygous", "unknown_homozygous"]
    assert list(EXTRA_COLUMNS[:5]) == others
    counts = contract[contract.index("affected_carriers"):contract.index("flb")]
    assert list(SEGREGATE_COLUMNS[4:16]) == counts + others
    assert SEGREGATE_COLUMNS[16:] == ("flb", "log10_flb", "pp1", "bs4", "de_novo", "acmg_codes",
                                      "proband", "informative_meioses", "meioses_strength",
                                      "flb_note", "gene", "compound_het_with")
    assert EXTRA_COLUMNS[-1] == "compound_het_with"  # appended: readers by position undisturbed
    start = SUMMARY_COLUMNS.index("affected_carriers")
    assert list(SUMMARY_COLUMNS[start:start + 8]) == counts + ["flb"]


def test_pair_result_round_trips_through_json_text_and_in_the_family_result(dcc_result,
                                                                          tmp_path):
    """A pair weighed by segregate_pair (the hand-worked family of test_pairs: FLB 8.0321,
    in trans) written within a family result and read back equals itself, Phase and
    Counts included."""
    from dataclasses import replace

    from cmmvar.records import PairResult
    from cmmvar.segregate.genotypes import Genotype
    from cmmvar.segregate.pairs import segregate_pair
    from cmmvar.segregate.segregation import Model, Settings

    ped = tmp_path / "fam.ped"
    ped.write_text("fam F 0 0 1 1\nfam M 0 0 2 1\nfam A F M 1 2\nfam B F M 2 2\n")
    family = read_family(ped, "fam")

    def calls(**copies):
        return {pid: Genotype(n, "called") for pid, n in copies.items()}

    pair = PairResult("DNAL4", segregate_pair(
        family, "chr22:1:A:G", calls(F=1, M=0, A=1, B=1), "chr22:9:C:T",
        calls(F=0, M=1, A=1, B=1), Model("AR", 1.0, 0.0), Settings(allele_frequency=1e-3)))
    assert round(pair.segregation.flb, 4) == 8.0321
    assert PairResult.from_dict(json.loads(json.dumps(pair.to_dict()))) == pair
    with_pair = replace(dcc_result, pairs=(pair,))
    with_pair.write(tmp_path / "with_pair.json")
    back = FamilyResult.read(tmp_path / "with_pair.json")
    assert back == with_pair and back.pairs[0].segregation.phase.words == "in trans"
