"""The annotated VCF of a family's candidates (families/<family>/<family>.vcf.gz, bgzipped
and tabix-indexed) for bcftools, Scout and seqr: the rows of candidates.tsv as VCF records
with `CMMVAR_*` INFO fields and the family's own genotypes. Renders rows; computes nothing.

INFO values are the TSV's cells, so that `bcftools query` returns what candidates.tsv says;
text is percent-encoded as VCF 4.3 (section 1.2) requires. Only the family's sequenced
members are sample columns: nothing in a family's folder names anyone outside the family.
The writer (SiteRecord, write_vcf) also serves the cohort's sites-only VCF (cohort_vcf.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cmmvar import __version__
from cmmvar.atomic import scratch_dir
from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.vcf import write_indexed
from cmmvar.records import COUNT_COLUMNS, FamilyResult, VariantResult


def family_vcf(family_id: str) -> str:
    """The file name of a family's annotated VCF (DESIGN.md: {family_id}.vcf.gz)."""
    return f"{family_id}.vcf.gz"

# (INFO key after CMMVAR_, candidates.tsv column, Number, Type, Description). Number=A for
# per-allele values: every record is biallelic after normalisation, so it is one value.
_COUNT_FIELDS = tuple(
    (column.upper(), column, "1", "Integer",
     f"Number of family members counted as {column.replace('_', ' ')} in candidates.tsv "
     f"(missing: no usable call)")
    for column in COUNT_COLUMNS)
INFO_FIELDS = (
    ("GENE", "gene", "1", "String", "Panel gene symbol (HGNC)"),
    ("TRANSCRIPT", "transcript", "1", "String",
     "Transcript the consequence and HGVS refer to (the panel's MANE Select)"),
    ("CONSEQUENCE", "consequence", "1", "String",
     "Sequence Ontology consequence terms on the transcript, &-separated"),
    ("IMPACT", "impact", "1", "String", "Impact class of the consequence (HIGH to MODIFIER)"),
    ("HGVS_C", "hgvs_c", "1", "String", "HGVS coding DNA change on the transcript"),
    ("HGVS_P", "hgvs_p", "1", "String", "HGVS protein change (predicted, in parentheses)"),
    ("GNOMAD_AF", "gnomad_af", "A", "Float", "gnomAD allele frequency"),
    ("GNOMAD_GRPMAX_AF", "gnomad_grpmax_af", "A", "Float",
     "gnomAD allele frequency of the genetic ancestry group where it is highest (grpmax)"),
    ("CLINVAR", "clinvar_significance", "1", "String", "ClinVar clinical significance"),
    ("CLINVAR_REVIEW_STATUS", "clinvar_review_status", "1", "String",
     "ClinVar review status"),
    ("CLINVAR_ID", "clinvar_id", "1", "String", "ClinVar variation ID"),
    ("INHERITANCE", "inheritance", "1", "String",
     "Mode of inheritance of the gene's model (AD, AR, XLD, XLR)"),
    *_COUNT_FIELDS,
    ("FLB", "flb", "1", "Float",
     "Cosegregation Bayes factor (full-likelihood Bayes factor, Thompson et al. 2003); "
     "absent where undefined (report.json gives the reason)"),
    ("LOG10_FLB", "log10_flb", "1", "Float", "log10 of CMMVAR_FLB"),
    ("PP1", "pp1", "1", "String",
     "ACMG PP1 strength from the Bayes factor: none, supporting, moderate or strong"),
    ("BS4", "bs4", "1", "String",
     "ACMG BS4 strength from the Bayes factor: none, supporting, moderate or strong"),
    ("DE_NOVO", "de_novo", "1", "String", "De novo in the family: yes, no or unknown"),
    ("ACMG", "acmg_codes", ".", "String", "ACMG/AMP criteria met, with their strength"),
    ("ACMG_POINTS", "acmg_points", "1", "Integer",
     "Sum of the points of the ACMG/AMP criteria (Tavtigian et al. 2020)"),
    ("EXPLAINS_FAMILY", "explains_family", "1", "String",
     "no when no genotyped affected member carries the variant; untested when no affected "
     "member was genotyped; yes otherwise"),
    ("TIER", "tier", "1", "String", "Tier of the gene in the panel"),
    ("RANK", "rank", "1", "Integer",
     "Rank of the candidate in the family, best first; absent for a variant listed apart"),
)
# A subset of Ensembl VEP's CSQ layout, so that tools that read VEP output (bcftools
# +split-vep, Scout, seqr) find the transcript annotation where they look for it.
CSQ_FIELDS = ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature",
              "EXON", "INTRON", "HGVSc", "HGVSp")
FORMAT_LINES = (
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype, as in the input VCF">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality, as in the input '
    'VCF">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth (as in the input VCF, '
    'else the sum of AD)">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Read depth of each allele, as in the '
    'input VCF">',
)
# VCF 4.3 section 1.2: characters with a meaning in the format, and the space, which
# older readers take as a separator.
_ESCAPES = {"%": "%25", ":": "%3A", ";": "%3B", "=": "%3D", ",": "%2C", " ": "%20",
            "\t": "%09", "\n": "%0A", "\r": "%0D"}
_CSQ_ESCAPES = {**_ESCAPES, "|": "%7C", ":": ":"}  # VEP writes HGVS as transcript:c.


def encode(text: str, escapes: dict[str, str] = _ESCAPES) -> str:
    """Percent-encode the characters VCF 4.3 reserves (and spaces)."""
    return "".join(escapes.get(ch, ch) for ch in text)


def info_value(value, number: str, type_: str) -> str | None:
    """One INFO value as the record writes it; None when the TSV cell is empty. A list
    (Number=.) is the TSV's ;-separated cell, written comma-separated."""
    text = "" if value is None else str(value)
    if text == "":
        return None
    if number == ".":
        return ",".join(encode(item) for item in text.split(";"))
    return encode(text) if type_ == "String" else text


def csq(row: dict, alt: str, ensembl_gene: str) -> str:
    """The CSQ entry of the record's one transcript (the panel's), VEP-style."""
    hgvs_c = f"{row['transcript']}:{row['hgvs_c']}" if row["hgvs_c"] else ""
    values = (alt, row["consequence"], row["impact"], row["gene"], ensembl_gene,
              "Transcript" if row["transcript"] else "", row["transcript"], row["exon"],
              row["intron"], hgvs_c, row["hgvs_p"])
    return "|".join(encode(str(v or ""), _CSQ_ESCAPES) for v in values)


def _format_value(value) -> str:
    if value is None or value == "":
        return "."
    if isinstance(value, list | tuple):
        return ",".join("." if v is None else str(v) for v in value)
    return str(value)


def sample_fields(call: dict) -> str:
    """GT:GQ:DP:AD of one member's call record (genotypes.Genotype fields)."""
    return ":".join(_format_value(call.get(key)) for key in ("gt", "gq", "dp", "ad"))


def contig_order(build: str, chroms: Sequence[str]) -> list[tuple[str, int | None]]:
    """(name, length) of the build's primary contigs, named as the records name them (chr7
    or 7), then any other contig the records use, in order of first use."""
    prefix = "chr" if any(c.lower().startswith("chr") for c in chroms) else ""
    known = [(f"{prefix}{name}", length)
             for name, length in CONTIG_LENGTHS.get(build, {}).items()]
    names = {name for name, _ in known}
    extra = [c for c in dict.fromkeys(chroms) if c not in names]
    return known + [(c, None) for c in extra]


@dataclass(frozen=True)
class SiteRecord:
    """One record to write: its key, its cells by TSV column, the Ensembl gene of its
    transcript, and the samples' FORMAT texts (none in a sites-only VCF)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    row: dict
    ensembl_gene: str
    calls: tuple[str, ...] = ()

    def line(self, info_fields: Sequence[tuple]) -> str:
        info = [f"CMMVAR_{key}={value}" for key, column, number, type_, _ in info_fields
                if (value := info_value(self.row[column], number, type_)) is not None]
        info.append(f"CSQ={csq(self.row, self.alt, self.ensembl_gene)}")
        columns = [self.chrom, str(self.pos), ".", self.ref, self.alt, ".", ".", ";".join(info)]
        if self.calls:
            columns += ["GT:GQ:DP:AD", *self.calls]
        return "\t".join(columns)


def header_lines(provenance: str, build: str, contigs: list[tuple[str, int | None]],
                 info_fields: Sequence[tuple], samples: Sequence[str]) -> list[str]:
    lines = ["##fileformat=VCFv4.3",
             f"##cmmvar=<Version={__version__},{provenance},GenomeBuild={build}>",
             f"##reference={build}"]
    lines += [f"##contig=<ID={name},length={length}>" if length else f"##contig=<ID={name}>"
              for name, length in contigs]
    lines += [f'##INFO=<ID=CMMVAR_{key},Number={number},Type={type_},'
              f'Description="{description}">'
              for key, _, number, type_, description in info_fields]
    lines.append('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations '
                 f'from cmmvar, in the layout of Ensembl VEP. Format: {"|".join(CSQ_FIELDS)}">')
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        lines += FORMAT_LINES
        columns += ["FORMAT", *samples]
    return [*lines, "\t".join(columns)]


def write_vcf(out_path: str | Path, provenance: str, build: str, info_fields: Sequence[tuple],
              records: Sequence[SiteRecord], samples: Sequence[str] = ()) -> None:
    """Write `records` to `out_path` in contig order, bgzipped, with its .tbi, atomically."""
    out_path = Path(out_path)
    contigs = contig_order(build, [r.chrom for r in records])
    rank = {name: i for i, (name, _) in enumerate(contigs)}
    ordered = sorted(records, key=lambda r: (rank[r.chrom], r.pos, r.ref, r.alt))
    lines = header_lines(provenance, build, contigs, info_fields, samples)
    lines += [record.line(info_fields) for record in ordered]
    with scratch_dir(out_path) as scratch:
        plain = scratch / "candidates.vcf"
        plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_indexed(plain, out_path, max((r.pos for r in records), default=0))


def write_family_vcf(result: FamilyResult, rows: Sequence[dict],
                     variants: Sequence[VariantResult], out_path: str | Path) -> None:
    """Write a family's candidates (candidates.tsv's rows and their records, in the same
    order) with the calls of its sequenced members, and nobody else's, to `out_path`."""
    samples = [person.id for person in result.pedigree if person.sequenced]
    records = [SiteRecord(v.chrom, v.pos, v.ref, v.alt, row, v.gene.ensembl_gene,
                          tuple(sample_fields(v.genotypes[s]) for s in samples))
               for row, v in zip(rows, variants, strict=True)]
    write_vcf(out_path, f"Family={encode(result.family_id)},Source=candidates.tsv",
              result.genome_build, INFO_FIELDS, records, samples)
