"""Ploidy end to end (issue 9): males written haploid on X, as `bcftools call --ploidy` and
GATK write them, or diploid homozygous, give the same counts and Bayes factors; haploid calls
where two alleles are expected, and calls of more than two alleles, are missing and counted in
the family's genotype QC. Every case goes through a VCF file and the code the command line
or the workflow runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from cmmvar.io.panel import load_panel
from cmmvar.prepare.normalise import normalise
from cmmvar.report.pedigree_svg import draw_pedigree
from cmmvar.segregate.analysis import analyse, pick_family
from cmmvar.segregate.genotypes import Thresholds
from cmmvar.segregate.segregation import Model, Settings
from cmmvar.stages import segregate_vcf

Q = 1e-4
PANEL = Path(__file__).resolve().parents[2] / "config" / "panels" / "cmm.tsv"
NON_PAR = 8_558_874  # inside ANOS1 (GRCh38), X outside the PARs in both builds

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr7,length=159345973>
##contig=<ID=chrX,length=156040895>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
"""


def write_vcf(path: Path, samples: list[str], rows: list[tuple[int, list[str]]]) -> Path:
    """chrX records at the given positions; each call with GQ 99 and DP 30."""
    columns = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                         "FORMAT", *samples])
    body = "".join(f"chrX\t{pos}\t.\tC\tT\t50\tPASS\t.\tGT:GQ:DP\t"
                   + "\t".join(f"{gt}:99:30" for gt in gts) + "\n" for pos, gts in rows)
    path.write_text(HEADER + columns + "\n" + body)
    return path


def flbs_in_both_encodings(tmp_path: Path, ped: str, haploid: dict[str, str],
                           model: Model) -> pd.DataFrame:
    """Rows of `cmmvar segregate`'s table for one record with the males written haploid
    and one with them written diploid homozygous (0 -> 0/0, 1 -> 1/1)."""
    (tmp_path / "fam.ped").write_text(ped)
    males = {line.split()[1] for line in ped.splitlines() if line.split()[4] == "1"}
    samples = list(haploid)
    diploid = [f"{gt}/{gt}" if pid in males else gt for pid, gt in haploid.items()]
    vcf = write_vcf(tmp_path / "calls.vcf", samples,
                    [(NON_PAR, list(haploid.values())), (NON_PAR + 10, diploid)])
    family = pick_family(tmp_path / "fam.ped", None)
    table, _ = segregate_vcf(vcf, family, model, Settings(allele_frequency=Q), Thresholds(),
                             "GRCh38", None)
    assert list(table.pos) == [NON_PAR, NON_PAR + 10]
    return table


XLR_FAMILY = """\
R dad 0 0 1 1
R mom 0 0 2 1
R son dad mom 1 2
R bro dad mom 1 1
"""


def xlr_hand_value(p: float, c: float, q: float) -> float:
    """The XLR family: unaffected non-carrier father, unaffected carrier mother, affected
    hemizygous son (the proband), unaffected non-carrier son. Male penetrance (c, p) for
    0/1 ALT copies, female (c, c, p) for 0/1/2.

    Neutral: P(G) = (1-q) . 2q(1-q) . 1/2 . 1/2 and P(son = 1) = q (his X is his mother's,
    ALT with frequency q), so P(G) / P(g_son) = (1-q)^2 / 2.
    Causal, numerator: every genotype observed,
        P(G, Ph) = (1-q)(1-c) . 2q(1-q)(1-c) . (1/2)p . (1/2)(1-c).
    Causal, denominator: the son is 1 and affected; the father is 0 or 1 and unaffected,
    (1-q)(1-c) + q(1-p); the mother must carry: het, 2q(1-q)(1-c) . (1/2) . p, then the
    brother is 0 or 1 with 1/2 each, (1/2)(1-c) + (1/2)(1-p); or homozygous, q^2(1-p) . 1 . p,
    then the brother is 1: (1-p). So
        P(g_son, Ph) = [(1-q)(1-c) + q(1-p)] . p . [q(1-q)(1-c)(2-c-p)/2 + q^2(1-p)^2].
    FLB = [P(G, Ph) / P(g_son, Ph)] / [(1-q)^2 / 2]. With p = 1, c = 0 every causal term
    is determined (the father and the brother must be non-carriers, the mother het):
    FLB = 2 / (1-q)^2, the one meiosis to the unaffected brother."""
    numerator = (1 - q) * (1 - c) * 2 * q * (1 - q) * (1 - c) * p / 2 * (1 - c) / 2
    denominator = (((1 - q) * (1 - c) + q * (1 - p)) * p
                   * (q * (1 - q) * (1 - c) * (2 - c - p) / 2 + q * q * (1 - p) ** 2))
    return numerator / denominator / ((1 - q) ** 2 / 2)


@pytest.mark.parametrize(("penetrance", "phenocopy"), [(1.0, 0.0), (0.9, 0.01), (0.5, 0.1)])
def test_xlr_family_same_flb_haploid_or_diploid_males(tmp_path, penetrance, phenocopy):
    calls = {"dad": "0", "mom": "0/1", "son": "1", "bro": "0"}
    table = flbs_in_both_encodings(tmp_path, XLR_FAMILY, calls,
                                   Model("XLR", penetrance, phenocopy))
    expected = xlr_hand_value(penetrance, phenocopy, Q)
    haploid, diploid = (float(v) for v in table.flb)
    assert haploid == pytest.approx(expected, rel=1e-5)  # the TSV keeps 6 digits
    assert diploid == haploid
    assert list(table.flb_note) == ["", ""]
    assert table.affected_carriers.tolist() == [1, 1]
    assert table.unaffected_carriers.tolist() == [1, 1]
    assert table.unaffected_noncarriers.tolist() == [2, 2]
    assert table.affected_homozygous.tolist() == [0, 0]  # a hemizygous son is not a homozygote


def test_xlr_hand_value_with_full_penetrance_is_two():
    assert xlr_hand_value(1.0, 0.0, Q) == pytest.approx(2 / (1 - Q) ** 2, rel=1e-12)
    assert round(xlr_hand_value(1.0, 0.0, Q), 6) == 2.0004


XLD_FAMILY = """\
D dad 0 0 1 1
D mom 0 0 2 2
D son dad mom 1 2
D dau dad mom 2 2
D bro dad mom 1 1
"""


def test_xld_family_same_flb_haploid_or_diploid_males(tmp_path):
    """XLD, penetrance 1, phenocopy 0: affected carrier mother (the proband, first affected
    carrier in PED order), unaffected non-carrier father, affected hemizygous son, affected
    heterozygous daughter, unaffected non-carrier son.

    Neutral: given the mother's genotype, P(father 0) = 1-q, each son's X is the mother's
    (1/2 for either allele), the daughter has the father's 0 and the mother's ALT with 1/2:
    P(G) / P(g_mom) = (1-q) / 8. Causal: the unaffected father must be 0, each affected
    child must carry and the unaffected son must not, each with the same 1/2: everything is
    determined once the mother's genotype is given, P(G, Ph) / P(g_mom, Ph) = 1.
    FLB = 8 / (1-q) = 8.0008001."""
    calls = {"dad": "0", "mom": "0/1", "son": "1", "dau": "0/1", "bro": "0"}
    table = flbs_in_both_encodings(tmp_path, XLD_FAMILY, calls, Model("XLD", 1.0, 0.0))
    haploid, diploid = (float(v) for v in table.flb)
    assert haploid == pytest.approx(8 / (1 - Q), rel=1e-6) and diploid == haploid
    assert list(table.proband) == ["mom", "mom"]
    assert list(table.pp1) == ["moderate", "moderate"]  # 4.33 <= 8.0008 < 18.7
    assert table.affected_carriers.tolist() == [3, 3]
    # informative meioses: P(son and daughter carry it | mother does) = 1/2 x 1/2 = 2^-2
    assert table.informative_meioses.tolist() == [2, 2]


def test_unknown_sex_haploid_call_is_missing_not_a_mendelian_error(tmp_path):
    """A member of unknown sex written haploid `1` used to be read as +/+, which a
    non-carrier father cannot produce: the family was 'not Mendelian-consistent' and had no
    FLB. Now the call is missing and summed over; with unknown phenotype that member adds
    nothing, so the FLB is the XLR hand value again (2 / (1-q)^2)."""
    ped = XLR_FAMILY + "R kid dad mom 0 0\n"
    calls = {"dad": "0", "mom": "0/1", "son": "1", "bro": "0", "kid": "1"}
    table = flbs_in_both_encodings(tmp_path, ped, calls, Model("XLR", 1.0, 0.0))
    assert [float(v) for v in table.flb] == pytest.approx([2 / (1 - Q) ** 2] * 2, rel=1e-6)
    assert table.unknown_missing.tolist() == [1, 1]
    assert list(table.flb_note) == ["", ""]


# ------------------------------------------------------------------ bcftools call --ploidy

BCFTOOLS = shutil.which("bcftools")
PL = {"0/0": "0,30,255", "0/1": "60,0,60", "1/1": "255,30,0"}
# The last base of X outside PAR1 and the last base before PAR2, per the GRC. bcftools'
# GRCh38 ploidy table ends the haploid region at 155,701,381, one base before the GRC's PAR2
# start (155,701,383): at 155,701,382 it writes males diploid, which cmmvar reads as
# hemizygous (0/0, 1/1) all the same.
EDGES = {"GRCh38": (2_781_479, 155_701_382), "GRCh37": (2_699_520, 154_931_043)}
BCF_FAMILY = """\
B dad 0 0 1 1
B mom 0 0 2 1
B son dad mom 1 2
B bro dad mom 1 1
B unk dad mom 0 0
"""
# bcftools is told unk is male (the caller knew); the PED says sex unknown, so unk's haploid
# calls must be missing, never read as homozygous nor used to guess a sex.
SEXES = "dad M\nmom F\nson M\nbro M\nunk M\n"


def bcftools_call(tmp_path: Path, build: str) -> tuple[Path, list[str]]:
    """A VCF written by `bcftools call -m --ploidy BUILD` from genotype likelihoods, and
    the record labels: autosome, PAR1's last base, the base after it, X outside the PARs,
    the base before PAR2 and PAR2's first base."""
    par1_end, par2_before = EDGES[build]
    diploid = ["0/0", "0/1", "0/1", "0/0", "0/1"]  # dad, mom, son, bro, unk
    carrier_son = ["0/0", "0/1", "1/1", "0/0", "1/1"]
    records = [("chr7", 500, "autosome", diploid),
               ("chrX", par1_end, "par1_end", diploid),
               ("chrX", par1_end + 1, "after_par1", carrier_son),
               ("chrX", NON_PAR, "non_par", carrier_son),
               ("chrX", par2_before, "before_par2", ["0/0", "0/1", "1/1", "0/0", "0/0"]),
               ("chrX", par2_before + 1, "par2_start", diploid)]
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr7,length=159345973>",
             "##contig=<ID=chrX,length=156040895>",
             '##INFO=<ID=QS,Number=R,Type=Float,Description="Quality sums">',
             '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred likelihoods">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tdad\tmom\tson\tbro\tunk"]
    lines += [f"{chrom}\t{pos}\t.\tC\tT\t.\t.\tQS=0.5,0.5\tPL:DP\t"
              + "\t".join(f"{PL[gt]}:30" for gt in gts) for chrom, pos, _, gts in records]
    (tmp_path / "likelihoods.vcf").write_text("\n".join(lines) + "\n")
    (tmp_path / "sexes.txt").write_text(SEXES)
    out = tmp_path / "called.vcf"
    subprocess.run([BCFTOOLS, "call", "-m", "-A", "--ploidy", build, "-S",
                    str(tmp_path / "sexes.txt"), "-a", "GQ", "-o", str(out),
                    str(tmp_path / "likelihoods.vcf")], check=True, capture_output=True)
    return out, [label for *_, label, _ in records]


def run_segregate(tmp_path: Path, vcf: Path, build: str, inheritance: str,
                  penetrance: str, phenocopy: str) -> pd.DataFrame:
    out = tmp_path / f"{inheritance}.tsv"
    run = subprocess.run(
        [sys.executable, "-m", "cmmvar.cli", "segregate", "--vcf", str(vcf), "--ped",
         str(tmp_path / "fam.ped"), "--out", str(out), "--inheritance", inheritance,
         "--penetrance", penetrance, "--phenocopy", phenocopy, "--allele-frequency", str(Q),
         "--build", build], capture_output=True, text=True)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return pd.read_csv(out, sep="\t", keep_default_na=False)


@pytest.mark.skipif(BCFTOOLS is None, reason="Debian bcftools not installed")
@pytest.mark.parametrize("build", ["GRCh38", "GRCh37"])
def test_segregate_on_a_bcftools_call_ploidy_vcf(tmp_path, build):
    (tmp_path / "fam.ped").write_text(BCF_FAMILY)
    vcf, labels = bcftools_call(tmp_path, build)
    query = subprocess.run([BCFTOOLS, "query", "-f", "[%GT ]\n", str(vcf)],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    written = dict(zip(labels, (line.split() for line in query), strict=True))
    # what bcftools wrote: males haploid outside the PARs (by its own table), diploid inside
    assert written["autosome"] == written["par1_end"] == written["par2_start"] == [
        "0/0", "0/1", "0/1", "0/0", "0/1"]
    assert written["after_par1"] == written["non_par"] == ["0", "0/1", "1", "0", "1"]
    assert written["before_par2"] == (["0/0", "0/1", "1/1", "0/0", "0/0"] if build == "GRCh38"
                                      else ["0", "0/1", "1", "0", "0"])

    xlr = run_segregate(tmp_path, vcf, build, "XLR", "1", "0").set_index(pd.Index(labels))
    # AD with phenocopies: the son's allele came from an unaffected parent
    ad = run_segregate(tmp_path, vcf, build, "AD", "0.8", "0.01").set_index(pd.Index(labels))
    hemizygous = ["after_par1", "non_par", "before_par2"]
    diploid = ["autosome", "par1_end", "par2_start"]
    count_columns = ["affected_carriers", "affected_noncarriers", "affected_missing",
                     "unaffected_carriers", "unaffected_noncarriers", "unaffected_missing",
                     "unknown_carriers", "unknown_noncarriers", "unknown_missing",
                     "affected_homozygous", "unaffected_homozygous", "unknown_homozygous"]
    # son affected carrier; mom unaffected carrier; dad and bro unaffected non-carriers;
    # unk (sex unknown): a carrier where diploid, missing where written haploid
    expected = {label: [1, 0, 0, 1, 2, 0, 1, 0, 0, 0, 0, 0] for label in diploid}
    expected.update({label: [1, 0, 0, 1, 2, 0, 0, 0, 1, 0, 0, 0] for label in hemizygous})
    if build == "GRCh38":  # unk's 0/0 written diploid there: a non-carrier
        expected["before_par2"] = [1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0, 0]
    for table in (xlr, ad):
        assert {label: table.loc[label, count_columns].tolist() for label in labels} == expected

    # XLR where males are hemizygous: the hand value 2 / (1-q)^2 (unk sums out), whether
    # bcftools wrote the males haploid or diploid
    assert [float(xlr.loc[label, "flb"]) for label in hemizygous] == pytest.approx(
        [2 / (1 - Q) ** 2] * 3, rel=1e-6)
    assert (xlr.loc[hemizygous, "flb_note"] == "").all()
    # an X-linked model where males have two copies, or an autosomal one where they have
    # one: no FLB, and the reason
    assert (xlr.loc[diploid, "flb"] == "").all()
    assert (xlr.loc[diploid, "flb_note"].str.startswith(
        "the XLR model is X-linked, but this record is not on X outside")).all()
    assert (ad.loc[hemizygous, "flb"] == "").all()
    assert (ad.loc[hemizygous, "flb_note"].str.startswith(
        "the AD model is autosomal, but this record is on X outside")).all()
    # AD on the diploid records: the same genotypes give the same FLB; unk, a child of a
    # 0/0 father and a 0/1 mother, is a 0/1 carrier of unknown phenotype
    assert (ad.loc[diploid, "flb_note"] == "").all()
    autosome = float(ad.loc["autosome", "flb"])
    assert autosome > 0
    assert [float(ad.loc[label, "flb"]) for label in diploid] == [autosome] * 3


# ------------------------------------------------------------------ the workflow's path


def test_workflow_analysis_counts_ploidy_problems_in_genotype_qc(tmp_path):
    """`analyse` (rule segregate) on ANOS1 (XLR in the panel) records: the XLR hand case
    with a daughter and a member of unknown sex, both of unknown phenotype, added.

    Record 1, males haploid: the daughter's haploid call and the unknown-sex member's are
    missing; with unknown phenotypes they sum out, so the FLB is the hand value. Record 2,
    males diploid homozygous: the daughter's triploid call is missing and the unknown-sex
    member is 0/1, which has probability 1/2 given the parents under both hypotheses and
    cancels: the hand value again. Record 3: a male het on X, a triploid mother and a
    haploid unknown-sex member are missing. Each is counted per sample, with a note."""
    (tmp_path / "fam.ped").write_text(XLR_FAMILY + "R sis dad mom 2 0\nR kid dad mom 0 0\n")
    samples = ["dad", "mom", "son", "bro", "sis", "kid"]
    rows = [(NON_PAR, ["0", "0/1", "1", "0", "1", "1"]),
            (NON_PAR + 10, ["0/0", "0/1", "1/1", "0/0", "0/0/1", "0/1"]),
            (NON_PAR + 20, ["0/1", "0/1/1", "1/1", "0", "0/1", "0"])]
    raw = write_vcf(tmp_path / "raw.vcf", samples, rows)
    normalised = tmp_path / "normalised.vcf.gz"
    normalise(raw, normalised, pass_only=False)
    annotations = tmp_path / "annotations.tsv"
    annotations.write_text("chrom\tpos\tref\talt\tgene\n" + "".join(
        f"chrX\t{pos}\tC\tT\tANOS1\n" for pos, _ in rows))
    result = analyse("R", tmp_path / "fam.ped", raw, normalised, annotations,
                     load_panel(PANEL, "GRCh38"), "GRCh38", Thresholds(), Settings(Q))

    qc = result.genotype_qc
    assert qc["sis"] == {"called": 1, "no_call": 0, "partial_call": 0, "low_gq": 0,
                         "low_dp": 0, "male_het_x": 0, "haploid_unexpected": 1, "polyploid": 1}
    assert (qc["kid"]["haploid_unexpected"], qc["kid"]["called"]) == (2, 1)
    assert (qc["mom"]["polyploid"], qc["dad"]["male_het_x"]) == (1, 1)
    assert qc["son"] == {"called": 3, "no_call": 0, "partial_call": 0, "low_gq": 0,
                         "low_dp": 0, "male_het_x": 0, "haploid_unexpected": 0, "polyploid": 0}
    assert result.genotype_qc_notes == [
        "dad: 1 heterozygous call on X outside the pseudo-autosomal regions in a male, who "
        "has one X there; read as missing",
        "mom: 1 call of more than two alleles (e.g. 0/1/1), which the models do not describe; "
        "read as missing",
        "sis: 1 haploid call (one allele) where two alleles are expected (a female, a member "
        "of unknown sex, an autosome or a pseudo-autosomal region); sex is never inferred "
        "from ploidy, so check the PED sex or the caller's ploidy settings; read as missing",
        "sis: 1 call of more than two alleles (e.g. 0/1/1), which the models do not "
        "describe; read as missing",
        "kid: 2 haploid calls (one allele) where two alleles are expected (a female, a member "
        "of unknown sex, an autosome or a pseudo-autosomal region); sex is never inferred "
        "from ploidy, so check the PED sex or the caller's ploidy settings; read as missing",
    ]

    first, second, third = result.variants
    assert {pid: (g["label"], g["status"]) for pid, g in first.genotypes.items()} == {
        "dad": ("-", "called"), "mom": ("+/-", "called"), "son": ("+", "called"),
        "bro": ("-", "called"), "sis": ("?", "haploid_unexpected"),
        "kid": ("?", "haploid_unexpected")}
    assert {pid: g["label"] for pid, g in second.genotypes.items()} == {
        "dad": "-", "mom": "+/-", "son": "+", "bro": "-", "sis": "?", "kid": "+/-"}
    gene = first.gene
    assert (gene.inheritance, gene.penetrance_male, gene.penetrance_female) == (
        "XLR", None, None)  # the hand formula has one penetrance for both sexes
    hand = xlr_hand_value(gene.penetrance, gene.phenocopy_rate, Q)
    assert first.segregation.flb == pytest.approx(hand, rel=1e-9)
    assert second.segregation.flb == pytest.approx(hand, rel=1e-9)
    assert first.segregation.counts == replace(second.segregation.counts, unknown_carriers=0,
                                               unknown_missing=2)
    assert third.segregation.flb_reason is None
    assert third.genotypes["dad"] == {"label": "?", "status": "male_het_x", "gt": "0/1",
                                         "gq": 99, "dp": 30, "ad": None, "copies": None,
                                         "hemizygous": True}


def test_pedigree_legend_explains_hemizygous_labels(tmp_path):
    (tmp_path / "fam.ped").write_text(XLR_FAMILY)
    family = pick_family(tmp_path / "fam.ped", None)

    def legend(genotypes: dict[str, str]) -> list[str]:
        root = ET.fromstring(draw_pedigree(family, proband="son", genotypes=genotypes))
        return [el.text for el in root.iter() if "legend-key" in el.get("class", "").split()]

    # the key lists exactly the labels drawn, in a fixed order (diploid, then hemizygous)
    both = {"dad": "−", "mom": "+/−", "son": "+", "bro": "−"}
    assert legend(both) == ["+/−", "+", "−"]
    assert legend({"dad": "?", "mom": "+/−", "son": "+", "bro": "?"}) == ["+/−", "?", "+"]
    assert legend({"mom": "+/−"}) == ["+/−", "?"]  # the others not given: "?"
