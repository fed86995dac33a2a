"""cmmvar.defaults: every default is written once, in the config schema, and the library and
the command line read it from the schema files installed with the package, which are the
workflow's own (workflow/schemas)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from cmmvar.cli import build_parser
from cmmvar.defaults import schema_default, schema_path
from cmmvar.segregate.segregation import Settings, settings_from_config
from cmmvar.segregate.sensitivity import grid_from_config

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_SCHEMAS = ROOT / "workflow" / "schemas"
SCHEMA = yaml.safe_load((WORKFLOW_SCHEMAS / "config.schema.yaml").read_text())


def default(*keys: str):
    """The default of a key path, read here from the workflow's schema file."""
    node = SCHEMA
    for key in keys:
        node = node["properties"][key]
    return node["default"]


@pytest.mark.parametrize("name", ["config", "families", "panel"])
def test_the_installed_schema_is_the_file_the_workflow_validates_with(name):
    assert schema_path(name).read_bytes() == (WORKFLOW_SCHEMAS / f"{name}.schema.yaml").read_bytes()


def test_the_schemas_are_package_data_of_the_wheel():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "schemas/*.schema.yaml" in pyproject["tool"]["setuptools"]["package-data"]["cmmvar"]


def test_the_default_allele_frequency_is_the_one_of_the_design():
    """DESIGN.md's configuration contract: segregation.allele_frequency 0.0001 and
    filters.max_allele_frequency 0.0001."""
    assert schema_default("segregation", "allele_frequency") == 0.0001
    assert schema_default("filters", "max_allele_frequency") == 0.0001


def test_a_default_is_a_copy_that_a_caller_may_change():
    grid = schema_default("segregation", "sensitivity")
    grid["allele_frequencies"].append(0.5)
    assert schema_default("segregation", "sensitivity") == default("segregation", "sensitivity")


SEGREGATE = ["segregate", "--vcf", "f.vcf", "--ped", "f.ped", "--out", "o.tsv",
             "--inheritance", "AD", "--penetrance", "0.5", "--phenocopy", "0.001"]


def test_the_command_line_defaults_are_the_config_schemas():
    parser = build_parser()
    segregate = parser.parse_args(SEGREGATE)
    assert segregate.allele_frequency == default("segregation", "allele_frequency") == 0.0001
    assert segregate.min_gq == default("filters", "min_gq") == 20
    assert segregate.min_dp == default("filters", "min_dp") == 8
    extract = parser.parse_args(["extract", "--vcf", "f.vcf", "--panel", "p.tsv",
                                 "--build", "GRCh38", "--out", "o.vcf.gz"])
    assert extract.padding == default("padding") == 100
    annotate = parser.parse_args(["annotate", "--vcf", "f.vcf", "--gff3", "t.gff3",
                                  "--fasta", "r.fa", "--out", "o.tsv"])
    assert annotate.padding == default("padding")
    assert annotate.cache == default("annotation", "cache") == ".cache/cmmvar"


def test_a_value_given_on_the_command_line_replaces_the_default():
    args = build_parser().parse_args(SEGREGATE + ["--allele-frequency", "0.002"])
    assert args.allele_frequency == 0.002


def test_the_library_settings_take_the_schema_defaults():
    """Settings() and settings_from_config({}) (what `cmmvar segregate` and a library caller
    get) weigh a family with the workflow's allele frequency and de novo allele balance."""
    for settings in (Settings(), settings_from_config({})):
        assert settings.allele_frequency == default("segregation", "allele_frequency")
        assert settings.max_parent_alt_fraction == default("segregation",
                                                           "max_parent_alt_fraction") == 0.05


def test_the_sensitivity_grid_defaults_are_the_schemas():
    assert grid_from_config(None) == default("segregation", "sensitivity") == {
        "phenocopy_rates": [0.0001, 0.001, 0.01, 0.05], "penetrance_shifts": [-0.2, 0.0, 0.2],
        "allele_frequencies": [0.00001, 0.0001, 0.001]}
