"""Issue 11 items 5-7 on the shared demo run: the gene line of each candidate, the panel's
version and checksum, RefSeq beside the MANE transcript, no links to invented records, and
the pedigree key. Expected words are written by hand from config/panels/cmm.tsv and the
demo PED files (test_data/ped)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("CONS1", "DCC1", "RAD1", "TRIO1", "XL1")


def page(results: Path, family: str) -> str:
    return html.unescape((results / "families" / family / "report.html").read_text())


def summary(text: str) -> str:
    start = text.index('id="summary"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text[start:text.index("</section>",
                                                                              start)]))


def test_report_cites_the_panel_version_mane_release_and_checksum(shared_demo):
    expected = hashlib.sha256((ROOT / "config/panels/cmm.tsv").read_bytes()).hexdigest()
    for family in FAMILIES:
        report = json.loads((shared_demo / "families" / family / "report.json").read_text())
        cited = {k: report["panel"][k] for k in ("path", "sha256", "version", "mane_release")}
        assert cited == {"path": "config/panels/cmm.tsv", "sha256": expected,
                         "version": "2026-12-02", "mane_release": "v1.4"}
        text = page(shared_demo, family)
        row = re.search(r'<tr id="panel-provenance">(.*?)</tr>', text, re.S).group(1)
        assert "version 2026-12-02; MANE release v1.4" in row and expected in row


def test_refseq_and_mane_release_beside_the_transcript(shared_demo):
    text = page(shared_demo, "DCC1")
    assert ("<dt>Transcript, HGVS</dt><dd>ENST00000442544.7:c.153G>C p.(Gln51His) "
            "(MANE Select v1.4; RefSeq NM_005215.4)</dd>") in text


def test_demo_reports_link_to_no_clinvar_or_gnomad_record_and_say_why(shared_demo):
    """The demo runs on synthetic resources (its DCC1 ClinVar record, VariationID 900001, is
    invented): no ClinVar or gnomAD URL anywhere in a family report; the Ensembl region is
    linked; each card says why the others are missing."""
    for family in FAMILIES:
        text = page(shared_demo, family)
        report = json.loads((shared_demo / "families" / family / "report.json").read_text())
        assert "ncbi.nlm.nih.gov/clinvar" not in text
        assert "gnomad.broadinstitute.org" not in text
        assert text.count("No ClinVar or gnomAD link: this run used the demo's synthetic "
                          "resources, whose records are invented.") == len(report["candidates"])
        assert text.count('href="https://www.ensembl.org/Homo_sapiens/Location/View?r=') == \
            len(report["candidates"])


def test_gene_lines_in_the_summaries(shared_demo):
    cons = summary(page(shared_demo, "CONS1"))
    # CON_III1 (son of CON_II1) and CON_III2 (daughter of CON_II3) are first cousins:
    # CON_II1 and CON_II3 are children of CON_I1 x CON_I2
    assert ("DNAL4: tier reported; gene–disease evidence: Limited. Limited evidence: one family "
            "reported (Ahmed et al. 2014) and none among 17 further index cases; a variant that "
            "fits the family is a research finding until more families are reported. "
            "Consanguineous family (CON_III1 and CON_III2 share an ancestor): affected "
            "relatives are homozygous for the whole haplotype inherited from that ancestor, so "
            "segregation supports the region around the variant, not the variant alone.") in cons
    xl = summary(page(shared_demo, "XL1"))
    assert ("ANOS1: tier syndromic; gene–disease evidence: Syndromic. Mirror movements here are "
            "a feature of X-linked Kallmann syndrome (OMIM #308700): a male carrier warrants a "
            "Kallmann syndrome work-up (sense of smell, puberty, gonadotropins and sex "
            "steroids).") in xl
    dcc = summary(page(shared_demo, "DCC1"))
    assert ("DCC: tier core; gene–disease evidence: ClinGen Definitive for autosomal dominant "
            "mirror movements 1 and/or agenesis of the corpus callosum (MONDO:0100515, "
            "evaluated 2022-07-26).") in dcc
    # no consanguineous union in the other families, and no gene of tier candidate or
    # unsupported among the demo's candidates
    for family in ("DCC1", "RAD1", "TRIO1", "XL1"):
        assert "Consanguineous" not in page(shared_demo, family)
    for family in FAMILIES:
        assert 'id="summary-apart"' not in page(shared_demo, family)


def test_carrier_dots_in_the_demo_pedigrees(shared_demo):
    """CONS1 DNAL4 (AR): the unaffected heterozygotes CON_III1, CON_III2 and CON_IV3 (the
    grandparents are not sequenced); XL1 ANOS1 (XLR): the heterozygous unaffected mother;
    DCC1 (AD): none, though DCC_II3 carries it unaffected (reduced penetrance: a label, not
    a dot)."""
    def dotted(family: str) -> set[str]:
        text = page(shared_demo, family)
        return set(re.findall(r'data-id="([^"]+)"[^>]*data-carrier="true"', text))

    assert dotted("CONS1") == {"CON_III1", "CON_III2", "CON_IV3"}
    assert dotted("DCC1") == set() and dotted("RAD1") == set() and dotted("TRIO1") == set()
    assert dotted("XL1") == {"XL_M"}


def _dnm2(candidate: dict) -> dict:
    """The candidate moved onto DNM2 (tier unsupported, config/panels/cmm.tsv)."""
    moved = json.loads(json.dumps(candidate))
    moved.update(gene="DNM2", tier="unsupported", hgvs_c="c.1A>G", hgvs_p="p.(Met1?)",
                 transcript="ENST00000389253.9")
    moved["gene_model"].update(symbol="DNM2", tier="unsupported", evidence="None: no support.",
                               clinical_notes="No evidence.", mane_transcript="ENST00000389253.9",
                               mane_refseq="NM_001005361.3")
    return moved


def test_unsupported_gene_has_its_own_summary_section_below_the_ranked(shared_demo):
    """DCC1's report.json with a DNM2 copy of its candidate after it (report.py ranks tiers
    candidate and unsupported last; test_gene_context checks that order): DCC stays in the
    ranked list, DNM2 goes to the section apart; with DNM2 alone the summary says no variant
    of an established tier passed, never that none passed at all."""
    from cmmvar.report.report_html import render_family
    report = json.loads((shared_demo / "families/DCC1/report.json").read_text())
    dcc = report["candidates"][0]
    report["candidates"] = [dcc, dict(_dnm2(dcc), rank=2)]
    text = html.unescape(render_family(report))
    ranked = text[text.index('id="summary"'):text.index('id="summary-apart"')]
    apart = text[text.index('id="summary-apart"'):text.index("</section>",
                                                            text.index('id="summary"'))]
    assert "DCC c.153G>C" in ranked and "DNM2" not in ranked
    assert "DNM2 c.1A>G p.(Met1?)" in apart and "DCC c.153G>C" not in apart
    assert "DNM2: tier unsupported; gene–disease evidence: None. No evidence." in apart
    report["candidates"] = [dict(_dnm2(dcc), rank=1)]
    only = summary(html.unescape(render_family(report)))
    assert "No variant in a gene of tier core, reported or syndromic passed the filters" in only
    assert "No panel variant carried by this family passed the filters" not in only


def test_age_and_deceased_from_report_json_are_drawn(shared_demo):
    """report.json's pedigree records carry age and deceased (the PED mapping's columns):
    DCC_I1 deceased at 80, DCC_III1 aged 12; every drawing shows them."""
    from cmmvar.report.report_html import render_family
    report = json.loads((shared_demo / "families/DCC1/report.json").read_text())
    for person in report["pedigree"]:
        if person["id"] == "DCC_I1":
            person.update(age=80.0, deceased=True)
        if person["id"] == "DCC_III1":
            person.update(age=12.0, deceased=False)
    text = html.unescape(render_family(report))
    drawings = 1 + min(len(report["candidates"]), 5)
    assert len(re.findall(r'data-id="DCC_I1"[^>]*data-deceased="true" data-age="80"', text)) \
        == drawings
    assert len(re.findall(r'data-id="DCC_III1"[^>]*data-age="12"', text)) == drawings
    assert text.count('<tspan class="age">, d. 80 y</tspan>') == drawings
    assert text.count('<tspan class="age">, 12 y</tspan>') == drawings
    # per drawing: one diagonal through DCC_I1's symbol, one on the key's swatch
    assert text.count('class="deceased-line"') == 2 * drawings
    assert text.count(">deceased</text>") == drawings
