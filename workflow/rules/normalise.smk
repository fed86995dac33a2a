rule normalise:
    input:
        vcf=outpath("work/extract/{vcf}.vcf.gz"),
        tbi=outpath("work/extract/{vcf}.vcf.gz.tbi"),
        reference=reference_fasta_files,
    output:
        vcf=outpath("work/normalise/{vcf}.vcf.gz"),
        tbi=outpath("work/normalise/{vcf}.vcf.gz.tbi"),
        stats=outpath("work/normalise/{vcf}.stats.json"),
    log:
        outpath("logs/normalise/{vcf}.log"),
    benchmark:
        outpath("benchmarks/normalise/{vcf}.tsv")
    threads: 1
    resources:
        mem_mb=by_input_size(500, per_input_mb=400),
        runtime=by_input_size(10, per_input_mb=2),
    params:
        pass_only=config["filters"]["pass_only"],
        fasta=config["annotation"]["reference_fasta"],
    script:
        "../../scripts/normalise.py"
