rule report:
    input:
        result=outpath("work/segregate/{family}.json"),
        extract_stats=family_extract_stats,
        normalise_stats=family_normalise_stats,
        annotation=family_annotation_provenance,
    output:
        candidates=outpath("families/{family}/candidates.tsv"),
        json=outpath("families/{family}/report.json"),
        qc=outpath("families/{family}/qc.json"),
        html=outpath("families/{family}/report.html"),
    log:
        outpath("logs/report/{family}.log"),
    conda:
        "../envs/cmmvar.yaml"
    params:
        settings={
            "panel": config["panel"],
            "filters": config["filters"],
            "padding": config["padding"],
            "segregation": config["segregation"],
            "annotation": config.get("annotation", {}),
        },
    script:
        "../../scripts/report.py"


rule cohort:
    input:
        candidates=expand(outpath("families/{family}/candidates.tsv"), family=FAMILIES),
    output:
        summary=outpath("cohort_summary.tsv"),
        variants=outpath("cohort_variants.tsv"),
        run_info=outpath("run_info.json"),
    log:
        outpath("logs/cohort.log"),
    conda:
        "../envs/cmmvar.yaml"
    params:
        families=FAMILIES,
        files=run_info_files(),
        config=config,
    script:
        "../../scripts/cohort.py"
