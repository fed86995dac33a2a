"""The cohort stage: the product of the families' Bayes factors from their report.json
records (full precision), the summary and variant tables, run_info.json's checksums."""

from __future__ import annotations

import hashlib
import json
import math

import pandas as pd
import pytest

from cmmvar.report.cohort import combine, summarise, write_run_info
from cmmvar.segregate.segregation import Settings


def item(flb: float | None, meioses: int | None = None, pos: int = 100, alt: str = "G",
         rank: int = 1) -> dict:
    """A candidate as report.json lists it: the TSV cells (flb as text, 6 significant
    figures) and the segregation record with the float."""
    return {"chrom": "chr18", "pos": pos, "ref": "A", "alt": alt, "gene": "DCC",
            "rank": rank, "flb": "" if flb is None else f"{flb:.6g}", "pp1": "none",
            "segregation": {"flb": flb, "log10_flb": math.log10(flb) if flb else None,
                            "meioses": meioses, "pp1": "none", "bs4": "none", "de_novo": "no"}}


def test_cohort_multiplies_independent_families():
    [row] = combine({"A": [item(3.0, 2)], "B": [item(2.5, 2)], "C": [item(None)]}, Settings())
    assert row.families == ("A", "B", "C") and row.families_flb_undefined == ("C",)
    assert row.flb == pytest.approx(7.5, rel=1e-12)          # 3 x 2.5
    assert row.pp1 == "moderate" and row.bs4 == "none"       # 4.33 <= 7.5 < 18.7
    assert row.meioses == 4 and row.meioses_strength == "strong"  # 5 - 1 for two families
    assert row.cells()["cohort_flb"] == "7.5" and row.cells()["families"] == "A,B,C"


def test_a_family_with_flb_zero_makes_the_product_zero():
    [row] = combine({"A": [item(3.0)], "B": [item(0.0)]}, Settings())
    assert (row.flb, row.log10_flb, row.bs4, row.pp1) == (0.0, None, "strong", "none")
    assert row.cells()["cohort_flb"] == "0" and row.cells()["cohort_log10_flb"] == ""


def test_no_defined_flb_leaves_the_product_undefined():
    [row] = combine({"A": [item(None)], "B": [item(None)]}, Settings())
    assert (row.flb, row.pp1, row.bs4, row.meioses) == (None, "none", "none", None)
    assert row.families_flb_undefined == ("A", "B") and row.cells()["cohort_flb"] == ""


def test_product_strength_comes_from_full_precision_values_not_rounded_text():
    """sqrt(4.33) = 2.0808652...: two families at 2.0808651 multiply to 4.3299996, below
    PP1 moderate (4.33); their TSV text '2.08087' would multiply to 4.33002, above it."""
    flb = 2.0808651
    assert float(f"{flb:.6g}") ** 2 >= 4.33 > flb * flb  # the case is what it claims
    [row] = combine({"A": [item(flb)], "B": [item(flb)]}, Settings())
    assert row.flb == pytest.approx(flb * flb, rel=1e-12)
    assert row.pp1 == "supporting"


def test_product_value_is_exact_where_rounding_would_move_it_beyond_1e_9():
    values = [1.23456449, 7.89012349, 0.456789449]
    rounded = math.prod(float(f"{v:.6g}") for v in values)
    exact = math.prod(values)
    assert abs(rounded - exact) / exact > 1e-7  # what reading the TSV text would give
    [row] = combine({f"F{i}": [item(v)] for i, v in enumerate(values)}, Settings())
    assert row.flb == pytest.approx(exact, rel=1e-12)
    assert row.log10_flb == pytest.approx(math.log10(exact), rel=1e-12)


def test_variants_are_grouped_by_their_full_key():
    combined = combine({"A": [item(3.0, pos=100, alt="G"), item(2.0, pos=100, alt="T")],
                        "B": [item(5.0, pos=100, alt="T")]}, Settings())
    assert [(v.alt, v.families, v.flb) for v in combined] == [
        ("G", ("A",), pytest.approx(3.0)), ("T", ("A", "B"), pytest.approx(10.0))]


def write_report(path, candidates: list[dict]):
    path.write_text(json.dumps({"candidates": candidates}))
    return path


def test_summary_rows_come_from_each_familys_record(tmp_path):
    """A: its rank-1 candidate (shared with B), B: its own rank-1, C: no candidate but a
    row; the cohort columns of A and B carry the product over both families."""
    shared = 2.0808651
    reports = {
        "A": write_report(tmp_path / "a.json", [item(shared, 3), item(9.0, pos=200, rank=2)]),
        "B": write_report(tmp_path / "b.json", [item(30.0, pos=300), item(shared, 1, rank=2)]),
        "C": write_report(tmp_path / "c.json", []),
    }
    out, variants = tmp_path / "summary.tsv", tmp_path / "variants.tsv"
    summarise(reports, Settings(), out, variants)
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert list(table.family_id) == ["A", "B", "C"]
    assert list(table.n_candidates) == ["2", "2", "0"]
    assert list(table.pos) == ["100", "300", ""] and list(table.flb) == ["2.08087", "30", ""]
    assert list(table.cohort_families) == ["2", "1", ""]
    assert list(table.cohort_pp1) == ["supporting", "strong", ""]
    assert table.cohort_flb[0] == f"{shared * shared:.6g}" == "4.33"
    by_pos = pd.read_csv(variants, sep="\t", dtype=str, keep_default_na=False).set_index("pos")
    assert by_pos.loc["100", "families"] == "A,B" and by_pos.loc["100", "cohort_meioses"] == "4"
    assert by_pos.loc["200", "families"] == "A" and by_pos.loc["300", "cohort_pp1"] == "strong"


def test_a_candidate_with_bs4_is_never_a_familys_top_candidate(tmp_path):
    """A: BS4 rank 1, a PP1 supporting rank 2 (the row's candidate); R: RAD1's case, its only
    candidate BS4_Strong: no top candidate, and the row says why."""
    against = dict(item(0.0053), segregation=dict(item(0.0053)["segregation"], bs4="strong"))
    backed = item(2.5, pos=200, rank=2)
    backed["segregation"]["pp1"] = "supporting"
    reports = {"A": write_report(tmp_path / "a.json", [against, backed]),
               "R": write_report(tmp_path / "r.json", [against])}
    out = tmp_path / "summary.tsv"
    summarise(reports, Settings(), out, tmp_path / "variants.tsv")
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert list(table.pos) == ["200", ""] and list(table.n_candidates) == ["2", "1"]
    assert list(table.family_note) == [
        "1 candidate with evidence against cosegregation (BS4) is not put forward",
        "no candidate in the panel genes is supported by this family's data; 1 candidate "
        "with evidence against cosegregation (BS4) is not put forward"]


def test_a_gene_of_tier_candidate_or_unsupported_is_never_put_forward(tmp_path):
    """D: a DNM2 (unsupported) candidate with PP1 strong first, a DCC candidate second: DCC is
    the row's candidate; U: only the DNM2 and an MCF2 (candidate) variant: no candidate put
    forward, and the row says why (2 in such genes)."""
    def in_gene(symbol, tier, pos, rank):
        made = item(30.0, pos=pos, rank=rank)
        made["segregation"]["pp1"] = "strong"
        return dict(made, gene=symbol, gene_model={"symbol": symbol, "tier": tier})
    dnm2, mcf2 = in_gene("DNM2", "unsupported", 100, 1), in_gene("MCF2", "candidate", 300, 2)
    dcc = dict(item(2.5, pos=200, rank=2), gene_model={"symbol": "DCC", "tier": "core"})
    reports = {"D": write_report(tmp_path / "d.json", [dnm2, dcc]),
               "U": write_report(tmp_path / "u.json", [dnm2, mcf2])}
    out = tmp_path / "summary.tsv"
    summarise(reports, Settings(), out, tmp_path / "variants.tsv")
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert list(table.pos) == ["200", ""] and list(table.gene) == ["DCC", ""]
    assert list(table.family_note) == [
        "1 candidate in a gene of tier candidate or unsupported is not put forward",
        "2 candidates in a gene of tier candidate or unsupported are not put forward"]


def test_run_info_checksums_every_file_and_the_indexes_beside_vcfs_and_resources(tmp_path):
    def made(name: str, content: bytes):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    files = {"config": [made("config.yaml", b"a: 1\n"), made("mine.yaml", b"b: 2\n")],
             "ped": [made("f.ped", b"F1 A 0 0 1 2\n")],
             "vcf": [made("joint.vcf.gz", b"vcf"), made("other.bcf", b"bcf")],
             "annotation": [made("ref.fa.gz", b">chr1\nACGT\n"), made("genes.gff3", b"##gff\n")]}
    indexes = [made("joint.vcf.gz.tbi", b"tbi"), made("other.bcf.csi", b"csi"),
               made("ref.fa.gz.fai", b"fai"), made("ref.fa.gz.gzi", b"gzi")]
    info = write_run_info({"annotation": {}}, files, tmp_path / "run_info.json")
    assert json.loads((tmp_path / "run_info.json").read_text())["files"] == info["files"]
    listed = {kind: [r["path"] for r in records] for kind, records in info["files"].items()}
    assert listed == {**files, "indexes": indexes}
    for records in info["files"].values():
        for record in records:
            with open(record["path"], "rb") as handle:
                assert record["sha256"] == hashlib.sha256(handle.read()).hexdigest()
