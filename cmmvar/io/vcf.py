"""Opening VCF/BCF files through pysam with clear errors, their headers (contigs, what the
records use that the header does not declare) and bgzipped, indexed output. Records are read
by cmmvar.io.vcf_records.

Knows files, headers and records; knows nothing about families or the panel.

Text that is not UTF-8 (a Latin-1 sample name, say) is read with one rule: each byte that is
not part of a valid UTF-8 sequence is read as the Latin-1 character of that byte; what cmmvar
writes is UTF-8.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from cmmvar.errors import VcfError

pysam.set_verbosity(0)  # htslib's own stderr lines would repeat our messages out of context


def _read_as_latin1(error: UnicodeError):
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start:error.end].decode("latin-1"), error.end


TEXT_ERRORS = "cmmvar-latin1"  # the error handler of every text read: bytes, not UTF-8, as Latin-1
codecs.register_error(TEXT_ERRORS, _read_as_latin1)
pysam.set_encoding_error_handler(TEXT_ERRORS)

_BGZF_MAGIC = b"\x1f\x8b\x08\x04"  # gzip with FEXTRA set: BGZF blocks carry a 'BC' field


def open_vcf(path: str | Path) -> pysam.VariantFile:
    """Open a VCF (plain, bgzipped or gzipped) or a BCF for reading, or raise a VcfError
    that says why not. A gzipped (not bgzipped) VCF is read as a stream: it has no index."""
    path = Path(path)
    if not path.exists():
        raise VcfError("VCF file not found", path=path, hint="check the path")
    if not path.is_file():
        raise VcfError("not a file", path=path)
    try:
        plain_gzip = is_plain_gzip(path)
    except OSError as exc:
        raise VcfError(f"cannot read the file: {exc.strerror}", path=path,
                       hint="check its permissions") from None
    try:
        if plain_gzip:
            # htslib streams gzip but cannot seek in it, which pysam asks of a named file;
            # an open handle is read as a stream (pysam keeps its own copy of the descriptor)
            with path.open("rb") as handle:
                return pysam.VariantFile(handle)
        return pysam.VariantFile(str(path))
    except (ValueError, OSError) as exc:
        if "truncated" in str(exc):
            raise VcfError("the file is truncated (it lacks the BGZF end-of-file block)",
                           path=path, hint="the file is incomplete: copy or download it again"
                           ) from None
        reason = _header_problem(path)
        if reason:
            raise VcfError(reason[0], path=path, line=reason[1], hint=reason[2]) from None
        raise VcfError(f"not a readable VCF or BCF ({exc})", path=path,
                       hint="give a VCF, a bgzipped VCF (.vcf.gz) or a BCF") from None


def is_plain_gzip(path: str | Path) -> bool:
    """Whether a file is gzip but not BGZF."""
    with open(path, "rb") as handle:
        start = handle.read(18)
    return start[:2] == b"\x1f\x8b" and not (start[:4] == _BGZF_MAGIC and start[12:14] == b"BC")


def _header_problem(path: Path) -> tuple[str, int | None, str] | None:
    """Why htslib refused a text VCF's header (message, line, hint), when it can be told."""
    try:
        with path.open("rb") as handle:
            start = handle.read(18)
        opener = gzip.open if start[:2] == b"\x1f\x8b" else open
        with opener(path, "rb") as handle:
            lines = []
            for raw in handle:
                lines.append(raw)
                if not raw.startswith(b"#"):
                    break
    except (OSError, EOFError):
        return None
    if not lines:
        return "the file is empty", None, "give a VCF with a header"
    if lines[0].startswith(b"\xef\xbb\xbf"):
        return ("the file starts with a byte-order mark (BOM), which VCF does not allow", 1,
                "save it without the BOM, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE")
    if not lines[0].startswith(b"##fileformat=VCF"):
        return None
    chrom = next((n for n, raw in enumerate(lines, start=1) if raw.startswith(b"#CHROM")), None)
    if chrom is None:
        return ("the header has no #CHROM line", None,
                "the header must end with the tab-separated #CHROM POS ID REF ALT QUAL FILTER "
                "INFO [FORMAT samples] line")
    names = lines[chrom - 1].rstrip(b"\r\n").split(b"\t")[9:]
    seen: dict[bytes, int] = {}
    for column, name in enumerate(names, start=10):
        if name in seen:
            return (f"sample {name.decode('utf-8', TEXT_ERRORS)!r} is named twice in the "
                    f"#CHROM line (columns {seen[name]} and {column})", chrom,
                    "give each sample column a unique name, e.g. with bcftools reheader --samples")
        seen[name] = column
    return None


_BLOCK = 1 << 22  # bytes read at a time by data_blocks: memory stays flat in records


def data_blocks(path: str | Path, compression: str) -> Iterator[bytes]:
    """The data lines of a text VCF (plain, gzip or BGZF as `compression` names it, as pysam
    reports it), in blocks of whole lines ending with a newline, the header skipped; for
    reading a whole file without parsing the records that will be dropped. A file that ends
    inside a compressed block is a VcfError."""
    if compression == "BGZF":
        handle = pysam.BGZFile(str(path), "rb")
    elif compression == "GZIP":
        handle = gzip.open(path, "rb")
    else:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, also on an error)
    rest, in_header = b"", True
    try:
        while True:
            try:
                block = handle.read(_BLOCK)
            except (OSError, EOFError) as exc:
                raise VcfError(f"the file is truncated or corrupt ({exc})", path=path,
                               hint="the file is incomplete: copy or download it again"
                               ) from None
            if not block:
                break
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest, block = block[cut:], block[:cut]
            if in_header:  # header lines start with '#'; the data starts at the first that does not
                start = 0
                while start < len(block) and block[start] == 35:  # '#'
                    start = block.index(b"\n", start) + 1
                block = block[start:]
                in_header = start == cut
            if block:
                yield block
        if rest and not (in_header and rest[0] == 35):  # a last line without its newline
            yield rest + b"\n"
    finally:
        handle.close()


def has_index(vcf: pysam.VariantFile) -> bool:
    return vcf.index is not None


def stale_index(path: str | Path) -> Path | None:
    """The index of `path` when it is older than the data: records may have been added,
    removed or reordered since, so a region query through it cannot be trusted."""
    data = os.stat(path).st_mtime
    for suffix in (".tbi", ".csi"):
        index = Path(f"{path}{suffix}")
        if index.exists() and index.stat().st_mtime < data:
            return index
    return None


def contig_lengths(vcf: pysam.VariantFile) -> dict[str, int | None]:
    return contig_lengths_of(vcf.header)


def contig_lengths_of(header: pysam.VariantHeader) -> dict[str, int | None]:
    """Contig name -> length (None when the header gives none), in header order.

    Read from the header's lines: pysam's contig dictionary asserts when `##contig` lines
    carry IDX= values with gaps (as headers written from BCFs can), which htslib accepts."""
    lengths: dict[str, int | None] = {}
    for line in header.records:
        if line.type == "CONTIG" and "ID" in line:
            length = line.get("length")
            lengths[line["ID"]] = int(length) if length and length.isdigit() else None
    return lengths


# Keys whose meaning the VCF specification fixes (VCF 4.3, section 1.6.1 table of reserved INFO
# keys, section 1.6.2 table of reserved FORMAT keys): Number, Type, Description.
RESERVED = {
    "INFO": {
        "AA": ("1", "String", "Ancestral allele"),
        "AC": ("A", "Integer", "Allele count in genotypes, for each ALT allele"),
        "AD": ("R", "Integer", "Total read depth for each allele"),
        "AF": ("A", "Float", "Allele frequency for each ALT allele"),
        "AN": ("1", "Integer", "Total number of alleles in called genotypes"),
        "DB": ("0", "Flag", "dbSNP membership"),
        "DP": ("1", "Integer", "Combined depth across samples"),
        "END": ("1", "Integer", "End position on CHROM"),
        "H2": ("0", "Flag", "HapMap2 membership"),
        "H3": ("0", "Flag", "HapMap3 membership"),
        "MQ": ("1", "Float", "RMS mapping quality"),
        "MQ0": ("1", "Integer", "Number of MAPQ == 0 reads"),
        "NS": ("1", "Integer", "Number of samples with data"),
        "SOMATIC": ("0", "Flag", "Somatic mutation"),
        "VALIDATED": ("0", "Flag", "Validated by follow-up experiment"),
    },
    "FORMAT": {
        "AD": ("R", "Integer", "Read depth for each allele"),
        "ADF": ("R", "Integer", "Read depth for each allele on the forward strand"),
        "ADR": ("R", "Integer", "Read depth for each allele on the reverse strand"),
        "DP": ("1", "Integer", "Read depth"),
        "EC": ("A", "Integer", "Expected alternate allele counts"),
        "FT": ("1", "String", "Filter indicating if this genotype was called"),
        "GL": ("G", "Float", "Genotype likelihoods"),
        "GP": ("G", "Float", "Genotype posterior probabilities"),
        "GQ": ("1", "Integer", "Conditional genotype quality"),
        "GT": ("1", "String", "Genotype"),
        "HQ": ("2", "Integer", "Haplotype quality"),
        "MQ": ("1", "Integer", "RMS mapping quality"),
        "PL": ("G", "Integer", "Phred-scaled genotype likelihoods rounded to the closest integer"),
        "PQ": ("1", "Integer", "Phasing quality"),
        "PS": ("1", "Integer", "Phase set"),
    },
}
_VALUE = {
    "Integer": re.compile(r"^([-+]?\d+|\.)$"),
    "Float": re.compile(r"^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(inf|infinity|nan)|\.)$",
                        re.IGNORECASE),
    "String": re.compile(r""),
}
_INFO_VALUES = re.compile(r"=[^;]*")  # INFO text without its values: the keys, ';'-separated
_TBI_LIMIT = 2**29  # tabix .tbi bins address positions below 2^29 (htslib's tbx.c)
ADDED = "not declared in the input header; declared by cmmvar"


@dataclass
class HeaderGaps:
    """What records use that their header does not declare (INFO and FORMAT keys, FILTER
    values, contigs), and the header lines that declare it, as htslib does when it reads such
    a record but with a definition that can be relied on: a key the VCF specification reserves
    is declared as the specification defines it when every value fits its type; any other key
    is declared as Number=. String (an INFO key only ever used as a flag, as a Flag)."""

    declared: dict[str, dict[str, str]]  # kind -> ID -> Number ('' for FILTER and contig)
    first_use: dict[tuple[str, str], str] = field(default_factory=dict)  # -> "chrom:pos"
    _fits_reserved: dict[tuple[str, str], bool] = field(default_factory=dict)
    _valued: set[tuple[str, str]] = field(default_factory=set)  # INFO keys seen with a value
    _known: set[tuple[str, str, str]] = field(default_factory=set)  # see _all_declared

    @classmethod
    def of(cls, header: pysam.VariantHeader,
           contigs: list[str] | None = None) -> HeaderGaps:
        """From a header as read, before any record (htslib adds its own definitions to the
        header of a file while it reads records that use undeclared names)."""
        return cls({
            "INFO": {key: str(meta.number) for key, meta in header.info.items()},
            "FORMAT": {key: str(meta.number) for key, meta in header.formats.items()},
            "FILTER": {key: "" for key in header.filters.keys()} | {"PASS": ""},
            "contig": dict.fromkeys(contigs if contigs is not None
                                    else contig_lengths_of(header), ""),
        })

    def see(self, columns: list[str]) -> None:
        """Note what one record (its VCF columns as text) uses."""
        if self._all_declared(columns):
            return
        where = f"{columns[0]}:{columns[1]}"
        self._use("contig", columns[0], where)
        if columns[6] != ".":
            for name in columns[6].split(";"):
                self._use("FILTER", name, where)
        if columns[7] != ".":
            for item in columns[7].split(";"):
                key, has_value, value = item.partition("=")
                if self._use("INFO", key, where):
                    if has_value:
                        self._valued.add(("INFO", key))
                    self._check("INFO", key, value if has_value else None)
        if len(columns) > 8:
            keys = columns[8].split(":")
            undeclared = [(i, key) for i, key in enumerate(keys)
                          if self._use("FORMAT", key, where)]
            for sample in columns[9:] if undeclared else ():
                values = sample.split(":")
                for i, key in undeclared:
                    if i < len(values):
                        self._check("FORMAT", key, values[i])

    def _all_declared(self, columns: list[str]) -> bool:
        """Whether every name the record uses is declared: the common case, checked without
        the bookkeeping of `see` (extraction calls it for every record it keeps). The FILTER,
        INFO keys and FORMAT texts found declared are remembered: records repeat them."""
        known = self._known
        keys = (columns[6], _INFO_VALUES.sub("", columns[7]),
                columns[8] if len(columns) > 8 else ".")
        if keys in known:
            return columns[0] in self.declared["contig"]
        declared = self.declared
        if ((keys[0] == "." or all(f in declared["FILTER"] for f in keys[0].split(";")))
                and (keys[1] == "." or all(k in declared["INFO"] for k in keys[1].split(";")))
                and (keys[2] == "." or all(k in declared["FORMAT"]
                                           for k in keys[2].split(":")))):
            known.add(keys)
            return columns[0] in declared["contig"]
        return False

    def _use(self, kind: str, name: str, where: str) -> bool:
        """Record a use; True when `name` is undeclared."""
        if name in self.declared[kind]:
            return False
        self.first_use.setdefault((kind, name), where)
        return True

    def _check(self, kind: str, key: str, value: str | None) -> None:
        spec = RESERVED[kind].get(key)
        fits = spec is not None and (
            (value is None) == (spec[1] == "Flag")
            and (value is None or all(_VALUE[spec[1]].match(v) for v in value.split(","))))
        self._fits_reserved[(kind, key)] = self._fits_reserved.get((kind, key), True) and fits

    def definition(self, kind: str, key: str) -> tuple[str, str, str]:
        """(Number, Type, Description) declared for an undeclared INFO or FORMAT key."""
        if self._fits_reserved.get((kind, key)):
            number, type_, description = RESERVED[kind][key]
            return number, type_, f"{description} (VCF reserved key; {ADDED})"
        if kind == "INFO" and (kind, key) not in self._valued:
            return "0", "Flag", ADDED
        return ".", "String", ADDED

    def number(self, kind: str, key: str) -> str:
        """The Number of an INFO or FORMAT key, as declared or as completed."""
        declared = self.declared[kind].get(key)
        return declared if declared is not None else self.definition(kind, key)[0]

    def lines(self) -> list[str]:
        """The header lines that declare every undeclared name used, in order of first use."""
        out = []
        for kind, name in self.first_use:
            if kind == "contig":
                out.append(f"##contig=<ID={name}>")
            elif kind == "FILTER":
                out.append(f'##FILTER=<ID={name},Description="{ADDED}">')
            else:
                number, type_, description = self.definition(kind, name)
                out.append(f'##{kind}=<ID={name},Number={number},Type={type_},'
                           f'Description="{description}">')
        return out

    def notes(self) -> list[str]:
        """One line per name declared: what, how, and the first record that used it."""
        out = []
        for (kind, name), where in self.first_use.items():
            how = ""
            if kind in ("INFO", "FORMAT"):
                number, type_, description = self.definition(kind, name)
                how = (" as the VCF specification defines it" if "reserved" in description
                       else "") + f" (Number={number}, Type={type_})"
            out.append(f"{kind} {name} is used (first at {where}) but not declared in the "
                       f"header: declared{how}")
        return out


def write_indexed(plain: Path, out_path: Path, max_pos: int) -> str:
    """Compress `plain` with bgzip beside itself, then index_into_place."""
    compressed = plain.with_name(plain.name + ".gz")
    pysam.tabix_compress(str(plain), str(compressed), force=True)
    return index_into_place(compressed, out_path, max_pos)


def index_into_place(compressed: Path, out_path: Path, max_pos: int) -> str:
    """Index a bgzipped VCF beside itself (same file system), then rename both into place,
    the data first so that the index is the newer file. The index is a tabix .tbi unless a
    position is past what .tbi can address (2^29 - 1), then a .csi. Returns its suffix."""
    csi = max_pos >= _TBI_LIMIT
    pysam.tabix_index(str(compressed), preset="vcf", force=True, csi=csi)
    suffix = ".csi" if csi else ".tbi"
    # An earlier run's index goes before the new data arrives: interrupted between the two
    # renames, the data is left without an index (read from start to end), never with one
    # that does not match it; and a stale .csi could be picked over a new .tbi.
    for old in (Path(f"{out_path}.tbi"), Path(f"{out_path}.csi")):
        old.unlink(missing_ok=True)
    os.replace(compressed, out_path)
    os.replace(f"{compressed}{suffix}", f"{out_path}{suffix}")
    return suffix
