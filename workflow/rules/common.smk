# Configuration, sheets and input functions. Everything else lives in the cmmvar library.
import math
import os
import re
from collections import namedtuple

from cmmvar.config import annotation_files, check_config, resolved_annotation
from cmmvar.io.panel import load_panel
from cmmvar.io.sheet import read_sheet, validate, vcf_keys


def schema(name):
    """A schema of ../schemas, found from this file and not from workflow.basedir, which in a
    workflow importing cmmvar as a module is that workflow's folder."""
    return workflow.source_path(f"../schemas/{name}.schema.yaml")


def importer_config_files():
    """The config files of a workflow importing cmmvar as a module, in merge order (its
    configfile: directives, then its --configfile), or its Snakefile when it sets the config
    there."""
    given = list(workflow.overwrite_configfiles)
    loaded = [path for path in workflow.configfiles if path not in given]
    return loaded + given or [workflow.main_snakefile]


# Schemas through snakemake.utils.validate; errors name the key, row or column at fault.
# The template config/config.yaml (file keys empty) lies under the user's --configfile: a run
# uses only the files its own config names. Imported as a module (`config: config`), cmmvar
# takes the importing workflow's config alone. Required keys, and the annotation files
# offline (or `none`), are checked here, before anything is read.
MODULE = workflow.modifier.skip_configfile
CONFIG_FILES = check_config(
    config,
    importer_config_files() if MODULE else workflow.overwrite_configfiles,
    schema("config"),
    template=None if MODULE else TEMPLATE,
)
ANNOTATION = resolved_annotation(config["annotation"])  # `none` -> no file

SHEET = read_sheet(config["families"])
validate(SHEET, schema("families"), config["families"])

# checked once, row by row against schemas/panel.schema.yaml too (errors name the line);
# coordinates for this build
GENES = load_panel(config["panel"], config["genome_build"])

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
    return [fasta, f"{fasta}.fai"] + ([f"{fasta}.gzi"] if fasta.endswith(".gz") else [])


def annotation_resources(wildcards):
    """The local annotation files the config names, with their indexes, as inputs."""
    files = reference_fasta_files(wildcards)
    for key, path in annotation_files(ANNOTATION).items():
        if key != "reference_fasta":
            files.append(path)
            # a .tbi when there is one (a .csi works too and is not required)
            files += [f"{path}.tbi"] if os.path.exists(f"{path}.tbi") else []
    return files


# Threads and resources of the rules, for the SLURM profile (workflow/profiles/slurm).
# Every rule is one single-threaded Python process. mem_mb is megabytes and runtime minutes,
# for the first attempt; each retry (--retries) multiplies both, so a job killed for memory
# or time is resubmitted with more. Sizes are of the rule's first input, the file whose
# records the job streams or holds: a VCF, the annotation table (segregate), the segregation
# record (report), a report.json (cohort). Each rule's figures are at least twice the peak
# memory (benchmark max_rss) and wall time measured on the demo and on a 12 MB VCF of 1M
# records, 20,000 in the panel genes: the table in README, "Running on a SLURM cluster".
def by_input_size(base, per_input_mb=0):
    """A resource (mem_mb in MB, runtime in minutes): `base`, plus `per_input_mb` for each MB
    of the rule's first input, times the attempt."""

    def amount(wildcards, input, attempt):
        return math.ceil((base + per_input_mb * input.size_files_mb[0]) * attempt)

    return amount
