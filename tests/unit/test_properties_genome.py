"""Property tests of chromosome-name harmonisation (hypothesis): `bare` and `canonical` agree
on every spelling of a contig, and `resolve` finds the spelling a file uses whatever style
the query and the file are written in.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cmmvar.io.genome import bare, canonical, resolve

PRIMARY = [str(n) for n in range(1, 23)] + ["X", "Y"]
# Contigs as GRCh38/GRCh37 files name them besides the primary ones.
OTHERS = ["1_KI270706v1_random", "Un_KI270302v1", "EBV", "GL000192.1", "KI270706.1",
          "HLA-A*01:01:01:01", "22_KI270879v1_alt", "NC_012920.1"]
# The spellings of one chromosome that files use: Ensembl/NCBI, UCSC, and the mitochondrion's.
STYLES = {"ensembl": lambda n: "MT" if n == "MT" else n,
          "ucsc": lambda n: "chrM" if n == "MT" else f"chr{n}",
          "ucsc_mt": lambda n: f"chr{n}",
          "m": lambda n: "M" if n == "MT" else n}
NAMES = st.sampled_from(PRIMARY + ["MT"])
PREFIXES = st.sampled_from(["", "chr", "Chr", "CHR"])

SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(st.one_of(NAMES, st.sampled_from(OTHERS)), PREFIXES)
def test_canonical_of_bare_is_canonical(name, prefix):
    spelled = prefix + name
    assert canonical(bare(spelled)) == canonical(spelled)
    assert bare(bare(spelled)) == bare(spelled)
    assert canonical(canonical(spelled)) == canonical(spelled)
    assert bare(canonical(spelled)) == bare(spelled)


@SETTINGS
@given(NAMES, st.sampled_from(list(STYLES)), st.sampled_from(list(STYLES)),
       st.lists(NAMES, unique=True, max_size=8), st.sampled_from(["", "Chr", "CHR"]))
def test_resolve_finds_the_files_spelling_in_every_style(name, query_style, file_style,
                                                         others, case):
    """A file of one style holding the chromosome: resolve returns the file's own name for a
    query in any style (1/chr1, X/chrX, MT/chrM/chrMT/M), also with Chr or CHR prefixes."""
    query = STYLES[query_style](name)
    if case and query.startswith("chr"):
        query = case + query[3:]
    file_names = [STYLES[file_style](n) for n in others if n != name]
    spelling = STYLES[file_style](name)
    position = len(file_names) // 2
    available = file_names[:position] + [spelling] + file_names[position:]
    assert resolve(query, available) == spelling
    assert resolve(query, file_names) is None


@SETTINGS
@given(NAMES, st.sampled_from(list(STYLES)), st.sampled_from(["Chr", "CHR"]))
def test_resolve_finds_a_file_spelled_with_a_capitalised_prefix(name, query_style, case):
    """bare() takes Chr7 and CHR7 as chromosome 7, so resolve finds them in a file too."""
    spelling = case + STYLES["ucsc"](name)[3:]
    assert resolve(STYLES[query_style](name), ["chrUn_x", spelling]) == spelling
