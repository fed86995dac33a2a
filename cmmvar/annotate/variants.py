"""Variant annotation: the table of every normalised variant of one VCF, read once for all
the families that share it.

Each variant gets its panel gene, the consequence and HGVS on the gene's MANE Select transcript
(the other transcripts kept as JSON), gnomAD and ClinVar from local files, and, when online
mode is on, what the public services add. Where each value came from is written beside it.
Knows variants, genes and annotation sources; nothing about families or filters.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cmmvar.annotate import consequence as offline_consequence
from cmmvar.annotate.annotation_table import Annotation, write_annotations
from cmmvar.annotate.databases import Clinvar, Gnomad
from cmmvar.annotate.input_annotations import Parser, parse_header
from cmmvar.annotate.transcript_effect import effect_fields
from cmmvar.annotate.transcripts import GffError, Transcript, load_transcripts
from cmmvar.errors import ConfigError, InputError, VcfError
from cmmvar.io.genome import Reference
from cmmvar.io.panel import Gene, genes_at
from cmmvar.io.vcf import open_vcf
from cmmvar.io.vcf_records import records
from cmmvar.provenance import resource_record

log = logging.getLogger("cmmvar")

_SEVERITY = {term: rank for rank, (term, _) in enumerate(offline_consequence.SEVERITY)}


@dataclass
class Sources:
    """The open annotation sources of one run; any may be absent."""

    build: str
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    fasta: Reference | None = None
    gnomad: Gnomad | None = None
    clinvar: Clinvar | None = None
    online: dict | None = None  # annotation settings when mode is online
    provenance: dict = field(default_factory=dict)  # config key -> resource_record
    online_log: list = field(default_factory=list)  # what was sent where, when online
    crosscheck: dict | None = None  # offline vs VEP REST (online_crosscheck.py), when online


def assign_gene(genes: list[Gene], chrom: str, pos: int, ref: str,
                padding: int) -> tuple[Gene | None, list[Gene]]:
    """The panel gene of a variant: one whose span holds it, else one within the padding.
    Returns it and the other panel genes the variant touches."""
    end = pos + len(ref) - 1
    near = genes_at(genes, chrom, pos, end, padding)
    inside = [g for g in near if pos <= g.end and end >= g.start]
    chosen = (inside or near or [None])[0]
    return chosen, [g for g in near if g is not chosen]


def _unversioned(identifier: str) -> str:
    return identifier.split(".", 1)[0]


def panel_transcripts(path: str | Path, genes: list[Gene]) -> dict[str, Transcript]:
    """The transcripts of the panel genes in a GFF3; every gene's MANE Select must be there.
    With no genes (the command line without a panel), every transcript of the file."""
    every = load_transcripts(path)
    if not genes:
        return every
    ids = {g.ensembl_gene for g in genes} | {g.symbol for g in genes}
    kept = {key: t for key, t in every.items()
            if _unversioned(t.gene_id) in ids or t.gene in ids}
    have = {_unversioned(key) for key in kept}
    missing = [f"{g.symbol} {g.mane_transcript}" for g in genes
               if g.mane_transcript and _unversioned(g.mane_transcript) not in have]
    if missing:
        raise GffError(
            f"the GFF3 lacks the MANE transcript of {len(missing)} of the {len(genes)} panel "
            f"genes: {', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}",
            path=path, hint="use the GFF3 made by scripts/build_resources.py for this build, "
                            "or an Ensembl GFF3 of the release that holds these transcripts")
    return kept


@contextmanager
def open_sources(annotation: dict, build: str, genes: list[Gene]) -> Iterator[Sources]:
    """Open the sources the config's `annotation` block names (paths may be empty)."""
    mode = annotation.get("mode", "offline")
    if mode not in ("offline", "online"):
        raise ConfigError(f"annotation.mode is {mode!r}; use offline or online")
    sources = Sources(build=build, online=annotation if mode == "online" else None)
    with ExitStack() as stack:
        gff3, fasta = annotation.get("transcripts_gff3"), annotation.get("reference_fasta")
        if gff3:
            if not fasta:
                raise ConfigError("annotation.transcripts_gff3 is set but not "
                                  "annotation.reference_fasta; consequences need both")
            sources.transcripts = panel_transcripts(gff3, genes)
            sources.provenance["transcripts_gff3"] = resource_record(
                gff3, f"{len(sources.transcripts)} transcripts of the panel genes")
        if fasta:
            sources.fasta = stack.enter_context(Reference(fasta))
            sources.provenance["reference_fasta"] = resource_record(fasta)
        for key, kind in (("gnomad_vcf", Gnomad), ("clinvar_vcf", Clinvar)):
            if annotation.get(key):
                resource = stack.enter_context(kind(annotation[key], build, fasta or None))
                setattr(sources, key.split("_")[0], resource)
                sources.provenance[key] = resource_record(annotation[key], resource.source)
                for note in resource.notes:
                    log.info(note)
        yield sources


def choose(entries: list[dict], gene: Gene | None) -> tuple[dict | None, list[dict]]:
    """The entry reported (the gene's MANE Select transcript; else one flagged MANE Select;
    else the most severe) and the others."""
    if not entries:
        return None, []
    wanted = _unversioned(gene.mane_transcript) if gene and gene.mane_transcript else None
    by_mane = [e for e in entries if wanted and _unversioned(e["transcript"]) == wanted]
    flagged = [e for e in entries if e.get("mane_select")]
    chosen = (by_mane or flagged or sorted(entries, key=_severity))[0]
    return chosen, [e for e in entries if e is not chosen]


def _report_transcripts(row: dict, chosen: dict, rest: list[dict]) -> None:
    """Fill the row from the reported transcript; the others go to other_transcripts (JSON)."""
    row.update({k: chosen[k] for k in ("transcript", "consequence", "impact", "hgvs_c",
                                       "hgvs_p", "exon", "intron")})
    row["annotation_source"] = chosen["source"]
    row["other_transcripts"] = json.dumps(
        [{k: e[k] for k in ("transcript", "gene", "consequence", "hgvs_c", "hgvs_p")}
         for e in rest]) if rest else ""


def _severity(entry: dict) -> int:
    terms = str(entry.get("consequence") or "").split("&")
    return min((_SEVERITY.get(t, len(_SEVERITY)) for t in terms), default=len(_SEVERITY))


def _offline_entries(sources: Sources, chrom: str, pos: int, ref: str, alt: str) -> list[dict]:
    if not sources.transcripts or sources.fasta is None or alt in (".", "*"):
        return []
    found = offline_consequence.annotate(chrom, pos, ref, alt, sources.transcripts,
                                         sources.fasta)
    return [effect_fields(c) for c in found]


def database_fields(sources: Sources, chrom: str, pos: int, ref: str, alt: str) -> dict:
    """gnomAD and ClinVar columns of one allele from the local files."""
    row = {"gnomad_status": "not_checked", "clinvar_significance": ""}
    if sources.gnomad is not None and sources.gnomad.covers(chrom):
        hit = sources.gnomad.lookup(chrom, pos, ref, alt)
        row["gnomad_source"] = sources.gnomad.source
        if hit is None:
            row["gnomad_status"] = "absent"  # not in gnomAD: not a frequency of 0
        else:
            row.update(gnomad_status="found" if hit.filters == ("PASS",) or not hit.filters
                       else f"found (FILTER {','.join(hit.filters)})",
                       gnomad_af=hit.af, gnomad_grpmax_af=hit.af_grpmax,
                       gnomad_grpmax=hit.grpmax or "", gnomad_faf95_max=hit.faf95_max,
                       gnomad_nhomalt=hit.nhomalt)
    if sources.clinvar is not None and sources.clinvar.covers(chrom):
        hit = sources.clinvar.lookup(chrom, pos, ref, alt)
        row["clinvar_source"] = sources.clinvar.source
        if hit is None:
            row["clinvar_significance"] = "not in ClinVar"
        else:
            row.update(clinvar_significance=hit.significance,
                       clinvar_review_status=hit.review_status,
                       clinvar_stars=hit.stars,
                       clinvar_conditions="|".join(hit.conditions),
                       clinvar_id=hit.variation_id or "")
    return row


def annotate(vcf_path: str | Path, genes: list[Gene], padding: int, sources: Sources,
             out_path: str | Path) -> pd.DataFrame:
    """Write the annotation table (annotation_table.py) of every record in a normalised VCF;
    returns it as written."""
    rows = []
    vcf = open_vcf(vcf_path)
    with vcf:
        parser: Parser | None = parse_header(vcf.header, vcf_path)
        vcf.subset_samples([])  # annotation never needs genotypes
        for record in records(vcf, vcf_path):
            alt = record.alts[0] if record.alts else "."
            gene, others = assign_gene(genes, record.chrom, record.pos, record.ref, padding)
            entries = parser.consequences(record, alt) if parser else []
            if not entries:
                try:
                    entries = _offline_entries(sources, record.chrom, record.pos,
                                               record.ref, alt)
                except VcfError as exc:
                    raise VcfError(exc.message, path=vcf_path,
                                   record=f"{record.chrom}:{record.pos}:{record.ref}:{alt}",
                                   hint=exc.hint) from None
            chosen, rest = choose(entries, gene)
            row = Annotation(record.chrom, record.pos, record.ref, alt).to_dict()
            row.update(gene=gene.symbol if gene else "",
                       transcript=gene.mane_transcript if gene else "",
                       inheritance=gene.inheritance if gene else "",
                       other_genes=",".join(g.symbol for g in others))
            if chosen is not None:
                _report_transcripts(row, chosen, rest)
                if gene is None:  # no panel: the gene is the transcript's
                    row["gene"] = chosen["gene"]
                if parser is not None and chosen["source"] == parser.source:
                    row["annotation_source"] += " (from the input VCF)"
            row.update(database_fields(sources, record.chrom, record.pos, record.ref, alt))
            rows.append(row)
    if sources.online is not None:
        _add_online(rows, sources, genes, vcf_path)
    return write_annotations([Annotation(**row) for row in rows], out_path)


def _add_online(rows: list[dict], sources: Sources, genes: list[Gene],
                vcf_path: str | Path) -> None:
    """Fill what the local sources left empty from the public services, which are sent the
    variant keys only: consequence and HGVS from VEP REST (on the gene's MANE transcript),
    ClinVar, gnomAD, CADD and REVEL from MyVariant.info; then the offline consequence and
    HGVS are cross-checked against VEP's (sources.crosscheck). A service that fails stops the
    stage (no table with variants silently unannotated), naming the VCF and how many of its
    variants lack an answer."""
    from cmmvar.annotate.online import online_annotations
    from cmmvar.annotate.online_cache import VariantKey
    from cmmvar.annotate.online_crosscheck import cross_check
    from cmmvar.annotate.online_http import ServiceError

    keys = {}
    for row in rows:
        try:
            keys[id(row)] = VariantKey(row["chrom"], int(row["pos"]), row["ref"], row["alt"])
        except ValueError:
            continue  # a symbolic or '*' allele: nothing to ask
    try:
        found = online_annotations(list(keys.values()), sources.build, sources.online)
    except ServiceError as exc:
        raise InputError(exc.message, path=vcf_path, hint=exc.hint) from None
    sources.online_log = found.provenance()
    by_symbol = {g.symbol: g for g in genes}
    for row in rows:
        key = keys.get(id(row))
        if key is None:
            continue
        vep, more = found.vep.results.get(key), found.myvariant.results.get(key)
        if vep is not None and not row["consequence"]:
            entries = [effect_fields(t) for t in vep.transcripts]
            chosen, rest = choose(entries, by_symbol.get(row["gene"]))
            if chosen is not None:
                _report_transcripts(row, chosen, rest)
        if more is None:
            continue
        said = f"{found.myvariant.service} {found.myvariant.version}"
        if row["gnomad_status"] == "not_checked":
            af = max((v for v in (more.gnomad_exome_af, more.gnomad_genome_af)
                      if v is not None), default=None)
            if af is not None:  # MyVariant has no record for an absent variant: not 'absent'
                row.update(gnomad_status="found", gnomad_af=af,
                           gnomad_grpmax_af=more.gnomad_grpmax_af,
                           gnomad_grpmax=more.gnomad_grpmax or "",
                           gnomad_source=f"{said} (gnomAD exomes v2.1.1 / genomes)")
        if not row["clinvar_source"] and more.clinvar_significance:
            row.update(clinvar_significance="|".join(more.clinvar_significance),
                       clinvar_review_status="|".join(more.clinvar_review_status),
                       clinvar_id=more.clinvar_variation_id or "",
                       clinvar_source=f"{said} (ClinVar)")
        if more.cadd_phred is not None or more.revel_score is not None:
            row.update(cadd_phred=more.cadd_phred, revel=more.revel_score,
                       scores_source=f"{said} (CADD, dbNSFP REVEL)")

    def offline_of(row: dict) -> dict | None:
        entries = _offline_entries(sources, row["chrom"], int(row["pos"]), row["ref"],
                                   row["alt"])
        return choose(entries, by_symbol.get(row["gene"]))[0]

    offline_files = bool(sources.transcripts) and sources.fasta is not None
    sources.crosscheck = cross_check(rows, keys, found.vep.results,
                                     offline_of if offline_files else None)
    if not offline_files:
        log.warning("online cross-check %s", sources.crosscheck["note"])


def provenance(sources: Sources, table: pd.DataFrame) -> dict:
    """The annotation sources of a run, for run reports: files with checksums and releases,
    services with what was sent, how many variants each consequence source gave, and the
    online cross-check (online_crosscheck.py; None offline)."""
    used = table["annotation_source"].replace("", "none").value_counts()
    return {"genome_build": sources.build, "files": sources.provenance,
            "consequence_sources": {k: int(v) for k, v in used.items()},
            "online": sources.online_log if sources.online is not None else None,
            "online_crosscheck": sources.crosscheck}
