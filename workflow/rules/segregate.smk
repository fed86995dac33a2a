rule segregate:
    input:
        annotations=family_annotations,  # first: its size sets the resources (common.smk)
        vcf=family_normalised,
        ped=family_ped,
        panel=config["panel"],
    output:
        outpath("work/segregate/{family}.json"),
    log:
        outpath("logs/segregate/{family}.log"),
    benchmark:
        outpath("benchmarks/segregate/{family}.tsv")
    threads: 1
    resources:
        mem_mb=mem_mb(500, per_input_mb=250),
        runtime=runtime(10, per_input_mb=10),
    params:
        input_vcf=family_input_vcf,
        build=config["genome_build"],
        min_gq=config["filters"]["min_gq"],
        min_dp=config["filters"]["min_dp"],
        segregation=config["segregation"],
        ped_columns=config["ped_columns"],
        proband=family_proband,
        parentage_confirmed=family_parentage_confirmed,
    script:
        "../../scripts/segregate.py"
