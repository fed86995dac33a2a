"""The sensitivity table of a pair's Bayes factor (cmmvar.segregate.pair_sensitivity): each
row against an independent call of pair_likelihood.pair_flb with that one assumption changed
(penetrance pairs written out by hand), the allele-frequency rows also against the
hand-worked nuclear family of tests/unit/test_pairs.py, and the key individuals at each
edge of "biallelic"."""

from __future__ import annotations

import json

import pytest

from cmmvar.records import PairResult
from cmmvar.segregate.pair_likelihood import pair_flb
from cmmvar.segregate.pair_sensitivity import pair_key_individuals, pair_sensitivity
from cmmvar.segregate.pairs import segregate_pair
from cmmvar.segregate.segregation import Model, Settings, people
from cmmvar.segregate.sensitivity import DEFAULT_GRID, sensitivity
from tests.unit.helpers.pairs import NUCLEAR, V1, V2, called, calls, family_from

# NUCLEAR plus C, an unaffected sibling carrying both variants (phase unknown), and D, an
# affected sibling carrying variant 1 only (not biallelic).
WIDER = NUCLEAR + "fam C F M 1 1\nfam D F M 2 2\n"
WIDER_1 = {"F": 1, "M": 0, "A": 1, "B": 1, "C": 1, "D": 1}
WIDER_2 = {"F": 0, "M": 1, "A": 1, "B": 1, "C": 1, "D": 0}
WIDER_PHENO = {"F": "unaffected", "M": "unaffected", "A": "affected", "B": "affected",
               "C": "unaffected", "D": "affected"}
MODEL = Model("AR", 0.9, 0.01)
Q = 1e-3


def engine(family, q, f0, pen, phenotypes=WIDER_PHENO):
    """pair_flb called directly: everyone's (phenocopy, penetrance) written out."""
    return pair_flb(people(family), "A", q, q, False, {pid: (f0, pen) for pid in WIDER_1},
                    phenotypes, WIDER_1, WIDER_2)


@pytest.fixture
def wider(tmp_path):
    family = family_from(tmp_path, WIDER)
    calls1, calls2 = calls(**WIDER_1), calls(**WIDER_2)
    settings = Settings(allele_frequency=Q)
    pair = segregate_pair(family, V1, calls1, V2, calls2, MODEL, settings)
    table = pair_sensitivity(family, calls1, calls2, MODEL, settings, pair.proband,
                             DEFAULT_GRID)
    return family, pair, table


def by(table, assumption):
    return {r["setting"]: r for r in table["rows"] if r["assumption"] == assumption}


def test_the_as_used_row_is_the_pairs_flb_and_its_strengths(wider):
    _, pair, table = wider
    used = table["rows"][0]
    assert pair.flb is not None and pair.proband == "A" == table["proband"]
    assert (used["assumption"], used["criteria_row"]) == ("as used", True)
    assert used["setting"] == "phenocopy rate 0.01; penetrance 0.9; allele frequency 0.001"
    assert used["flb"] == pytest.approx(pair.flb, rel=1e-12)
    assert used["log10_flb"] == pytest.approx(pair.log10_flb, rel=1e-12)
    assert (used["pp1"], used["bs4"]) == (pair.pp1, pair.bs4)


def test_each_recoded_row_is_pair_flb_with_that_phenotype_unknown(wider):
    family, pair, table = wider
    recoded = by(table, "phenotype recoded")
    assert list(recoded) == ["C (unaffected, carries both variants, phase unknown) coded "
                             "unknown", "D (affected, not biallelic) coded unknown"]
    for pid, row in zip("CD", recoded.values(), strict=True):
        expected = engine(family, Q, 0.01, 0.9, dict(WIDER_PHENO, **{pid: "unknown"}))
        assert row["individual"] == pid
        assert row["flb"] == pytest.approx(expected.value, rel=1e-12)
        assert row["flb"] != pytest.approx(pair.flb, rel=1e-3)  # the recoding matters


def test_each_allele_frequency_row_is_pair_flb_with_both_sites_at_that_q(wider):
    family, _, table = wider
    rows = by(table, "allele frequency")
    assert list(rows) == ["1e-05", "0.0001", "0.001"]
    for q, row in zip(DEFAULT_GRID["allele_frequencies"], rows.values(), strict=True):
        assert row["flb"] == pytest.approx(engine(family, q, 0.01, 0.9).value, rel=1e-12)
        assert row["same_as_used"] is (q == Q)


def test_phenocopy_and_penetrance_rows_move_the_pairs_two_probabilities(wider):
    family, _, table = wider
    for rate, row in zip(DEFAULT_GRID["phenocopy_rates"], by(table, "phenocopy rate").values(),
                         strict=True):
        assert row["flb"] == pytest.approx(engine(family, Q, rate, 0.9).value, rel=1e-12)
    # 0.9 - 0.2, the panel's 0.9, and 0.9 + 0.2 clipped to 1
    pens = by(table, "penetrance")
    assert list(pens) == ["0.7 (-0.2)", "0.9 (the panel's value)", "1 (+0.2, clipped to 1)"]
    for pen, row in zip((0.7, 0.9, 1.0), pens.values(), strict=True):
        assert row["flb"] == pytest.approx(engine(family, Q, 0.01, pen).value, rel=1e-12)


def test_the_pair_table_has_the_single_variant_tables_rows_and_labels(wider, tmp_path):
    """One layout for both (sensitivity.layout): the variant table of the same family and
    model at the same q lists the same assumptions and settings, but for the key
    individuals, who are the variant's own (C and the father F carry variant 1 unaffected;
    D is not a key individual of the single-variant recessive model, lacking 2 copies)."""
    family, _, table = wider
    single = sensitivity(family, calls(**WIDER_1), MODEL, Settings(allele_frequency=Q), "A",
                         DEFAULT_GRID)
    def labels(t):
        return [(r["assumption"], r["setting"]) for r in t["rows"]
                if r["assumption"] != "phenotype recoded"]
    assert labels(table) == labels(single)
    assert table["penetrance_note"] == single["penetrance_note"]


def test_the_nuclear_familys_allele_frequency_rows_are_8_over_one_minus_q_to_the_4th(tmp_path):
    """Hand-worked in test_pairs (penetrance 1, phenocopy 0): FLB = 8 / (1 - q)^4 with both
    sites at q; at q = 1e-5: 8.00032."""
    family = family_from(tmp_path, NUCLEAR)
    calls1, calls2 = calls(F=1, M=0, A=1, B=1), calls(F=0, M=1, A=1, B=1)
    complete, settings = Model("AR", 1.0, 0.0), Settings(allele_frequency=Q)
    table = pair_sensitivity(family, calls1, calls2, complete, settings, "A", DEFAULT_GRID)
    for q, row in zip(DEFAULT_GRID["allele_frequencies"],
                      by(table, "allele frequency").values(), strict=True):
        assert row["flb"] == pytest.approx(8 / (1 - q) ** 4, rel=1e-12)
    assert round(by(table, "allele frequency")["1e-05"]["flb"], 5) == 8.00032
    assert table["key_individuals"] == []


@pytest.mark.parametrize(("first", "second", "phase", "phenotype", "role"), [
    # unaffected: homozygous at one site, in trans, phase unknown are key; in cis is not
    (2, 0, None, 1, "unaffected, biallelic"),
    (1, 1, "trans", 1, "unaffected, biallelic"),
    (1, 1, None, 1, "unaffected, carries both variants, phase unknown"),
    (1, 1, "cis", 1, None),
    (1, 0, None, 1, None),
    # affected: lacking one variant or both in cis is key; homozygous or unknown phase is not
    (1, 0, None, 2, "affected, not biallelic"),
    (1, 1, "cis", 2, "affected, not biallelic"),
    (0, 2, None, 2, None),
    (1, 1, None, 2, None),
    (1, None, None, 2, None),  # a missing call: unknown whether biallelic
])
def test_key_individuals_at_each_edge_of_biallelic(tmp_path, first, second, phase, phenotype,
                                                   role):
    """Person X, a founder; phased calls in one phase set: cis 0|0 with 1|1 is 0|1 and 0|1,
    trans 0|1 and 1|0."""
    family = family_from(tmp_path, f"fam X 0 0 1 {phenotype}\n")
    gts = {"cis": ("0|1", "0|1"), "trans": ("0|1", "1|0"), None: ("0/1", "0/1")}[phase]
    calls1 = {"X": called(first, gts[0], ps=7 if phase else None)}
    calls2 = {"X": called(second, gts[1], ps=7 if phase else None)}
    keys = pair_key_individuals(family, calls1, calls2, MODEL)
    assert [k["role"] for k in keys] == ([role] if role else [])


def test_an_xlr_male_carrying_either_variant_on_his_one_x_is_biallelic(tmp_path):
    family = family_from(tmp_path, "fam X 0 0 1 1\nfam Y 0 0 1 2\n")
    xlr = Model("XLR", 0.9, 0.01)
    calls1 = {"X": called(1, "1", hemizygous=True), "Y": called(0, "0", hemizygous=True)}
    calls2 = {"X": called(0, "0", hemizygous=True), "Y": called(0, "0", hemizygous=True)}
    keys = pair_key_individuals(family, calls1, calls2, xlr)
    assert [(k["id"], k["role"]) for k in keys] == [("X", "unaffected, biallelic"),
                                                   ("Y", "affected, not biallelic")]


def test_a_pair_result_with_its_table_round_trips_through_json_text(wider):
    _, pair, table = wider
    record = PairResult("GENE", pair, table)
    back = PairResult.from_dict(json.loads(json.dumps(record.to_dict())))
    assert back == record
    assert back.to_dict()["sensitivity"]["rows"][0]["flb"] == pytest.approx(pair.flb)
