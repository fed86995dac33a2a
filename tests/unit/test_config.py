"""cmmvar.config and the synthetic-demo marker: a user's config never inherits the demo's files,
a missing key is one message naming it, `none` runs without a resource and says so, and the
demo's synthetic resources are recognised by what is in them, not by where they are.

Configs are merged as Snakemake merges them: the template config/config.yaml underneath, the
--configfile(s) over it (snakemake.utils.update_config).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pysam
import pytest
import yaml
from snakemake.utils import update_config

from cmmvar.config import (
    annotation_files,
    check_config,
    is_none,
    not_checked,
    resolved_annotation,
)
from cmmvar.errors import ConfigError
from cmmvar.provenance import resource_record, synthetic_demo_marker
from cmmvar.report.family import synthetic_demo_resources
from tests.unit.helpers.config import FILES, ROOT, SCHEMA, TEMPLATE, USER, check, error_of

RESOURCES = ROOT / "test_data" / "resources"
# --- the template and the demo ---------------------------------------------------------------

def test_template_names_no_file_and_no_build():
    template = yaml.safe_load(TEMPLATE.read_text())
    assert template["families"] is None and template["genome_build"] is None
    assert {k: template["annotation"][k] for k in ("transcripts_gff3", "reference_fasta",
                                                   "gnomad_vcf", "clinvar_vcf")} == dict.fromkeys(
        ("transcripts_gff3", "reference_fasta", "gnomad_vcf", "clinvar_vcf"))
    assert "test_data" not in TEMPLATE.read_text()
    assert template["panel"] == "config/panels/cmm.tsv"


def test_demo_config_passes_and_names_the_demo_files(tmp_path, monkeypatch):
    config, files = check(tmp_path, monkeypatch, (ROOT / "config/demo.yaml").read_text())
    assert files == [str(TEMPLATE), "user1.yaml"]
    assert annotation_files(config["annotation"]) == {
        "reference_fasta": "test_data/resources/reference.fa.gz",
        "transcripts_gff3": "test_data/resources/transcripts.gff3",
        "gnomad_vcf": "test_data/resources/gnomad.vcf.gz",
        "clinvar_vcf": "test_data/resources/clinvar.vcf.gz"}
    assert not_checked(config["annotation"]) == []


# --- missing keys ------------------------------------------------------------------------------

def test_no_configfile_is_one_message_saying_to_pass_one_or_run_the_demo():
    config = yaml.safe_load(TEMPLATE.read_text())
    with pytest.raises(ConfigError) as caught:
        check_config(config, [], SCHEMA, template=TEMPLATE)
    message = str(caught.value)
    assert message.startswith("no configuration given: pass your own with --configfile "
                              "yours.yaml")
    assert "run the demo with `make run` (snakemake --configfile config/demo.yaml)" in message


def test_config_naming_only_families_build_and_outdir_needs_gnomad_and_clinvar(
        tmp_path, monkeypatch):
    """Offline (the default), every annotation file is required; nothing comes from the
    template, which names none, and nothing from the demo."""
    message = error_of(tmp_path, monkeypatch, USER)
    assert message.startswith("user1.yaml: key annotation.reference_fasta is not set: give the "
                              "indexed reference FASTA")
    assert ("key annotation.gnomad_vcf is not set: give the tabix-indexed gnomAD sites VCF (or "
            "the panel slice that scripts/build_resources.py makes), or none to run without it"
            in message)
    assert ("key annotation.clinvar_vcf is not set: give the tabix-indexed ClinVar VCF, or none "
            "to run without it") in message
    assert "key annotation.transcripts_gff3 is not set" in message
    assert "never the demo's" in message and "test_data" not in message


def test_only_the_unset_resource_is_named(tmp_path, monkeypatch):
    text = USER + FILES.replace("  clinvar_vcf: ref/clinvar.vcf.gz\n", "")
    message = error_of(tmp_path, monkeypatch, text)
    assert message.startswith("user1.yaml: key annotation.clinvar_vcf is not set:")
    assert "gnomad_vcf" not in message.split("(")[0]


@pytest.mark.parametrize("key", ["families", "genome_build"])
def test_missing_required_key_is_named(tmp_path, monkeypatch, key):
    text = "".join(line + "\n" for line in (USER + FILES).splitlines()
                   if not line.startswith(f"{key}:"))
    message = error_of(tmp_path, monkeypatch, text)
    assert message.startswith(f"user1.yaml: key {key} is not set (")
    assert "start from a copy of" in message


def test_key_set_empty_is_as_missing(tmp_path, monkeypatch):
    message = error_of(tmp_path, monkeypatch, (USER + FILES).replace(
        "families: my/families.tsv", 'families: ""'))
    assert message.startswith("user1.yaml: key families is not set (the families sheet, a TSV "
                              "of family_id, vcf, ped")


# --- none ----------------------------------------------------------------------------------------

def test_none_runs_without_gnomad_and_clinvar_and_says_so(tmp_path, monkeypatch):
    text = USER + FILES.replace("ref/gnomad.vcf.gz", "none").replace("ref/clinvar.vcf.gz",
                                                                      "none")
    config, _ = check(tmp_path, monkeypatch, text)
    annotation = config["annotation"]
    assert annotation_files(annotation) == {"reference_fasta": "ref/GRCh38.fa.gz",
                                            "transcripts_gff3": "ref/transcripts.gff3"}
    resolved = resolved_annotation(annotation)
    assert (resolved["gnomad_vcf"], resolved["clinvar_vcf"]) == (None, None)
    assert resolved["reference_fasta"] == "ref/GRCh38.fa.gz" and resolved["mode"] == "offline"
    unchecked = not_checked(annotation)
    assert [(n["resource"], n["database"]) for n in unchecked] == [
        ("annotation.gnomad_vcf", "gnomAD"), ("annotation.clinvar_vcf", "ClinVar")]
    assert "none was given PM2" in unchecked[0]["consequence"]


def test_gff3_none_means_consequences_from_the_vcf_only(tmp_path, monkeypatch):
    config, _ = check(tmp_path, monkeypatch,
                      USER + FILES.replace("ref/transcripts.gff3", "none"))
    [unchecked] = not_checked(config["annotation"])
    assert unchecked["resource"] == "annotation.transcripts_gff3"
    assert "only from the VCF's own VEP CSQ or snpEff ANN" in unchecked["consequence"]


def test_reference_fasta_cannot_be_none(tmp_path, monkeypatch):
    message = error_of(tmp_path, monkeypatch,
                       USER + FILES.replace("ref/GRCh38.fa.gz", "none"))
    assert message.startswith("user1.yaml: key annotation.reference_fasta cannot be none: a run "
                              "needs the indexed reference FASTA")


@pytest.mark.parametrize("value,meant", [("none", True), ("None", True), (" NONE ", True),
                                         ("none.vcf.gz", False), ("", False), (None, False),
                                         ("resources/none", False)])
def test_only_the_word_none_means_no_file(value, meant):
    assert is_none(value) is meant


def test_online_mode_needs_only_the_reference(tmp_path, monkeypatch):
    """Online, VEP REST and MyVariant.info stand in for the GFF3, gnomAD and ClinVar files:
    nothing is reported 'not checked', even when they are set to none."""
    text = USER + "annotation:\n  mode: online\n  reference_fasta: ref/GRCh38.fa.gz\n" \
                  "  gnomad_vcf: none\n"
    config, _ = check(tmp_path, monkeypatch, text)
    assert not_checked(config["annotation"]) == []
    message = error_of(tmp_path, monkeypatch, USER + "annotation:\n  mode: online\n")
    assert message.startswith("user1.yaml: key annotation.reference_fasta is not set")
    assert "gnomad_vcf" not in message


# --- wrong values name the file that sets them ---------------------------------------------------

def test_wrong_type_names_the_user_file_that_sets_the_key(tmp_path, monkeypatch):
    message = error_of(tmp_path, monkeypatch, USER + FILES + "filters:\n  min_gq: twenty\n")
    assert message.startswith("user1.yaml: key filters.min_gq: 'twenty' is not of type "
                              "'integer'")


def test_of_two_configfiles_the_one_setting_the_bad_key_is_named(tmp_path, monkeypatch):
    message = error_of(tmp_path, monkeypatch, USER + FILES, "filters:\n  min_depth: 8\n")
    assert message.startswith("user2.yaml: key filters: Additional properties are not allowed "
                              "('min_depth' was unexpected)")


def test_config_files_are_returned_in_merge_order_once_each(tmp_path, monkeypatch):
    _, files = check(tmp_path, monkeypatch, USER, FILES)
    assert files == [str(TEMPLATE), "user1.yaml", "user2.yaml"]
    config = yaml.safe_load(TEMPLATE.read_text())
    update_config(config, yaml.safe_load(USER + FILES))
    # the template passed as --configfile too (edited in place): listed once
    assert check_config(config, [TEMPLATE], SCHEMA, template=TEMPLATE) == [str(TEMPLATE)]


def test_schema_defaults_are_filled(tmp_path, monkeypatch):
    config, _ = check(tmp_path, monkeypatch, USER + FILES)
    assert config["segregation"]["pp1"] == {"supporting": 2.08, "moderate": 4.33,
                                            "strong": 18.7}
    assert config["annotation"]["retries"] == 4


# --- the synthetic-demo marker ----------------------------------------------------------------

DEMO = ("gnomad.vcf.gz", "clinvar.vcf.gz", "transcripts.gff3", "reference.fa.gz")


@pytest.mark.parametrize("name", DEMO)
def test_every_demo_resource_carries_the_marker(name):
    marker = synthetic_demo_marker(RESOURCES / name)
    assert marker and marker.startswith("synthetic ") and "not real data" in marker


@pytest.mark.parametrize("name", DEMO)
def test_a_demo_resource_copied_under_another_name_is_still_recognised(tmp_path, name):
    copy = tmp_path / "resources" / "GRCh38" / name.replace("gnomad", "gnomad.joint.v4.1")
    copy.parent.mkdir(parents=True)
    shutil.copy(RESOURCES / name, copy)
    assert synthetic_demo_marker(copy) == synthetic_demo_marker(RESOURCES / name)
    assert resource_record(copy)["synthetic_demo"] == synthetic_demo_marker(copy)


def _vcf_without_marker(source: Path, target: Path) -> None:
    with gzip.open(source, "rt") as handle:
        lines = [line for line in handle if not line.startswith("##cmmvar_synthetic_demo")]
    plain = target.with_suffix("")
    plain.write_text("".join(lines))
    pysam.tabix_compress(str(plain), str(target), force=True)
    plain.unlink()


@pytest.mark.parametrize("name", ["gnomad.vcf.gz", "clinvar.vcf.gz"])
def test_a_real_looking_vcf_without_the_marker_is_not_synthetic(tmp_path, name):
    """The same records and header, bgzipped, without the marker line: not recognised, even
    in a folder and under a name that say 'demo'."""
    target = tmp_path / "test_data" / f"demo_{name}"
    target.parent.mkdir()
    _vcf_without_marker(RESOURCES / name, target)
    with pysam.VariantFile(str(target)) as vcf:  # still a VCF htslib reads
        assert len(list(vcf)) > 0
    assert synthetic_demo_marker(target) is None
    assert "synthetic_demo" not in resource_record(target)


def test_real_looking_gff3_and_fasta_without_the_marker_are_not_synthetic(tmp_path):
    gff3 = tmp_path / "Homo_sapiens.GRCh38.113.chr18.gff3"
    gff3.write_text("##gff-version 3\n#!genome-build GRCh38.p14\n#!genome-version GRCh38\n"
                    "18\tensembl_havana\tgene\t52340197\t53535899\t.\t+\t.\tID=gene:X\n")
    fasta = tmp_path / "GRCh38.fa"
    fasta.write_text(">chr18 dna:chromosome chromosome:GRCh38:18:1:80373285:1 REF\nACGT\n")
    assert synthetic_demo_marker(gff3) is None and synthetic_demo_marker(fasta) is None


def test_the_marker_counts_only_in_the_header(tmp_path):
    """A word in a record (after the header) or in a second FASTA description is data, not a
    marker; a file's name never counts."""
    vcf = tmp_path / "cmmvar_synthetic_demo.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "chr1\t10\tcmmvar_synthetic_demo\tA\tC\t.\t.\tX=##cmmvar_synthetic_demo=1\n"
                   "##cmmvar_synthetic_demo=late\n")
    fasta = tmp_path / "two.fa"
    fasta.write_text(">chr1 real\nACGT\n>chr2 cmmvar_synthetic_demo=x\nACGT\n")
    assert synthetic_demo_marker(vcf) is None and synthetic_demo_marker(fasta) is None


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b\x08 truncated gzip",
                                     b"BCF\x02\x02 binary"])
def test_empty_truncated_or_binary_files_have_no_marker(tmp_path, content):
    path = tmp_path / "file"
    path.write_bytes(content)
    assert synthetic_demo_marker(path) is None


def test_bcf_has_no_marker():
    assert synthetic_demo_marker(ROOT / "test_data/vcf/trio.bcf") is None


def test_report_lists_the_marked_annotation_files():
    annotation = {"files": {
        "gnomad_vcf": resource_record(RESOURCES / "gnomad.vcf.gz"),
        "clinvar_vcf": {"path": "real/clinvar.vcf.gz", "sha256": "0" * 64}}}
    assert synthetic_demo_resources(annotation) == [{
        "resource": "annotation.gnomad_vcf", "path": str(RESOURCES / "gnomad.vcf.gz"),
        "marker": synthetic_demo_marker(RESOURCES / "gnomad.vcf.gz")}]
    assert synthetic_demo_resources({"files": {}}) == []


# --- the strength ladders and thresholds of the segregation section ------------------------------
# Tavtigian et al. 2018: PP1 at FLB >= 2.08 / 4.33 / 18.7, BS4 at <= 0.48 / 0.23 / 0.053;
# Jarvik & Browning 2016: 3 / 4 / 5 informative meioses. A ladder out of order would make a
# weaker level unreachable or a stronger one easier to reach than a weaker one.

def ladder(key: str, supporting, moderate, strong) -> str:
    return (USER + FILES + f"segregation:\n  {key}: {{supporting: {supporting}, "
            f"moderate: {moderate}, strong: {strong}}}\n")


@pytest.mark.parametrize(("key", "values", "sign", "hint"), [
    ("pp1", (4.33, 2.08, 18.7), "<=", "a stronger level needs a larger Bayes factor "
                                      "(Tavtigian et al. 2018: 2.08, 4.33, 18.7)"),
    ("pp1", (2.08, 18.7, 4.33), "<=", "a stronger level needs a larger Bayes factor "
                                      "(Tavtigian et al. 2018: 2.08, 4.33, 18.7)"),
    ("bs4", (0.23, 0.48, 0.053), ">=", "a stronger level needs a smaller Bayes factor "
                                       "(Tavtigian et al. 2018: 0.48, 0.23, 0.053)"),
    ("bs4", (0.48, 0.053, 0.23), ">=", "a stronger level needs a smaller Bayes factor "
                                       "(Tavtigian et al. 2018: 0.48, 0.23, 0.053)"),
    ("meioses", (4, 3, 5), "<=", "a stronger level needs more informative meioses "
                                 "(Jarvik & Browning 2016: 3, 4, 5)"),
    ("meioses", (3, 5, 4), "<=", "a stronger level needs more informative meioses "
                                 "(Jarvik & Browning 2016: 3, 4, 5)"),
])
def test_a_ladder_out_of_order_is_rejected_naming_the_key_values_and_file(
        tmp_path, monkeypatch, key, values, sign, hint):
    message = error_of(tmp_path, monkeypatch, ladder(key, *values))
    assert message == (f"user1.yaml: key segregation.{key} must satisfy supporting {sign} "
                       f"moderate {sign} strong, but is {values[0]}, {values[1]}, {values[2]} "
                       f"({hint})")


@pytest.mark.parametrize(("key", "values"), [
    ("pp1", (2.08, 4.33, 18.7)), ("pp1", (4, 8, 16)), ("pp1", (2.08, 2.08, 18.7)),
    ("pp1", (2.08, 18.7, 18.7)), ("bs4", (0.48, 0.23, 0.053)), ("bs4", (0.25, 0.125, 0.0625)),
    ("bs4", (0.48, 0.48, 0.053)), ("bs4", (0.48, 0.23, 0.23)), ("meioses", (3, 4, 5)),
    ("meioses", (2, 3, 4)), ("meioses", (3, 3, 5)), ("meioses", (3, 5, 5)),
])
def test_an_ordered_ladder_is_accepted_equal_rungs_included(tmp_path, monkeypatch, key,
                                                            values):
    """Ordered ladders pass: the default, shinyseg's several-family labels (4, 8, 16 and
    their inverses), Jarvik & Browning's several-family meioses (2, 3, 4), and equal rungs,
    which merge two levels."""
    config, _ = check(tmp_path, monkeypatch, ladder(key, *values))
    assert tuple(config["segregation"][key].values()) == values


def test_the_ladder_check_names_the_configfile_that_sets_the_ladder(tmp_path, monkeypatch):
    message = error_of(tmp_path, monkeypatch, USER + FILES,
                       "segregation:\n  bs4: {supporting: 0.1, moderate: 0.2, strong: 0.05}\n")
    assert message.startswith("user2.yaml: key segregation.bs4 must satisfy")


def test_settings_from_config_checks_the_ladders_too():
    """The same check guards the library entry point (scripts/segregate.py, cohort.py)."""
    from cmmvar.segregate.segregation import settings_from_config
    with pytest.raises(ConfigError) as caught:
        settings_from_config({"pp1": {"supporting": 4.33, "moderate": 2.08, "strong": 18.7}})
    assert str(caught.value).startswith(
        "config: key segregation.pp1 must satisfy supporting <= moderate <= strong, but is "
        "4.33, 2.08, 18.7")
    settings = settings_from_config({"pp1": {"supporting": 2.0, "moderate": 2.0, "strong": 3}})
    assert settings.ladder["pp1"] == {"supporting": 2.0, "moderate": 2.0, "strong": 3}
    # a ladder left out (its default applies) does not stop the check of the next one
    with pytest.raises(ConfigError, match=r"^config: key segregation\.meioses must satisfy"):
        settings_from_config({"meioses": {"supporting": 5, "moderate": 4, "strong": 3}})


@pytest.mark.parametrize(("text", "error"), [
    ("segregation:\n  pp1: {supporting: 1, moderate: 4.33, strong: 18.7}\n",
     "key segregation.pp1.supporting: 1 is less than or equal to the minimum of 1"),
    ("segregation:\n  bs4: {supporting: 1, moderate: 0.23, strong: 0.053}\n",
     "key segregation.bs4.supporting: 1 is greater than or equal to the maximum of 1"),
    ("segregation:\n  bs4: {supporting: 0.48, moderate: 0.23, strong: -0.01}\n",
     "key segregation.bs4.strong: -0.01 is less than the minimum of 0"),
    ("segregation:\n  meioses: {supporting: 0, moderate: 4, strong: 5}\n",
     "key segregation.meioses.supporting: 0 is less than the minimum of 1"),
    ("segregation:\n  meioses: {supporting: 3, moderate: 4.5, strong: 5}\n",
     "key segregation.meioses.moderate: 4.5 is not of type 'integer'"),
    ("segregation:\n  pp1: {supporting: 2.08, strong: 18.7}\n",
     "key segregation.pp1: 'moderate' is a required property"),
    ("segregation:\n  allele_frequency: 0\n",
     "key segregation.allele_frequency: 0 is less than or equal to the minimum of 0"),
    ("segregation:\n  allele_frequency: 0.51\n",
     "key segregation.allele_frequency: 0.51 is greater than the maximum of 0.5"),
    ("segregation:\n  max_parent_alt_fraction: 0.51\n",
     "key segregation.max_parent_alt_fraction: 0.51 is greater than the maximum of 0.5"),
    ("filters:\n  min_gq: -1\n", "key filters.min_gq: -1 is less than the minimum of 0"),
    ("filters:\n  min_dp: -1\n", "key filters.min_dp: -1 is less than the minimum of 0"),
    ("filters:\n  max_allele_frequency: 1.01\n",
     "key filters.max_allele_frequency: 1.01 is greater than the maximum of 1"),
])
def test_a_threshold_outside_its_range_is_named(tmp_path, monkeypatch, text, error):
    """PP1 thresholds are Bayes factors above 1 and BS4 ones below 1 (Tavtigian 2018: a
    factor of 1 is no evidence either way), so the two ladders cannot overlap; meioses are
    whole counts of at least 1; an allele frequency is a proportion."""
    assert error_of(tmp_path, monkeypatch, USER + FILES + text) == (
        f"user1.yaml: {error} (see config/README.md for the allowed values)")


@pytest.mark.parametrize("text", [
    "segregation:\n  pp1: {supporting: 1.01, moderate: 1.01, strong: 1.01}\n",
    "segregation:\n  bs4: {supporting: 0.99, moderate: 0, strong: 0}\n",
    "segregation:\n  meioses: {supporting: 1, moderate: 1, strong: 1}\n",
    "segregation:\n  allele_frequency: 0.5\n  max_parent_alt_fraction: 0\n",
    "filters:\n  min_gq: 0\n  min_dp: 0\n  max_allele_frequency: 1\n",
])
def test_thresholds_at_the_edge_of_their_range_are_accepted(tmp_path, monkeypatch, text):
    config, _ = check(tmp_path, monkeypatch, USER + FILES + text)
    section, values = next(iter(yaml.safe_load(text).items()))
    assert all(config[section][key] == value for key, value in values.items())
