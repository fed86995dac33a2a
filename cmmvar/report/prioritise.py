"""Prioritisation: population-frequency and consequence filters, the automatable subset of
the ACMG/AMP criteria with a reason for each, and the rank of a family's candidates.

Works on the annotation record (numbers as numbers) and the segregation result of one
variant; reads no file.
The rules are deliberately few and written out, so a clinical scientist can check them:
- frequency: the variant is filtered when gnomAD's filtering allele frequency (faf95, or the
  group-maximum AF when faf95 is absent) exceeds the gene's maximum credible allele frequency
  (panel column; Whiffin et al. 2017, Genet Med 19:1151);
- consequence: filtered when none of its Sequence Ontology terms is in the configured list;
- ClinVar pathogenic or likely pathogenic variants are kept whatever the filters say.
ACMG codes (Richards et al. 2015), strengths as Bayesian points (Tavtigian et al. 2020):
- PVS1: stop_gained, frameshift, splice donor/acceptor in a gene whose mechanism is
  established loss of function (panel `mechanism` starting "LoF" without "presumed");
  PVS1_Moderate instead when a stop or frameshift lies in the last exon (predicted to escape
  nonsense-mediated decay; ClinGen SVI, Abou Tayoun et al. 2018). Splice calls are not
  verified by RNA, and the 50-nucleotide rule for the penultimate exon is not applied.
- PM2_Supporting: absent from gnomAD, or group-maximum AF at or below the gene's maximum
  credible AF (ClinGen SVI 2020 downgrade of PM2 to supporting).
- BA1: group-maximum AF above 5%. BS1: filtering AF above the gene's maximum credible AF.
- PP3 / BP4 for missense variants from REVEL when online scores are present (Pejaver et al.
  2022, AJHG 109:2163): PP3 supporting >= 0.644, moderate >= 0.773, strong >= 0.932;
  BP4 supporting <= 0.290, moderate <= 0.183, strong <= 0.016.
- PP1 / BS4 / PS2 / PM6 come from the segregation stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cmmvar.annotate.annotation_table import Annotation

LOF_TERMS = ("stop_gained", "frameshift_variant", "splice_donor_variant",
             "splice_acceptor_variant", "transcript_ablation")
PATHOGENIC = ("pathogenic", "likely pathogenic")
POINTS = {"Supporting": 1, "Moderate": 2, "Strong": 4, "VeryStrong": 8}
_REVEL_PP3 = (("Strong", 0.932), ("Moderate", 0.773), ("Supporting", 0.644))
_REVEL_BP4 = (("Strong", 0.016), ("Moderate", 0.183), ("Supporting", 0.290))


@dataclass(frozen=True)
class Criterion:
    code: str  # e.g. PVS1, PM2_Supporting, PP1_Moderate
    reason: str

    @property
    def points(self) -> int:
        """Tavtigian et al. 2020 points: pathogenic codes positive, benign negative."""
        base, _, level = self.code.partition("_")
        if not level:
            level = {"PVS1": "VeryStrong", "PS2": "Strong", "BA1": "VeryStrong",
                     "BS1": "Strong", "PM6": "Moderate"}.get(base, "Supporting")
        sign = -1 if base.startswith("B") else 1
        return sign * POINTS[level]


@dataclass(frozen=True)
class Priority:
    kept: bool
    filters: tuple[str, ...]  # why filtered (empty when kept)
    criteria: tuple[Criterion, ...]

    @property
    def points(self) -> int:
        return sum(c.points for c in self.criteria)

    @property
    def codes(self) -> str:
        return ";".join(c.code for c in self.criteria)


def _terms(annotation: Annotation) -> list[str]:
    return [t for t in annotation.consequence.replace(",", "&").split("&") if t]


def _is_pathogenic_in_clinvar(annotation: Annotation) -> bool:
    """Any part of ClinVar's significance is Pathogenic or Likely pathogenic: CLNSIG joins
    classifications with '/', qualifiers with ',' and the online RCVs with '|'
    ("Pathogenic/Likely pathogenic/Pathogenic, low penetrance|risk factor")."""
    significance = annotation.clinvar_significance.lower().replace("_", " ")
    return any(part.strip() in PATHOGENIC for part in re.split(r"[/,;|]", significance))


def frequency_criteria(annotation: Annotation, max_af: float) -> tuple[list[Criterion], str | None]:
    """BA1, BS1 or PM2_Supporting, and the frequency filter reason (None when it passes)."""
    status = annotation.gnomad_status
    if status == "absent":
        source = annotation.gnomad_source or "local file"
        return [Criterion("PM2_Supporting", f"absent from gnomAD ({source})")], None
    if status != "found":
        return [], None
    grpmax, af, faf = (annotation.gnomad_grpmax_af, annotation.gnomad_af,
                       annotation.gnomad_faf95_max)
    top = grpmax if grpmax is not None else af
    filtering = faf if faf is not None else top
    criteria, reason = [], None
    if top is not None and top > 0.05:
        criteria.append(Criterion("BA1", f"gnomAD group-maximum AF {top:.3g} > 5%"))
    elif filtering is not None and filtering > max_af:
        criteria.append(Criterion("BS1", f"gnomAD filtering AF {filtering:.3g} > the gene's "
                                         f"maximum credible AF {max_af:.3g}"))
    elif top is not None and top <= max_af:
        criteria.append(Criterion("PM2_Supporting", f"gnomAD group-maximum AF {top:.3g} <= "
                                                    f"the gene's maximum credible AF {max_af:.3g}"))
    if filtering is not None and filtering > max_af:
        reason = f"frequency: gnomAD filtering AF {filtering:.3g} > {max_af:.3g}"
    return criteria, reason


def pvs1(annotation: Annotation, mechanism: str) -> Criterion | None:
    terms = _terms(annotation)
    lof = [t for t in terms if t in LOF_TERMS]
    if not lof:
        return None
    established = mechanism.startswith("LoF") and "presumed" not in mechanism
    if not established:
        return None
    exon = annotation.exon
    last_exon = "/" in exon and exon.split("/")[0] == exon.split("/")[1]
    if last_exon and lof[0] in ("stop_gained", "frameshift_variant"):
        return Criterion("PVS1_Moderate", f"{lof[0]} in the last exon ({exon}): predicted to "
                                          f"escape nonsense-mediated decay")
    return Criterion("PVS1", f"{lof[0]} in a gene whose disease mechanism is loss of function")


def in_silico(annotation: Annotation) -> Criterion | None:
    revel = annotation.revel
    if revel is None or "missense_variant" not in _terms(annotation):
        return None
    for level, threshold in _REVEL_PP3:
        if revel >= threshold:
            return Criterion(f"PP3_{level}", f"REVEL {revel:.3f} >= {threshold}")
    for level, threshold in _REVEL_BP4:
        if revel <= threshold:
            return Criterion(f"BP4_{level}", f"REVEL {revel:.3f} <= {threshold}")
    return None


def prioritise(annotation: Annotation, segregation: Mapping, mechanism: str, max_af: float,
               consequences: list[str] | None) -> Priority:
    """Filters and ACMG criteria of one variant in one family."""
    criteria: list[Criterion] = []
    loss = pvs1(annotation, mechanism)
    if loss:
        criteria.append(loss)
    frequency, frequency_filter = frequency_criteria(annotation, max_af)
    criteria += frequency
    score = in_silico(annotation)
    if score:
        criteria.append(score)
    for code in segregation.get("acmg_codes", ()):
        criteria.append(Criterion(code, _segregation_reason(code, segregation)))
    filters = []
    if frequency_filter:
        filters.append(frequency_filter)
    terms = _terms(annotation)
    if consequences is not None and terms and not set(terms) & set(consequences):
        filters.append(f"consequence: {'&'.join(terms)} is not in filters.consequences")
    if filters and _is_pathogenic_in_clinvar(annotation):
        filters = []  # ClinVar pathogenic/likely pathogenic: always kept
    return Priority(not filters, tuple(filters), tuple(criteria))


def _segregation_reason(code: str, segregation: Mapping) -> str:
    if code.startswith(("PP1", "BS4")):
        return f"cosegregation Bayes factor {segregation.get('flb'):.3g}"
    children = ", ".join(segregation["de_novo_children"])
    confirmed = "parentage confirmed" if code == "PS2" else "parentage not confirmed"
    return f"de novo in {children} ({confirmed})"
