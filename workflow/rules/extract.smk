rule extract:
    input:
        vcf=input_vcf,
        panel=config["panel"],
    output:
        vcf=outpath("work/extract/{vcf}.vcf.gz"),
        tbi=outpath("work/extract/{vcf}.vcf.gz.tbi"),
        stats=outpath("work/extract/{vcf}.stats.json"),
    log:
        outpath("logs/extract/{vcf}.log"),
    benchmark:
        outpath("benchmarks/extract/{vcf}.tsv")
    threads: 1
    resources:
        mem_mb=by_input_size(500),
        runtime=by_input_size(10, per_input_mb=0.06),
    params:
        build=config["genome_build"],
        padding=config["padding"],
    script:
        "../../scripts/extract.py"
