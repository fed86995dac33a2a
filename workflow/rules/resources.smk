# Offline annotation resources of the configured build, fetched from the public servers for
# the panel regions only: `snakemake build_resources --cores 1`. It runs where Snakemake runs
# (localrule): cluster compute nodes usually have no internet access.
RESOURCES = os.path.join("resources", config["genome_build"])


rule build_resources:
    input:
        panel=config["panel"],
    output:
        gff3=os.path.join(RESOURCES, "transcripts.gff3"),
        fasta=os.path.join(RESOURCES, "reference.fa.gz"),
        fai=os.path.join(RESOURCES, "reference.fa.gz.fai"),
        gzi=os.path.join(RESOURCES, "reference.fa.gz.gzi"),
        clinvar=os.path.join(RESOURCES, "clinvar.vcf.gz"),
        clinvar_tbi=os.path.join(RESOURCES, "clinvar.vcf.gz.tbi"),
        gnomad=os.path.join(RESOURCES, "gnomad.vcf.gz"),
        gnomad_tbi=os.path.join(RESOURCES, "gnomad.vcf.gz.tbi"),
        manifest=os.path.join(RESOURCES, "manifest.json"),
    log:
        outpath(f"logs/build_resources/{config['genome_build']}.log"),
    localrule: True  # on the rule, so that it stays local under a module's renaming
    threads: 1
    resources:
        mem_mb=by_input_size(1000),
        runtime=by_input_size(60),
    params:
        build=config["genome_build"],
        padding=config["padding"],
        base_urls=config.get("resource_sources", {}),  # mirrors; default: the public servers
    script:
        "../../scripts/build_resources.py"
