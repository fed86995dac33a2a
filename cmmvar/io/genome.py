"""Genome builds, chromosome names and reference bases: contig lengths of GRCh38/GRCh37,
`chr1` <-> `1`, and `Reference`, the one reader of an indexed FASTA. Knows no variants.

Lengths of the primary assembly units from the GRC assembly reports (GRCh38.p14,
GCF_000001405.40; GRCh37.p13, GCF_000001405.25). Patches do not change them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path

import pysam

from cmmvar.errors import BuildMismatchError, InputError, VcfError

BUILDS = ("GRCh38", "GRCh37")

CONTIG_LENGTHS: dict[str, dict[str, int]] = {
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
}


def bare(chrom: str) -> str:
    """`chr7` -> `7`, `chrM` -> `MT`; names without the prefix are returned unchanged."""
    name = chrom[3:] if chrom.lower().startswith("chr") else chrom
    return "MT" if name in ("M", "MT") else name


def canonical(chrom: str) -> str:
    """The name cmmvar writes in every output: UCSC style, `chr7`, `chrX`, `chrM`."""
    name = bare(chrom)
    return "chrM" if name == "MT" else f"chr{name}"


def resolve(chrom: str, available: Iterable[str]) -> str | None:
    """The spelling of `chrom` used by a file whose contigs are `available`, or None: the
    same name, else its UCSC or bare form, else any name that `bare` takes as the same
    chromosome (chrMT, M, Chr7, CHR7), the first in the file's order."""
    names = list(available)
    key = bare(chrom)
    present = set(names)
    for candidate in (chrom, canonical(chrom), key):
        if candidate in present and bare(candidate) == key:
            return candidate
    return next((name for name in names if bare(name) == key), None)


def check_build(contig_lengths: Mapping[str, int | None], build: str, path: str) -> list[str]:
    """Raise if contig lengths belong to the other build; return notes on what was checked."""
    other = "GRCh37" if build == "GRCh38" else "GRCh38"
    expected, alternative = CONTIG_LENGTHS[build], CONTIG_LENGTHS[other]
    matches, mismatches, neither = [], [], []
    for contig, length in contig_lengths.items():
        key = bare(contig)
        if length is None or key not in expected:
            continue
        if length == expected[key]:
            matches.append(contig)
        elif length == alternative[key]:
            mismatches.append(f"{contig} has length {length:,}, the {other} length "
                              f"({build}: {expected[key]:,})")
        else:
            neither.append(f"{contig} has length {length:,}")
    if mismatches:
        raise BuildMismatchError(
            f"the file is on {other}, not on the configured {build}: "
            + "; ".join(mismatches[:3]),
            path=path,
            hint=f"set genome_build: {other} in the config, or use a {build} file")
    if not matches and neither:
        return [f"{path}: contig lengths match neither {build} nor {other} "
                f"({'; '.join(neither[:3])}); build not checked, assumed {build}"]
    if not matches:
        return [f"{path}: no contig length in the header to check the build against; "
                f"assumed {build}"]
    return []


class Reference:
    """An indexed reference FASTA, read by 1-based position under any spelling of its contig
    names (see `resolve`), in cached blocks; bases are upper case. The only place cmmvar opens
    a FASTA, so a FASTA that cannot be read gives the same error at every stage."""

    BLOCK = 2048
    MAX_BLOCKS = 256  # at most 512 kb held; a walk along a contig reuses only its last blocks

    def __init__(self, path: str | Path):
        self.path = str(path)
        hint = (f"give the indexed FASTA of the genome build: plain or bgzip-compressed (not "
                f"gzip), indexed with 'samtools faidx {self.path}' (check "
                f"annotation.reference_fasta, or --fasta)")
        if not Path(self.path).is_file():
            raise InputError("reference FASTA not found", path=self.path, hint=hint)
        try:
            # htslib makes a missing .fai (and .gzi) beside the file when it can
            self._fasta = pysam.FastaFile(self.path)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the reference FASTA or make its index ({exc})",
                             path=self.path, hint=hint) from None
        self.references = tuple(self._fasta.references)
        self._lengths = dict(zip(self.references, self._fasta.lengths, strict=True))
        self._blocks: dict[tuple[str, int], str] = {}

    def contig(self, chrom: str) -> str | None:
        """This FASTA's name for `chrom`, or None when it does not have it."""
        return resolve(chrom, self.references)

    def require(self, chrom: str, record: str) -> str:
        """This FASTA's name for `chrom`; VcfError naming the FASTA when it does not have it."""
        contig = self.contig(chrom)
        if contig is None:
            raise VcfError(f"contig {chrom} is not in the reference FASTA {self.path}",
                           path=self.path, record=record,
                           hint="use a FASTA that covers the panel regions on the configured "
                                "build")
        return contig

    def base(self, contig: str, pos: int) -> str:
        """The base at 1-based `pos` of `contig` (a name of this FASTA); '' outside the contig."""
        if not 1 <= pos <= self._lengths[contig]:
            return ""
        block, offset = divmod(pos - 1, self.BLOCK)
        return self._block(contig, block)[offset]

    def base_at(self, contig: str) -> Callable[[int], str]:
        """`base` on one contig: pos -> base."""
        return partial(self.base, contig)

    def seq(self, contig: str, start: int, end: int) -> str:
        """Bases start..end (1-based, inclusive) of `contig`, cut at the contig's ends."""
        start, end = max(start, 1), min(end, self._lengths[contig])
        if start > end:
            return ""
        first, last = (start - 1) // self.BLOCK, (end - 1) // self.BLOCK
        joined = "".join(self._block(contig, b) for b in range(first, last + 1))
        offset = first * self.BLOCK
        return joined[start - 1 - offset: end - offset]

    def _block(self, contig: str, block: int) -> str:
        key = (contig, block)
        if key not in self._blocks:
            if len(self._blocks) >= self.MAX_BLOCKS:
                self._blocks.clear()
            start = block * self.BLOCK
            self._blocks[key] = self._fasta.fetch(contig, start, start + self.BLOCK).upper()
        return self._blocks[key]

    def close(self) -> None:
        self._fasta.close()

    def __enter__(self) -> Reference:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
