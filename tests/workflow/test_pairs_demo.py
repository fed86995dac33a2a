"""The demo's compound-heterozygous DNAL4 family CH1 (scripts/make_test_data.py:
compound_het): the father carries a stop_gained variant, the mother a missense variant, both
affected children carry the two. The pair is the family's first candidate."""

from __future__ import annotations

import json

import pandas as pd

from cmmvar.segregate.likelihood import Person
from cmmvar.segregate.pair_likelihood import pair_flb
from tests.workflow.helpers.demo import sites


def test_the_demo_compound_heterozygote_is_ranked_first_with_its_partner(shared_demo):
    """Pair FLB by pair_flb with DNAL4's panel model (penetrance 0.9, phenocopy 0.001) at
    the demo's allele frequency 1e-4, 7.976 (PP1 moderate: 4.33 <= FLB < 18.7); each variant
    alone under AR has FLB 0.978 and no PP1 or BS4, so the pair ranks above them."""
    folder = shared_demo / "families" / "CH1"
    table = pd.read_csv(folder / "candidates.tsv", sep="\t", keep_default_na=False, dtype=str)
    s = sites("CH1")
    stop, missense = s["dnal4_paternal_stop"], s["dnal4_maternal_missense"]
    first, second = sorted((stop, missense), key=lambda site: site["pos"])
    top = table.iloc[0]
    assert (top["rank"], top.pos, top.compound_het_with) == (
        "1", str(first["pos"]), f"chr22:{second['pos']}:{second['ref']}:{second['alts'][0]}")
    assert (top.pp1, top.bs4, top.flb_note) == ("moderate", "none",
                                                "in trans by the family's genotypes")
    assert list(table["rank"]) == ["1", "2", "3"]
    assert list(table.compound_het_with[1:]) == ["", ""]
    assert all("the pair's Bayes factor replaces" in note for note in table.flb_note[1:])
    people = [Person("CH_I1", None, None, True), Person("CH_I2", None, None, False),
              Person("CH_II1", "CH_I1", "CH_I2", True),
              Person("CH_II2", "CH_I1", "CH_I2", False)]
    father = {"CH_I1": 1, "CH_I2": 0, "CH_II1": 1, "CH_II2": 1}
    mother = {"CH_I1": 0, "CH_I2": 1, "CH_II1": 1, "CH_II2": 1}
    by_first = (mother, father) if first is missense else (father, mother)
    engine = pair_flb(people, "CH_II1", 1e-4, 1e-4, False,
                      {p.id: (0.001, 0.9) for p in people},
                      {"CH_I1": "unaffected", "CH_I2": "unaffected", "CH_II1": "affected",
                       "CH_II2": "affected"}, *by_first)
    report = json.loads((folder / "report.json").read_text())
    [pair] = report["pairs"]
    assert abs(pair["segregation"]["flb"] - engine.value) <= 1e-12 * engine.value
    assert top.flb == f"{engine.value:.6g}" == "7.97593"
    summary = pd.read_csv(shared_demo / "cohort_summary.tsv", sep="\t", keep_default_na=False,
                          dtype=str)
    lines = summary[summary.family_id == "CH1"]
    assert list(lines.compound_het_with) == ["", top.compound_het_with]
    assert lines.cohort_flb.iloc[1] == ""
