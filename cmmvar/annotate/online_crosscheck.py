"""The online cross-check: cmmvar's offline consequence and HGVS (from the local GFF3 and FASTA)
against Ensembl VEP REST's on the same transcript (the gene's MANE Select), field by field.

Knows annotation rows, offline entries and VEP results; nothing about families. The result goes
to the annotation provenance, and from there to each family's qc.json and report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cmmvar.annotate.online_cache import VariantKey

FIELDS = ("consequence", "hgvs_c", "hgvs_p")
NOT_DONE = ("not done: annotation.transcripts_gff3 and annotation.reference_fasta are not both "
            "set, so there is no offline consequence or HGVS to compare with VEP's")


def _comparable(name: str, value: str) -> str | frozenset:
    """Equal when the same: consequence terms in any order; p.(Arg41Trp) (cmmvar, predicted)
    and p.Arg41Trp (VEP) are the same protein change."""
    if name == "consequence":
        return frozenset(t for t in value.split("&") if t)
    if name == "hgvs_p" and value.startswith("p.(") and value.endswith(")"):
        return "p." + value[3:-1]
    return value


def cross_check(rows: list[dict], keys: Mapping[int, VariantKey], vep: Mapping,
                offline_of: Callable[[dict], dict | None] | None) -> dict:
    """Every disagreement between the offline entry of a row (`offline_of(row)`: the entry
    cmmvar reports offline, on the gene's MANE transcript) and VEP's on that transcript.

    `keys`: id(row) -> its VariantKey; `vep`: VariantKey -> VepResult or None; `offline_of`
    None when the offline files are absent (the check is then said not done). Each
    disagreement names the variant, transcript, field, both values, the value the report
    uses and its source (the row's annotation_source, as filled in by then)."""
    if offline_of is None:
        return {"done": False, "note": NOT_DONE, "compared": 0, "disagreements": []}
    compared, disagreements = 0, []
    for row in rows:
        key = keys.get(id(row))
        said = vep.get(key) if key is not None else None
        offline = offline_of(row) if said is not None else None
        if offline is None:
            continue
        compared += 1
        theirs = said.transcript(offline["transcript"])
        for name in FIELDS:
            mine = str(offline[name] or "")
            other = "" if theirs is None else str(getattr(theirs, name) or "")
            if _comparable(name, mine) != _comparable(name, other):
                used = str(row.get(name) or "")
                disagreements.append({
                    "variant": _variant(row), "transcript": offline["transcript"],
                    "field": name, "offline": mine,
                    "vep": other if theirs is not None else "(no VEP entry for the transcript)",
                    "report_uses": used, "report_source": str(row.get("annotation_source") or "")})
    return {"done": True, "note": f"{compared} variants compared on the MANE transcript; "
                                  f"{len(disagreements)} disagreements",
            "compared": compared, "disagreements": disagreements}


def _variant(row: dict) -> str:
    """chrom:pos:ref:alt as the VCF writes it, the variant key of the family reports."""
    return f"{row['chrom']}:{row['pos']}:{row['ref']}:{row['alt']}"


def for_family(check: dict | None, variant_keys: set[str]) -> dict | None:
    """The cross-check restricted to one family's variants (a VCF may hold several families:
    one family's report never names another's variants)."""
    if check is None:
        return None
    if not check["done"]:
        return check
    kept = [d for d in check["disagreements"] if d["variant"] in variant_keys]
    return dict(check, disagreements=kept,
                note=f"{check['compared']} variants of the VCF compared on the MANE "
                     f"transcript; {len(kept)} disagreements on this family's variants")
