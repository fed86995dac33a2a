"""The HTML documents a genetic counsellor reads: one report per family and the cohort index.

Turns report.json data into words and drawings (plain-language segregation sentences, links
to the public databases, the pedigree per candidate); computes no statistic itself. Every
string from input files is escaped by the templates (autoescape) or by pedigree_svg.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cmmvar.io.pedigree import Family
from cmmvar.records import PedigreeMember
from cmmvar.report.gene_context import dot_carriers, gene_line, is_apart
from cmmvar.report.pedigree_svg import draw_pedigree
from cmmvar.report.scope import BANNER, sensitivity_summary
from cmmvar.report.wording import (
    DOES_NOT_EXPLAIN,
    RULE,
    against,
    de_novo_words,
    family_note,
    family_proband,
    reduced_penetrance_clause,
)

_GENOTYPE_SIGN = str.maketrans({"-": "\u2212"})  # a true minus sign under the symbols
_GNOMAD_DATASET = {"GRCh38": "gnomad_r4", "GRCh37": "gnomad_r2_1"}
_ENSEMBL = {"GRCh38": "https://www.ensembl.org", "GRCh37": "https://grch37.ensembl.org"}
TOP_CANDIDATES = 5  # candidates drawn on the pedigree and summarised at the top


def family_of(report: dict) -> Family:
    """The pedigree of report.json as a Family (for drawing), each person with its PED line."""
    people = tuple(PedigreeMember.from_dict(p).individual() for p in report["pedigree"])
    return Family(id=report["family_id"], individuals=people, path="report.json")


def genotype_labels(candidate: dict) -> dict[str, str]:
    """The label under each symbol: +/−, +/+, + (hemizygous), −/−, or ? (not sequenced,
    no call, or a call that failed the quality thresholds)."""
    return {person: g["label"].translate(_GENOTYPE_SIGN)
            for person, g in candidate["genotypes"].items()}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _number(value) -> str:
    """A number for reading: 2 significant digits below 0.01, 3 up to 100, whole above."""
    value = float(value)
    if value == 0:
        return "0"
    if value < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def segregation_sentence(candidate: dict, pedigree: list[dict] | None = None,
                         condition: str | None = None) -> str:
    """One plain-language sentence on how the variant segregates in the family; the
    pedigree (report.json's, with sexes) lets X-linked carriers be told apart and quotes each
    carrier's penetrance; `condition` is the panel's name for the phenotype coded affected."""
    seg = candidate["segregation"]
    counts = seg["counts"]
    model = seg["model"]
    gene = candidate.get("gene") or "this gene"
    inheritance = model["inheritance"]
    carriers = counts["affected_homozygous"] if inheritance == "AR" \
        else counts["affected_carriers"]
    tested = counts["affected_carriers"] + counts["affected_noncarriers"]
    state = "homozygous" if inheritance == "AR" else "present"
    parts = []
    if tested == 0:
        parts.append("no affected family member was tested successfully")
    elif carriers == tested:
        who = {1: "the affected family member", 2: "both affected family members"}.get(
            tested, f"all {tested} affected family members")
        parts.append(f"{state} in {who} tested")
    elif carriers == 0:
        who = "the affected family member" if tested == 1 else \
            f"any of the {tested} affected family members"
        parts.append(f"not {state} in {who} tested")
    else:
        parts.append(f"{state} in {carriers} of the "
                     f"{_plural(tested, 'affected family member')} tested")
    if counts["affected_missing"]:
        parts[-1] += f" ({counts['affected_missing']} not tested or failed quality)"
    explains = seg.get("explains_family") != "no"
    parts += _unaffected_carriers(candidate, {p["id"]: p for p in pedigree or ()}, gene,
                                  explains, condition or "the condition")
    if seg["de_novo"] == "yes":
        parts.append(de_novo_words(seg))
    if not explains:  # never weighed: no "as expected", no Bayes factor, no PP1/BS4
        parts.append("no Bayes factor, PP1 or BS4 from this family")
    elif seg["flb"] is not None:
        bf = f"Bayes factor {_number(seg['flb'])}"
        if seg["pp1"] != "none":
            bf += f", PP1 {seg['pp1']}"
        elif seg["bs4"] != "none":
            bf += f" (against cosegregation), BS4 {seg['bs4']}"
        else:
            bf += ", not informative on its own"
        parts.append(bf)
    else:
        parts.append(f"no Bayes factor: {seg.get('flb_reason') or 'undefined'}")
    sentence = "; ".join(parts)
    if not explains:
        return f"{DOES_NOT_EXPLAIN[0].upper()}{DOES_NOT_EXPLAIN[1:]}: {sentence}."
    return sentence[0].upper() + sentence[1:] + "."


def _unaffected_carriers(candidate: dict, members: dict[str, dict], gene: str,
                         explains: bool, condition: str) -> list[str]:
    """Words on the unaffected members who carry the variant, read against the model (not
    "as expected" for a variant that does not explain the family)."""
    model = candidate["segregation"]["model"]
    inheritance = model["inheritance"]
    counts = candidate["segregation"]["counts"]
    if inheritance == "AR":
        het = counts["unaffected_carriers"] - counts["unaffected_homozygous"]
        words = []
        if het:
            words.append(_plural(het, 'unaffected heterozygous carrier')
                         + (", as expected for a recessive condition" if explains else ""))
        if counts["unaffected_homozygous"]:
            words.append(_plural(counts["unaffected_homozygous"], "unaffected homozygote"))
        return words
    if not counts["unaffected_carriers"]:
        return []
    if inheritance == "XLR" and members:
        carriers = [p for p, g in candidate["genotypes"].items()
                    if g.get("copies") and members[p]["phenotype"] == "unaffected"]
        women = sum(members[p]["sex"] == "female" for p in carriers)
        words = []
        if women:
            women_words = _plural(women, "unaffected heterozygous woman",
                                  "unaffected heterozygous women")
            words.append(women_words + (", as expected for X-linked recessive inheritance"
                                        if explains else ""))
        men = sum(members[p]["sex"] == "male" for p in carriers)
        if men:
            words.append(_plural(men, "unaffected male carrier"))
        if len(carriers) - women - men:  # PED sex 0: the likelihood took them as female
            words.append(_plural(len(carriers) - women - men,
                                 "unaffected carrier of unknown sex",
                                 "unaffected carriers of unknown sex"))
        return words
    words = _plural(counts["unaffected_carriers"], "unaffected carrier")
    clause = reduced_penetrance_clause(candidate, members, condition, gene) \
        if explains and members else None
    return [words + (clause or "")]


def variant_links(candidate: dict, build: str, synthetic: bool = False) -> list[tuple[str, str]]:
    """(database, URL) for records that exist: ClinVar with the VariationID the ClinVar source
    gave, gnomAD where the variant was found there, and the Ensembl region (always). A run on
    the demo's synthetic resources links to no ClinVar or gnomAD record: its IDs and
    frequencies are invented. URLs are shown as text."""
    chrom, pos, ref, alt = (candidate["chrom"], int(candidate["pos"]), candidate["ref"],
                            candidate["alt"])
    bare = chrom.removeprefix("chr")
    links = []
    if candidate.get("clinvar_id") and not synthetic:
        links.append(("ClinVar", "https://www.ncbi.nlm.nih.gov/clinvar/variation/"
                                 f"{quote(str(candidate['clinvar_id']))}/"))
    if str(candidate.get("gnomad_status") or "").startswith("found") and not synthetic:
        links.append(("gnomAD", f"https://gnomad.broadinstitute.org/variant/"
                                f"{quote(f'{bare}-{pos}-{ref}-{alt}')}"
                                f"?dataset={_GNOMAD_DATASET[build]}"))
    end = pos + len(ref) - 1
    links.append(("Ensembl", f"{_ENSEMBL[build]}/Homo_sapiens/Location/View?r="
                             f"{quote(f'{bare}:{pos}-{end}')}"))
    return links


def link_note(candidate: dict, synthetic: bool = False) -> str:
    """Why a ClinVar or gnomAD link is missing (empty when both are given)."""
    if synthetic:
        return ("No ClinVar or gnomAD link: this run used the demo's synthetic resources, "
                "whose records are invented.")
    missing = []
    if not candidate.get("clinvar_id"):
        missing.append("ClinVar (no VariationID for this allele in the ClinVar source)")
    if not str(candidate.get("gnomad_status") or "").startswith("found"):
        missing.append("gnomAD (the variant was not found in gnomAD)"
                       if candidate.get("gnomad_status") == "absent"
                       else "gnomAD (gnomAD was not checked)")
    return f"No link to {' or '.join(missing)}." if missing else ""


@cache  # one per process: a batch job renders many reports, each template compiled once
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cmmvar.report", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["number"] = lambda v: "" if v in (None, "") else _number(v)
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.globals.update(banner=BANNER, sensitivity_summary=sensitivity_summary)
    return env


def render_family(report: dict) -> str:
    """report.html of one family from its report.json data."""
    family = family_of(report)
    build = report["genome_build"]
    # The family's proband: the one the segregation of its candidates took (sheet or rule)
    proband = next((c["segregation"]["proband"] for c in report["candidates"]
                    if c["segregation"].get("proband")), None)
    synthetic = bool(report.get("synthetic_demo_resources"))
    condition = (report.get("panel") or {}).get("condition")  # the panel's words
    cards = []
    for rank, candidate in enumerate(report["candidates"]):
        drawing = None
        if rank < TOP_CANDIDATES:
            drawing = Markup(draw_pedigree(
                family, proband=candidate["segregation"].get("proband") or proband,
                genotypes=genotype_labels(candidate),
                title=f"{candidate.get('gene') or ''} {candidate.get('hgvs_c') or ''} "
                      f"{candidate['chrom']}:{candidate['pos']}",
                carriers=dot_carriers(candidate, report["pedigree"]),
                proband_note=_rule_note(candidate["segregation"])))
        cards.append({"c": candidate, "pedigree": drawing,
                      "sentence": segregation_sentence(candidate, report["pedigree"],
                                                       condition),
                      "links": variant_links(candidate, build, synthetic),
                      "link_note": link_note(candidate, synthetic),
                      "gene_line": gene_line(candidate, report["pedigree"]),
                      "apart": is_apart(candidate.get("gene_model"))})
    chosen = family_proband(report["candidates"])
    plain = Markup(draw_pedigree(family, proband=proband, proband_note="chosen by rule"
                                 if chosen and chosen["chosen_by_rule"] else ""))
    top = [card for card in cards if not card["apart"]][:TOP_CANDIDATES]
    # never a candidate with BS4 first: those follow under their own words (wording.py)
    groups = [(words, group) for words, group in (
        ("In rank order:", [card for card in top if not against(card["c"])]),
        ("With evidence against cosegregation (BS4), not put forward:",
         [card for card in top if against(card["c"])])) if group]
    unexplained = [{"c": c, "sentence": segregation_sentence(c, report["pedigree"], condition)}
                   for c in report.get("not_explaining") or ()]
    return _environment().get_template("report.html").render(
        report=report, cards=cards, plain_pedigree=plain,
        top=top, groups=groups, family_note=family_note(report["candidates"]),
        unexplained=unexplained, chosen=chosen,
        apart=[card for card in cards if card["apart"]],
        proband=proband)


def _rule_note(segregation: dict) -> str:
    """'chosen by rule' for a proband the default rule chose, for the pedigree's key."""
    return "chosen by rule" if segregation.get("proband_source") == RULE else ""


def render_index(families: list[dict], run_info: dict, summary_name: str,
                 condition: str | None = None) -> str:
    """index.html of the cohort: each family's report with the candidate it puts forward;
    `condition`: the panel's name for the phenotype (its '## condition' line)."""
    return _environment().get_template("index.html").render(
        families=families, run_info=run_info, summary_name=summary_name, condition=condition)
