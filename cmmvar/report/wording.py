"""The exact words a report uses where a looser word would overstate: the penetrance the
likelihood used for each carrier, de novo versus apparently de novo, which candidate may be
put forward first and whether any is supported, and a variant that does not explain the family.

Reads report.json records (candidate dicts, pedigree records); computes no statistic: each
number it quotes is one the segregation stage used (segregation.Model.vector).
"""

from __future__ import annotations

import re

from cmmvar.io.pedigree import Sex
from cmmvar.segregate.segregation import Model

NONE_SUPPORTED = "no candidate in the panel genes is supported by this family's data"
DOES_NOT_EXPLAIN = "does not explain this family's condition"
_SEX = {"male": Sex.MALE, "female": Sex.FEMALE}
_SEX_GROUP = {"male": "men", "female": "women"}
_CLINVAR_SUPPORT = ("pathogenic", "likely pathogenic")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def model_of(segregation: dict) -> Model:
    """The gene model a segregation record (report.json) was computed with."""
    m = segregation["model"]
    return Model(m["inheritance"], m["penetrance"], m.get("phenocopy_rate", 0.0),
                 m.get("penetrance_male"), m.get("penetrance_female"),
                 m.get("liability_classes") or {})


def carrier_penetrance(segregation: dict, person: dict, copies: int) -> float:
    """The penetrance the likelihood gave this carrier: P(affected | `copies` ALT alleles)
    from the same Model.vector, so sex-specific and liability-class values are the ones
    quoted (PED sex 0 takes the general value, as the likelihood did)."""
    vector = model_of(segregation).vector(_SEX.get(person["sex"], Sex.UNKNOWN),
                                          person.get("liability_class"))
    return vector[min(copies, len(vector) - 1)]


def penetrance_words(segregation: dict, carriers: list[tuple[dict, int]]) -> str:
    """'modelled at 0.54 for women' or 'modelled at 0.54 for women and 0.74 for men': the
    values used for these carriers (person record, ALT copies), grouped by value; the group
    is named by sex when the model has sex-specific values, by liability class when one
    applies."""
    model = model_of(segregation)
    sex_specific = model.penetrance_male is not None or model.penetrance_female is not None
    groups: dict[float, list[str]] = {}
    for person, copies in carriers:
        value = carrier_penetrance(segregation, person, copies)
        if person.get("liability_class") is not None:
            who = f"liability class {person['liability_class']}"
        elif sex_specific:
            who = _SEX_GROUP.get(person["sex"], "people of unknown sex")
        else:
            who = ""
        names = groups.setdefault(value, [])
        if who not in names:
            names.append(who)
    parts = [f"{value:g}" + (f" for {' and '.join(w for w in whos if w)}"
                             if any(whos) else "")
             for value, whos in groups.items()]
    return "modelled at " + " and ".join(parts)


def reduced_penetrance_clause(candidate: dict, members: dict[str, dict], condition: str,
                              gene: str) -> str | None:
    """', consistent with the reduced penetrance of … (modelled at …)' for a dominant
    model's unaffected carriers with penetrance below 1, or None."""
    seg = candidate["segregation"]
    carriers = [(members[pid], g["copies"]) for pid, g in candidate["genotypes"].items()
                if g.get("copies") and pid in members
                and members[pid]["phenotype"] == "unaffected"]
    if not carriers:
        return None
    values = {carrier_penetrance(seg, p, c) for p, c in carriers}
    if max(values) >= 1:
        return None
    return (f", consistent with the reduced penetrance of {condition} in {gene} carriers "
            f"({penetrance_words(seg, carriers)})")


def de_novo_words(segregation: dict) -> str:
    """'apparently de novo' until parentage is confirmed (PM6), 'de novo' with PS2."""
    children = ", ".join(segregation["de_novo_children"])
    if "PS2" in segregation.get("acmg_codes", ()):
        return f"de novo in {children} (both parents tested non-carriers, parentage confirmed)"
    return (f"apparently de novo in {children} (both parents tested non-carriers; parentage "
            f"not confirmed)")


def clinvar_supports(candidate: dict) -> bool:
    """ClinVar's assertion is Pathogenic or Likely pathogenic (either, or both), with no
    benign or conflicting part."""
    text = (candidate.get("clinvar_significance") or "").lower().replace("_", " ")
    parts = [p.strip() for p in re.split(r"[/,;|]", text) if p.strip()]
    return bool(parts) and all(p in _CLINVAR_SUPPORT for p in parts)


def supported(candidate: dict) -> bool:
    """Supporting evidence from this family or ClinVar: PP1 (any strength), a de novo
    call, or a ClinVar Pathogenic/Likely pathogenic assertion."""
    seg = candidate["segregation"]
    return seg["pp1"] != "none" or seg["de_novo"] == "yes" or clinvar_supports(candidate)


def against(candidate: dict) -> bool:
    """BS4 at any strength: the family's data argue against cosegregation."""
    return candidate["segregation"]["bs4"] != "none"


def headline(candidates: list[dict]) -> dict | None:
    """The candidate a summary may put first: the best ranked without BS4, or None."""
    return next((c for c in candidates if not against(c)), None)


def family_note(candidates: list[dict]) -> str:
    """What a summary says plainly when it cannot put a supported candidate forward."""
    notes = []
    if candidates and not any(supported(c) for c in candidates):
        notes.append(NONE_SUPPORTED)
    n_against = sum(against(c) for c in candidates)
    if n_against:
        notes.append(f"{_plural(n_against, 'candidate')} with evidence against cosegregation "
                     f"(BS4) {'is' if n_against == 1 else 'are'} not put forward")
    return "; ".join(notes)


RULE = "first affected carrier in PED order"


def proband_words(segregation: dict) -> str:
    """How the proband of a candidate was chosen, as shown beside the proband's ID."""
    if segregation.get("proband_source") == RULE:
        return f"chosen by rule: the {RULE}"
    return "named in the families sheet"


def family_proband(candidates: list[dict]) -> dict | None:
    """The family's proband as report.json records it: the first candidate's (the sheet's
    proband is every candidate's; a rule may choose another person for another variant),
    with how it was chosen."""
    seg = next((c["segregation"] for c in candidates if c["segregation"].get("proband")),
               None)
    if seg is None:
        return None
    return {"id": seg["proband"], "chosen_by_rule": seg["proband_source"] == RULE,
            "chosen": proband_words(seg)}
