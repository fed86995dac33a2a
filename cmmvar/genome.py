"""Genome builds and chromosome names: contig lengths of GRCh38/GRCh37 and `chr1` <-> `1`.

Lengths of the primary assembly units from the GRC assembly reports (GRCh38.p14,
GCF_000001405.40; GRCh37.p13, GCF_000001405.25). Patches do not change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cmmvar.errors import BuildMismatchError

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
