# The workflow is workflow/Snakefile, where the Snakemake workflow catalog, snakedeploy and
# workflows importing cmmvar as a module look for it; this file runs it from the repository
# root, as `snakemake` (or `make run`) always has.
include: "workflow/Snakefile"


# Snakemake takes no default target from an included Snakefile (it restores the includer's
# after the include), so the workflow's target rule is named here.
workflow.default_target = "all"
