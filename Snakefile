from snakemake.utils import min_version

min_version("9.0")


# The template (file keys empty) under the --configfile a run must give; the demo is
# config/demo.yaml (`make run`). Checked in workflow/rules/common.smk.
configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/normalise.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/segregate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/resources.smk"


rule all:
    input:
        family_outputs(),
        outpath("cohort_summary.tsv"),
        outpath("run_info.json"),
        outpath("index.html"),
