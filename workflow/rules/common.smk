# Configuration, sheets and input functions. Everything else lives in the cmmvar library.
import os
import re
from collections import namedtuple

import pandas as pd

from cmmvar.config import annotation_files, check_config, resolved_annotation
from cmmvar.panel import load_panel, panel_rows
from cmmvar.sheet import read_sheet, validate, vcf_keys

# Schemas through snakemake.utils.validate; errors name the key, row or column at fault.
SCHEMAS = os.path.join(workflow.basedir, "workflow", "schemas")
# The template config/config.yaml (file keys empty) lies under the user's --configfile: a run
# uses only the files its own config names. Required keys, and the annotation files offline
# (or `none`), are checked here, before anything is read.
CONFIG_FILES = check_config(
    config, workflow.overwrite_configfiles, os.path.join(SCHEMAS, "config.schema.yaml")
)
ANNOTATION = resolved_annotation(config["annotation"])  # `none` -> no file

SHEET = read_sheet(config["families"])
validate(SHEET, os.path.join(SCHEMAS, "families.schema.yaml"), config["families"])

GENES = load_panel(
    config["panel"], config["genome_build"]
)  # coordinates for this build
validate(
    pd.DataFrame(panel_rows(config["panel"]), dtype=str),  # '##' header lines skipped
    os.path.join(SCHEMAS, "panel.schema.yaml"),
    config["panel"],
)

FAMILIES = list(SHEET["family_id"])
VCF_KEY = vcf_keys(SHEET["vcf"])  # one key per distinct VCF: a joint VCF is read once
VCF_OF_KEY = {key: vcf for vcf, key in VCF_KEY.items()}


wildcard_constraints:
    vcf="|".join(map(re.escape, VCF_OF_KEY)),


def outpath(relative):
    """A path under the configured output folder."""
    return os.path.join(config["outdir"], relative)


def input_vcf(wildcards):
    return VCF_OF_KEY[wildcards.vcf]


Batch = namedtuple("Batch", "name vcf key families")


def family_batches():
    """The families of each VCF, in sheet order, in batches of at most families_per_job:
    one segregate and one report job per batch, each reading the VCF once."""
    size = config["families_per_job"]
    by_vcf = {}
    for family in FAMILIES:
        by_vcf.setdefault(SHEET.loc[family, "vcf"], []).append(family)
    batches = []
    for vcf, families in by_vcf.items():
        # names numbered, as two VCF keys may differ only in what \W replaces
        word = re.sub(r"\W", "_", VCF_KEY[vcf])
        for start in range(0, len(families), size):
            name = f"{len(batches) + 1}_{word}"
            batches.append(
                Batch(name, vcf, VCF_KEY[vcf], families[start : start + size])
            )
    return batches


BATCHES = family_batches()


def batch_families(batch):
    """Each family's sheet row, as the segregate script reads it."""
    return [
        {
            "family": family,
            "ped": SHEET.loc[family, "ped"],
            # optional columns: "" when absent (proband: the first affected carrier)
            "proband": SHEET.loc[family].get("proband", ""),
            "parentage_confirmed": SHEET.loc[family]
            .get("parentage_confirmed", "")
            .lower()
            in ("yes", "true"),
        }
        for family in batch.families
    ]


def batch_peds(batch):
    return list(dict.fromkeys(SHEET.loc[f, "ped"] for f in batch.families))


def batch_paths(batch, pattern):
    """The batch's families' paths of `pattern` (with {family}) under the output folder."""
    return [outpath(pattern.format(family=family)) for family in batch.families]


def family_outputs():
    names = ("candidates.tsv", "report.json", "qc.json", "report.html")
    return [outpath(f"families/{f}/{name}") for f in FAMILIES for name in names]


def run_info_files():
    """Input files recorded with checksums in run_info.json."""
    return {
        "config": CONFIG_FILES,  # in merge order: the template, then the --configfile(s)
        "families_sheet": [config["families"]],
        "panel": [config["panel"]],
        "ped": sorted(set(SHEET["ped"])),
        "vcf": sorted(set(SHEET["vcf"])),
        "annotation": list(annotation_files(config["annotation"]).values()),
    }


def reference_fasta_files(wildcards):
    """The reference FASTA with its indexes, when configured (an input, so that a FASTA
    that rule build_resources makes is made first)."""
    fasta = ANNOTATION["reference_fasta"]
    if not fasta:
        return []
    return [fasta, fasta + ".fai"] + ([fasta + ".gzi"] if fasta.endswith(".gz") else [])


def annotation_resources(wildcards):
    """The local annotation files the config names, with their indexes, as inputs."""
    files = reference_fasta_files(wildcards)
    for key, path in annotation_files(ANNOTATION).items():
        if key != "reference_fasta":
            files.append(path)
            # a .tbi when there is one (a .csi works too and is not required)
            files += [path + ".tbi"] if os.path.exists(path + ".tbi") else []
    return files
