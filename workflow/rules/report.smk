# One job per batch of families (as rule segregate_*), writing each family's files where
# a job per family would.
for batch in BATCHES:

    rule:
        name:
            f"report_{batch.name}"
        input:
            results=batch_paths(batch, "work/segregate/{family}.json"),
            extract_stats=outpath(f"work/extract/{batch.key}.stats.json"),
            normalise_stats=outpath(f"work/normalise/{batch.key}.stats.json"),
            annotation=outpath(f"work/annotate/{batch.key}.provenance.json"),
        output:
            candidates=[
                report(
                    outpath(f"families/{family}/candidates.tsv"),
                    caption="../report/candidates.rst",
                    category="Families",
                    subcategory=family,
                    labels={"family": family, "file": "candidates.tsv"},
                )
                for family in batch.families
            ],
            json=batch_paths(batch, "families/{family}/report.json"),
            qc=batch_paths(batch, "families/{family}/qc.json"),
            # the candidates as a VCF with CMMVAR_* INFO fields, for bcftools, Scout, seqr
            vcf=batch_paths(batch, "families/{family}/{family}.vcf.gz"),
            tbi=batch_paths(batch, "families/{family}/{family}.vcf.gz.tbi"),
            html=[
                report(
                    outpath(f"families/{family}/report.html"),
                    caption="../report/family_report.rst",
                    category="Families",
                    subcategory=family,
                    labels={"family": family, "file": "report.html"},
                )
                for family in batch.families
            ],
        log:
            batch_paths(batch, "logs/report/{family}.log"),
        benchmark:
            outpath(f"benchmarks/report/{batch.name}.tsv")
        threads: 1
        resources:
            mem_mb=by_input_size(1000, per_input_mb=20),
            runtime=by_input_size(10, per_input_mb=0.05),
        params:
            family_ids=batch.families,
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
        # the records (full-precision FLBs), not the presentation TSVs
        reports=expand(outpath("families/{family}/report.json"), family=FAMILIES),
        pages=expand(outpath("families/{family}/report.html"), family=FAMILIES),
    output:
        summary=report(
            outpath("cohort_summary.tsv"),
            caption="../report/cohort_summary.rst",
            category="Cohort",
            labels={"file": "cohort_summary.tsv"},
        ),
        variants=report(
            outpath("cohort_variants.tsv"),
            caption="../report/cohort_variants.rst",
            category="Cohort",
            labels={"file": "cohort_variants.tsv"},
        ),
        # sites only: annotation and cohort-wide Bayes factors, no sample, no family
        vcf=outpath("cohort_candidates.vcf.gz"),
        tbi=outpath("cohort_candidates.vcf.gz.tbi"),
        run_info=outpath("run_info.json"),
        index=outpath("index.html"),
    log:
        outpath("logs/cohort.log"),
    threads: 1
    resources:
        mem_mb=by_input_size(2000, per_input_mb=5),
        runtime=by_input_size(10, per_input_mb=0.05),
    params:
        families=FAMILIES,
        files=run_info_files(),
        config=config,
    script:
        "../../scripts/cohort.py"
