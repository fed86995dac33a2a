"""cmmvar.io.panel: the real CMM panel, the checks on malformed rows, and the padded regions.

Error tests assert the message: the panel's path, the file line, the gene and the column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmmvar.errors import PanelError
from cmmvar.io.genome import CONTIG_LENGTHS
from cmmvar.io.panel import REQUIRED, Gene, Region, chrom_order, genes_at, load_panel, regions

PANEL = Path(__file__).resolve().parents[2] / "config" / "panels" / "cmm.tsv"

# --- the real panel -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["GRCh38", "GRCh37"])
def build(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def real(build) -> dict[str, Gene]:
    """The real panel's genes by symbol, with the coordinates of `build`."""
    return {g.symbol: g for g in load_panel(PANEL, build)}


def test_real_panel_loads_for_both_builds_with_spans_inside_the_chromosome(real, build):
    assert {"DCC", "RAD51", "NTN1", "DNAL4", "DNM2", "ANOS1"} <= set(real)
    for gene in real.values():
        assert 1 <= gene.start <= gene.end <= CONTIG_LENGTHS[build][gene.chrom], gene.symbol
        assert gene.strand in ("+", "-")
        assert gene.evidence and gene.source


def test_real_panel_coordinates_differ_between_builds():
    grch38 = {g.symbol: (g.start, g.end) for g in load_panel(PANEL, "GRCh38")}
    grch37 = {g.symbol: (g.start, g.end) for g in load_panel(PANEL, "GRCh37")}
    assert grch38.keys() == grch37.keys()
    assert grch38["DCC"] == (52340197, 53535903)
    assert grch37["DCC"] == (49866542, 51057784)
    assert all(grch38[s] != grch37[s] for s in grch38)


def test_dcc_is_the_core_autosomal_dominant_gene_on_chromosome_18(real):
    dcc = real["DCC"]
    assert (dcc.chrom, dcc.inheritance, dcc.tier) == ("18", "AD", "core")
    assert not dcc.x_linked
    # sex-specific penetrance: published figures (Collins Hutchinson et al. 2024)
    assert (dcc.penetrance, dcc.penetrance_male, dcc.penetrance_female) == (0.68, 0.74, 0.54)


def test_dnal4_is_recessive(real):
    assert real["DNAL4"].inheritance == "AR"
    assert real["DNAL4"].chrom == "22"


def test_dnm2_is_unsupported_and_its_evidence_says_so(real):
    dnm2 = real["DNM2"]
    assert dnm2.tier == "unsupported"
    assert "no primary-literature support for DNM2 in mirror movements" in dnm2.evidence


def test_anos1_is_x_linked(real):
    anos1 = real["ANOS1"]
    assert anos1.chrom == "X"
    assert anos1.inheritance in ("XLR", "XLD")
    assert anos1.x_linked


def test_optional_sex_specific_penetrance_is_none_when_blank(real):
    assert (real["RAD51"].penetrance_male, real["RAD51"].penetrance_female) == (None, None)


# --- malformed panels -----------------------------------------------------------------------

COLUMNS = list(REQUIRED) + ["penetrance_male", "penetrance_female"]
BASE = {
    "symbol": "GENE1", "hgnc_id": "HGNC:1", "ensembl_gene": "ENSG00000000001",
    "mane_transcript": "ENST00000000001.1", "chrom": "18", "start_grch38": "1000",
    "end_grch38": "2000", "start_grch37": "500", "end_grch37": "1500", "strand": "+",
    "inheritance": "AD", "penetrance": "0.5", "phenocopy_rate": "0.001",
    "max_allele_frequency": "1e-5", "tier": "core", "evidence": "a family",
    "source": "a paper", "penetrance_male": "", "penetrance_female": "",
}


def panel_file(tmp_path, *changes: dict, columns=COLUMNS, preamble=()) -> Path:
    """A panel with one gene per `changes` dict (applied to BASE), GENE1, GENE2, ..."""
    lines = list(preamble) + ["\t".join(columns)]
    for i, change in enumerate(changes, start=1):
        row = BASE | {"symbol": f"GENE{i}"} | change
        lines.append("\t".join(row[c] for c in columns))
    path = tmp_path / "panel.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def panel_error(path, build="GRCh38") -> str:
    with pytest.raises(PanelError) as caught:
        load_panel(path, build)
    return str(caught.value)


def test_minimal_panel_row_becomes_a_gene(tmp_path):
    [gene] = load_panel(panel_file(tmp_path, {"chrom": "chr7", "penetrance_male": "0.6"}),
                        "GRCh38")
    assert gene == Gene(
        symbol="GENE1", hgnc_id="HGNC:1", ensembl_gene="ENSG00000000001",
        mane_transcript="ENST00000000001.1", chrom="7", start=1000, end=2000, strand="+",
        inheritance="AD", penetrance=0.5, penetrance_male=0.6, penetrance_female=None,
        phenocopy_rate=0.001, max_allele_frequency=1e-5, tier="core", evidence="a family",
        source="a paper")


def test_build_selects_the_coordinate_columns(tmp_path):
    path = panel_file(tmp_path, {})
    assert (load_panel(path, "GRCh38")[0].start, load_panel(path, "GRCh38")[0].end) == (1000,
                                                                                        2000)
    assert (load_panel(path, "GRCh37")[0].start, load_panel(path, "GRCh37")[0].end) == (500,
                                                                                        1500)


@pytest.mark.parametrize(("build", "column"), [("GRCh38", "start_grch38"),
                                               ("GRCh38", "end_grch38"),
                                               ("GRCh37", "start_grch37"),
                                               ("GRCh37", "end_grch37")])
def test_missing_coordinates_of_the_configured_build_name_gene_column_and_line(
        tmp_path, build, column):
    path = panel_file(tmp_path, {}, {column: ""}, {})
    message = panel_error(path, build)
    assert message.startswith(f"{path}, line 3: gene GENE2 has no {column} for the "
                              "configured build")
    assert f"fill {column}" in message
    other = "GRCh37" if build == "GRCh38" else "GRCh38"
    assert [g.symbol for g in load_panel(path, other)] == ["GENE1", "GENE2", "GENE3"]


def test_comment_and_blank_lines_do_not_shift_the_reported_line(tmp_path):
    path = panel_file(tmp_path, {}, preamble=["## CMM panel", "## version 1"])
    path.write_text(path.read_text() + "\n" + "\t".join(
        (BASE | {"symbol": "LATE", "start_grch38": ""})[c] for c in COLUMNS) + "\n")
    # lines: 1-2 comments, 3 header, 4 GENE1, 5 blank, 6 LATE
    assert panel_error(path).startswith(f"{path}, line 6: gene LATE has no start_grch38")


@pytest.mark.parametrize(("change", "words"), [
    ({"penetrance": "high"}, "gene GENE2: penetrance is 'high', not a number"),
    ({"penetrance": ""}, "gene GENE2: penetrance is '', not a number"),
    ({"phenocopy_rate": "1%"}, "gene GENE2: phenocopy_rate is '1%', not a number"),
    ({"penetrance": "1.5"}, "gene GENE2: penetrance = 1.5 is outside [0, 1]"),
    ({"penetrance": "nan"}, "gene GENE2: penetrance = nan is outside [0, 1]"),
    ({"phenocopy_rate": "-0.01"}, "gene GENE2: phenocopy_rate = -0.01 is outside [0, 1]"),
    ({"max_allele_frequency": "2"}, "gene GENE2: max_allele_frequency = 2.0 is outside [0, 1]"),
    ({"penetrance_female": "1.2"}, "gene GENE2: penetrance_female = 1.2 is outside [0, 1]"),
    ({"penetrance_male": "most"}, "gene GENE2: penetrance_male is 'most', not a number"),
    ({"inheritance": "XL"}, "gene GENE2: inheritance 'XL' is not one of AD, AR, XLD, XLR"),
    ({"inheritance": "ad"}, "gene GENE2: inheritance 'ad' is not one of AD, AR, XLD, XLR"),
    ({"tier": "strong"}, "gene GENE2: tier 'strong' is not one of core, reported, syndromic, "
                         "candidate, unsupported"),
    ({"strand": "1"}, "gene GENE2: strand '1' is not + or -"),
    ({"start_grch38": "1,000"}, "gene GENE2: start_grch38 is '1,000', not a positive integer"),
    ({"end_grch38": "2000.5"}, "gene GENE2: end_grch38 is '2000.5', not a positive integer"),
    ({"start_grch38": "0"}, "gene GENE2: start_grch38 is '0', not a positive integer"),
    ({"start_grch38": "3000"}, "gene GENE2: end_grch38 2000 is before start_grch38 3000"),
    ({"evidence": " "}, "gene GENE2: column evidence is empty"),
    ({"hgnc_id": ""}, "gene GENE2: column hgnc_id is empty"),
])
def test_malformed_value_is_an_error_naming_line_gene_and_column(tmp_path, change, words):
    path = panel_file(tmp_path, {}, change)
    assert panel_error(path).startswith(f"{path}, line 3: {words}")


def test_duplicate_gene_is_an_error_naming_both_lines(tmp_path):
    path = panel_file(tmp_path, {"symbol": "DCC"}, {}, {"symbol": "DCC"})
    assert panel_error(path) == f"{path}, line 4: gene DCC is listed twice (also line 2)"


@pytest.mark.parametrize("dropped", ["tier", "end_grch37", "evidence"])
def test_missing_column_is_an_error_naming_it(tmp_path, dropped):
    path = panel_file(tmp_path, {}, columns=[c for c in COLUMNS if c != dropped])
    assert panel_error(path) == f"{path}, line 1: panel lacks column(s) {dropped}"


def test_missing_column_error_names_the_header_line_after_comments(tmp_path):
    path = panel_file(tmp_path, {}, columns=[c for c in COLUMNS if c != "tier"],
                      preamble=["## a comment"])
    assert panel_error(path) == f"{path}, line 2: panel lacks column(s) tier"


def test_optional_columns_may_be_absent(tmp_path):
    [gene] = load_panel(panel_file(tmp_path, {}, columns=list(REQUIRED)), "GRCh38")
    assert (gene.penetrance_male, gene.penetrance_female) == (None, None)
    assert (gene.assumptions, gene.mechanism) == ("", "")


def test_byte_order_mark_from_a_spreadsheet_does_not_hide_the_first_column(tmp_path):
    path = panel_file(tmp_path, {})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [g.symbol for g in load_panel(path, "GRCh38")] == ["GENE1"]


def test_panel_that_is_not_utf8_is_an_error_naming_it(tmp_path):
    path = panel_file(tmp_path, {"evidence": "Men\u00e9ret et al."})
    path.write_bytes(path.read_text().encode("latin-1"))
    message = panel_error(path)
    assert message.startswith(f"{path}: cannot read the panel: ")
    assert "save the panel as UTF-8" in message


def test_panel_without_genes_is_an_error(tmp_path):
    path = panel_file(tmp_path)
    assert panel_error(path) == f"{path}: panel has no genes"


def test_missing_panel_file_is_an_error_naming_it(tmp_path):
    message = panel_error(tmp_path / "gone.tsv")
    assert message.startswith(f"{tmp_path / 'gone.tsv'}: panel file not found")


def test_unknown_build_is_an_error_listing_the_builds(tmp_path):
    message = panel_error(panel_file(tmp_path, {}), build="hg19")
    assert message == "unknown genome build 'hg19'; use one of GRCh38, GRCh37"


# --- regions and genes_at -------------------------------------------------------------------

def gene(symbol: str, chrom: str, start: int, end: int) -> Gene:
    return Gene(symbol, "HGNC:0", "ENSG0", "ENST0", chrom, start, end, "+", "AD", 0.5, None,
                None, 0.001, 1e-4, "core", "e", "s")


def test_regions_pad_merge_overlaps_and_sort_by_chromosome():
    """Padding 30:
    A 1:100-200 -> 70-230; B 1:250-300 -> 220-330; they overlap (220 <= 230) -> 1:70-330.
    C 1:400-500 -> 370-530; 370 > 331, so a region of its own.
    D 2:1000-2000 -> 970-2030; E 10:5-6 -> 1-36 (clamped at 1, not -25).
    X sorts after the autosomes, 2 before 10.
    """
    genes = [gene("E", "10", 5, 6), gene("X1", "X", 100, 200), gene("C", "1", 400, 500),
             gene("B", "1", 250, 300), gene("D", "2", 1000, 2000), gene("A", "1", 100, 200)]
    assert regions(genes, 30) == [
        Region("1", 70, 330, ("A", "B")),
        Region("1", 370, 530, ("C",)),
        Region("2", 970, 2030, ("D",)),
        Region("10", 1, 36, ("E",)),
        Region("X", 70, 230, ("X1",)),
    ]


def test_regions_without_padding_keep_gene_spans():
    genes = [gene("A", "1", 100, 200), gene("B", "1", 300, 400)]
    assert regions(genes, 0) == [Region("1", 100, 200, ("A",)), Region("1", 300, 400, ("B",))]


def test_regions_merge_book_ended_spans():
    """A ends at 200, B starts at 201: no base between them, one region 100-300."""
    assert regions([gene("A", "3", 100, 200), gene("B", "3", 201, 300)], 0) == [
        Region("3", 100, 300, ("A", "B"))]
    assert regions([gene("A", "3", 100, 200), gene("B", "3", 202, 300)], 0) == [
        Region("3", 100, 200, ("A",)), Region("3", 202, 300, ("B",))]


def test_regions_keep_the_end_of_a_long_gene_that_contains_a_short_one():
    """Long 5:1000-9000 (padded 990-9010) contains Short 5:2000-3000 (1990-3010)."""
    genes = [gene("Short", "5", 2000, 3000), gene("Long", "5", 1000, 9000)]
    assert regions(genes, 10) == [Region("5", 990, 9010, ("Long", "Short"))]


def test_regions_padding_bridges_a_gap_between_genes():
    """A 1:100-200 and B 1:260-300 have 59 bases between them (201-259).
    Padding 29: A -> 71-229, B -> 231-329; base 230 is in neither, two regions.
    Padding 30: A -> 70-230, B -> 230-330; they share 230, one region."""
    genes = [gene("A", "1", 100, 200), gene("B", "1", 260, 300)]
    assert regions(genes, 29) == [Region("1", 71, 229, ("A",)), Region("1", 231, 329, ("B",))]
    assert regions(genes, 30) == [Region("1", 70, 330, ("A", "B"))]


def test_regions_of_the_real_panel_cover_every_gene():
    genes = load_panel(PANEL, "GRCh38")
    found = regions(genes, 5000)
    assert sorted(s for r in found for s in r.genes) == sorted(g.symbol for g in genes)
    for g in genes:
        [region] = [r for r in found if g.symbol in r.genes]
        assert region.start <= g.start - 5000 and g.end + 5000 <= region.end


@pytest.mark.parametrize(("start", "end", "inside"), [
    (900, 900, True),     # exactly start - padding
    (899, 899, False),    # one base before
    (2100, 2100, True),   # exactly end + padding
    (2101, 2101, False),  # one base after
    (1500, 1500, True),
    (850, 899, False),    # a deletion ending just before the padded span
    (850, 900, True),     # one ending on its first base
    (2101, 2200, False),
    (2100, 2200, True),
    (1, 5000, True),      # spanning the whole gene
])
def test_genes_at_respects_padding_at_both_ends(start, end, inside):
    genes = [gene("G", "1", 1000, 2000)]
    assert (genes_at(genes, "chr1", start, end, 100) == genes) is inside
    assert (genes_at(genes, "1", start, end, 100) == genes) is inside


def test_genes_at_matches_chromosome_names_in_either_style_and_nothing_else():
    genes = [gene("A", "X", 1000, 2000), gene("B", "1", 1000, 2000), gene("C", "1", 1500, 3000)]
    assert [g.symbol for g in genes_at(genes, "chrX", 1500, 1500, 0)] == ["A"]
    assert [g.symbol for g in genes_at(genes, "1", 1800, 1800, 0)] == ["B", "C"]
    assert genes_at(genes, "chr2", 1500, 1500, 0) == []
    assert genes_at(genes, "11", 1500, 1500, 0) == []


def test_genes_at_without_padding_uses_the_gene_span():
    genes = [gene("G", "7", 1000, 2000)]
    assert genes_at(genes, "chr7", 999, 999, 0) == []
    assert genes_at(genes, "chr7", 1000, 1000, 0) == genes
    assert genes_at(genes, "chr7", 2000, 2000, 0) == genes
    assert genes_at(genes, "chr7", 2001, 2001, 0) == []


spans = st.lists(
    st.tuples(st.sampled_from(["1", "2", "X"]), st.integers(1, 500), st.integers(0, 100)),
    min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(spans=spans, padding=st.integers(0, 50))
def test_regions_are_disjoint_sorted_and_cover_exactly_the_padded_genes(spans, padding):
    genes = [gene(f"G{i}", chrom, start, start + length)
             for i, (chrom, start, length) in enumerate(spans)]
    found = regions(genes, padding)
    for a, b in zip(found, found[1:], strict=False):
        if a.chrom == b.chrom:
            assert a.end + 1 < b.start  # disjoint and not book-ended
    assert sorted(s for r in found for s in r.genes) == sorted(g.symbol for g in genes)

    def covered(chrom, pos):
        return any(r.chrom == chrom and r.start <= pos <= r.end for r in found)

    for chrom in ("1", "2", "X"):
        for pos in range(1, 660):
            assert covered(chrom, pos) == bool(genes_at(genes, chrom, pos, pos, padding))


def test_chromosomes_sort_by_number_then_x_y_mt_then_other_contigs():
    """1 < 2 < 10 < 22 (by number, not as text, where "10" < "2") < X < Y < MT, then the
    unplaced and alternate contigs by name without `chr` ("1_KI..." < "GL..." < "Un_..."); `chr`
    and the mitochondrion's chrM name the same."""
    order = ["chr1", "2", "chr10", "22", "chrX", "Y", "chrM", "chr1_KI270706v1_random",
             "GL000220.1", "chrUn_KI270302v1"]
    for start in range(len(order)):
        rotated = order[start:] + order[:start]
        assert sorted(rotated, key=chrom_order) == order
    assert chrom_order("chr7") == chrom_order("7")
    assert chrom_order("chrM") == chrom_order("MT") == chrom_order("chrMT")
    assert chrom_order("22") < chrom_order("X") < chrom_order("Y") < chrom_order("MT")
    assert chrom_order("MT") < chrom_order("chr1_KI270706v1_random")


def test_regions_follow_the_chromosome_order_on_x_y_and_mt():
    genes = [gene("M1", "MT", 100, 200), gene("Y1", "chrY", 100, 200), gene("X1", "X", 100, 200),
             gene("U1", "GL000220.1", 100, 200), gene("A1", "22", 100, 200)]
    assert [r.genes for r in regions(genes, 0)] == [("A1",), ("X1",), ("Y1",), ("M1",), ("U1",)]


@pytest.mark.parametrize(("change", "words"), [
    ({"hgnc_id": "2701"}, "gene GENE2: column hgnc_id: '2701' does not match '^HGNC:[0-9]+$'"),
    ({"ensembl_gene": "ENSG1.x"}, "gene GENE2: column ensembl_gene: 'ENSG1.x' does not match"),
    ({"mane_transcript": "ENST00000000001"},
     "gene GENE2: column mane_transcript: 'ENST00000000001' does not match"),
    ({"chrom": "chr7_KI270803v1_alt"}, "gene GENE2: column chrom: 'chr7_KI270803v1_alt' does "
                                       "not match"),
    ({"symbol": "gene2"}, "gene gene2: column symbol: 'gene2' does not match"),
    # numbers float() reads but the panel format does not allow
    ({"penetrance": "5e-1"}, "gene GENE2: column penetrance: '5e-1' does not match"),
    ({"phenocopy_rate": ".001"}, "gene GENE2: column phenocopy_rate: '.001' does not match"),
])
def test_a_row_against_the_panel_schema_is_an_error_naming_line_gene_and_column(
        tmp_path, change, words):
    """The schema's formats, checked by load_panel itself: the workflow checks the panel once,
    through load_panel, and the command line gets the same checks."""
    path = panel_file(tmp_path, {}, change)
    message = panel_error(path)
    assert message.startswith(f"{path}, line 3: {words}")
    assert "panel.schema.yaml" in message


@pytest.mark.parametrize("value", ["1", "0.5", "0", "1.0", "1e-3", "2.6e-6"])
def test_numbers_the_panel_schema_allows_load(tmp_path, value):
    """At the edges of the formats: 0, 1 and 1.0 allowed; the frequencies in e-notation."""
    [_, gene] = load_panel(panel_file(tmp_path, {}, {"penetrance": value if "e" not in value
                                                     else "0.5",
                                                     "phenocopy_rate": value,
                                                     "max_allele_frequency": value}), "GRCh38")
    assert gene.phenocopy_rate == float(value)
