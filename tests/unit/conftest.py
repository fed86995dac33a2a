"""Shared set-up of the unit tests."""

from __future__ import annotations

import pytest

from cmmvar.io.panel import load_panel
from cmmvar.io.ped_file import read_family
from cmmvar.records import FamilyResult, PairResult, PedigreeMember, VariantResult
from cmmvar.segregate import likelihood
from cmmvar.segregate.analysis import _call_record, _pair_members, gene_model
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.pairs import Carried, find_pairs
from cmmvar.segregate.segregation import Settings, segregate
from tests.unit.helpers.report_pairs import ROOT, Q, annotation


@pytest.fixture(autouse=True)
def fresh_flb_memo():
    """Every test computes its FLBs: none is read from another test's memo (a test of a
    changed engine, or of a mutant under `make mutation`, must see its own results)."""
    likelihood._remembered_flbs.cache_clear()
    yield


@pytest.fixture
def result(tmp_path) -> FamilyResult:
    """Father carries variant 1 (c.100del, pathogenic in ClinVar) only, mother variant 2
    (c.200A>G) only, both unaffected; affected children A and B carry both."""
    ped = tmp_path / "fam.ped"
    ped.write_text("fam F 0 0 1 1\nfam M 0 0 2 1\nfam A F M 1 2\nfam B F M 2 2\n")
    family = read_family(ped, "fam")
    [gene] = [g for g in load_panel(ROOT / "config/panels/cmm.tsv", "GRCh38")
              if g.symbol == "DNAL4"]
    model, settings = gene_model(gene, {}), Settings(allele_frequency=Q)
    variants, carried = [], []
    for pos, hgvs, consequence, clinvar, copies in (
            (38780000, "c.100del", "frameshift_variant", "Pathogenic", dict(F=1, M=0, A=1, B=1)),
            (38790000, "c.200A>G", "missense_variant", "", dict(F=0, M=1, A=1, B=1))):
        calls = {pid: Genotype(n, "called", "0/1" if n else "0/0") for pid, n in copies.items()}
        seg = segregate(family, calls, model, settings)
        variants.append(VariantResult("chr22", pos, "A", "G", "",
                                      annotation(pos, hgvs, consequence, clinvar), gene, seg,
                                      None, {p: _call_record(g) for p, g in calls.items()}))
        carried.append(Carried(f"chr22:{pos}:A:G", "DNAL4", calls, model))
    pairs = [PairResult(g, p) for g, p in find_pairs(family, carried, settings)]
    return FamilyResult("fam", "test", {"ped": str(ped), "vcf": "fam.vcf.gz"}, "GRCh38",
                        {"min_gq": 20, "min_dp": 8},
                        {"allele_frequency": Q, "ladder": settings.ladder,
                         "meioses": settings.meioses,
                         "max_parent_alt_fraction": settings.max_parent_alt_fraction,
                         "parentage_confirmed": False, "proband": None,
                         "liability_classes": {}},
                        tuple(PedigreeMember.from_individual(i, True)
                              for i in family.individuals), (),
                        {"sequenced": list("FMAB"), "not_sequenced": [], "vcf_only_count": 0},
                        {}, [],
                        tuple(_pair_members(variants, pairs)), tuple(pairs))
