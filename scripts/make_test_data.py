#!/usr/bin/env python3
"""Generate test_data/: the demo families (PED + VCF/BCF) and the families sheet.

Reproducible: no randomness but a hash-based reference sequence, so running it twice gives
the same files. Positions are placed relative to the panel genes (GRCh38) of
config/panels/cmm.tsv. Each family is built to show one situation; the tests state the
expected kept variants and segregation counts by hand from the designs below.

    python scripts/make_test_data.py [--out test_data] [--panel config/panels/cmm.tsv]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from cmmvar.genome import CONTIG_LENGTHS

ROOT = Path(__file__).resolve().parents[1]


def ref_base(chrom: str, pos: int) -> str:
    """A deterministic pseudo-reference base (the demo has no real reference)."""
    return "ACGT"[hashlib.sha256(f"{chrom}:{pos}".encode()).digest()[0] % 4]


def ref_seq(chrom: str, pos: int, length: int) -> str:
    return "".join(ref_base(chrom, p) for p in range(pos, pos + length))


def other_base(base: str) -> str:
    return {"A": "G", "C": "T", "G": "A", "T": "C"}[base]


# ----------------------------------------------------------------------------- model

@dataclass
class Person:
    id: str
    father: str = "0"
    mother: str = "0"
    sex: int = 0
    phenotype: int = 0
    sequenced: bool = True


@dataclass
class Site:
    """One VCF record; `calls` maps sample -> FORMAT values (GT or GT:AD:DP:GQ)."""

    name: str
    chrom: str  # bare
    pos: int
    ref: str
    alts: list[str]
    calls: dict[str, str]
    filter: str = "PASS"
    info: str = "."
    kept: bool = True  # expected to survive extraction and FILTER


@dataclass
class Family:
    id: str
    people: list[Person]
    vcf: str
    sites: list[Site] = field(default_factory=list)


def fmt(gt: str, gq: int = 99, dp: int = 30) -> str:
    """GT:AD:DP:GQ with allele depths that fit the genotype."""
    alleles = gt.replace("|", "/").split("/")
    if "." in alleles:
        return f"{gt}:.:.:."
    n_alt = sum(a != "0" for a in alleles)
    alt_depth = dp if n_alt == len(alleles) else (dp // 2 if n_alt else 0)
    return f"{gt}:{dp - alt_depth},{alt_depth}:{dp}:{gq}"


def snv(name: str, chrom: str, pos: int, calls: dict[str, str], **kw) -> Site:
    ref = ref_base(chrom, pos)
    return Site(name, chrom, pos, ref, [other_base(ref)], calls, **kw)


# ----------------------------------------------------------------------------- panel

def load_panel(path: Path) -> dict[str, tuple[str, int, int]]:
    with path.open() as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {r["symbol"]: (r["chrom"], int(r["start_grch38"]), int(r["end_grch38"]))
                for r in rows}


# ----------------------------------------------------------------------------- families

def dcc_family(panel) -> Family:
    """Three generations, autosomal dominant DCC variant with incomplete penetrance.

    I-1 (affected carrier) x I-2 (unaffected, not sequenced: an ungenotyped founder);
    children II-1 (affected carrier, married to II-2, unaffected non-carrier) and II-3
    (unaffected carrier: non-penetrant, married to II-4, unaffected, not sequenced).
    III-1 affected carrier; III-2 unaffected, 0/0 but GQ 5 (missing, not non-carrier);
    III-3 phenotype unknown (young child), carrier; III-4 (child of II-3) affected carrier.
    """
    chrom, start, end = panel["DCC"]
    people = [
        Person("DCC_I1", sex=1, phenotype=2),
        Person("DCC_I2", sex=2, phenotype=1, sequenced=False),
        Person("DCC_II1", "DCC_I1", "DCC_I2", 1, 2),
        Person("DCC_II2", sex=2, phenotype=1),
        Person("DCC_II3", "DCC_I1", "DCC_I2", 2, 1),
        Person("DCC_II4", sex=1, phenotype=1, sequenced=False),
        Person("DCC_III1", "DCC_II1", "DCC_II2", 1, 2),
        Person("DCC_III2", "DCC_II1", "DCC_II2", 2, 1),
        Person("DCC_III3", "DCC_II1", "DCC_II2", 2, 0),
        Person("DCC_III4", "DCC_II4", "DCC_II3", 1, 2),
    ]
    het, ref = fmt("0/1"), fmt("0/0")
    segregating = {"DCC_I1": het, "DCC_II1": het, "DCC_II2": ref, "DCC_II3": het,
                   "DCC_III1": het, "DCC_III2": fmt("0/0", gq=5), "DCC_III3": het,
                   "DCC_III4": het}
    pos_multi = start + 250_000
    multi_ref = ref_seq(chrom, pos_multi, 3)
    sites = [
        snv("dcc_segregating", chrom, start + 150_000, segregating),
        # multiallelic deletion: ALT1 removes base 2 of REF, ALT2 removes bases 2-3.
        Site("dcc_multiallelic", chrom, pos_multi, multi_ref,
             [multi_ref[0] + multi_ref[2], multi_ref[0]],
             {"DCC_I1": fmt("0/0"), "DCC_II1": fmt("1/2"), "DCC_II2": fmt("0/0"),
              "DCC_II3": fmt("0/1"), "DCC_III1": fmt("0/2"), "DCC_III2": fmt("0/0"),
              "DCC_III3": fmt("./."), "DCC_III4": fmt("0/0")}),
        # carried only by the married-in unaffected spouse
        snv("dcc_spouse_only", chrom, start + 400_000,
            {**dict.fromkeys(segregating, ref), "DCC_II2": het}),
        # failing FILTER: dropped under pass_only
        snv("dcc_lowqual", chrom, start + 500_000, dict.fromkeys(segregating, het),
            filter="LowQual", kept=False),
        # 50 bp past the gene end: inside the default 100 bp padding, kept
        snv("dcc_in_padding", chrom, end + 50, {**dict.fromkeys(segregating, ref),
                                                "DCC_I1": het}),
        # outside the panel: dropped
        snv("dcc_before_gene", chrom, start - 500, dict.fromkeys(segregating, het), kept=False),
        snv("chr18_far", chrom, 30_000_000, dict.fromkeys(segregating, het), kept=False),
        snv("chr2_offpanel", "2", 1_000_000, dict.fromkeys(segregating, het), kept=False),
    ]
    return Family("DCC1", people, "dcc_family.vcf.gz", sites)


def trio(panel) -> Family:
    """Affected child, unaffected parents: a de novo NTN1 SNV (parents confident 0/0) and an
    NTN1 SNV inherited from the unaffected father. Written as BCF with a CSI index."""
    chrom, start, _ = panel["NTN1"]
    people = [Person("TRIO_F", sex=1, phenotype=1), Person("TRIO_M", sex=2, phenotype=1),
              Person("TRIO_C", "TRIO_F", "TRIO_M", 2, 2)]
    sites = [
        snv("ntn1_de_novo", chrom, start + 100_000,
            {"TRIO_F": fmt("0/0", dp=40), "TRIO_M": fmt("0/0", dp=38), "TRIO_C": fmt("0/1")}),
        snv("ntn1_paternal", chrom, start + 150_000,
            {"TRIO_F": fmt("0/1"), "TRIO_M": fmt("0/0"), "TRIO_C": fmt("0/1")}),
        # mother's call has DP 4 (< min_dp 8): missing
        snv("ntn1_low_dp", chrom, start + 160_000,
            {"TRIO_F": fmt("0/0"), "TRIO_M": fmt("0/1", dp=4), "TRIO_C": fmt("0/1")}),
    ]
    return Family("TRIO1", people, "trio.bcf", sites)


def rad51_family(panel) -> Family:
    """A RAD51 variant that does not segregate: II-2 is affected and does not carry it.
    Plain VCF, no index, contigs named `15` (no chr prefix)."""
    chrom, start, _ = panel["RAD51"]
    people = [
        Person("RAD_I1", sex=1, phenotype=2), Person("RAD_I2", sex=2, phenotype=1),
        Person("RAD_II1", "RAD_I1", "RAD_I2", 2, 2), Person("RAD_II2", "RAD_I1", "RAD_I2", 1, 2),
        Person("RAD_II3", "RAD_I1", "RAD_I2", 2, 1),
    ]
    calls = {"RAD_I1": fmt("0/1"), "RAD_I2": fmt("0/0"), "RAD_II1": fmt("0/1"),
             "RAD_II2": fmt("0/0"), "RAD_II3": fmt("0/1")}
    sites = [snv("rad51_nonsegregating", chrom, start + 20_000, calls),
             snv("chr15_offpanel", chrom, start - 5_000, calls, kept=False)]
    return Family("RAD1", people, "rad51_family.vcf", sites)


def consanguineous(panel) -> Family:
    """First cousins III-1 x III-2 (double line) with two affected children homozygous for a
    DNAL4 variant. The spouses II-2 and II-4 are named as parents but not listed in the PED
    (added as ungenotyped founders). In the joint VCF cohort.vcf.gz."""
    chrom, start, _ = panel["DNAL4"]
    people = [
        Person("CON_I1", sex=1, phenotype=0, sequenced=False),
        Person("CON_I2", sex=2, phenotype=0, sequenced=False),
        Person("CON_II1", "CON_I1", "CON_I2", 1, 1, sequenced=False),
        Person("CON_II3", "CON_I1", "CON_I2", 2, 1, sequenced=False),
        Person("CON_III1", "CON_II1", "CON_II2", 1, 1),
        Person("CON_III2", "CON_II4", "CON_II3", 2, 1),
        Person("CON_IV1", "CON_III1", "CON_III2", 2, 2),
        Person("CON_IV2", "CON_III1", "CON_III2", 1, 2),
        Person("CON_IV3", "CON_III1", "CON_III2", 2, 1),
        Person("CON_IV4", "CON_III1", "CON_III2", 1, 1),
    ]
    calls = {"CON_III1": fmt("0/1"), "CON_III2": fmt("0/1"), "CON_IV1": fmt("1/1"),
             "CON_IV2": fmt("1/1"), "CON_IV3": fmt("0/1"), "CON_IV4": fmt("0/0")}
    return Family("CONS1", people, "cohort.vcf.gz",
                  [snv("dnal4_homozygous", chrom, start + 5_000, calls)])


def x_linked(panel) -> Family:
    """ANOS1 (X-linked recessive): carrier mother, two affected hemizygous sons (one called
    haploid `1`, one diploid `1/1`), an unaffected son `0`; a second ANOS1 site where a son
    has a heterozygous call, impossible in a male's X (missing). In cohort.vcf.gz."""
    chrom, start, _ = panel["ANOS1"]
    people = [Person("XL_F", sex=1, phenotype=1), Person("XL_M", sex=2, phenotype=1),
              Person("XL_S1", "XL_F", "XL_M", 1, 2), Person("XL_S2", "XL_F", "XL_M", 1, 2),
              Person("XL_S3", "XL_F", "XL_M", 1, 1)]
    hemizygous = {"XL_F": fmt("0", dp=20), "XL_M": fmt("0/1"), "XL_S1": fmt("1", dp=20),
                  "XL_S2": fmt("1/1"), "XL_S3": fmt("0", dp=20)}
    male_het = {"XL_F": fmt("0", dp=20), "XL_M": fmt("0/1"), "XL_S1": fmt("0/1"),
                "XL_S2": fmt("0/0"), "XL_S3": fmt("0", dp=20)}
    return Family("XL1", people, "cohort.vcf.gz",
                  [snv("anos1_hemizygous", chrom, start + 30_000, hemizygous),
                   snv("anos1_male_het", chrom, start + 40_000, male_het)])


# ----------------------------------------------------------------------------- writing

HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=DEMO,Number=1,Type=String,Description="Name of the demo site (make_test_data.py)">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
"""


def _contig_key(chrom: str) -> tuple:
    return (int(chrom), "") if chrom.isdigit() else (23, chrom)


def write_vcf_text(path: Path, samples: list[str], sites: list[Site], chr_prefix: bool) -> None:
    lines = [HEADER.rstrip("\n")]
    for chrom, length in CONTIG_LENGTHS["GRCh38"].items():
        lines.append(f"##contig=<ID={'chr' if chr_prefix else ''}{chrom},length={length}>")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", *samples]))
    for site in sorted(sites, key=lambda s: (_contig_key(s.chrom), s.pos)):
        n_alleles = 1 + len(site.alts)
        cells = [site.calls.get(s, fmt("0/0")) for s in samples]
        if n_alleles > 2:  # AD needs one depth per allele
            cells = [_widen_ad(c, n_alleles) for c in cells]
        chrom = ("chr" if chr_prefix else "") + site.chrom
        info = f"DEMO={site.name}"
        lines.append("\t".join([chrom, str(site.pos), ".", site.ref, ",".join(site.alts), "50",
                                site.filter, info, "GT:AD:DP:GQ", *cells]))
    path.write_text("\n".join(lines) + "\n")


def _widen_ad(cell: str, n_alleles: int) -> str:
    gt, ad, dp, gq = cell.split(":")
    if ad == ".":
        return cell
    alleles = [int(a) for a in gt.replace("|", "/").split("/")]
    depth = int(dp)
    per = [0] * n_alleles
    for allele in alleles:
        per[allele] += depth // len(alleles)
    return ":".join([gt, ",".join(map(str, per)), dp, gq])


def write_outputs(out: Path, families: list[Family], extra_samples: dict[str, list[str]]):
    (out / "vcf").mkdir(parents=True, exist_ok=True)
    (out / "ped").mkdir(parents=True, exist_ok=True)
    by_vcf: dict[str, list[Family]] = {}
    for family in families:
        by_vcf.setdefault(family.vcf, []).append(family)
        ped = [f"{family.id}\t{p.id}\t{p.father}\t{p.mother}\t{p.sex}\t{p.phenotype}"
               for p in family.people]
        header = "#family_id\tindividual_id\tfather_id\tmother_id\tsex\tphenotype"
        (out / "ped" / f"{family.id}.ped").write_text(header + "\n" + "\n".join(ped) + "\n")

    for name, members in by_vcf.items():
        samples = [p.id for f in members for p in f.people if p.sequenced]
        samples += extra_samples.get(name, [])
        sites = [s for f in members for s in f.sites]
        target = out / "vcf" / name
        plain = target.with_suffix("") if name.endswith(".gz") else target
        if name.endswith(".bcf"):
            plain = target.with_suffix(".vcf.tmp")
        write_vcf_text(plain, samples, sites, chr_prefix=name != "rad51_family.vcf")
        if name.endswith(".vcf.gz"):
            pysam.tabix_compress(str(plain), str(target), force=True)
            plain.unlink()
            pysam.tabix_index(str(target), preset="vcf", force=True)
        elif name.endswith(".bcf"):
            with pysam.VariantFile(str(plain)) as src, \
                    pysam.VariantFile(str(target), "wb", header=src.header) as dst:
                for record in src:
                    dst.write(record)
            plain.unlink()
            pysam.tabix_index(str(target), preset="vcf", csi=True, force=True)  # BCF CSI

    sheet = ["family_id\tvcf\tped"]
    sheet += [f"{f.id}\t{out.name}/vcf/{f.vcf}\t{out.name}/ped/{f.id}.ped" for f in families]
    (out / "families.tsv").write_text("\n".join(sheet) + "\n")

    manifest = {f.id: {s.name: {"chrom": "chr" + s.chrom, "pos": s.pos, "ref": s.ref,
                                "alts": s.alts, "kept": s.kept} for s in f.sites}
                for f in families}
    (out / "sites.json").write_text(json.dumps(manifest, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "test_data"))
    parser.add_argument("--panel", default=str(ROOT / "config" / "panels" / "cmm.tsv"))
    args = parser.parse_args()
    panel = load_panel(Path(args.panel))
    families = [dcc_family(panel), trio(panel), rad51_family(panel), consanguineous(panel),
                x_linked(panel)]
    write_outputs(Path(args.out), families, {"cohort.vcf.gz": ["UNRELATED_1"]})


if __name__ == "__main__":
    main()
