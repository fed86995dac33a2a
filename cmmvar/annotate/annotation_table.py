"""The annotation table: one `Annotation` record per normalised variant of a VCF, the
annotate stage's output and the segregation stage's input, written and read back here only.

Numbers are numbers in the record; `Annotation.to_row` formats them for the TSV.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from cmmvar.atomic import atomic_path
from cmmvar.errors import InputError

_FREQUENCIES = ("gnomad_af", "gnomad_grpmax_af", "gnomad_faf95_max")
_SCORES = ("cadd_phred", "revel")
_INTEGERS = ("gnomad_nhomalt", "clinvar_stars")


@dataclass(frozen=True)
class Annotation:
    """One row of the annotation table: a variant's gene, reported transcript, consequence,
    gnomAD, ClinVar and scores, with where each came from. Numbers are numbers (None when
    the source has none); `other_transcripts` is JSON text, as the table holds it."""

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str = ""
    transcript: str = ""
    consequence: str = ""
    hgvs_c: str = ""
    hgvs_p: str = ""
    impact: str = ""
    exon: str = ""
    intron: str = ""
    gnomad_status: str = ""
    gnomad_af: float | None = None
    gnomad_grpmax_af: float | None = None
    gnomad_grpmax: str = ""
    gnomad_faf95_max: float | None = None
    gnomad_nhomalt: int | None = None
    gnomad_source: str = ""
    clinvar_significance: str = ""
    clinvar_review_status: str = ""
    clinvar_stars: int | None = None
    clinvar_conditions: str = ""
    clinvar_id: str = ""
    clinvar_source: str = ""
    cadd_phred: float | None = None
    revel: float | None = None
    scores_source: str = ""
    inheritance: str = ""
    other_genes: str = ""
    annotation_source: str = ""
    other_transcripts: str = ""

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.chrom, self.pos, self.ref, self.alt)

    def to_row(self) -> dict:
        """The TSV cells: frequencies to 6 significant digits (`.6g`), scores as `:g`,
        missing numbers empty."""
        row = asdict(self)
        for name in _FREQUENCIES + _SCORES:
            row[name] = "" if row[name] is None else f"{row[name]:.6g}"
        for name in _INTEGERS:
            row[name] = "" if row[name] is None else str(row[name])
        return row

    @classmethod
    def from_row(cls, row: dict, path: str | Path = "", line: int | None = None) -> Annotation:
        """A record from TSV cells (all text); a cell that should be a number and is not
        is an InputError naming the file, the line and the column."""
        values = {}
        for spec in fields(cls):
            text = str(row.get(spec.name, "") or "")
            if spec.name == "pos" or spec.name in _INTEGERS:
                values[spec.name] = _parse(text, int, spec.name, path, line)
            elif spec.name in _FREQUENCIES + _SCORES:
                values[spec.name] = _parse(text, float, spec.name, path, line)
            else:
                values[spec.name] = text
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Annotation:
        return cls(**data)


ANNOTATION_COLUMNS = tuple(f.name for f in fields(Annotation))


def _parse(text: str, kind: type, column: str, path, line):
    if text == "":
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or (kind is float and not math.isfinite(value)):
        raise InputError(f"column {column!r} holds {text!r}, which is not a number",
                         path=path, line=line,
                         hint="regenerate the annotation table with the annotate stage")
    return value


def write_annotations(annotations: list[Annotation], path: str | Path) -> pd.DataFrame:
    """The annotation table (TSV, ANNOTATION_COLUMNS), written atomically."""
    table = pd.DataFrame([a.to_row() for a in annotations], columns=list(ANNOTATION_COLUMNS))
    with atomic_path(path) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    return table


def read_annotations(path: str | Path) -> dict[tuple, Annotation]:
    """The annotation table's records keyed by (chrom, pos, ref, alt)."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    records = (Annotation.from_row(row, path, line)
               for line, row in enumerate(table.to_dict("records"), start=2))
    return {record.key: record for record in records}
