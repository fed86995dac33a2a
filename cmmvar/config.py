"""The run configuration: which keys a run must set, what the value `none` means for an
annotation resource, and the one check of a config before any job (workflow/rules/common.smk).
Knows config keys and config files; nothing about variants, families or the files they name.

The Snakefile loads config/config.yaml, the template, underneath the user's --configfile. Every
file key of the template is empty, so a user's run uses only the files its own config names:
nothing is inherited from the demo (config/demo.yaml).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from cmmvar.errors import ConfigError
from cmmvar.io.sheet import validate

TEMPLATE = "config/config.yaml"  # relative to the repository root, beside workflow/
NONE = "none"  # an annotation file set to this: run without that resource, and say so

# Top-level keys every run sets (the template gives panel and outdir; it leaves the others empty).
REQUIRED = {
    "families": "the families sheet, a TSV of family_id, vcf, ped [, proband, "
                "parentage_confirmed]",
    "genome_build": "GRCh38 or GRCh37",
    "panel": "the gene panel TSV, normally config/panels/cmm.tsv",
    "outdir": "the output folder",
}


@dataclass(frozen=True)
class Resource:
    """An annotation file key: what it is, and (when `none` is allowed) what a report says
    of a run without it."""

    key: str
    name: str  # as the reports name it
    what: str  # what the config must give
    without: str | None  # None: required in every mode, `none` not allowed


RESOURCES = (
    Resource("reference_fasta", "reference FASTA",
             "the indexed reference FASTA of the genome build (indels are left-aligned and "
             "every REF is checked against it)", None),
    Resource("transcripts_gff3", "transcript annotation (GFF3)",
             "the GFF3 of the panel's MANE transcripts (consequences and HGVS)",
             "Consequences and HGVS come only from the VCF's own VEP CSQ or snpEff ANN "
             "annotations: a variant without them has no consequence and meets no criterion "
             "that rests on one."),
    Resource("gnomad_vcf", "gnomAD", "the tabix-indexed gnomAD sites VCF (or the panel slice that "
             "scripts/build_resources.py makes)",
             "No population frequency was looked up: no variant was filtered out as common, and "
             "none was given PM2 (absent from gnomAD)."),
    Resource("clinvar_vcf", "ClinVar", "the tabix-indexed ClinVar VCF",
             "No variant's ClinVar classification was looked up."),
)


def template_of(workflow_dir) -> str:
    """The template of the workflow whose Snakefile lies in `workflow_dir` (the repository's
    workflow/ folder), as messages and run_info.json show it: `config/config.yaml` for a run
    from the repository root, the absolute path from anywhere else."""
    return _shown(Path(str(workflow_dir)).parent / TEMPLATE)


def is_none(value) -> bool:
    """The explicit `none` (any case) that stands for "run without this file"."""
    return isinstance(value, str) and value.strip().lower() == NONE


def annotation_files(annotation: dict) -> dict[str, str]:
    """The annotation files a run reads: resource key -> path (keys empty or `none` left out)."""
    return {r.key: annotation[r.key] for r in RESOURCES
            if annotation.get(r.key) and not is_none(annotation[r.key])}


def resolved_annotation(annotation: dict) -> dict:
    """The annotation block as the annotate stage opens it: `none` becomes null (no file)."""
    return {key: None if is_none(value) else value for key, value in annotation.items()}


def not_checked(annotation: dict) -> list[dict]:
    """The resources a run goes without because its config sets them to `none` (offline mode;
    online, the public services stand in for them): {resource, database, consequence}."""
    if annotation.get("mode", "offline") != "offline":
        return []
    return [{"resource": f"annotation.{r.key}", "database": r.name, "consequence": r.without}
            for r in RESOURCES if r.without and is_none(annotation.get(r.key))]


def check_config(config: dict, configfiles, schema: str | Path,
                 template: str | Path | None = TEMPLATE) -> list[str]:
    """Check the merged config of a run before any job, filling the schema's defaults; raise
    one ConfigError naming the key (and the config file) at fault. `configfiles` are those
    given with --configfile; the template lies underneath them. Return the config files
    used, in the order they were merged (template first)."""
    users = [_shown(path) for path in configfiles]
    if not users:
        raise ConfigError(
            "no configuration given: pass your own with --configfile yours.yaml (a copy of "
            f"{template}, whose file keys are empty; every key is explained in "
            "config/README.md), or run the demo with `make run` (snakemake --configfile "
            "config/demo.yaml)")
    # template None: a workflow importing cmmvar as a module passes its own config, without it
    files = list(dict.fromkeys(
        ([str(template)] if template and Path(template).exists() else []) + users))
    source = ", ".join(users)
    unset = [f"key {key} is not set ({what})" for key, what in REQUIRED.items()
             if config.get(key) in (None, "")]
    if unset:
        raise ConfigError("; ".join(unset), path=source,
                          hint=f"start from a copy of {template or TEMPLATE}; config/README.md "
                               f"explains every key")
    validate(config, schema, lambda key: _defined_in(key, files) or source)
    check_ladders(config["segregation"], lambda key: _defined_in(key, files) or source)
    annotation = config["annotation"]
    offline = annotation["mode"] == "offline"
    problems = []
    for resource in RESOURCES:
        value = annotation.get(resource.key)
        name = f"annotation.{resource.key}"
        if is_none(value) and resource.without is None:
            problems.append(f"key {name} cannot be none: a run needs {resource.what}")
        elif value in (None, "") and (offline or resource.without is None):
            problems.append(f"key {name} is not set: give {resource.what}"
                            + (", or none to run without it" if resource.without else ""))
    if problems:
        raise ConfigError("; ".join(problems), path=source,
                          hint="a run reads only the annotation files its config names, never "
                               "the demo's; with none, every report says what was not checked; "
                               "`snakemake build_resources` makes the files (README, Annotation "
                               "resources)")
    return files


# Each strength ladder of the `segregation` section, and the way its values must run from
# supporting to strong, with the published ladder a user can start from.
LADDERS = {
    "pp1": (True, "a stronger level needs a larger Bayes factor (Tavtigian et al. 2018: "
                  "2.08, 4.33, 18.7)"),
    "bs4": (False, "a stronger level needs a smaller Bayes factor (Tavtigian et al. 2018: "
                   "0.48, 0.23, 0.053)"),
    "meioses": (True, "a stronger level needs more informative meioses (Jarvik & Browning "
                      "2016: 3, 4, 5)"),
}


def check_ladders(section: dict, source="config") -> None:
    """Raise one ConfigError naming the first ladder of the `segregation` section that does
    not run in order from supporting to strong (equal rungs are allowed: they merge two
    levels). `source` names the config file, or is a function of the key's path naming it.
    A ladder the section leaves out takes its default, which is in order."""
    for key, (rising, hint) in LADDERS.items():
        ladder = section.get(key)
        if ladder is None:
            continue
        low, middle, high = ladder["supporting"], ladder["moderate"], ladder["strong"]
        if (low <= middle <= high) if rising else (low >= middle >= high):
            continue
        sign = "<=" if rising else ">="
        path = ("segregation", key)
        raise ConfigError(f"key segregation.{key} must satisfy supporting {sign} moderate "
                          f"{sign} strong, but is {low}, {middle}, {high}",
                          path=source(path) if callable(source) else source, hint=hint)


def _defined_in(key: tuple, files: list[str]) -> str | None:
    """The last of the config files (in merge order) that sets the key path, if any."""
    found = None
    for path in files:
        try:
            node = yaml.safe_load(Path(path).read_text())
        except (OSError, yaml.YAMLError):
            continue
        for part in key:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            found = path
    return found


def _shown(path) -> str:
    """A path as messages and run_info.json show it: relative when under the working folder."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative
