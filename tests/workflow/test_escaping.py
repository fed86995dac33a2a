"""Strings from input files reach the HTML only escaped: a sample named
`<script>alert(1)</script>` and a ClinVar condition (an INFO value) with quotes and angle
brackets appear as text, never as markup."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.workflow.helpers.demo import run_ok
from tests.workflow.helpers.escaping import (
    CONDITION,
    PATH_AND_SHELL_NAMES,
    SAMPLE,
    make_hostile_project,
)


def elements(page: str) -> list[tuple[str, list]]:
    """Every start tag of an HTML document with its attributes."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(page)
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return run_ok(make_hostile_project(tmp_path_factory.mktemp("hostile")))


def test_sample_name_and_info_value_are_escaped_in_the_report(hostile):
    page = (hostile / "families/RAD1/report.html").read_text()
    assert SAMPLE not in page and "<b>bold</b>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    condition = CONDITION.replace("_", " ").removeprefix("Mirror movements 2 ")
    escaped = html.escape(condition, quote=False)
    assert escaped.replace('"', "&#34;") in page or escaped.replace('"', "&quot;") in page
    # parsed as a browser would: no script, img or b element, no event-handler attribute
    tags = elements(page)
    assert not {"script", "img", "b"} & {tag for tag, _ in tags}
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]


def test_every_pedigree_drawing_is_well_formed_xml(hostile):
    page = (hostile / "families/RAD1/report.html").read_text()
    drawings = re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert drawings
    for svg in drawings:
        root = ET.fromstring(svg)
        ids = [g.get("data-id") for g in root.iter() if g.get("class") == "member"]
        assert SAMPLE in ids  # the attribute holds the name, decoded back exactly


def test_cohort_index_and_json_keep_the_name_exactly(hostile):
    import json

    report = json.loads((hostile / "families/RAD1/report.json").read_text())
    assert SAMPLE in [p["id"] for p in report["pedigree"]]
    index = (hostile / "index.html").read_text()
    assert "script" not in {tag for tag, _ in elements(index)}


def test_names_of_paths_and_commands_name_no_file_and_are_kept_verbatim(hostile):
    """No file is made from a member's name (no 'escaped' folder, no 'pwned' file anywhere,
    nothing under /tmp/abs...), RAD1's folder holds its outputs (four files, its annotated VCF
    and that VCF's index), and the names reach report.json exactly and the HTML escaped."""
    import json

    from markupsafe import escape

    project = hostile.parent
    names = set(PATH_AND_SHELL_NAMES.values()) | {SAMPLE}
    # what the last path component of each name would leave in a file name
    fragments = ("escaped", "pwned", "abs;", "'q'", "script>")
    for path in [*project.rglob("*"), *project.parent.iterdir()]:
        assert not any(fragment in path.name for fragment in fragments), path
    assert not list(Path("/tmp").glob("abs;*"))  # the absolute name, taken as a path
    assert sorted(p.name for p in (hostile / "families/RAD1").iterdir()) == [
        "RAD1.vcf.gz", "RAD1.vcf.gz.tbi", "candidates.tsv", "qc.json", "report.html",
        "report.json"]
    report = json.loads((hostile / "families/RAD1/report.json").read_text())
    assert {p["id"] for p in report["pedigree"]} == names
    assert set(report["qc"]["samples"]["sequenced"]) == names
    for candidate in report["candidates"] + report["filtered"]:
        assert set(candidate["genotypes"]) == names
    page = (hostile / "families/RAD1/report.html").read_text()
    quoted = PATH_AND_SHELL_NAMES["RAD_II2"]
    assert str(escape(quoted)) in page and quoted not in page
    for name in PATH_AND_SHELL_NAMES.values():
        assert str(escape(name)) in page, name
