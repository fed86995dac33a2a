"""Any gene panel (issue 17): the Kallmann syndrome test panel (test_data/kallmann/: ANOS1
XLR, FGFR1 AD, PROKR2 and PROK2 AR) runs end to end from its own config on two demo
families, and nothing it writes speaks of mirror movements."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.helpers.demo import copy_project, snakemake

CONFIG = "test_data/kallmann/config.yaml"
WORDING = re.compile(r"mirror|\bCMM\b|congenital|synkinesia", re.I)


@pytest.fixture(scope="module")
def kallmann(tmp_path_factory) -> Path:
    workdir = copy_project(tmp_path_factory.mktemp("kallmann"))
    run = snakemake(workdir, configfile=CONFIG)
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir / "results_kallmann"


def text_of(path: Path) -> str:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:  # bgzip reads as gzip
            return handle.read()
    return path.read_text(encoding="utf-8")


def test_every_report_file_is_free_of_mirror_movement_wording(kallmann):
    files = [p for p in kallmann.rglob("*") if p.is_file() and not p.name.endswith(
        (".tbi", ".csi"))]
    reports = {p.relative_to(kallmann).as_posix() for p in files}
    assert {"index.html", "cohort_summary.tsv", "families/XL1/report.html",
            "families/XL1/report.json", "families/XL1/qc.json", "families/XL1/XL1.vcf.gz",
            "families/CONS1/report.html"} <= reports
    found = {p.relative_to(kallmann).as_posix(): WORDING.search(text_of(p)).group(0)
             for p in files if WORDING.search(text_of(p))}
    assert found == {}


def test_reports_take_the_condition_name_from_the_panel(kallmann):
    assert "<h1>Kallmann syndrome gene panel: 2 families</h1>" in text_of(
        kallmann / "index.html")
    for family in ("XL1", "CONS1"):
        page = text_of(kallmann / "families" / family / "report.html")
        assert f"<h1>Family {family}: Kallmann syndrome gene panel</h1>" in page
        report = json.loads(text_of(kallmann / "families" / family / "report.json"))
        assert report["panel"]["condition"] == "Kallmann syndrome"
        assert report["panel"]["path"].endswith("test_data/kallmann/kallmann.tsv")


def test_xl1_anos1_variants_are_weighed_with_the_test_panels_xlr_model(kallmann):
    """XL1's two ANOS1 records (chrX 8731878 missense, 8731977 frameshift; the demo design)
    are its candidates, with the gene's clinical note from the Kallmann panel."""
    table = pd.read_csv(kallmann / "families" / "XL1" / "candidates.tsv", sep="\t",
                        keep_default_na=False)
    found = sorted(zip(table["gene"], table["pos"], strict=True))
    assert found == [("ANOS1", 8731878), ("ANOS1", 8731977)]
    report = json.loads(text_of(kallmann / "families" / "XL1" / "report.json"))
    assert {c["gene_model"]["inheritance"] for c in report["candidates"]} == {"XLR"}
    assert {c["inheritance"] for c in report["candidates"]} == {"XLR"}
    assert "Kallmann syndrome work-up" in text_of(kallmann / "families" / "XL1" / "report.html")


def test_cons1_has_no_variant_in_the_kallmann_genes(kallmann):
    """CONS1's only panel variant in the demo lies in DNAL4, which this panel lacks."""
    table = pd.read_csv(kallmann / "families" / "CONS1" / "candidates.tsv", sep="\t")
    assert table.empty
