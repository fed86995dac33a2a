"""The demo's outputs agree with each other and with the files they come from: the cohort
summary with each family's candidates.tsv, the cohort product with the families' full-precision
Bayes factors, every PED member with a genotype status per variant in report.json, and
run_info.json's checksums with the files themselves."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd

FAMILIES = ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1")
INDEX_SUFFIXES = (".tbi", ".csi", ".fai", ".gzi")


def tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def report_of(results: Path, family: str) -> dict:
    return json.loads((results / "families" / family / "report.json").read_text())


def test_summary_row_is_each_familys_best_ranked_candidate_without_bs4(shared_demo):
    """The summary's candidate is the first ranked row of candidates.tsv whose bs4 is none
    (RAD1 has none: its row is empty); rows listed apart (empty rank) are not counted."""
    summary = tsv(shared_demo / "cohort_summary.tsv").set_index("family_id")
    assert list(summary.index) == list(FAMILIES)
    for family in FAMILIES:
        table = tsv(shared_demo / "families" / family / "candidates.tsv")
        ranked = table[table["rank"] != ""]
        row = summary.loc[family]
        assert row["n_candidates"] == str(len(ranked)), family
        assert list(ranked["rank"]) == [str(i) for i in range(1, len(ranked) + 1)]
        shared = [c for c in summary.columns if c in table.columns]
        assert len(shared) == 24  # all but family_id (the index), n_candidates, cohort_*, note
        put_forward = ranked[ranked["bs4"] == "none"]
        if family == "RAD1":
            assert put_forward.empty and {row[c] for c in shared} == {""}
            continue
        first = put_forward.iloc[0]
        assert first["family_id"] == family
        assert {c: row[c] for c in shared} == {c: first[c] for c in shared}, family


def test_cohort_product_is_the_product_of_the_families_full_precision_values(shared_demo):
    """Independently of cmmvar.report.cohort: per variant, multiply the report.json floats of every
    family that keeps it, and compare with cohort_variants.tsv and the summary."""
    floats: dict[tuple, dict[str, float | None]] = {}
    for family in FAMILIES:
        for candidate in report_of(shared_demo, family)["candidates"]:
            value = candidate["segregation"]["flb"]
            # the TSV shows the float to 6 significant figures, and the JSON keeps it whole
            assert candidate["flb"] == ("" if value is None else f"{value:.6g}")
            key = (candidate["chrom"], str(candidate["pos"]), candidate["ref"],
                   candidate["alt"])
            floats.setdefault(key, {})[family] = value
    assert any(v is not None and float(f"{v:.6g}") != v
               for by_family in floats.values() for v in by_family.values())
    variants = tsv(shared_demo / "cohort_variants.tsv")
    assert len(variants) == len(floats)
    for row in variants.to_dict("records"):
        by_family = floats[(row["chrom"], row["pos"], row["ref"], row["alt"])]
        assert row["families"].split(",") == list(by_family)
        defined = [v for v in by_family.values() if v is not None]
        expected = f"{math.prod(defined):.6g}" if defined else ""
        assert row["cohort_flb"] == expected
    summary = tsv(shared_demo / "cohort_summary.tsv")
    for row in summary.to_dict("records"):
        if not row["pos"]:  # no candidate put forward (RAD1: BS4 only)
            continue
        by_family = floats[(row["chrom"], row["pos"], row["ref"], row["alt"])]
        assert row["cohort_families"] == str(len(by_family))


def ped_members(path: Path) -> tuple[list[str], set[str]]:
    """(the individuals a PED file lists, the parents it names), read here by hand."""
    listed, parents = [], set()
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            _, iid, father, mother, *_ = line.split()
            listed.append(iid)
            parents |= {father, mother} - {"0"}
    return listed, parents


def test_every_ped_member_has_a_genotype_status_for_every_variant(shared_demo):
    sheet = tsv(shared_demo.parent / "test_data" / "families.tsv").set_index("family_id")
    for family in FAMILIES:
        listed, parents = ped_members(shared_demo.parent / sheet.loc[family, "ped"])
        report = report_of(shared_demo, family)
        pedigree = {p["id"]: p for p in report["pedigree"]}
        added = {pid for pid, p in pedigree.items() if p["added_by_cmmvar"]}
        assert set(pedigree) == set(listed) | parents, family
        assert added == parents - set(listed), family
        sequenced = set(report["qc"]["samples"]["sequenced"])
        assert sequenced and not added & sequenced
        variants = report["candidates"] + report["not_explaining"] + report["filtered"]
        assert variants, family
        for variant in variants:
            genotypes = variant["genotypes"]
            assert set(genotypes) == set(pedigree), (family, variant["pos"])
            for pid, call in genotypes.items():
                if pid in sequenced:
                    assert call["status"] != "not_sequenced", (family, pid)
                else:
                    assert (call["status"], call["copies"]) == ("not_sequenced", None)
    cons = report_of(shared_demo, "CONS1")
    # the spouses CON_II2 and CON_II4 are named as parents but not listed in the PED
    assert {p["id"] for p in cons["pedigree"] if p["added_by_cmmvar"]} == {"CON_II2", "CON_II4"}
    assert cons["candidates"][0]["genotypes"]["CON_II2"]["status"] == "not_sequenced"


def test_run_info_checksums_every_input_resource_index_and_config_used(shared_demo):
    project = shared_demo.parent
    info = json.loads((shared_demo / "run_info.json").read_text())
    records = {kind: {r["path"]: r for r in rs} for kind, rs in info["files"].items()}
    sheet = tsv(project / "test_data" / "families.tsv")
    resources = project / "test_data" / "resources"
    data_files = sorted(set(sheet.vcf)) + [f"test_data/resources/{p.name}"
                                           for p in resources.iterdir()
                                           if not p.name.endswith(INDEX_SUFFIXES)]
    expected = {
        "config": {"config/config.yaml", "config/demo.yaml"},
        "families_sheet": {"test_data/families.tsv"},
        "panel": {"config/panels/cmm.tsv"},
        "ped": set(sheet.ped),
        "vcf": set(sheet.vcf),
        "annotation": {f"test_data/resources/{p.name}" for p in resources.iterdir()
                       if not p.name.endswith(INDEX_SUFFIXES)},
        # every index found on disk beside a VCF or a resource
        "indexes": {f"{path}{suffix}" for path in data_files for suffix in INDEX_SUFFIXES
                    if (project / f"{path}{suffix}").exists()},
    }
    assert {kind: set(paths) for kind, paths in records.items()} == expected
    assert {"test_data/vcf/trio.bcf.csi", "test_data/resources/reference.fa.gz.gzi",
            "test_data/resources/gnomad.vcf.gz.tbi"} <= expected["indexes"]
    for kind, by_path in records.items():
        for path, record in by_path.items():
            data = (project / path).read_bytes()
            assert (record["sha256"], record["bytes"]) == (
                hashlib.sha256(data).hexdigest(), len(data)), (kind, path)
