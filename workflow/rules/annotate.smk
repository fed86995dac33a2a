rule annotate:
    input:
        vcf=outpath("work/normalise/{vcf}.vcf.gz"),
        tbi=outpath("work/normalise/{vcf}.vcf.gz.tbi"),
        panel=config["panel"],
        resources=annotation_resources,
    output:
        table=outpath("work/annotate/{vcf}.tsv"),
        provenance=outpath("work/annotate/{vcf}.provenance.json"),
    log:
        outpath("logs/annotate/{vcf}.log"),
    benchmark:
        outpath("benchmarks/annotate/{vcf}.tsv")
    # Online annotation talks to the public services: it runs where Snakemake runs, since
    # cluster compute nodes usually have no internet access. On the rule itself (not a
    # localrules: list) so that it follows the rule when another workflow imports cmmvar
    # as a module and renames it.
    localrule: config.get("annotation", {}).get("mode") == "online"
    threads: 1
    resources:
        mem_mb=by_input_size(500, per_input_mb=50),
        runtime=by_input_size(10, per_input_mb=15),
    params:
        build=config["genome_build"],
        padding=config["padding"],
        annotation=ANNOTATION,  # the config's, with `none` as no file (common.smk)
    script:
        "../../scripts/annotate.py"
