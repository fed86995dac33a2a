# One job per batch of families of one VCF (families_per_job, common.smk): it reads the
# normalised VCF once, parsing only the batch's samples, and writes each family's result
# and log as a job per family would.
for batch in BATCHES:

    rule:
        name:
            f"segregate_{batch.name}"
        input:
            # first: its size sets the resources (common.smk)
            annotations=outpath(f"work/annotate/{batch.key}.tsv"),
            vcf=outpath(f"work/normalise/{batch.key}.vcf.gz"),
            peds=batch_peds(batch),
            panel=config["panel"],
        output:
            batch_paths(batch, "work/segregate/{family}.json"),
        log:
            batch_paths(batch, "logs/segregate/{family}.log"),
        benchmark:
            outpath(f"benchmarks/segregate/{batch.name}.tsv")
        threads: 1
        resources:
            mem_mb=by_input_size(500, per_input_mb=250),
            runtime=by_input_size(10, per_input_mb=10),
        params:
            input_vcf=batch.vcf,
            family_ids=batch.families,
            families=batch_families(batch),
            build=config["genome_build"],
            min_gq=config["filters"]["min_gq"],
            min_dp=config["filters"]["min_dp"],
            segregation=config["segregation"],
            ped_columns=config["ped_columns"],
        script:
            "../../scripts/segregate.py"
