"""The workflow end to end on the demo data, run by Snakemake in a temporary copy.

Expected outcomes are worked out by hand from the family designs in
scripts/make_test_data.py (docstrings there), not read from the code under test.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.helpers.demo import (
    DEMO_CONFIG,
    ROOT,
    candidates,
    copy_project,
    run_ok,
    sites,
    snakemake,
)

COUNT_COLUMNS = ["affected_carriers", "affected_noncarriers", "affected_missing",
                 "unaffected_carriers", "unaffected_noncarriers", "unaffected_missing",
                 "unknown_carriers", "unknown_noncarriers", "unknown_missing",
                 "affected_homozygous", "unaffected_homozygous", "unknown_homozygous"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return run_ok(copy_project(tmp_path_factory.mktemp("demo")))


def report_of(results: Path, family: str) -> dict:
    return json.loads((results / "families" / family / "report.json").read_text())


def all_variants(results: Path, family: str) -> pd.DataFrame:
    """Every variant of the family: the kept candidates, those listed apart because no
    genotyped affected member carries them, and those the filters removed (report.json lists
    all three, with the same columns)."""
    report = report_of(results, family)
    rows = report["candidates"] + report["not_explaining"] + report["filtered"]
    return pd.DataFrame(rows).astype({"pos": int})


def counts_of(table: pd.DataFrame, pos: int, alt: str) -> dict[str, int]:
    row = table[(table.pos == pos) & (table.alt == alt)]
    assert len(row) == 1, f"expected one row at {pos} {alt}"
    return {c: int(row.iloc[0][c]) for c in COUNT_COLUMNS if int(row.iloc[0][c])}


def test_every_family_has_its_four_outputs_and_nothing_half_written(demo):
    for family in ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1"):
        for name in ("candidates.tsv", "report.json", "qc.json", "report.html"):
            assert (demo / "families" / family / name).stat().st_size > 0
    assert (demo / "cohort_summary.tsv").exists() and (demo / "run_info.json").exists()
    assert not list(demo.rglob("*.tmp"))
    for rule in ("extract", "normalise", "annotate", "segregate", "report"):
        assert list((demo / "logs" / rule).glob("*.log")), rule


def test_contract_columns_in_order(demo):
    header = (demo / "families" / "DCC1" / "candidates.tsv").read_text().splitlines()[0]
    contract = ("family_id chrom pos ref alt gene transcript consequence hgvs_c hgvs_p impact "
                "gnomad_af gnomad_grpmax_af clinvar_significance clinvar_review_status "
                "clinvar_id inheritance affected_carriers affected_noncarriers affected_missing "
                "unaffected_carriers unaffected_noncarriers unaffected_missing unknown_carriers "
                "flb log10_flb pp1 bs4 de_novo acmg_codes rank").split()
    assert header.split("\t")[: len(contract)] == contract


def test_dcc_family_variants_and_counts(demo):
    table = all_variants(demo, "DCC1")
    s = sites("DCC1")
    seg, multi = s["dcc_segregating"], s["dcc_multiallelic"]
    # kept: the segregating SNV, both halves of the multiallelic deletion (CAC>CC,C split:
    # CAC>CC trims to CA>C at the same position), the spouse-only SNV and the padding SNV.
    # dropped: LowQual FILTER, 500 bp before DCC, chr18 far away, chr2.
    ref = multi["ref"]
    expected = {(seg["pos"], seg["ref"], seg["alts"][0]),
                (multi["pos"], ref[:2], ref[0]), (multi["pos"], ref, ref[0]),
                (s["dcc_spouse_only"]["pos"], s["dcc_spouse_only"]["ref"],
                 s["dcc_spouse_only"]["alts"][0]),
                (s["dcc_in_padding"]["pos"], s["dcc_in_padding"]["ref"],
                 s["dcc_in_padding"]["alts"][0])}
    assert set(zip(table.pos, table.ref, table.alt, strict=True)) == expected
    assert set(table.gene) == {"DCC"} and set(table.chrom) == {"chr18"}
    # segregating SNV: affected I-1, II-1, III-1, III-4 carry it; unaffected II-3 carries it
    # (non-penetrant), II-2 does not; I-2 and II-4 are not sequenced and III-2's 0/0 has GQ 5:
    # three unaffected missing; III-3 (phenotype unknown) carries it.
    assert counts_of(table, seg["pos"], seg["alts"][0]) == {
        "affected_carriers": 4, "unaffected_carriers": 1, "unaffected_noncarriers": 1,
        "unaffected_missing": 3, "unknown_carriers": 1}
    alt1 = table[(table.pos == multi["pos"]) & (table.ref == ref[:2])].iloc[0]
    alt2 = table[(table.pos == multi["pos"]) & (table.ref == ref)].iloc[0]
    # ALT1 carriers: II-1 (affected), II-3 (unaffected). Affected non-carriers: I-1, III-1
    # (0/2), III-4. Unaffected non-carriers: II-2, III-2; missing I-2, II-4; III-3 ./. .
    assert (alt1.affected_carriers, alt1.affected_noncarriers, alt1.unaffected_carriers,
            alt1.unaffected_noncarriers, alt1.unaffected_missing, alt1.unknown_missing) == (
        1, 3, 1, 2, 2, 1)
    # ALT2 carriers: II-1 (1/2) and III-1 (0/2), both affected; I-1 and III-4 are not.
    assert (alt2.affected_carriers, alt2.affected_noncarriers, alt2.unaffected_carriers,
            alt2.unaffected_noncarriers) == (2, 2, 0, 3)
    kept = candidates(demo, "DCC1")
    assert list(kept.pos) == [seg["pos"]] and list(kept["rank"]) == [1]


def test_trio_counts_and_low_depth_call(demo):
    table = all_variants(demo, "TRIO1")
    s = sites("TRIO1")
    assert counts_of(table, s["ntn1_de_novo"]["pos"], s["ntn1_de_novo"]["alts"][0]) == {
        "affected_carriers": 1, "unaffected_noncarriers": 2}
    assert counts_of(table, s["ntn1_paternal"]["pos"], s["ntn1_paternal"]["alts"][0]) == {
        "affected_carriers": 1, "unaffected_carriers": 1, "unaffected_noncarriers": 1}
    # the mother's 0/1 has DP 4 < 8: missing, so she is neither carrier nor non-carrier
    assert counts_of(table, s["ntn1_low_dp"]["pos"], s["ntn1_low_dp"]["alts"][0]) == {
        "affected_carriers": 1, "unaffected_noncarriers": 1, "unaffected_missing": 1}
    qc = json.loads((demo / "families" / "TRIO1" / "qc.json").read_text())
    assert qc["genotype_qc"]["TRIO_M"]["low_dp"] == 1


def test_nonsegregating_rad51_variant_from_unindexed_bare_contig_vcf(demo):
    table = candidates(demo, "RAD1")
    site = sites("RAD1")["rad51_nonsegregating"]
    assert list(table.chrom) == ["chr15"] and list(table.pos) == [site["pos"]]
    # I-1 and II-1 affected carriers, II-2 affected non-carrier; II-3 unaffected carrier,
    # I-2 unaffected non-carrier.
    assert counts_of(table, site["pos"], site["alts"][0]) == {
        "affected_carriers": 2, "affected_noncarriers": 1, "unaffected_carriers": 1,
        "unaffected_noncarriers": 1}
    qc = json.loads((demo / "families" / "RAD1" / "qc.json").read_text())
    assert qc["extraction"]["mode"] == "stream" and qc["extraction"]["contig_style"] == "bare"


def test_consanguineous_family_homozygous_dnal4(demo):
    table = candidates(demo, "CONS1")
    site = sites("CONS1")["dnal4_homozygous"]
    # IV-1, IV-2 affected 1/1; III-1, III-2, IV-3 unaffected 0/1; IV-4 unaffected 0/0;
    # II-1, II-3 unaffected, not sequenced; I-1, I-2 unknown and not sequenced, and the
    # spouses II-2, II-4 named as parents but absent from the PED are added as unknown.
    assert counts_of(table, site["pos"], site["alts"][0]) == {
        "affected_carriers": 2, "affected_homozygous": 2, "unaffected_carriers": 3,
        "unaffected_noncarriers": 1, "unaffected_missing": 2, "unknown_missing": 4}
    assert list(table.inheritance) == ["AR"]
    qc = json.loads((demo / "families" / "CONS1" / "qc.json").read_text())
    warnings = " ".join(qc["pedigree_warnings"])
    assert "CON_II2" in warnings and "CON_II4" in warnings
    # cohort.vcf.gz: 8 CONS1 samples, XL1's 5 and UNRELATED_1; counted, never named
    assert qc["vcf_samples_not_in_ped_count"] == 6


def test_x_linked_hemizygous_sons(demo):
    table = all_variants(demo, "XL1")
    s = sites("XL1")
    # sons S1 (`1`) and S2 (`1/1`) affected hemizygous carriers; mother unaffected het;
    # father and S3 unaffected non-carriers.
    assert counts_of(table, s["anos1_hemizygous"]["pos"], s["anos1_hemizygous"]["alts"][0]) == {
        "affected_carriers": 2, "unaffected_carriers": 1, "unaffected_noncarriers": 2}
    # second site: S1 has 0/1, impossible in a male's X: missing; S2 0/0 non-carrier.
    assert counts_of(table, s["anos1_male_het"]["pos"], s["anos1_male_het"]["alts"][0]) == {
        "affected_noncarriers": 1, "affected_missing": 1, "unaffected_carriers": 1,
        "unaffected_noncarriers": 2}
    report = json.loads((demo / "families" / "XL1" / "report.json").read_text())
    top = report["candidates"][0]
    assert top["genotypes"]["XL_S1"]["label"] == "+"
    assert top["genotypes"]["XL_M"]["label"] == "+/-"


def test_joint_vcf_is_extracted_once_for_two_families(demo):
    assert sorted(p.name for p in (demo / "work" / "extract").glob("*.vcf.gz")) == [
        "cohort.vcf.gz", "compound_het.vcf.gz", "dcc_family.vcf.gz", "rad51_family.vcf.gz",
        "trio.vcf.gz"]


def test_filter_and_split_statistics_in_qc(demo):
    qc = json.loads((demo / "families" / "DCC1" / "qc.json").read_text())
    assert qc["normalisation"]["dropped_filter"] == {"LowQual": 1}
    assert qc["normalisation"]["multiallelic_split"] == 1
    assert qc["extraction"]["records_kept"] == 5
    assert qc["genotype_qc"]["DCC_III2"]["low_gq"] == 1
    assert qc["samples"]["not_sequenced"] == ["DCC_I2", "DCC_II4"]


def test_cohort_summary_one_row_per_family_with_top_candidate(demo):
    summary = pd.read_csv(demo / "cohort_summary.tsv", sep="\t", keep_default_na=False)
    # CH1: its best single variant, then its own line for its compound-heterozygous pair
    assert list(summary.family_id) == ["DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1", "CH1"]
    # RAD1's only candidate has BS4_Strong: never a family's top candidate
    assert list(summary.gene) == ["DCC", "NTN1", "", "DNAL4", "ANOS1", "DNAL4", "DNAL4"]
    # DCC1 and TRIO1 keep only their missense variants (see test_filters_in_the_demo); XL1's
    # second ANOS1 variant, which its genotyped affected son does not carry, is listed apart
    assert list(summary.n_candidates) == [1, 1, 1, 1, 1, 2, 2]
    assert list(summary.family_note) == [
        "", "", "no candidate in the panel genes is supported by this family's data; 1 "
        "candidate with evidence against cosegregation (BS4) is not put forward", "", "",
        "no single variant in the panel genes is supported by this family's data; a possible "
        "compound heterozygote (two variants weighed together) is",
        "possible compound heterozygote (two variants weighed together); its Bayes factor is "
        "this family's, not multiplied across families"]


def test_run_info_records_versions_and_checksums(demo):
    info = json.loads((demo / "run_info.json").read_text())
    assert info["config"]["genome_build"] == "GRCh38"
    [panel] = info["files"]["panel"]
    expected = hashlib.sha256((ROOT / "config/panels/cmm.tsv").read_bytes()).hexdigest()
    assert panel["sha256"] == expected
    assert len(info["files"]["vcf"]) == 5 and info["tools"]["snakemake"].startswith("9")


DEMO_RESOURCES = {"annotation.reference_fasta": "test_data/resources/reference.fa.gz",
                  "annotation.transcripts_gff3": "test_data/resources/transcripts.gff3",
                  "annotation.gnomad_vcf": "test_data/resources/gnomad.vcf.gz",
                  "annotation.clinvar_vcf": "test_data/resources/clinvar.vcf.gz"}


def test_every_demo_report_says_at_its_top_that_it_rests_on_synthetic_data(demo):
    """The four demo resources carry make_test_data.py's marker: every family's report.json
    and qc.json list them, its HTML says so before the summary, and so does the index."""
    for family in ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1"):
        folder = demo / "families" / family
        for name in ("report.json", "qc.json"):
            record = json.loads((folder / name).read_text())
            assert {r["resource"]: r["path"] for r in record["synthetic_demo_resources"]} == \
                DEMO_RESOURCES, (family, name)
            assert record["not_checked"] == []
        page = (folder / "report.html").read_text()
        warning = page.index('id="synthetic-data-warning"')
        assert page.index("<h1>") < warning < page.index('id="summary"'), family
        assert "Demo data, not a clinical result." in page[warning:page.index('id="summary"')]
        assert 'id="not-checked"' not in page
    index = (demo / "index.html").read_text()
    assert index.index('id="synthetic-data-warning"') < index.index('id="families"')


def test_run_info_records_the_config_files_used_and_the_synthetic_resources(demo):
    info = json.loads((demo / "run_info.json").read_text())
    configs = info["files"]["config"]
    assert [c["path"] for c in configs] == ["config/config.yaml", "config/demo.yaml"]
    for record in configs:
        assert record["sha256"] == hashlib.sha256((ROOT / record["path"]).read_bytes()).hexdigest()
    assert sorted(r["path"] for r in info["synthetic_demo_resources"]) == sorted(
        DEMO_RESOURCES.values())
    assert all("make_test_data.py" in r["marker"] for r in info["synthetic_demo_resources"])
    assert info["not_checked"] == []


def test_dry_run_and_lint_are_clean(tmp_path):
    workdir = copy_project(tmp_path)
    assert snakemake(workdir, "-n").returncode == 0
    # every lint but the conda/container one (no such route is offered: README)
    lint = subprocess.run([sys.executable, "scripts/lint_workflow.py", "--configfile",
                           DEMO_CONFIG], cwd=workdir, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_segregation_statistics_filled_for_every_candidate(demo):
    for family in ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1"):
        table = candidates(demo, family)
        for row in table.to_dict("records"):
            assert row["pp1"] in ("none", "supporting", "moderate", "strong")
            assert row["bs4"] in ("none", "supporting", "moderate", "strong")
            assert row["de_novo"] in ("yes", "no", "unknown")
            assert row["flb"] != "" or row["flb_note"] != ""  # a number, or why there is none


def test_trio_de_novo_gets_pm6_and_no_bayes_factor(demo):
    table = all_variants(demo, "TRIO1")
    site = sites("TRIO1")["ntn1_de_novo"]
    row = table[table.pos == site["pos"]].iloc[0]
    # absent from the demo gnomAD: PM2_Supporting; de novo without confirmed parentage: PM6
    assert (row["de_novo"], row["acmg_codes"], row["flb"], row["rank"]) == (
        "yes", "PM2_Supporting;PM6", "", 1)
    paternal = table[table.pos == sites("TRIO1")["ntn1_paternal"]["pos"]].iloc[0]
    assert paternal["de_novo"] == "no"
    # the low-depth mother is missing: inheritance cannot be told
    low = table[table.pos == sites("TRIO1")["ntn1_low_dp"]["pos"]].iloc[0]
    assert low["de_novo"] == "unknown"


def test_nonsegregating_variant_gets_bs4(demo):
    row = candidates(demo, "RAD1").iloc[0]
    assert float(row["flb"]) < 0.053 and row["bs4"] == "strong" and row["pp1"] == "none"


def test_dcc_family_gets_the_strength_its_pedigree_deserves(demo):
    """The segregating DCC variant's FLB equals an independent brute-force enumeration
    (tests/unit/test_likelihood_bruteforce.py) over the family as make_test_data.py built
    it: DCC model from the panel (males 0.74, females 0.54, phenocopy 0.001), q = 1e-4,
    proband I-1 (first affected carrier), III-2's low-GQ call missing."""
    from cmmvar.segregate.likelihood import Person
    from tests.unit.helpers.likelihood_bruteforce import brute_flb

    P = Person
    people = [P("DCC_I1", None, None, True), P("DCC_I2", None, None, False),
              P("DCC_II1", "DCC_I1", "DCC_I2", True), P("DCC_II2", None, None, False),
              P("DCC_II3", "DCC_I1", "DCC_I2", False), P("DCC_II4", None, None, True),
              P("DCC_III1", "DCC_II1", "DCC_II2", True),
              P("DCC_III2", "DCC_II1", "DCC_II2", False),
              P("DCC_III3", "DCC_II1", "DCC_II2", False),
              P("DCC_III4", "DCC_II4", "DCC_II3", True)]
    penetrance = {p.id: (0.001, 0.74, 0.74) if p.male else (0.001, 0.54, 0.54) for p in people}
    affected = {"DCC_I1", "DCC_II1", "DCC_III1", "DCC_III4"}
    phenotypes = {p.id: "affected" if p.id in affected else "unaffected" for p in people}
    phenotypes["DCC_III3"] = "unknown"
    genotypes = {"DCC_I1": 1, "DCC_II1": 1, "DCC_II2": 0, "DCC_II3": 1, "DCC_III1": 1,
                 "DCC_III3": 1, "DCC_III4": 1}
    kind, log_flb = brute_flb(people, "DCC_I1", 1e-4, False, penetrance, phenotypes, genotypes)
    expected = math.exp(log_flb)
    row = candidates(demo, "DCC1").iloc[0]
    assert kind == "value" and float(row["flb"]) == pytest.approx(expected, rel=1e-5)
    assert 4.33 <= expected < 18.7 and row["pp1"] == "moderate"
    assert row["acmg_codes"] == "PM2_Supporting;PP1_Moderate"  # absent from the demo gnomAD
    # affected carriers I-1 -> II-1 (1), II-1 -> III-1 (1), I-1 -> II-3 -> III-4 (2)
    assert str(row["informative_meioses"]) == "4" and row["meioses_strength"] == "moderate"


def test_consequences_and_hgvs_in_the_demo_outputs(demo):
    """Each designed site has the consequence make_test_data.py built it for (and that
    bcftools csq confirmed on the same GFF3 and FASTA when the designs were made)."""
    for family in ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1"):
        table = all_variants(demo, family)
        for name, site in sites(family).items():
            if not site["expect"]:
                continue
            rows = table[table.pos == site["pos"]]  # both halves of a split multiallelic
            assert len(rows) == len(site["alts"]), name
            for row in rows.to_dict("records"):
                for key, value in site["expect"].items():
                    assert row[key] == value, (name, key)
                assert row["annotation_source"] == "cmmvar offline (GFF3 + FASTA)"
    xl = all_variants(demo, "XL1")
    # the designed deletion removes coding base 100 of ANOS1 (make_test_data.x_linked)
    assert list(xl[xl.pos == sites("XL1")["anos1_hemizygous"]["pos"]].hgvs_c) == ["c.100del"]
    # DCC-202 (make_test_data._retained_intron) starts with DCC's exon 1 at 52,340,197: the
    # missense at 52,340,409 is its base 213, reported beside the MANE transcript in the JSON
    seg = report_of(demo, "DCC1")["candidates"][0]
    assert seg["transcript"] == "ENST00000442544.7"
    assert seg["other_transcripts"] == [{
        "transcript": "ENST00000581580.1", "gene": "DCC",
        "consequence": "non_coding_transcript_exon_variant", "hgvs_c": "n.213G>C",
        "hgvs_p": ""}]
    cons = all_variants(demo, "CONS1").iloc[0]
    assert cons.hgvs_c.split("+")[1] == "1G>A" and cons.hgvs_p == ""  # donor +1, no p.


def test_gnomad_and_clinvar_in_the_demo_outputs(demo):
    """Values written into the demo resources by make_test_data.py come through, matched
    on the normalised allele; a variant missing from gnomAD is 'absent', not AF 0."""
    dcc = all_variants(demo, "DCC1")
    s = sites("DCC1")
    seg = dcc[dcc.pos == s["dcc_segregating"]["pos"]].iloc[0]
    assert (seg.gnomad_status, seg.gnomad_af) == ("absent", "")
    assert (seg.clinvar_significance, seg.clinvar_id, str(seg.clinvar_stars)) == (
        "Pathogenic", "900001", "2")
    assert seg.clinvar_conditions == "Mirror movements 1|not provided"
    common = dcc[dcc.pos == s["dcc_spouse_only"]["pos"]].iloc[0]
    assert (common.gnomad_status, common.gnomad_af, common.gnomad_grpmax_af,
            common.gnomad_grpmax, common.gnomad_faf95_max, str(common.gnomad_nhomalt)) == (
        "found", "0.002018", "0.003112", "nfe", "0.00295", "4")
    # the multiallelic deletion is one right-padded record in the demo gnomAD
    multi = dcc[dcc.pos == s["dcc_multiallelic"]["pos"]].set_index("ref")
    ref = s["dcc_multiallelic"]["ref"]
    assert (multi.loc[ref[:2]].gnomad_af, multi.loc[ref].gnomad_af) == ("2.055e-06", "6.849e-07")
    xl = all_variants(demo, "XL1")
    het = xl[xl.pos == sites("XL1")["anos1_male_het"]["pos"]].iloc[0]
    assert het.clinvar_significance == "not in ClinVar"


def test_filters_in_the_demo(demo):
    """DCC1: the synonymous SNV is common in the demo gnomAD (filtering AF 0.00295 > DCC's
    cap 2.6e-6) and the intronic/downstream ones are not in filters.consequences; TRIO1:
    the UTR and intronic ones likewise. Their reasons are in report.json and counted in
    qc.json."""
    dcc = report_of(demo, "DCC1")
    s = sites("DCC1")
    reasons = {(r["pos"], r["ref"]): r["filters"] for r in dcc["filtered"]}
    assert reasons[(s["dcc_spouse_only"]["pos"], "C")] == [
        "frequency: gnomAD filtering AF 0.00295 > 2.6e-06"]
    assert reasons[(s["dcc_in_padding"]["pos"], "C")] == [
        "consequence: downstream_gene_variant is not in filters.consequences"]
    qc = json.loads((demo / "families" / "DCC1" / "qc.json").read_text())
    assert qc["prioritisation_filters"] == {"consequence": 3, "frequency": 2}
    trio = report_of(demo, "TRIO1")
    assert sorted(r["consequence"] for r in trio["filtered"]) == [
        "3_prime_UTR_variant", "intron_variant"]


def test_annotate_command_gives_the_workflow_columns_and_values(demo, tmp_path):
    """`cmmvar annotate` on the raw DCC VCF (not extracted) agrees with the workflow's
    annotation of the records the workflow kept."""
    out = tmp_path / "dcc.tsv"
    resources = ROOT / "test_data" / "resources"
    run = subprocess.run(
        [str(Path(sys.executable).with_name("cmmvar")), "annotate",
         "--vcf", str(ROOT / "test_data/vcf/dcc_family.vcf.gz"),
         "--gff3", str(resources / "transcripts.gff3"),
         "--fasta", str(resources / "reference.fa.gz"),
         "--gnomad", str(resources / "gnomad.vcf.gz"),
         "--clinvar", str(resources / "clinvar.vcf.gz"),
         "--panel", str(ROOT / "config/panels/cmm.tsv"), "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    mine = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    theirs = pd.read_csv(demo / "work/annotate/dcc_family.tsv", sep="\t", dtype=str,
                         keep_default_na=False)
    assert list(mine.columns) == list(theirs.columns)
    # the command keeps the LowQual record too (no FILTER filtering), the workflow drops it
    key = ["chrom", "pos", "ref", "alt"]
    merged = theirs.merge(mine, on=key, suffixes=("", "_cli"))
    assert len(merged) == len(theirs) == 5 and len(mine) == 6
    for column in theirs.columns:
        if column not in key:
            assert list(merged[column]) == list(merged[column + "_cli"]), column
    assert "chr2" not in set(mine.chrom)


def test_snakemake_run_report_lists_the_family_reports(demo):
    """`snakemake --report` packs the outputs wrapped with report() with their captions."""
    workdir = demo.parent
    run = snakemake(workdir, "--report", "run_report.html")
    assert run.returncode == 0, run.stderr[-3000:]
    page = (workdir / "run_report.html").read_text()
    for expected in ("DCC1", "XL1", "report.html", "cohort_summary.tsv",
                     "Report of family",
                     "One row per family with its best ranked candidate that has no BS4"):
        assert expected in page, expected


def test_cohort_index_links_each_family_report_with_its_top_candidate(demo):
    import re

    index = (demo / "index.html").read_text()
    links = re.findall(r'<a href="families/([^/"]+)/report.html">', index)
    # CH1's compound-heterozygous pair has its own line, as in cohort_summary.tsv
    assert links == ["DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1", "CH1"]
    assert 'href="cohort_summary.tsv"' in index
    row = re.search(r'<tr data-family="DCC1">(.*?)</tr>', index, re.DOTALL).group(1)
    assert "DCC c.153G&gt;C p.(Gln51His)" in row and "PM2_Supporting;PP1_Moderate" in row
