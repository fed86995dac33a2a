"""The gene panel: one row per gene with coordinates per build, inheritance and model numbers.

Knows genes and their regions; knows nothing about samples or variants beyond positions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from cmmvar.defaults import schema_path
from cmmvar.errors import PanelError
from cmmvar.io.genome import BUILDS, bare
from cmmvar.manifest import sha256

REQUIRED = (
    "symbol", "hgnc_id", "ensembl_gene", "mane_transcript", "chrom", "start_grch38",
    "end_grch38", "start_grch37", "end_grch37", "strand", "inheritance", "penetrance",
    "phenocopy_rate", "max_allele_frequency", "tier", "evidence", "source",
)
INHERITANCE = ("AD", "AR", "XLD", "XLR")
TIERS = ("core", "reported", "syndromic", "candidate", "unsupported")


@dataclass(frozen=True)
class Gene:
    symbol: str
    hgnc_id: str
    ensembl_gene: str
    mane_transcript: str
    chrom: str  # bare name, as in the panel
    start: int  # 1-based, closed, on the configured build
    end: int
    strand: str
    inheritance: str
    penetrance: float
    penetrance_male: float | None
    penetrance_female: float | None
    phenocopy_rate: float
    max_allele_frequency: float
    tier: str
    evidence: str
    source: str
    assumptions: str = ""
    mechanism: str = ""
    mane_refseq: str = ""  # RefSeq NM_ of the MANE Select transcript, where the panel gives it
    clinical_notes: str = ""  # what follows clinically for a carrier, in the panel's words

    @property
    def x_linked(self) -> bool:
        return self.inheritance in ("XLD", "XLR")


@dataclass(frozen=True)
class Region:
    chrom: str  # bare
    start: int  # 1-based, closed, padding included
    end: int
    genes: tuple[str, ...]


def load_panel(path: str | Path, build: str) -> list[Gene]:
    """Read and check the panel TSV; coordinates are taken for `build`."""
    if build not in BUILDS:
        raise PanelError(f"unknown genome build {build!r}; use one of {', '.join(BUILDS)}")
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # BOM from spreadsheets
            kept = [(n, line) for n, line in enumerate(handle, start=1)
                    if not line.startswith("##")]
    except FileNotFoundError:
        raise PanelError("panel file not found", path=path,
                         hint="check the panel key of the config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PanelError(f"cannot read the panel: {exc}", path=path,
                         hint="save the panel as UTF-8 tab-separated text") from None
    # Messages give the file's line numbers, so map the reader's count of lines consumed
    # back through the skipped '##' lines (blank lines are skipped by the reader itself).
    reader = csv.DictReader((line for _, line in kept), delimiter="\t")
    rows = [(kept[reader.line_num - 1][0], row) for row in reader]
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise PanelError(f"panel lacks column(s) {', '.join(missing)}", path=path,
                         line=_header_line(kept))
    suffix = build.lower()
    genes, seen = [], {}
    for number, row in rows:
        gene = _parse_row(row, suffix, path, number)
        _check_row(row, gene.symbol, path, number)
        if gene.symbol in seen:
            raise PanelError(f"gene {gene.symbol} is listed twice (also line {seen[gene.symbol]})",
                             path=path, line=number)
        seen[gene.symbol] = number
        genes.append(gene)
    if not genes:
        raise PanelError("panel has no genes", path=path)
    _check_header(path)
    return genes


def _header_line(kept: list[tuple[int, str]]) -> int | None:
    """The file line of the header: the first non-blank line that is not a '##' comment."""
    return next((n for n, line in kept if line.strip()), None)


def _parse_row(row: dict, suffix: str, path: Path, number: int) -> Gene:
    symbol = (row.get("symbol") or "").strip()

    def text(column: str) -> str:
        value = (row.get(column) or "").strip()
        if not value:
            raise PanelError(f"gene {symbol or '?'}: column {column} is empty",
                             path=path, line=number)
        return value

    def number_in(column: str, low: float, high: float, optional: bool = False):
        raw = (row.get(column) or "").strip()
        if not raw and optional:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise PanelError(f"gene {symbol}: {column} is {raw!r}, not a number",
                             path=path, line=number) from None
        if not low <= value <= high:
            raise PanelError(f"gene {symbol}: {column} = {value} is outside [{low}, {high}]",
                             path=path, line=number)
        return value

    def position(column: str) -> int:
        raw = (row.get(column) or "").strip()
        if not raw:
            raise PanelError(
                f"gene {symbol} has no {column} for the configured build",
                path=path, line=number,
                hint=f"fill {column} (1-based) or remove the gene from the panel")
        if not raw.isdigit() or int(raw) < 1:
            raise PanelError(f"gene {symbol}: {column} is {raw!r}, not a positive integer",
                             path=path, line=number)
        return int(raw)

    start, end = position(f"start_{suffix}"), position(f"end_{suffix}")
    if end < start:
        raise PanelError(f"gene {symbol}: end_{suffix} {end} is before start_{suffix} {start}",
                         path=path, line=number)
    inheritance, tier, strand = text("inheritance"), text("tier"), text("strand")
    if inheritance not in INHERITANCE:
        raise PanelError(f"gene {symbol}: inheritance {inheritance!r} is not one of "
                         f"{', '.join(INHERITANCE)}", path=path, line=number)
    if tier not in TIERS:
        raise PanelError(f"gene {symbol}: tier {tier!r} is not one of {', '.join(TIERS)}",
                         path=path, line=number)
    if strand not in ("+", "-"):
        raise PanelError(f"gene {symbol}: strand {strand!r} is not + or -",
                         path=path, line=number)
    return Gene(
        symbol=text("symbol"), hgnc_id=text("hgnc_id"), ensembl_gene=text("ensembl_gene"),
        mane_transcript=text("mane_transcript"), chrom=bare(text("chrom")), start=start,
        end=end, strand=strand, inheritance=inheritance,
        penetrance=number_in("penetrance", 0, 1),
        penetrance_male=number_in("penetrance_male", 0, 1, optional=True),
        penetrance_female=number_in("penetrance_female", 0, 1, optional=True),
        phenocopy_rate=number_in("phenocopy_rate", 0, 1),
        max_allele_frequency=number_in("max_allele_frequency", 0, 1),
        tier=tier, evidence=text("evidence"), source=text("source"),
        assumptions=(row.get("assumptions") or "").strip(),
        mechanism=(row.get("mechanism") or "").strip(),
        mane_refseq=(row.get("mane_refseq") or "").strip(),
        clinical_notes=(row.get("clinical_notes") or "").strip(),
    )


@cache
def _row_schema():
    import jsonschema  # here: the command line loads it only when it reads a panel

    return jsonschema.Draft202012Validator(
        yaml.safe_load(schema_path("panel").read_text(encoding="utf-8")))


def _check_row(row: dict, symbol: str, path: Path, number: int) -> None:
    """The row, as strings, against the panel schema (the identifiers' and numbers' formats
    that _parse_row leaves to it): the one check of a panel, for the workflow and the
    command line alike."""
    import jsonschema

    cells = {column: value or "" for column, value in row.items() if column is not None}
    error = jsonschema.exceptions.best_match(_row_schema().iter_errors(cells))
    if error is not None:
        column = ".".join(map(str, error.absolute_path)) or "(row)"
        raise PanelError(f"gene {symbol}: column {column}: {error.message}", path=path,
                         line=number, hint="workflow/schemas/panel.schema.yaml gives each "
                                           "column's format; config/README.md explains them")


def _check_header(path: Path) -> None:
    """The '## key: value' lines against the schema's header definition: the condition's
    name goes into every report's title and sentences, so an empty one is refused."""
    import jsonschema

    schema = dict(yaml.safe_load(schema_path("panel").read_text(encoding="utf-8")))
    validator = jsonschema.Draft202012Validator(schema["$defs"]["header"])
    error = jsonschema.exceptions.best_match(validator.iter_errors(panel_metadata(path)))
    if error is not None:
        key = ".".join(map(str, error.absolute_path)) or "(header)"
        raise PanelError(f"header line '## {key}': {error.message}", path=path,
                         hint="write '## condition: NAME' with the condition's name as the "
                              "reports should say it (config/panels/README.md)")


def panel_metadata(path: str | Path) -> dict[str, str]:
    """The panel's `## key: value` header lines (version, mane_release, ...), in file order;
    other '##' lines are comments."""
    found = {}
    with Path(path).open(encoding="utf-8-sig") as handle:
        for line in handle:
            if not line.startswith("##"):
                break
            key, sep, value = line[2:].partition(":")
            if sep and key.strip().replace("_", "").isalnum():
                found[key.strip()] = value.strip()
    return found


def panel_record(path: str | Path) -> dict:
    """The panel as a report cites it: path, SHA-256 of the file, and its version, MANE
    release and condition (the phenotype its PED files code as affected, named in the
    reports' words) from the header lines (None where the panel does not say)."""
    meta = panel_metadata(path)
    return {"path": str(path), "sha256": sha256(path), "version": meta.get("version"),
            "mane_release": meta.get("mane_release"), "condition": meta.get("condition")}


def regions(genes: list[Gene], padding: int) -> list[Region]:
    """Gene spans +- padding, merged where they overlap, sorted by chromosome and start."""
    spans = sorted(((g.chrom, max(1, g.start - padding), g.end + padding, g.symbol)
                    for g in genes), key=lambda s: (chrom_order(s[0]), s[1]))
    merged: list[Region] = []
    for chrom, start, end, symbol in spans:
        last = merged[-1] if merged else None
        if last and last.chrom == chrom and start <= last.end + 1:
            merged[-1] = Region(chrom, last.start, max(last.end, end), last.genes + (symbol,))
        else:
            merged.append(Region(chrom, start, end, (symbol,)))
    return merged


def genes_at(genes: list[Gene], chrom: str, start: int, end: int, padding: int) -> list[Gene]:
    """Panel genes whose padded span overlaps [start, end] (1-based, closed)."""
    key = bare(chrom)
    return [g for g in genes
            if g.chrom == key and start <= g.end + padding and end >= g.start - padding]


def chrom_order(chrom: str) -> tuple[int, str]:
    """The sort key of a chromosome, named with or without `chr`: 1 to 22 by number, then X,
    Y and MT (chrM), then any other contig (unplaced, alternate, decoy) by name. The one
    chromosome order of cmmvar: panel regions and extracted records alike."""
    name = bare(chrom)
    if name.isdigit():
        return (int(name), "")
    return ({"X": 23, "Y": 24, "MT": 25}.get(name, 26), name)
