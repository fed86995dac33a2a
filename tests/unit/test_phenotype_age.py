"""Age-aware phenotypes (segregation.min_phenotype_age): a member younger than the threshold
has a coded phenotype counted as unknown, exactly as if the PED said unknown; a member of the
threshold's age, or without an age, keeps it; the recoding is named in the QC and reports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cmmvar.defaults import schema_default
from cmmvar.io.pedigree import Family, Individual, Phenotype, Sex, below_phenotype_age
from cmmvar.report.family import write_family_outputs
from cmmvar.segregate.genotypes import Thresholds
from cmmvar.segregate.segregation import settings_from_config
from cmmvar.stages import segregate_stage
from tests.unit.helpers.config import FILES, USER, check, error_of
from tests.unit.helpers.ped_parsing import segregate
from tests.unit.helpers.stages import prepare

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "config/panels/cmm.tsv"
DCC_VCF = ROOT / "test_data/vcf/dcc_family.vcf.gz"
DCC_VARIANT = ("chr18", 52340409, "G", "C")  # the demo family's segregating DCC missense
CHILD = "DCC_III1"  # affected son of DCC_II1, a carrier


def person(pid: str, phenotype: Phenotype, age: float | None) -> Individual:
    return Individual(pid, None, None, Sex.FEMALE, phenotype, line=1, age=age)


@pytest.mark.parametrize(("age", "expected"), [
    (9.99, Phenotype.UNKNOWN), (10, Phenotype.AFFECTED), (10.01, Phenotype.AFFECTED),
    (0, Phenotype.UNKNOWN), (None, Phenotype.AFFECTED)])
def test_a_coded_phenotype_counts_as_unknown_only_below_the_threshold(age, expected):
    family = Family("F", (person("kid", Phenotype.AFFECTED, age),), "f.ped")
    assert below_phenotype_age(family, 10)["kid"].phenotype is expected


def test_an_unaffected_young_child_is_recoded_too_and_named_with_the_age():
    family = Family("F", (person("kid", Phenotype.UNAFFECTED, 6.5),
                          person("mum", Phenotype.AFFECTED, 34)), "f.ped", ("earlier note",))
    recoded = below_phenotype_age(family, 10)
    assert recoded["kid"].phenotype is Phenotype.UNKNOWN
    assert recoded["mum"].phenotype is Phenotype.AFFECTED
    assert recoded.warnings == (
        "earlier note",
        "kid is coded unaffected in the PED but is 6.5 years old, below the phenotype age of "
        "10 years (segregation.min_phenotype_age): counted as unknown phenotype in the counts "
        "and the likelihood")


def test_no_threshold_or_an_unknown_phenotype_leaves_the_family_as_it_is():
    family = Family("F", (person("kid", Phenotype.AFFECTED, 3),
                          person("baby", Phenotype.UNKNOWN, 1)), "f.ped")
    assert below_phenotype_age(family, None) is family
    recoded = below_phenotype_age(family, 2)  # only the kid's age, 3, is not below 2
    assert recoded == family and recoded.warnings == ()


def test_the_default_threshold_is_ten_years():
    assert schema_default("segregation", "min_phenotype_age") == 10


@pytest.fixture(scope="module")
def dcc_inputs(tmp_path_factory):
    """DCC1's normalised VCF and annotation table, through the workflow's stage functions."""
    tmp = tmp_path_factory.mktemp("dcc_age")
    prepare(DCC_VCF, tmp)
    return tmp


def dcc_result(inputs: Path, child_phenotype: str, child_age: str, segregation: dict):
    """DCC1 with an age column (empty for everyone but CHILD) and CHILD's phenotype code."""
    lines = (ROOT / "test_data/ped/DCC1.ped").read_text().splitlines()
    out = [lines[0] + "\tage"]
    for line in lines[1:]:
        cells = line.split("\t")
        if cells[1] == CHILD:
            cells[5] = child_phenotype
        out.append("\t".join(cells) + "\t" + (child_age if cells[1] == CHILD else "."))
    ped = inputs / f"DCC1_{child_phenotype}_{child_age}.ped"
    ped.write_text("\n".join(out) + "\n")
    family = {"family": "DCC1", "ped": str(ped), "proband": "", "parentage_confirmed": False}
    [result] = segregate_stage([family], DCC_VCF, inputs / "n.vcf.gz", inputs / "a.tsv",
                               PANEL, "GRCh38", Thresholds(20, 8),
                               {"allele_frequency": 1e-4, **segregation}, {"age": "age"})
    return result


def flb_of(result) -> float:
    [variant] = [v for v in result.variants
                 if (v.chrom, v.pos, v.ref, v.alt) == DCC_VARIANT]
    return variant.segregation.flb


def test_a_child_under_the_threshold_gets_the_flb_of_the_family_with_the_child_unknown(
        dcc_inputs):
    """CHILD (affected carrier) aged 9.9 gives the FLB of the PED coding CHILD 0 (unknown);
    aged 10 exactly, the FLB of the PED as coded (affected); the premise: the two differ."""
    coded = flb_of(dcc_result(dcc_inputs, "2", ".", {}))
    unknown = flb_of(dcc_result(dcc_inputs, "0", ".", {}))
    assert coded != pytest.approx(unknown, rel=1e-3)
    assert flb_of(dcc_result(dcc_inputs, "2", "9.9", {})) == unknown
    assert flb_of(dcc_result(dcc_inputs, "2", "10", {})) == coded
    # the rule off: the child's coded phenotype counts whatever the age
    assert flb_of(dcc_result(dcc_inputs, "2", "3", {"min_phenotype_age": None})) == coded
    # another condition's own threshold
    assert flb_of(dcc_result(dcc_inputs, "2", "9.9", {"min_phenotype_age": 5})) == coded


def test_the_recoded_child_is_named_with_the_age_in_qc_json_report_json_and_html(
        dcc_inputs, tmp_path):
    result = dcc_result(dcc_inputs, "2", "7", {})
    assert result.segregation_settings["min_phenotype_age"] == 10
    settings = {"panel": str(PANEL), "filters": {}, "segregation": {}}
    write_family_outputs(result, {}, {}, {}, settings, tmp_path)
    note = (f"{CHILD} is coded affected in the PED but is 7 years old, below the phenotype "
            "age of 10 years")
    qc = json.loads((tmp_path / "qc.json").read_text())
    assert any(w.startswith(note) for w in qc["pedigree_warnings"])
    report = json.loads((tmp_path / "report.json").read_text())
    assert any(w.startswith(note) for w in report["qc"]["pedigree_warnings"])
    assert note in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize(("text", "value"), [
    ("", 10), ("segregation:\n  min_phenotype_age: null\n", None),
    ("segregation:\n  min_phenotype_age: 0\n", 0),
    ("segregation:\n  min_phenotype_age: 5.5\n", 5.5)])
def test_the_config_threshold_defaults_to_ten_and_takes_null_zero_and_years(
        tmp_path, monkeypatch, text, value):
    config, _ = check(tmp_path, monkeypatch, USER + FILES + text)
    assert config["segregation"]["min_phenotype_age"] == value
    assert settings_from_config(config["segregation"]).min_phenotype_age == value


def test_a_negative_threshold_is_named(tmp_path, monkeypatch):
    text = "segregation:\n  min_phenotype_age: -1\n"
    assert error_of(tmp_path, monkeypatch, USER + FILES + text) == (
        "user1.yaml: key segregation.min_phenotype_age: -1 is less than the minimum of 0 "
        "(see config/README.md for the allowed values)")


def cli_table(tmp_path, kid: str, *extra: str) -> pd.DataFrame:
    """`cmmvar segregate` on a trio whose kid (a carrier, like the affected dad) has the PED
    phenotype and age `kid` ("2\t7": affected, 7 years)."""
    (tmp_path / "f.ped").write_text(
        "#family_id\tindividual_id\tfather_id\tmother_id\tsex\tphenotype\tage\n"
        "F1\tdad\t0\t0\t1\t2\t40\nF1\tmum\t0\t0\t2\t1\t38\n"
        f"F1\tkid\tdad\tmum\t1\t{kid}\n")
    code, errors = segregate(tmp_path, "--ped-columns", "age=age", *extra)
    assert code == 0, errors
    return pd.read_csv(tmp_path / "out.tsv", sep="\t")


def test_the_segregate_command_applies_the_same_threshold(tmp_path):
    coded = cli_table(tmp_path, "2\t.")
    unknown = cli_table(tmp_path, "0\t.")
    assert coded.flb[0] != pytest.approx(unknown.flb[0], rel=1e-3)
    young = cli_table(tmp_path, "2\t7")
    assert (young.flb[0], young.unknown_carriers[0]) == (unknown.flb[0], 1)
    assert cli_table(tmp_path, "2\t10").flb[0] == coded.flb[0]
    assert cli_table(tmp_path, "2\t7", "--min-phenotype-age", "none").flb[0] == coded.flb[0]
    code, errors = segregate(tmp_path, "--min-phenotype-age", "-1")
    assert code == 2
    assert "argument --min-phenotype-age: -1 is not an age in years (0 or more) or none" \
        in errors
