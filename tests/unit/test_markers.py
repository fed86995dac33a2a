"""The markers of tests/conftest.py: every test it names exists, and the tables mark what they
say (a renamed test would otherwise lose its marker silently and run under -m "not external")."""

import ast
from pathlib import Path

import pytest

from tests import conftest

UNIT = Path(__file__).resolve().parent


@pytest.mark.parametrize("file", sorted(conftest.UNIT))
def test_every_test_the_table_names_exists(file):
    path = UNIT / file
    assert path.is_file(), f"tests/conftest.py names {file}, which does not exist"
    _, names = conftest.UNIT[file]
    defined = {node.name for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.FunctionDef)}
    assert set(names or ()) - defined == set()


def test_a_named_test_is_marked_and_its_neighbours_are_not():
    extract = UNIT / "test_extract.py"
    assert conftest.marker_of(
        extract, "test_command_line_writes_an_indexed_file_bcftools_can_query") == "bcftools"
    assert conftest.marker_of(extract, "test_any_other_test") is None


def test_whole_files_and_folders_are_marked():
    assert conftest.marker_of(UNIT / "test_fastlink.py", "test_anything") == "fastlink"
    assert conftest.marker_of(UNIT.parent / "workflow" / "test_demo.py", "t") == "workflow"
    assert conftest.marker_of(UNIT / "test_likelihood.py", "test_anything") is None
