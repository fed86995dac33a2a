"""What the automated evidence covers, in words: the banner at the top of every report, the
ACMG/AMP criteria evaluated for a candidate (with their result) and those not evaluated, the
ClinVar assertion set beside the automated points, and the summary of how the segregation
evidence rests on its assumptions (the rows of sensitivity.py's table).

Reads report.json data (a candidate row with its `segregation`, `criteria` and `sensitivity`);
computes no statistic. The lists follow prioritise.py and segregation.py exactly: a criterion
is "evaluated" only where that code could have met it for this variant.
"""

from __future__ import annotations

from collections.abc import Mapping

BANNER = ("Partial automated evidence toward an ACMG/AMP classification, not a classification: "
          "the criteria shown are the subset cmmvar assesses from these files, and several "
          "criteria are not evaluated (listed for each candidate). For research use only. Any "
          "finding must be confirmed in an accredited clinical laboratory before it is used for "
          "a patient or a family.")

LOF_TERMS = ("stop_gained", "frameshift_variant", "splice_donor_variant",
             "splice_acceptor_variant", "transcript_ablation")  # as prioritise.LOF_TERMS

# Criteria the code never assesses, with what it would take.
NEVER_EVALUATED = (
    ("PS1", "same amino-acid change as an established pathogenic variant: not looked up"),
    ("PS3", "functional studies: not read"),
    ("PS4", "prevalence in affected people against controls: not assessed"),
    ("PM1", "mutational hot spot or critical functional domain: not assessed"),
    ("PM3", "in trans with a pathogenic variant (recessive genes; needs phase): not assessed"),
    ("PM4", "protein length change (in-frame indel, stop-loss): not assessed"),
    ("PM5", "another pathogenic missense change at the same residue: not looked up"),
    ("PP2", "missense variant in a gene with few benign missense variants: not assessed"),
    ("PP4", "phenotype or family history specific to the gene: not assessed"),
    ("BS2", "observed in healthy adults for a fully penetrant disorder: not assessed"),
    ("BS3", "functional studies showing no damaging effect: not read"),
    ("BP1", "missense variant in a gene where truncating variants cause disease: not assessed"),
    ("BP2", "in trans or in cis with a pathogenic variant: not assessed"),
    ("BP3", "in-frame indel in a repetitive region: not assessed"),
    ("BP5", "another molecular cause found in the family: not assessed"),
    ("BP7", "synonymous change with no predicted splice effect: not assessed"),
)


def _codes(candidate: Mapping, *prefixes: str) -> list[str]:
    return [c["code"] for c in candidate.get("criteria") or ()
            if c["code"].split("_")[0] in prefixes]


def _terms(candidate: Mapping) -> list[str]:
    return [t for t in str(candidate.get("consequence") or "").replace(",", "&").split("&")
            if t]


def criteria_scope(candidate: Mapping) -> tuple[list[dict], list[dict]]:
    """(criteria evaluated: {code, result, reason}, criteria not evaluated: {code, reason})
    for one candidate of report.json."""
    evaluated, missing = [], []
    seg = candidate.get("segregation") or {}
    gene = candidate.get("gene_model") or {}

    met = _codes(candidate, "PVS1")
    lof = [t for t in _terms(candidate) if t in LOF_TERMS]
    if met:
        reason = "splice calls are not verified by RNA; the penultimate-exon rule is not applied"
    elif not lof:
        reason = "no predicted loss-of-function consequence (stop, frameshift, canonical splice)"
    else:
        reason = (f"the gene's disease mechanism is not established loss of function "
                  f"({gene.get('mechanism') or 'not stated'})")
    evaluated.append({"code": "PVS1", "result": ", ".join(met) or "not met", "reason": reason})

    if candidate.get("gnomad_status") in ("absent", "found"):
        met = _codes(candidate, "BA1", "BS1", "PM2")
        evaluated.append({"code": "BA1, BS1, PM2", "result": ", ".join(met) or "none met",
                          "reason": "gnomAD frequency against 5% and the gene's maximum "
                                    "credible allele frequency"})
    else:
        missing.append({"code": "BA1, BS1, PM2", "reason": "gnomAD not checked for this "
                                                           "variant"})

    revel = candidate.get("revel")
    if revel not in (None, "") and "missense_variant" in _terms(candidate):
        met = _codes(candidate, "PP3", "BP4")
        evaluated.append({"code": "PP3, BP4", "result": ", ".join(met) or "neither met",
                          "reason": f"REVEL {revel} (PP3 at >= 0.644, BP4 at <= 0.290)"})
    elif "missense_variant" in _terms(candidate):
        missing.append({"code": "PP3, BP4", "reason": "no REVEL score (REVEL is fetched only "
                                                      "in online mode)"})
    else:
        missing.append({"code": "PP3, BP4", "reason": "not a missense variant: no splice or "
                                                      "other predictor is used"})

    if seg.get("flb") is not None:
        met = _codes(candidate, "PP1", "BS4")
        evaluated.append({"code": "PP1, BS4", "result": ", ".join(met) or "neither met",
                          "reason": f"cosegregation Bayes factor {seg['flb']:.3g} in this "
                                    f"family"})
    else:
        missing.append({"code": "PP1, BS4", "reason": "no Bayes factor: "
                                                      f"{seg.get('flb_reason') or 'undefined'}"})

    if seg.get("de_novo") == "yes":
        met = _codes(candidate, "PS2", "PM6")
        evaluated.append({"code": "PS2, PM6", "result": ", ".join(met),
                          "reason": "parentage confirmed" if "PS2" in met
                          else "parentage not confirmed: PM6, not PS2"})
    elif seg.get("de_novo") == "no":
        evaluated.append({"code": "PS2, PM6", "result": "not met",
                          "reason": "inherited from a carrier parent"})
    else:
        missing.append({"code": "PS2, PM6", "reason": "no carrier has both parents tested "
                                                      "as confident non-carriers"})
    missing += [{"code": code, "reason": reason} for code, reason in NEVER_EVALUATED]
    return evaluated, missing


def clinvar_assertion(candidate: Mapping) -> str:
    """ClinVar's assertion, set beside the automated points and never merged into them."""
    significance = candidate.get("clinvar_significance") or ""
    if not significance:
        return "ClinVar: not checked."
    if significance == "not in ClinVar":
        return "ClinVar: no record of this variant."
    stars = candidate.get("clinvar_stars")
    detail = ""
    if stars not in (None, ""):
        detail = f" ({stars} star{'' if str(stars) == '1' else 's'})"
    return (f"ClinVar: {significance}{detail}, independent of the automated points above "
            f"and not counted in them.")


def _number(value: float) -> str:
    """As report_html's numbers: 2 significant digits below 0.01, 3 up to 100, whole above."""
    if value == 0:
        return "0"
    if value < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _strength(row: Mapping) -> str:
    if row["pp1"] != "none":
        return f"PP1 {row['pp1']}"
    if row["bs4"] != "none":
        return f"BS4 {row['bs4']}"
    return "neither PP1 nor BS4"


def _where(row: Mapping) -> str:
    if row["assumption"] == "phenotype recoded":
        return f"with {row['setting']}"
    return f"at {row['assumption']} {row['setting']}"


def sensitivity_summary(candidate: Mapping) -> str:
    """The sentences the summary gives on the sensitivity table: which rows change the
    strength, the key individuals and the checks worth ordering. Empty without a table."""
    table = candidate.get("sensitivity")
    if not table:
        return ""
    rows = table["rows"]
    used = rows[0]
    level = _strength(used)
    computed = [r for r in rows if r["flb"] is not None]
    changed = [r for r in computed if _strength(r) != level]
    if changed:
        parts = [f"{_strength(r)} {_where(r)} (Bayes factor {_number(r['flb'])})"
                 for r in changed]
        text = (f"Sensitivity: as used, {level} (Bayes factor {_number(used['flb'])}); it becomes "
                + _join(parts, "; ") + ".")
    else:
        low, high = min(r["flb"] for r in computed), max(r["flb"] for r in computed)
        text = (f"Sensitivity: {level} in every row of the table (Bayes factor "
                f"{_number(low)} to {_number(high)}).")
    keys = table.get("key_individuals") or []
    if keys:
        names = [f"{k['id']} ({k['role']})" for k in keys]
        # parentage matters where a child lacks the genotype the model expects of the affected
        children = [k["id"] for k in keys if k.get("is_child") and k["phenotype"] == "affected"]
        checks = ["phenotype review", "confirmation of sample identity"]
        if children:
            checks.append(f"confirmation of parentage ({_join(children)})")
        them = "this individual" if len(keys) == 1 else "these individuals"
        text += (f" The evidence rests on {_join(names)}; checks to consider for {them}: "
                 f"{_join(checks)}.")
    return text


def _join(items: list[str], sep: str = ", ") -> str:
    """a; a and b; a, b and c (with sep "; ": a; b; and c, clauses kept apart)."""
    if len(items) == 1:
        return items[0]
    last = "; and " if sep == "; " else " and "
    return sep.join(items[:-1]) + last + items[-1]


def with_scope(candidate: dict) -> dict:
    """The candidate with `criteria_evaluated`, `criteria_not_evaluated` and
    `clinvar_assertion` (report.json)."""
    evaluated, missing = criteria_scope(candidate)
    return dict(candidate, criteria_evaluated=evaluated, criteria_not_evaluated=missing,
                clinvar_assertion=clinvar_assertion(candidate))
