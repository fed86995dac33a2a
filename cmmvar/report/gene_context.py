"""What a counsellor reads beside each candidate about its gene and its family's structure.

The gene's tier and the strength of its gene–disease evidence (the lead clause of the panel's
evidence column), the panel's clinical notes for the gene, the note a consanguineous family
needs, and who is drawn with a carrier's dot. Words about a disease come from the panel; the
code only adds what follows from the pedigree's structure. Computes no statistic.
"""

from __future__ import annotations

import re

# Genes reported apart, below the ranked candidates: not established for the condition.
APART_TIERS = ("candidate", "unsupported")
_LEAD = re.compile(r"^(.*?)(?:: |(?<! al)\. |\.$)", re.S)


def is_apart(gene: dict | None) -> bool:
    """True for a gene of tier candidate or unsupported (reported in its own section)."""
    return (gene or {}).get("tier") in APART_TIERS


def evidence_lead(evidence: str) -> str:
    """The evidence column's lead: the words before the first ': ' or the end of the first
    sentence, whichever comes first ("Limited", "ClinGen Definitive for ...")."""
    text = " ".join(evidence.split())
    found = _LEAD.match(text)
    return (found.group(1) if found else text).strip()


def consanguineous_unions(pedigree: list[dict]) -> list[tuple[str, str]]:
    """(father, mother) of each couple in report.json's pedigree records who share an
    ancestor (one partner an ancestor of the other counts too), as pedigree_svg draws a
    double line."""
    people = {p["id"]: p for p in pedigree}
    found: dict[str, frozenset[str]] = {}

    def ancestors(pid: str, trail: tuple[str, ...] = ()) -> frozenset[str]:
        if pid not in found:
            person = people.get(pid) or {}
            parents = [q for q in (person.get("father"), person.get("mother"))
                       if q and q not in trail]
            found[pid] = frozenset({pid}).union(
                *(ancestors(q, trail + (pid,)) for q in parents))
        return found[pid]

    couples = dict.fromkeys((p["father"], p["mother"]) for p in pedigree
                            if p.get("father") and p.get("mother"))
    return [(f, m) for f, m in couples if ancestors(f) & ancestors(m)]


def gene_line(candidate: dict, pedigree: list[dict]) -> str:
    """One line on the candidate's gene: tier, evidence strength, the panel's clinical
    notes, and for a recessive candidate in a consanguineous family what segregation can
    and cannot show."""
    gene = candidate.get("gene_model") or {}
    if not gene:
        return "Not in a panel gene."
    words = [f"{gene['symbol']}: tier {gene['tier']}; gene–disease evidence: "
             f"{evidence_lead(gene.get('evidence') or 'not given')}."]
    if gene.get("clinical_notes"):
        words.append(gene["clinical_notes"])
    unions = consanguineous_unions(pedigree)
    if unions and candidate["segregation"]["model"]["inheritance"] == "AR":
        couples = "; ".join(f"{f} and {m}" for f, m in unions)
        words.append(f"Consanguineous family ({couples} share an ancestor): affected relatives "
                     f"are homozygous for the whole haplotype inherited from that ancestor, so "
                     f"segregation supports the region around the variant, not the variant "
                     f"alone.")
    return " ".join(words)


def dot_carriers(candidate: dict, pedigree: list[dict]) -> set[str]:
    """Unaffected members drawn with a carrier's dot (not expected to be affected): one copy
    of a recessive gene's variant, or a woman with one copy for an X-linked recessive gene.
    An unaffected carrier of a dominant variant is not dotted: reduced penetrance makes them
    a carrier who might have been affected, shown by the genotype label alone."""
    inheritance = candidate["segregation"]["model"]["inheritance"]
    members = {p["id"]: p for p in pedigree}
    dotted = set()
    for pid, call in candidate["genotypes"].items():
        person = members.get(pid)
        if person is None or person["phenotype"] != "unaffected" or call.get("copies") != 1:
            continue
        if inheritance == "AR" or (inheritance == "XLR" and person["sex"] == "female"
                                   and not call.get("hemizygous")):
            dotted.add(pid)
    return dotted
