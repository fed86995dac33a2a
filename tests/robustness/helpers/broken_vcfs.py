"""Helpers of test_broken_vcfs.py, shared with other test modules."""

from __future__ import annotations

import gzip
import os
import random
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.robustness.harness import Error, Member, Result

SAMPLES = ("FATHER", "MOTHER", "SON", "DAUGHTER")


MEMBERS = [Member("FATHER", "male", "affected"), Member("MOTHER", "female", "unaffected"),
           Member("SON", "male", "affected"), Member("DAUGHTER", "female", "unknown")]


# One made-up gene per contig over everything the cases write (GRCh38 coordinates).
SPANS = {"chr1": (1_000_000, 1_100_000), "chr2": (1_000_000, 1_100_000),
         "chrX": (50_000, 5_100_000)}


HEADER = [
    "##fileformat=VCFv4.2",
    '##FILTER=<ID=PASS,Description="All filters passed">',
    "##contig=<ID=chr1,length=248956422>",
    "##contig=<ID=chr2,length=242193529>",
    "##contig=<ID=chrX,length=156040895>",
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
    '##INFO=<ID=NOTE,Number=1,Type=String,Description="Free text">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
]


COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]


def chrom_line(samples=SAMPLES) -> str:
    return "\t".join(COLUMNS + (["FORMAT", *samples] if samples else []))


def rec(chrom: str, pos: int | str, ref: str, alt: str, calls: tuple[str, ...],
        fmt: str = "GT", info: str = "DP=40", vid: str = ".") -> str:
    return "\t".join([chrom, str(pos), vid, ref, alt, "50", "PASS", info, fmt, *calls])


# The well-formed records (father, mother, son, daughter). Hand counts:
# 1000100 A>G: father 0/1 and son 0/1 carry, mother 0/0 does not, daughter ./. is missing.
# 1000200 C>T,G split: for T, father 1/2 and mother 0/1 carry, son 0/2 and daughter 0/0 do
#   not; for G, father 1/2 and son 0/2 carry, mother 0/1 and daughter 0/0 do not.
# 1000300 GTT>G (trimmed: nothing shared at the right end, one base at the left is REF's
#   anchor): father 0/1, mother 0/1, son 0|1 carry, daughter 0/0 does not.
BODY = [
    rec("chr1", 1_000_100, "A", "G", ("0/1:50:20:10,10", "0/0:50:20:20,0", "0/1:50:20:10,10",
                                      "./.:.:.:."), fmt="GT:GQ:DP:AD"),
    rec("chr1", 1_000_200, "C", "T,G", ("1/2:50:20:0,10,10", "0/1:50:20:10,10,0",
                                        "0/2:50:20:10,0,10", "0/0:50:20:20,0,0"),
        fmt="GT:GQ:DP:AD"),
    rec("chr1", 1_000_300, "GTT", "G", ("0/1", "0/1", "0|1", "0/0")),
]


def row(chrom, pos, ref, alt, affected=(0, 0, 0), unaffected=(0, 0, 0), unknown=(0, 0, 0)):
    """A segregate row: (carriers, non-carriers, missing) per phenotype group."""
    return (chrom, pos, ref, alt, *affected, *unaffected, *unknown)


BODY_ROWS = [
    row("1", 1_000_100, "A", "G", affected=(2, 0, 0), unaffected=(0, 1, 0), unknown=(0, 0, 1)),
    row("1", 1_000_200, "C", "T", affected=(1, 1, 0), unaffected=(1, 0, 0), unknown=(0, 1, 0)),
    row("1", 1_000_200, "C", "G", affected=(2, 0, 0), unaffected=(0, 1, 0), unknown=(0, 1, 0)),
    row("1", 1_000_300, "GTT", "G", affected=(2, 0, 0), unaffected=(1, 0, 0), unknown=(0, 1, 0)),
]


def text(lines: list[str], newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def bgzip(data: bytes, path: Path) -> Path:
    with path.open("wb") as out:
        subprocess.run(["bgzip", "-c"], input=data, stdout=out, check=True)
    return path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def valid(d: Path) -> Path:
    return write(d / "valid.vcf", text(HEADER + [chrom_line()] + BODY))


def bgzip_with_index(d: Path) -> Path:
    """Read through the index (region queries), not streamed."""
    path = bgzip(text(HEADER + [chrom_line()] + BODY), d / "indexed.vcf.gz")
    subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    return path


def bcf_with_csi(d: Path) -> Path:
    plain = valid(d)
    path = d / "indexed.bcf"
    subprocess.run(["bcftools", "view", "--no-version", "-Ob", "-o", str(path), str(plain)],
                   check=True, capture_output=True)
    subprocess.run(["bcftools", "index", "--csi", str(path)], check=True)
    plain.unlink()
    return path


def truncated_bgzip(d: Path) -> Path:
    """5,000 records bgzipped (several BGZF blocks), cut at 60 % inside a block."""
    rng = random.Random(9)
    body = [rec("chr1", 1_000_000 + 10 * i, "A", "G", ("0/1", "0/0", "0/1", "0/0"),
                info=f"DP={rng.randint(10, 99)}") for i in range(5000)]
    whole = bgzip(text(HEADER + [chrom_line()] + body), d / "whole.vcf.gz").read_bytes()
    (d / "whole.vcf.gz").unlink()
    return write(d / "truncated.vcf.gz", whole[: len(whole) * 6 // 10])


def plain_gzip(d: Path) -> Path:
    return write(d / "plain_gzip.vcf.gz", gzip.compress(text(HEADER + [chrom_line()] + BODY)))


def no_chrom_line(d: Path) -> Path:
    return write(d / "no_chrom_line.vcf", text(HEADER + BODY))


def duplicate_samples(d: Path) -> Path:
    samples = ("FATHER", "MOTHER", "SON", "SON")
    return write(d / "duplicate_samples.vcf", text(HEADER + [chrom_line(samples)] + BODY))


def undeclared_contig(d: Path) -> Path:
    """Records on chr2, which has no ##contig line (htslib warns and adds one)."""
    header = [line for line in HEADER if "ID=chr2," not in line]
    extra = rec("chr2", 1_000_500, "T", "C", ("0/1", "0/0", "0/1", "0/0"))
    return write(d / "undeclared_contig.vcf", text(header + [chrom_line()] + BODY + [extra]))


def undeclared_keys(d: Path) -> Path:
    """INFO/AA and FORMAT/AD used in records, neither declared."""
    header = [line for line in HEADER if "ID=AD," not in line]
    body = [line.replace("\tDP=40\t", "\tDP=40;AA=G\t") for line in BODY]
    return write(d / "undeclared_keys.vcf", text(header + [chrom_line()] + body))


def unsorted(d: Path) -> Path:
    body = [BODY[2], BODY[0], BODY[1]]
    return write(d / "unsorted.vcf", text(HEADER + [chrom_line()] + body))


def unsorted_stale_index(d: Path) -> Path:
    """An index made for the sorted file, then the records rewritten in reverse order (tabix
    refuses to index unsorted records, so an unsorted file with an index has a stale one).
    Long INFO values spread the records over several BGZF blocks, so that the index's
    offsets point into the wrong records."""
    rng = random.Random(4)
    body = BODY + [rec("chr1", 1_001_000 + 10 * i, "A", "G", ("0/1", "0/0", "0/1", "0/0"),
                       info="NOTE=" + "".join(rng.choices("ACGT", k=2000)))
                   for i in range(300)]
    path = bgzip(text(HEADER + [chrom_line()] + body), d / "stale_index.vcf.gz")
    subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    bgzip(text(HEADER + [chrom_line()] + body[::-1]), path)
    index = Path(f"{path}.tbi")
    os.utime(index, (path.stat().st_mtime - 60, path.stat().st_mtime - 60))
    return path


def non_numeric_pos(d: Path) -> Path:
    bad = rec("chr1", "10001x0", "A", "G", ("0/1", "0/0", "0/1", "0/0"))
    return write(d / "non_numeric_pos.vcf", text(HEADER + [chrom_line()] + BODY[:1] + [bad]))


def triploid_gt(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("0/1", "0/0", "0/1/1", "0/0"))]
    return write(d / "triploid.vcf", text(HEADER + [chrom_line()] + body))


TRIPLOID_ROWS = [  # son's 0/1/1: a triploid call is missing, never a carrier or a crash
    row("1", 1_000_400, "A", "G", affected=(1, 0, 1), unaffected=(0, 1, 0), unknown=(0, 1, 0))]


def gt_beyond_alt(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("0/1", "0/2", "0/1", "0/0"))]
    return write(d / "gt_beyond_alt.vcf", text(HEADER + [chrom_line()] + body))


GT_BEYOND_ALT_ROWS = [  # mother's 0/2 names an ALT the record lacks: missing, not 0/0
    row("1", 1_000_400, "A", "G", affected=(2, 0, 0), unaffected=(0, 0, 1), unknown=(0, 1, 0))]


def symbolic_alleles(d: Path) -> Path:
    header = HEADER + ['##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
                       '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
                       '##ALT=<ID=DEL,Description="Deletion">',
                       '##ALT=<ID=*,Description="Any other allele">']
    calls = ("0/1", "0/0", "0/1", "0/0")
    body = [
        rec("chr1", 1_000_400, "A", "<DEL>", calls, info="END=1000900;SVTYPE=DEL"),
        rec("chr1", 1_000_500, "C", "G,<*>", ("0/1", "0/2", "1/1", "0/0")),
        rec("chr1", 1_000_600, "G", "G]chr2:1000700]", calls, info="SVTYPE=BND"),
        rec("chr1", 1_000_700, "T", "*,C", ("1/2", "0/1", "0/2", "0/0")),
    ]
    return write(d / "symbolic.vcf", text(header + [chrom_line()] + body))


SYMBOLIC_ROWS = [  # only the sequence alleles have rows: G at 1000500 and C at 1000700
    row("1", 1_000_500, "C", "G", affected=(2, 0, 0), unaffected=(0, 1, 0), unknown=(0, 1, 0)),
    # 1000700 T>*,C: mother's 0/1 is the spanning deletion, so she does not carry C
    row("1", 1_000_700, "T", "C", affected=(2, 0, 0), unaffected=(0, 1, 0), unknown=(0, 1, 0)),
]


def crlf(d: Path) -> Path:
    return write(d / "crlf.vcf", text(HEADER + [chrom_line()] + BODY, newline="\r\n"))


def bom(d: Path) -> Path:
    return write(d / "bom.vcf", b"\xef\xbb\xbf" + text(HEADER + [chrom_line()] + BODY))


def non_utf8_header(d: Path) -> Path:
    """A Latin-1 sample name (René, not in the PED) and a Latin-1 comment line."""
    lines = (HEADER + ["##comment=Café"] + [chrom_line((*SAMPLES, "René"))]
             + [line + "\t0/0" for line in BODY])
    return write(d / "non_utf8_header.vcf", text(lines, encoding="latin-1"))


def non_utf8_records(d: Path) -> Path:
    """Latin-1 bytes in an ID and in an INFO string value."""
    first = BODY[0].replace("\tDP=40\t", "\tDP=40;NOTE=café\t").replace("\t.\t", "\trsé\t", 1)
    return write(d / "non_utf8_records.vcf",
                 text(HEADER + [chrom_line(), first, *BODY[1:]], encoding="latin-1"))


def huge_info(d: Path) -> Path:
    body = [BODY[0].replace("\tDP=40\t", "\tDP=40;NOTE=" + "ACGT" * 262_144 + "\t"), *BODY[1:]]
    return write(d / "huge_info.vcf", text(HEADER + [chrom_line()] + body))


def header_only(d: Path) -> Path:
    return write(d / "header_only.vcf", text(HEADER + [chrom_line()]))


def no_samples(d: Path) -> Path:
    body = ["\t".join(line.split("\t")[:8]) for line in BODY]
    return write(d / "no_samples.vcf", text(HEADER + [chrom_line(())] + body))


def contig_idx(d: Path) -> Path:
    """##contig lines with the IDX= that BCF-derived headers carry."""
    header = [line.replace(",length=", f",IDX={n},length=") if line.startswith("##contig")
              else line for n, line in enumerate(HEADER)]
    return write(d / "contig_idx.vcf", text(header + [chrom_line()] + BODY))


def format_without_gt(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("20:10,10", "20:20,0", "20:10,10", "20:20,0"),
                fmt="DP:AD")]
    return write(d / "format_without_gt.vcf", text(HEADER + [chrom_line()] + BODY + body))


NO_GT_ROW = row("1", 1_000_400, "A", "G", affected=(0, 0, 2), unaffected=(0, 0, 1),
                unknown=(0, 0, 1))  # no GT: every member missing, never a non-carrier


def pl_only(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("0,3,30", "0,30,300", "0,3,30", "0,30,300"),
                fmt="PL"),
            rec("chr1", 1_000_500, "C", "T,G", ("0,3,30,3,30,30",) * 4, fmt="PL")]
    return write(d / "pl_only.vcf", text(HEADER + [chrom_line()] + body))


PL_ONLY_ROWS = [row("1", pos, ref, alt, affected=(0, 0, 2), unaffected=(0, 0, 1),
                    unknown=(0, 0, 1))
                for pos, ref, alt in ((1_000_400, "A", "G"), (1_000_500, "C", "T"),
                                      (1_000_500, "C", "G"))]


def glnexus_rnc(d: Path) -> Path:
    """GLnexus's reason-for-no-call field: Type=Character, Number=2, written `..` / `MM`."""
    header = HEADER + ['##FORMAT=<ID=RNC,Number=2,Type=Character,Description="Reason for No '
                       'Call in GT: . = n/a, M = Missing data, P = Partial data, I = gVCF input '
                       'site is non-called, D = insufficient Depth of coverage">']
    body = [rec("chr1", 1_000_400, "A", "G", ("0/1:..", "0/0:..", "./.:MM", "0/1:.."),
                fmt="GT:RNC"),
            rec("chr1", 1_000_500, "C", "T,G", ("1/2:..", "./.:II", "0/2:..", "0/0:.."),
                fmt="GT:RNC")]
    return write(d / "glnexus_rnc.vcf", text(header + [chrom_line()] + body))


def pl_wrong_length(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("0/1:0,3,30,4", "0/0:0,30", "0/1:0,3,30",
                                              "0/0:0,30,300"), fmt="GT:PL"),
            rec("chr1", 1_000_500, "C", "T,G", ("1/2:0,3,30", "0/1:0,1,2,3,4,5",
                                                "0/2:0,3", "0/0:0"), fmt="GT:PL")]
    return write(d / "pl_wrong_length.vcf", text(HEADER + [chrom_line()] + body))


def haploid_x(d: Path) -> Path:
    """chrX as `bcftools call --ploidy GRCh38` writes it, plus the calls that do not fit."""
    body = [
        # outside the PARs: father 1 is a hemizygous carrier, son 1/1 a hemizygous carrier
        # written diploid, daughter's haploid 1 is missing (a woman has two X)
        rec("chrX", 5_000_000, "G", "A", ("1", "0/1", "1/1", "1")),
        # outside the PARs: father 0 does not carry, son's heterozygous 0/1 is missing
        rec("chrX", 5_000_100, "T", "C", ("0", "0/1", "0/1", "0/0")),
        # PAR1 (chrX:10,001-2,781,479): diploid for everyone, so father's haploid 1 is missing
        rec("chrX", 60_000, "C", "T", ("1", "0/1", "0/1", "0/0")),
    ]
    return write(d / "haploid_x.vcf", text(HEADER + [chrom_line()] + body))


HAPLOID_X_ROWS = [
    row("X", 5_000_000, "G", "A", affected=(2, 0, 0), unaffected=(1, 0, 0), unknown=(0, 0, 1)),
    row("X", 5_000_100, "T", "C", affected=(0, 1, 1), unaffected=(1, 0, 0), unknown=(0, 1, 0)),
    row("X", 60_000, "C", "T", affected=(1, 0, 1), unaffected=(1, 0, 0), unknown=(0, 1, 0)),
]


def haploid_autosome(d: Path) -> Path:
    body = [rec("chr1", 1_000_400, "A", "G", ("1", "0/0", "0", "0/1"))]
    return write(d / "haploid_autosome.vcf", text(HEADER + [chrom_line()] + body))


HAPLOID_AUTOSOME_ROWS = [  # haploid calls on an autosome are missing (never read as 1/1, 0/0)
    row("1", 1_000_400, "A", "G", affected=(0, 0, 2), unaffected=(0, 1, 0), unknown=(1, 0, 0))]


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], Path]
    extract: Result | Error
    segregate: Result | Error
    bcftools_reads: bool = True
    inheritance: str = "AD"

    @property
    def name(self) -> str:
        return self.make.__name__


CASES = [
    Case(valid, Result(), Result(Counter(BODY_ROWS))),
    Case(bgzip_with_index, Result(), Result(Counter(BODY_ROWS))),
    Case(bcf_with_csi, Result(), Result(Counter(BODY_ROWS))),
    Case(truncated_bgzip, Error(r"truncat|end of (the )?file|corrupt|incomplete"),
         Error(r"truncat|end of (the )?file|corrupt|incomplete"), bcftools_reads=False),
    Case(plain_gzip, Result(), Result(Counter(BODY_ROWS))),
    Case(no_chrom_line, Error(r"#CHROM"), Error(r"#CHROM"), bcftools_reads=False),
    Case(duplicate_samples, Error(r"(duplicat|twice).*SON|SON.*(duplicat|twice)"),
         Error(r"(duplicat|twice).*SON|SON.*(duplicat|twice)"), bcftools_reads=False),
    Case(undeclared_contig, Result(), Result()),
    Case(undeclared_keys, Result(), Result(Counter(BODY_ROWS))),
    Case(unsorted, Result(), Result(Counter(BODY_ROWS))),
    Case(unsorted_stale_index, Result(note=r"index"), Result()),
    Case(non_numeric_pos, Error(r"10001x0"), Error(r"10001x0")),
    Case(triploid_gt, Result(), Result(Counter(TRIPLOID_ROWS))),
    Case(gt_beyond_alt, Result(), Result(Counter(GT_BEYOND_ALT_ROWS))),
    Case(symbolic_alleles, Result(), Result(Counter(SYMBOLIC_ROWS))),
    Case(crlf, Result(), Result(Counter(BODY_ROWS))),
    Case(bom, Error(r"BOM|byte.order.mark"), Error(r"BOM|byte.order.mark"),
         bcftools_reads=False),
    Case(non_utf8_header, Result(), Result(Counter(BODY_ROWS))),
    Case(non_utf8_records, Result(), Result(Counter(BODY_ROWS))),
    Case(huge_info, Result(), Result(Counter(BODY_ROWS))),
    Case(header_only, Result(), Result(Counter())),
    Case(no_samples, Result(), Error(r"no samples|samples: none|has no sample")),
    Case(contig_idx, Result(), Result(Counter(BODY_ROWS))),
    Case(format_without_gt, Result(), Result(Counter([*BODY_ROWS, NO_GT_ROW]))),
    Case(pl_only, Result(), Result(Counter(PL_ONLY_ROWS))),
    Case(glnexus_rnc, Result(), Result()),
    Case(pl_wrong_length, Result(), Result()),
    Case(haploid_x, Result(), Result(Counter(HAPLOID_X_ROWS)), inheritance="XLD"),
    Case(haploid_autosome, Result(), Result(Counter(HAPLOID_AUTOSOME_ROWS))),
]
