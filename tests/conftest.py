"""Shared by every test folder: the markers of the tests that need more than Python and the
package, and the fixtures used in more than one folder.

The markers are registered in pyproject.toml ([tool.pytest.ini_options]); each one below also
marks the test `external`, so `pytest -m "not external"` runs the pure unit tests and
`pytest -m bcftools` the comparisons with bcftools. They are applied here, from the tables
below, rather than in each file, so that the list of what needs what is one place to read
(tests/unit/test_markers.py checks that every test named here exists).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import resource_server

TESTS = Path(__file__).resolve().parent
# Every test of these folders runs a program: snakemake on a project copy (workflow), headless
# Chromium (browser), a local SLURM (cluster), the cmmvar command line with bcftools, bgzip and
# tabix making its inputs (robustness).
FOLDERS = {"workflow": "workflow", "browser": "chromium", "cluster": "slurm",
           "robustness": "bcftools"}
# Unit test files -> (marker, the tests that need it; None: every test of the file).
UNIT = {
    "test_fastlink.py": ("fastlink", None),
    "test_csq_vs_bcftools.py": ("bcftools", None),
    # a local HTTP server on 127.0.0.1 (fixtures of the file, or the `site` fixture below)
    "test_online.py": ("server", None),
    "test_build_resources.py": ("server", None),
    "test_extract.py": ("bcftools",
                        {"test_command_line_writes_an_indexed_file_bcftools_can_query"}),
    "test_edges_genotype_qc.py": ("bcftools", {"test_par_edges_agree_with_bcftools_ploidy_table"}),
    "test_ploidy.py": ("bcftools", {"test_segregate_on_a_bcftools_call_ploidy_vcf"}),
    "test_normalise.py": ("bcftools", {"test_matches_bcftools_norm_on_random_variants",
                                       "test_split_equals_bcftools_norm_on_htslib_test_files",
                                       "test_first_base_indels_equal_bcftools_norm"}),
    "test_normalise_streaming.py": ("bcftools", {"test_records_out_of_order_are_written_sorted"}),
    "test_properties_normalise.py": ("bcftools", {"test_left_alignment_equals_bcftools_norm"}),
}


def marker_of(path: Path, name: str) -> str | None:
    """The marker of the test `name` (without parameters) in the file `path`, if any."""
    folder = path.relative_to(TESTS).parts[0]
    if folder in FOLDERS:
        return FOLDERS[folder]
    if folder == "unit" and path.name in UNIT:
        marker, names = UNIT[path.name]
        if names is None or name in names:
            return marker
    return None


def pytest_collection_modifyitems(items):
    for item in items:
        marker = marker_of(Path(item.path), item.originalname)
        if marker is not None:
            item.add_marker(marker)
            item.add_marker("external")


@pytest.fixture
def site(tmp_path):
    """The offline resources served over HTTP on 127.0.0.1 (tests/resource_server.py): the
    served folder, the sequences of its FASTA, and the running server."""
    yield from resource_server.serve(tmp_path)
