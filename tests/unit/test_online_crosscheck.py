"""The online cross-check (cmmvar.annotate.online_crosscheck): cmmvar's offline consequence and
HGVS on the MANE transcript against Ensembl VEP REST's, through the annotate stage and a local
server replaying VEP (tests/unit/test_online.py), never the internet.

The VEP answers are written by hand, as VEP writes them (p. without cmmvar's parentheses, "="
for a synonymous change), for five DCC variants whose offline annotation from the demo GFF3 and
FASTA is: upstream, c.153G>C p.(Gln51His), c.300C>T p.(Cys100=), c.889+66313C>T, downstream.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from cmmvar.annotate.online_crosscheck import NOT_DONE, for_family
from cmmvar.annotate.variants import annotate, open_sources, provenance
from cmmvar.io.panel import load_panel
from tests.unit.helpers.online import replay_server, url_of
from tests.unit.helpers.report_pairs import KEEP, Q

ROOT = Path(__file__).resolve().parents[2]
VEP_PATH = "/vep/homo_sapiens/region"
TX = "ENST00000442544"
OFFLINE = "cmmvar offline (GFF3 + FASTA)"
VCF = ("##fileformat=VCFv4.2\n##contig=<ID=chr18>\n"
       "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
       + "".join(f"chr18\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n" for pos, ref, alt in (
           (52339697, "T", "C"), (52340409, "G", "C"), (52340556, "C", "T"),
           (52937958, "C", "T"), (53535953, "C", "T"))))
# VEP's MANE-transcript entry per variant: consequence terms, hgvsc, hgvsp
VEP_SAYS = {
    "52339697": (["upstream_gene_variant"], None, None),
    "52340409": (["missense_variant"], "c.153G>C", "p.Gln51His"),
    "52340556": (["synonymous_variant"], "c.300C>T", "p.Cys100%3D"),
    "52937958": (["intron_variant"], "c.889+66313C>T", None),
    "53535953": (["downstream_gene_variant"], None, None),
}


@pytest.fixture
def server():
    with replay_server() as httpd:
        yield httpd


def answer_with(says: dict):
    """A replay script answering VEP region POSTs from `says` (position -> the entry)."""
    def script(path: str, body: str) -> tuple | None:
        if path != VEP_PATH:
            return None
        items = []
        for text in json.loads(body)["variants"]:
            terms, hgvsc, hgvsp = says[text.split()[1]]
            entry = {"transcript_id": TX, "gene_symbol": "DCC", "consequence_terms": terms,
                     "impact": "MODERATE", "mane_select": "NM_005215.4", "canonical": 1}
            if hgvsc:
                entry["hgvsc"] = f"{TX}.7:{hgvsc}"
            if hgvsp:
                entry["hgvsp"] = f"ENSP00000389140.2:{hgvsp}"
            items.append({"input": text, "most_severe_consequence": terms[0],
                          "transcript_consequences": [entry]})
        return 200, {}, items
    return script


def run(server, tmp_path: Path, *, offline_files: bool = True) -> dict:
    """The annotate stage in online mode on the five variants; its provenance."""
    vcf = tmp_path / "in.vcf"
    vcf.write_text(VCF)
    settings = {"mode": "online", "cache": str(tmp_path / "cache"), "vep_url": url_of(server),
                "myvariant_url": url_of(server)}
    if offline_files:
        settings.update(transcripts_gff3=str(ROOT / "test_data/resources/transcripts.gff3"),
                        reference_fasta=str(ROOT / "test_data/resources/reference.fa.gz"))
    genes = load_panel(ROOT / "config/panels/cmm.tsv", "GRCh38")
    with open_sources(settings, "GRCh38", genes) as sources:
        table = annotate(vcf, genes, 100, sources, tmp_path / "out.tsv")
        return provenance(sources, table)


def test_identical_vep_answers_list_no_disagreement(server, tmp_path):
    """p.(Gln51His) and p.Gln51His, p.(Cys100=) and p.Cys100%3D are the same change."""
    server.replay.scripted = answer_with(VEP_SAYS)
    check = run(server, tmp_path)["online_crosscheck"]
    assert check == {"done": True, "compared": 5, "disagreements": [],
                     "note": "5 variants compared on the MANE transcript; 0 disagreements"}


def test_one_different_hgvs_from_vep_is_listed_with_both_values(server, tmp_path):
    """VEP says c.154G>C for the variant cmmvar puts at c.153G>C: one disagreement, the
    report keeping the offline value (VEP fills only what the local files left empty)."""
    says = dict(VEP_SAYS, **{"52340409": (["missense_variant"], "c.154G>C", "p.Gln51His")})
    server.replay.scripted = answer_with(says)
    check = run(server, tmp_path)["online_crosscheck"]
    assert check["done"] and check["compared"] == 5
    assert check["disagreements"] == [{
        "variant": "chr18:52340409:G:C", "transcript": f"{TX}.7", "field": "hgvs_c",
        "offline": "c.153G>C", "vep": "c.154G>C", "report_uses": "c.153G>C",
        "report_source": OFFLINE}]
    # only variant keys left the machine: "chrom pos . ref alt . . ."
    sent = [v for post in server.replay.posts(VEP_PATH)
            for v in json.loads(post["body"])["variants"]]
    assert len(sent) == 5
    assert all(re.fullmatch(r"18 \d+ \. [ACGT]+ [ACGT]+ \. \. \.", v) for v in sent)


def test_a_different_consequence_without_hgvs_is_listed_once_per_field(server, tmp_path):
    """VEP answers the synonymous variant with one more consequence term and no HGVS:
    consequence, c. and p. each differ (3 rows, in that order)."""
    says = dict(VEP_SAYS, **{"52340556": (["splice_region_variant", "synonymous_variant"],
                                          None, None)})
    server.replay.scripted = answer_with(says)
    check = run(server, tmp_path)["online_crosscheck"]
    assert [(d["variant"], d["field"], d["offline"], d["vep"])
            for d in check["disagreements"]] == [
        ("chr18:52340556:C:T", "consequence", "synonymous_variant",
         "splice_region_variant&synonymous_variant"),
        ("chr18:52340556:C:T", "hgvs_c", "c.300C>T", ""),
        ("chr18:52340556:C:T", "hgvs_p", "p.(Cys100=)", "")]


def test_without_the_offline_files_the_check_says_it_was_not_done(server, tmp_path, caplog):
    server.replay.scripted = answer_with(VEP_SAYS)
    with caplog.at_level(logging.WARNING, logger="cmmvar"):
        check = run(server, tmp_path, offline_files=False)["online_crosscheck"]
    assert check == {"done": False, "note": NOT_DONE, "compared": 0, "disagreements": []}
    assert f"online cross-check {NOT_DONE}" in caplog.messages
    assert NOT_DONE.startswith("not done: annotation.transcripts_gff3 and "
                               "annotation.reference_fasta are not both set")


def test_offline_mode_has_no_cross_check(tmp_path):
    vcf = tmp_path / "in.vcf"
    vcf.write_text(VCF)
    genes = load_panel(ROOT / "config/panels/cmm.tsv", "GRCh38")
    with open_sources({"mode": "offline"}, "GRCh38", genes) as sources:
        table = annotate(vcf, genes, 100, sources, tmp_path / "out.tsv")
        assert provenance(sources, table)["online_crosscheck"] is None


def test_a_family_sees_only_its_own_variants_disagreements():
    def row(variant):
        return {"variant": variant, "transcript": TX, "field": "hgvs_c", "offline": "c.1A>G",
                "vep": "c.2A>G", "report_uses": "c.1A>G", "report_source": OFFLINE}
    check = {"done": True, "compared": 2, "note": "2 variants compared; 2 disagreements",
             "disagreements": [row("chr18:1:A:G"), row("chr18:2:A:G")]}
    mine = for_family(check, {"chr18:2:A:G", "chr18:3:C:T"})
    assert mine["disagreements"] == [row("chr18:2:A:G")]
    assert mine["note"] == ("2 variants of the VCF compared on the MANE transcript; "
                            "1 disagreements on this family's variants")
    assert for_family(None, {"chr18:2:A:G"}) is None
    skipped = {"done": False, "note": NOT_DONE, "compared": 0, "disagreements": []}
    assert for_family(skipped, set()) == skipped


def test_family_qc_report_json_and_html_list_the_familys_disagreements_only(
        result, tmp_path):
    """The family of test_report_pairs (chr22:38780000 and chr22:38790000): of the VCF's two
    disagreements, the one on another family's variant (chr22:1) is in none of its files."""
    from cmmvar.report.family import write_family_outputs

    def row(variant):
        return {"variant": variant, "transcript": "ENST00000216068.9", "field": "hgvs_p",
                "offline": "p.(Lys34Glu)", "vep": "p.Lys35Glu", "report_uses": "p.(Lys34Glu)",
                "report_source": OFFLINE}
    check = {"done": True, "compared": 3, "note": "3 variants compared; 2 disagreements",
             "disagreements": [row("chr22:1:A:G"), row("chr22:38780000:A:G")]}
    write_family_outputs(result, {}, {}, {"online_crosscheck": check},
                         {"filters": KEEP, "panel": "", "segregation": {"allele_frequency": Q}},
                         tmp_path)
    qc = json.loads((tmp_path / "qc.json").read_text())["online_crosscheck"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert qc["disagreements"] == [row("chr22:38780000:A:G")]
    assert report["annotation_sources"]["online_crosscheck"] == qc
    assert report["qc"]["online_crosscheck"] == qc
    html = (tmp_path / "report.html").read_text()
    assert ("<tr><td>chr22:38780000:A:G</td><td>ENST00000216068.9</td><td>hgvs_p</td>"
            "<td>p.(Lys34Glu)</td><td>p.Lys35Glu</td><td>p.(Lys34Glu) (cmmvar offline "
            "(GFF3 + FASTA))</td></tr>") in html
    assert "chr22:1:A:G" not in html
    assert ("3 variants of the VCF compared on the MANE transcript; 1 disagreements on this "
            "family&#39;s variants.") in html


def test_family_report_says_the_cross_check_was_not_done(
        result, tmp_path):
    from cmmvar.report.family import write_family_outputs

    skipped = {"done": False, "note": NOT_DONE, "compared": 0, "disagreements": []}
    write_family_outputs(result, {}, {}, {"online_crosscheck": skipped},
                         {"filters": KEEP, "panel": "", "segregation": {"allele_frequency": Q}},
                         tmp_path)
    assert json.loads((tmp_path / "qc.json").read_text())["online_crosscheck"] == skipped
    html = (tmp_path / "report.html").read_text()
    assert 'id="crosscheck-disagreements"' not in html
    assert "against Ensembl VEP REST on the MANE transcript: not done: annotation." in html
