"""Annotations an input VCF already carries: VEP `CSQ` and snpEff `ANN` INFO fields.

Reads the sub-field list from the header and gives the transcript consequences of one ALT
allele in a common shape. Computes no consequence itself; knows nothing about databases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import pysam

from cmmvar.annotate.transcript_effect import TranscriptEffect, effect_fields
from cmmvar.errors import VcfError
from cmmvar.prepare.normalise import ORIGIN_KEY, normalise_alleles

# Our key -> the tool's sub-field name (VEP: ensembl-vep OutputFactory; snpEff: ANN spec 1.0).
_VEP = {"allele": "Allele", "consequence": "Consequence", "impact": "IMPACT",
        "gene": "SYMBOL", "gene_id": "Gene", "transcript": "Feature", "hgvs_c": "HGVSc",
        "hgvs_p": "HGVSp", "exon": "EXON", "intron": "INTRON"}
_SNPEFF = {"allele": "Allele", "consequence": "Annotation", "impact": "Annotation_Impact",
           "gene": "Gene_Name", "gene_id": "Gene_ID", "transcript": "Feature_ID",
           "hgvs_c": "HGVS.c", "hgvs_p": "HGVS.p"}
# snpEff has one Rank: the exon's, or for these terms the intron's.
_INTRONIC = {"intron_variant", "splice_donor_variant", "splice_acceptor_variant",
             "splice_donor_5th_base_variant", "splice_donor_region_variant",
             "splice_polypyrimidine_tract_variant"}


@dataclass(frozen=True)
class Parser:
    """How to read one tool's annotation field of a VCF."""

    tool: str  # "VEP" or "snpEff"
    tag: str  # the INFO key: CSQ or ANN
    fields: tuple[str, ...]  # sub-field names from the header, in order
    source: str  # e.g. "VEP CSQ v110", "snpEff ANN 5.1d"

    def consequences(self, record: pysam.VariantRecord, alt: str) -> list[dict]:
        """The entries of `record` for ALT allele `alt`, one dict per transcript/feature:
        transcript, gene, consequence, impact, hgvs_c, hgvs_p, exon, intron (strings, ''
        when the tool gave none), mane_select (bool; snpEff never says) and source.

        A record split and normalised by cmmvar carries its input form in CMMVAR_ORIGIN, and
        the tool annotated that form: the ALT is matched there. When two input ALTs fit the
        split allele equally, no entry can be attributed and none is returned.
        """
        if self.tag not in record.info:
            return []
        written = _as_written(record, alt)
        if written is None:
            return []
        ref, alts, alt = written
        if alt not in alts:
            return []
        names = _VEP if self.tool == "VEP" else _SNPEFF
        if self.tool == "VEP" and "ALLELE_NUM" in self.fields:
            wanted, key = str(alts.index(alt) + 1), "ALLELE_NUM"
        else:
            wanted = vep_allele(ref, alts, alt) if self.tool == "VEP" else alt
            key = names["allele"]
        found = []
        for entry in record.info[self.tag]:
            parts = entry.split("|")
            if len(parts) > len(self.fields):
                raise VcfError(f"a {self.tag} entry has {len(parts)} sub-fields, the header "
                               f"lists {len(self.fields)}: {entry}",
                               record=f"{record.chrom}:{record.pos}",
                               hint=f"annotate the VCF again with {self.tool}, or keep the "
                                    f"header it wrote")
            values = dict(zip(self.fields, (unquote(v) for v in parts), strict=False))
            if values.get(key, "").upper() != wanted.upper():
                continue
            found.append(self._shape(values, names))
        return found

    def _shape(self, values: dict, names: dict) -> dict:
        get = {ours: values.get(theirs, "") for ours, theirs in names.items()}
        if self.tool == "VEP":
            exon, intron = get["exon"], get["intron"]
            mane = bool(values.get("MANE_SELECT")) or "MANE_Select" in values.get("MANE", "")
        else:
            terms = set(get["consequence"].split("&"))
            rank = values.get("Rank", "")
            exon, intron = ("", rank) if terms & _INTRONIC else (rank, "")
            mane = False
        return effect_fields(TranscriptEffect(
            transcript=get["transcript"], gene=get["gene"] or get["gene_id"],
            consequence=get["consequence"], impact=get["impact"],
            hgvs_c=_without_reference(get["hgvs_c"]), hgvs_p=_without_reference(get["hgvs_p"]),
            exon=exon, intron=intron, mane_select=mane, source=self.source))


def parse_header(header: pysam.VariantHeader, path=None) -> Parser | None:
    """The parser for the VCF's VEP CSQ field, else its snpEff ANN field, else None."""
    for tag, tool, pattern in (("CSQ", "VEP", r"Format:\s*([^\"']+)"),
                               ("ANN", "snpEff", r"'([^']+)'")):
        if tag not in header.info:
            continue
        description = header.info[tag].description or ""
        match = re.search(pattern, description)
        if match is None:
            raise VcfError(f"the {tag} INFO header does not list its sub-fields "
                           f"(Description: {description!r})", path=path,
                           hint=f"keep the {tool} header line that describes {tag}")
        fields = tuple(f.strip() for f in match.group(1).strip().split("|"))
        version = _tool_version(header, "VEP" if tool == "VEP" else "SnpEffVersion")
        source = f"{tool} {tag}" + (f" {version}" if version else "")
        return Parser(tool=tool, tag=tag, fields=fields, source=source)
    return None


def vep_allele(ref: str, alts: tuple[str, ...], alt: str) -> str:
    """How VEP writes `alt` in CSQ's Allele: in a record with an indel whose alleles all
    share their first base (`*` aside), that base is dropped and an empty allele is `-`
    (ensembl-vep Bio::EnsEMBL::VEP::Parser::VCF)."""
    if alt == "*" or not any(len(a) != len(ref) for a in alts):
        return alt
    if len({a[0] for a in (ref, *alts) if a != "*"}) != 1:
        return alt
    return alt[1:] or "-"


def _as_written(record: pysam.VariantRecord, alt: str) -> tuple[str, tuple, str] | None:
    """REF, ALTs and the ALT `alt` was, in the input record the annotating tool saw."""
    if ORIGIN_KEY not in record.info:
        return record.ref, tuple(record.alts or ()), alt
    _, pos, ref, alts = record.info[ORIGIN_KEY].rsplit(":", 3)
    alts = tuple(alts.split("|"))
    split = normalise_alleles(record.pos, record.ref, alt)
    same = [a for a in alts if normalise_alleles(int(pos), ref, a) == split]
    if len(same) != 1:  # left-aligned since: the length change is kept by normalisation
        same = [a for a in alts if len(a) - len(ref) == len(alt) - len(record.ref)]
    return (ref, alts, same[0]) if len(same) == 1 else None


def _tool_version(header: pysam.VariantHeader, key: str) -> str:
    """`##VEP="v110" time=...` -> v110; `##SnpEffVersion="5.1d (build ...)"` -> 5.1d."""
    for record in header.records:
        if record.type == "GENERIC" and record.key == key and record.value:
            return record.value.strip().strip('"').split()[0].strip('"')
    return ""


def _without_reference(hgvs: str) -> str:
    """`ENST00000357731.10:c.1A>G` -> `c.1A>G`: the transcript is reported on its own."""
    return hgvs.split(":", 1)[1] if ":" in hgvs else hgvs
