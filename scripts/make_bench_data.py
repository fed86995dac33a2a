#!/usr/bin/env python3
"""Generate the benchmark inputs of `make bench` (issue 14), reproducibly from a seed.

1. `wgs/wgs.vcf.gz` (+ .tbi): a whole-genome-size VCF, 10 samples, records spread uniformly
   over the GRCh38 chromosomes (their real lengths, chr-style names), so that the panel genes
   hold their share of them; INFO AC/AN/AF consistent with the genotypes, DP, MQ, QD, FS, SOR,
   MQRankSum, ReadPosRankSum; FORMAT GT:AD:DP:GQ:PL; SNVs, indels, multiallelic sites; PASS
   and failing FILTER values. `wgs/wgs_unindexed.vcf.gz` is the same data without an index
   (a hard link where the file system allows), for the streaming extraction.
2. `cohort/`: a joint VCF of N four-member families (father, mother, two children; one parent
   affected and carrying the family's causal variant, children affected by a penetrance draw),
   sites in the panel genes (GRCh38, config/panels/cmm.tsv; REF read from the demo reference,
   coding sites from the demo GFF3), one PED per family, families.tsv and config.yaml using the
   demo's resources (test_data/resources), so that
   `snakemake --configfile bench/data/cohort/config.yaml` runs the whole workflow on it.

Text lines are made in chunks (pools of pre-formatted sample columns) and piped through
`bgzip -@2`; a part whose files exist is not regenerated (delete the folder to redo it).

    python scripts/make_bench_data.py [OUT=bench/data] [--records N] [--families N]
        [--sites N] [--seed S] [--only wgs|cohort]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pysam

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cmmvar.io.genome import CONTIG_LENGTHS  # noqa: E402

CHROMS = [str(n) for n in range(1, 23)] + ["X", "Y"]
WGS_SAMPLES = [f"WGS{n:02d}" for n in range(1, 11)]
BASES = np.array(list("ACGT"))
FILTERS = ["PASS"] * 90 + ["LowQual"] * 5 + ["VQSRTrancheSNP99.90to100.00"] * 4 + ["LowQual;SB"]
RESOURCES = ROOT / "test_data" / "resources"
CAUSAL_PENETRANCE = 0.68  # DCC's panel penetrance: affected children by a draw
PHENOCOPY = 0.001


def _bgzip_writer(path: Path) -> subprocess.Popen:
    handle = path.open("wb")
    proc = subprocess.Popen(["bgzip", "-@2", "-c"], stdin=subprocess.PIPE, stdout=handle)
    handle.close()
    return proc


def _finish(proc: subprocess.Popen, path: Path, tmp: Path) -> None:
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit(f"bgzip failed writing {tmp}")
    subprocess.run(["tabix", "-f", "-p", "vcf", str(tmp)], check=True)
    os.replace(tmp, path)
    os.replace(f"{tmp}.tbi", f"{path}.tbi")


def _header(samples: list[str], contigs: dict[str, int], extra: list[str]) -> str:
    lines = ["##fileformat=VCFv4.2",
             '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="Low quality">',
             '##FILTER=<ID=SB,Description="Strand bias">',
             '##FILTER=<ID=VQSRTrancheSNP99.90to100.00,Description="Truth sensitivity tranche '
             'level for SNP model at VQS Lod < -5">',
             '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes">',
             '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
             '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
             '##INFO=<ID=DP,Number=1,Type=Integer,Description="Combined depth">',
             '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS mapping quality">',
             '##INFO=<ID=QD,Number=1,Type=Float,Description="Variant confidence by depth">',
             '##INFO=<ID=FS,Number=1,Type=Float,Description="Fisher strand bias (phred)">',
             '##INFO=<ID=SOR,Number=1,Type=Float,Description="Strand odds ratio">',
             '##INFO=<ID=MQRankSum,Number=1,Type=Float,Description="MQ rank sum test">',
             '##INFO=<ID=ReadPosRankSum,Number=1,Type=Float,Description="Read position rank '
             'sum test">',
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
             '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
             '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype '
             'likelihoods">']
    lines += [f"##contig=<ID=chr{c},length={n},assembly=GRCh38>" for c, n in contigs.items()]
    lines += extra
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", *samples]))
    return "\n".join(lines) + "\n"


def _call(rng: random.Random, alleles: tuple[int, int], n_alt: int) -> str:
    """One sample's GT:AD:DP:GQ:PL for the allele indexes `alleles` (-1: no call)."""
    n_pl = (n_alt + 1) * (n_alt + 2) // 2
    if alleles[0] < 0:
        return "./.:0" + ",0" * n_alt + ":0:.:" + ",".join(["0"] * n_pl)
    dp = rng.randint(8, 59) if rng.random() > 0.05 else rng.randint(1, 7)
    ad = [0] * (n_alt + 1)
    for allele in alleles:
        ad[allele] += dp // 2
    ad[alleles[0]] += dp - sum(ad)
    gq = min(99, 3 * dp) if rng.random() > 0.05 else rng.randint(0, 19)
    pl = [0 if (a, b) == alleles else gq + 10 * (a + b + 1)
          for b in range(n_alt + 1) for a in range(b + 1)]
    return f"{alleles[0]}/{alleles[1]}:{','.join(map(str, ad))}:{dp}:{gq}:{','.join(map(str, pl))}"


def _pool(rng: random.Random, n_alt: int, size: int) -> list[tuple[str, str]]:
    """`size` pre-formatted (INFO prefix with AC/AN/AF, sample columns) pairs for sites with
    `n_alt` ALT alleles; allele frequencies spread as in a real callset (mostly rare)."""
    out = []
    for _ in range(size):
        weights = [rng.gammavariate(4.0, 1.0)] + [rng.gammavariate(0.6, 1.0)
                                                   for _ in range(n_alt)]
        calls, ac, an = [], [0] * n_alt, 0
        for _s in WGS_SAMPLES:
            if rng.random() < 0.02:
                calls.append(_call(rng, (-1, -1), n_alt))
                continue
            pair = tuple(sorted(rng.choices(range(n_alt + 1), weights, k=2)))
            for allele in pair:
                if allele:
                    ac[allele - 1] += 1
            an += 2
            calls.append(_call(rng, pair, n_alt))
        if not any(ac):  # a site in the callset has at least one ALT call
            an += 0 if calls[0].startswith("./.") else -2
            calls[0] = _call(rng, (0, 1), n_alt)
            ac[0] += 1
            an += 2
        af = ",".join(f"{c / an:.3f}" for c in ac)
        out.append((f"AC={','.join(map(str, ac))};AN={an};AF={af}", "\t".join(calls)))
    return out


def make_wgs(out: Path, records: int, seed: int) -> None:
    path, unindexed = out / "wgs.vcf.gz", out / "wgs_unindexed.vcf.gz"
    if path.exists() and Path(f"{path}.tbi").exists() and unindexed.exists():
        print(f"{path}: exists, kept")
        return
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    lengths = {c: CONTIG_LENGTHS["GRCh38"][c] for c in CHROMS}
    total = sum(lengths.values())
    pool_rng = random.Random(seed)
    pools = {1: _pool(pool_rng, 1, 4096), 2: _pool(pool_rng, 2, 512)}
    tmp = out / "wgs.vcf.gz.part"
    proc = _bgzip_writer(tmp)
    proc.stdin.write(_header(WGS_SAMPLES, lengths, []).encode())
    written = 0
    for i, chrom in enumerate(CHROMS):
        n = records - written if i == len(CHROMS) - 1 else round(records * lengths[chrom] / total)
        written += n
        positions = np.unique(rng.integers(1, lengths[chrom] - 100, n + n // 50))
        while len(positions) < n:
            positions = np.union1d(positions, rng.integers(1, lengths[chrom] - 100, n))
        positions = np.sort(rng.choice(positions, n, replace=False))
        kind = rng.random(n)  # < 0.03 multiallelic, < 0.15 indel, else SNV
        ref_i = rng.integers(0, 4, n)
        alt_i = (ref_i + rng.integers(1, 4, n)) % 4
        alt2_i = (alt_i + 1 + (alt_i + 1 == ref_i)) % 4
        ins_len = rng.integers(1, 12, n)
        pool_i = rng.integers(0, 4096, n)
        pool2_i = rng.integers(0, 512, n)
        qual = rng.gamma(2.0, 300.0, n)
        dp = rng.integers(80, 600, n)
        mq = rng.normal(59.0, 1.5, n).clip(20, 70)
        qd = rng.gamma(4.0, 4.0, n)
        fs = rng.exponential(3.0, n)
        sor = rng.gamma(2.0, 0.4, n)
        mqrs = rng.normal(0, 1, n)
        rprs = rng.normal(0, 1, n)
        has_id = rng.random(n) < 0.6
        filt = rng.integers(0, len(FILTERS), n)
        chunk = []
        for j in range(n):
            ref, alt = BASES[ref_i[j]], BASES[alt_i[j]]
            k = kind[j]
            if k < 0.03:
                info_ac, samples = pools[2][pool2_i[j]]
                alt = f"{alt},{BASES[alt2_i[j]]}"
            else:
                info_ac, samples = pools[1][pool_i[j]]
                if k < 0.09:  # insertion
                    alt = ref + "".join(BASES[(ref_i[j] + m) % 4] for m in range(ins_len[j]))
                elif k < 0.15:  # deletion
                    ref, alt = ref + "".join(BASES[(alt_i[j] + m) % 4]
                                             for m in range(ins_len[j])), ref
            chunk.append(
                f"chr{chrom}\t{positions[j]}\t{f'rs{pool_i[j] * 7919 + j}' if has_id[j] else '.'}"
                f"\t{ref}\t{alt}\t{qual[j]:.2f}\t{FILTERS[filt[j]]}\t{info_ac};DP={dp[j]};"
                f"MQ={mq[j]:.2f};QD={qd[j]:.2f};FS={fs[j]:.3f};SOR={sor[j]:.3f};"
                f"MQRankSum={mqrs[j]:.3f};ReadPosRankSum={rprs[j]:.3f}\tGT:AD:DP:GQ:PL\t"
                f"{samples}\n")
            if len(chunk) >= 100_000:
                proc.stdin.write("".join(chunk).encode())
                chunk = []
        proc.stdin.write("".join(chunk).encode())
        print(f"  chr{chrom}: {n} records", flush=True)
    _finish(proc, path, tmp)
    unindexed.unlink(missing_ok=True)
    try:
        os.link(path, unindexed)
    except OSError:
        shutil.copyfile(path, unindexed)
    print(f"{path}: {records} records, {path.stat().st_size / 1e6:.0f} MB, "
          f"{time.perf_counter() - start:.0f} s")


def _panel(panel: Path) -> list[tuple[str, str, int, int]]:
    with panel.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("##")),
                              delimiter="\t")
        return [(r["symbol"], r["chrom"], int(r["start_grch38"]), int(r["end_grch38"]))
                for r in rows]


def _coding(gff3: Path) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    with gff3.open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.split("\t")
            if len(cols) > 4 and cols[2] == "CDS":
                out.setdefault(cols[0].removeprefix("chr"), []).append((int(cols[3]),
                                                                       int(cols[4])))
    return out


def _cohort_sites(rng: np.random.Generator, sites: int, panel: Path):
    """(chrom, pos, ref, alt, gene) in the panel genes, half of them in coding sequence,
    REF from the demo reference; sorted, unique."""
    genes = _panel(panel)
    cds = _coding(RESOURCES / "transcripts.gff3")
    fasta = pysam.FastaFile(str(RESOURCES / "reference.fa.gz"))
    sizes = np.array([end - start + 1 for _, _, start, end in genes], dtype=float)
    chosen: dict[tuple[str, int], tuple] = {}
    while len(chosen) < sites:
        g = int(rng.choice(len(genes), p=sizes / sizes.sum()))
        symbol, chrom, start, end = genes[g]
        spans = [s for s in cds.get(chrom, []) if s[1] >= start and s[0] <= end]
        if spans and rng.random() < 0.5:
            lo, hi = spans[int(rng.integers(len(spans)))]
            pos = int(rng.integers(lo, hi + 1))
        else:
            pos = int(rng.integers(start, end + 1))
        ref = fasta.fetch(f"chr{chrom}", pos - 1, pos).upper()
        if ref not in "ACGT" or not ref:
            continue
        alt = BASES[(int(np.where(BASES == ref)[0][0]) + int(rng.integers(1, 4))) % 4]
        if rng.random() < 0.1:  # a frameshift-sized insertion
            alt = ref + "".join(rng.choice(BASES, int(rng.integers(1, 4))))
        chosen[(chrom, pos)] = (chrom, pos, ref, alt, symbol)
    order = {c: i for i, c in enumerate(CHROMS)}
    return sorted(chosen.values(), key=lambda s: (order[s[0]], s[1]))


def make_cohort(out: Path, families: int, sites: int, seed: int, panel: Path) -> None:
    vcf, config = out / "cohort.vcf.gz", out / "config.yaml"
    if vcf.exists() and config.exists():
        print(f"{vcf}: exists, kept")
        return
    start = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    (out / "ped").mkdir(parents=True, exist_ok=True)
    table = _cohort_sites(rng, sites, panel)
    n_sites, n_samples = len(table), 4 * families
    ids = [f"FAM{f + 1:04d}" for f in range(families)]
    names = [f"{fam}_{role}" for fam in ids for role in ("F", "M", "C1", "C2")]
    child_male = rng.random((families, 2)) < 0.5
    affected_parent = rng.integers(0, 2, families)  # 0 father, 1 mother
    chrom_x = np.array([s[0] == "X" for s in table])
    # Genotypes (ALT allele counts) of founders: most sites rare (one family's founder),
    # a fifth common (Hardy-Weinberg, frequency 1-30%); then each family's causal variant, a
    # rare autosomal site in a core gene carried by the affected parent.
    geno = np.zeros((n_sites, families, 4), dtype=np.int8)
    common = rng.random(n_sites) < 0.2
    freq = rng.uniform(0.01, 0.3, n_sites)
    for parent in (0, 1):
        draw = (rng.random((n_sites, families, 2)) < freq[:, None, None]).sum(axis=2)
        geno[:, :, parent] = np.where(common[:, None], draw, 0)
    for s in np.flatnonzero(~common):
        geno[s, rng.integers(families), rng.integers(2)] = 1
    candidates = [i for i, s in enumerate(table) if s[4] in ("DCC", "RAD51", "NTN1")
                  and not common[i]]
    causal = rng.choice(candidates, size=families)
    fam_ix = np.arange(families)
    geno[causal, fam_ix, affected_parent] = 1
    geno[causal, fam_ix, 1 - affected_parent] = 0
    # Mendelian transmission; on chrX a father passes his X to daughters only, and males
    # carry one allele (written haploid)
    for child in (2, 3):
        male = child_male[:, child - 2]
        from_f = rng.random((n_sites, families)) < geno[:, :, 0] / 2
        from_m = rng.random((n_sites, families)) < geno[:, :, 1] / 2
        from_f_x = np.where(male[None, :], False, geno[:, :, 0] > 0)
        geno[:, :, child] = (np.where(chrom_x[:, None], from_f_x, from_f).astype(np.int8)
                             + from_m)
    x_male = np.zeros((families, 4), dtype=bool)
    x_male[:, 0] = True
    x_male[:, 2:] = child_male
    carrier_c = geno[causal, fam_ix, 2:] > 0
    pheno_children = np.where(carrier_c, rng.random((families, 2)) < CAUSAL_PENETRANCE,
                              rng.random((families, 2)) < PHENOCOPY)

    calls = {0: "0/0", 1: "0/1", 2: "1/1"}
    tmp = out / "cohort.vcf.gz.part"
    proc = _bgzip_writer(tmp)
    contigs = {c: CONTIG_LENGTHS["GRCh38"][c] for c in CHROMS}
    proc.stdin.write(_header(names, contigs, ["##cmmvar_bench=synthetic cohort made by "
                                              "scripts/make_bench_data.py"]).encode())
    dp = rng.integers(10, 50, (n_sites, n_samples))
    missing = rng.random((n_sites, n_samples)) < 0.01
    for s, (chrom, pos, ref, alt, _gene) in enumerate(table):
        g = geno[s].reshape(-1)
        male = x_male.reshape(-1) if chrom == "X" else np.zeros(n_samples, dtype=bool)
        cols = []
        for k in range(n_samples):
            d = int(dp[s, k])
            if missing[s, k]:
                cols.append("./.:.:.:.")
                continue
            a = int(g[k])
            if male[k]:
                a = min(a, 1)
                cols.append(f"{a}:{d * (1 - a)},{d * a}:{d}:99")
            else:
                alt_reads = d // 2 if a == 1 else d * (a // 2)
                cols.append(f"{calls[a]}:{d - alt_reads},{alt_reads}:{d}:99")
        ploidy = np.where(male, 1, 2)[~missing[s]]
        an = int(ploidy.sum())
        ac = int(np.minimum(g, np.where(male, 1, 2))[~missing[s]].sum())
        info = f"AC={ac};AN={an};AF={ac / an:.6f};DP={int(dp[s].sum())};MQ=60.00"
        proc.stdin.write(f"chr{chrom}\t{pos}\t.\t{ref}\t{alt}\t{500 + 10 * ac}\tPASS\t{info}"
                         f"\tGT:AD:DP:GQ\t{chr(9).join(cols)}\n".encode())
    _finish(proc, vcf, tmp)

    with (out / "families.tsv").open("w", encoding="utf-8") as sheet:
        sheet.write("family_id\tvcf\tped\n")
        for f, fam in enumerate(ids):
            ped = out / "ped" / f"{fam}.ped"
            affected = [affected_parent[f] == 0, affected_parent[f] == 1, *pheno_children[f]]
            sexes = [1, 2, *(1 if m else 2 for m in child_male[f])]
            rows = ["#family_id\tindividual_id\tfather_id\tmother_id\tsex\tphenotype"]
            for k, role in enumerate(("F", "M", "C1", "C2")):
                parents = ("0", "0") if k < 2 else (f"{fam}_F", f"{fam}_M")
                rows.append(f"{fam}\t{fam}_{role}\t{parents[0]}\t{parents[1]}\t{sexes[k]}\t"
                            f"{2 if affected[k] else 1}")
            ped.write_text("\n".join(rows) + "\n", encoding="utf-8")
            sheet.write(f"{fam}\t{vcf.resolve()}\t{ped.resolve()}\n")
    demo = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    text = []
    for line in demo.splitlines():
        key, _, value = line.partition(":")
        name = key.strip()
        if name == "families" and not line.startswith(" "):
            line = f"families: {(out / 'families.tsv').resolve()}"
        elif name == "outdir" and not line.startswith(" "):
            line = f"outdir: {(out / 'results').resolve()}"
        elif name == "panel" and not line.startswith(" "):
            line = f"panel: {panel.resolve()}"
        elif value.strip().startswith("test_data/"):
            line = f"{key}: {(ROOT / value.strip()).resolve()}"
        elif name == "cache":
            line = f"{key}: {(out / '.cache').resolve()}"
        if not line.startswith("#"):
            text.append(line)
    config.write_text(f"# {families} synthetic families made by scripts/make_bench_data.py "
                      f"(seed {seed}); the demo's resources\n" + "\n".join(text) + "\n",
                      encoding="utf-8")
    print(f"{vcf}: {families} families, {n_samples} samples, {n_sites} sites, "
          f"{time.perf_counter() - start:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "bench" / "data"))
    parser.add_argument("--records", type=int, default=5_000_000,
                        help="records of the WGS VCF (default 5,000,000)")
    parser.add_argument("--families", type=int, default=1000,
                        help="four-member families of the cohort (default 1,000)")
    parser.add_argument("--sites", type=int, default=2000, help="cohort sites (default 2,000)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--panel", default=str(ROOT / "config" / "panels" / "cmm.tsv"))
    parser.add_argument("--only", choices=("wgs", "cohort"))
    args = parser.parse_args()
    if args.records < 1000 or args.families < 1 or args.sites < 10:
        parser.error("--records >= 1000, --families >= 1, --sites >= 10")
    out = Path(args.out)
    if args.only in (None, "wgs"):
        make_wgs(out / "wgs", args.records, args.seed)
    if args.only in (None, "cohort"):
        make_cohort(out / "cohort", args.families, args.sites, args.seed, Path(args.panel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
