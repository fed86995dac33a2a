"""The panel's '## key: value' header (issue 17): the condition's name comes from the panel,
checked against workflow/schemas/panel.schema.yaml ($defs.header); and the second test panel,
test_data/kallmann/kallmann.tsv, is a valid panel of another condition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cmmvar.errors import PanelError
from cmmvar.io.panel import load_panel, panel_record

ROOT = Path(__file__).resolve().parents[2]
CMM = ROOT / "config" / "panels" / "cmm.tsv"
KALLMANN = ROOT / "test_data" / "kallmann" / "kallmann.tsv"
ROW = ("symbol\thgnc_id\tensembl_gene\tmane_transcript\tchrom\tstart_grch38\tend_grch38\t"
       "start_grch37\tend_grch37\tstrand\tinheritance\tpenetrance\tphenocopy_rate\t"
       "max_allele_frequency\ttier\tevidence\tsource\n"
       "GENE1\tHGNC:1\tENSG00000000001\tENST00000000001.1\t18\t1000\t2000\t500\t1500\t+\tAD\t"
       "0.5\t0.001\t1e-5\tcore\ta family\ta paper\n")


def panel_with(tmp_path: Path, *header: str) -> Path:
    path = tmp_path / "panel.tsv"
    path.write_text("".join(line + "\n" for line in header) + ROW, encoding="utf-8")
    return path


def test_demo_panel_names_congenital_mirror_movements():
    assert panel_record(CMM)["condition"] == "congenital mirror movements"


def test_panel_without_a_condition_line_loads_and_names_none(tmp_path):
    path = panel_with(tmp_path, "## version: 1")
    assert [g.symbol for g in load_panel(path, "GRCh38")] == ["GENE1"]
    assert panel_record(path)["condition"] is None


@pytest.mark.parametrize("line", ["## condition:", "## condition:   "])
def test_empty_condition_line_is_an_error_naming_file_and_line(tmp_path, line):
    path = panel_with(tmp_path, line)
    with pytest.raises(PanelError) as caught:
        load_panel(path, "GRCh38")
    message = str(caught.value)
    assert str(path) in message
    assert "header line '## condition': '' should be non-empty" in message


@pytest.mark.parametrize(("length", "ok"), [(1, True), (120, True), (121, False)])
def test_condition_name_length_limit_is_120_characters(tmp_path, length, ok):
    path = panel_with(tmp_path, "## condition: " + "d" * length)
    if ok:
        assert load_panel(path, "GRCh38")[0].symbol == "GENE1"
        assert panel_record(path)["condition"] == "d" * length
    else:
        with pytest.raises(PanelError, match="header line '## condition': .* is too long"):
            load_panel(path, "GRCh38")


def test_empty_version_line_is_an_error(tmp_path):
    with pytest.raises(PanelError, match="header line '## version'"):
        load_panel(panel_with(tmp_path, "## version: "), "GRCh38")


@pytest.mark.parametrize("build", ["GRCh38", "GRCh37"])
def test_kallmann_test_panel_has_ad_ar_and_xlr_genes_of_its_own_condition(build):
    genes = {g.symbol: g.inheritance for g in load_panel(KALLMANN, build)}
    assert genes == {"ANOS1": "XLR", "FGFR1": "AD", "PROKR2": "AR", "PROK2": "AR"}
    assert panel_record(KALLMANN)["condition"] == "Kallmann syndrome"


def test_kallmann_test_panel_has_no_mirror_movement_wording():
    text = KALLMANN.read_text(encoding="utf-8")
    assert not re.search(r"mirror|\bCMM\b|synkinesia", text, re.I)
