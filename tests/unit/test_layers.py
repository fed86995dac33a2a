"""Lower layers never import upper ones (issue 15): read with ast from the package's files, so
an import inside a function or under TYPE_CHECKING counts as much as one at the top.

The stages, lowest first: io (inputs), prepare (extraction, normalisation), annotate,
segregate, report. A stage may import a lower stage and the package's frame (cmmvar/*.py:
errors, atomic, config, provenance...), never a higher stage; the likelihood engine imports no
cmmvar module but errors (it knows no VCF). Written for the layout by stage: while cmmvar/ is
flat there are no stages to check, and the tests skip.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cmmvar"
STAGES = ("io", "prepare", "annotate", "segregate", "report")
ENGINE = PACKAGE / "segregate" / "likelihood.py"

if not all((PACKAGE / stage / "__init__.py").is_file() for stage in STAGES):
    pytest.skip("cmmvar/ is not laid out by stage yet (cmmvar/io, prepare, annotate, "
                "segregate, report)", allow_module_level=True)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, dotted name) of every cmmvar module or name the file imports; relative imports
    resolved against the file's package."""
    package = module_name(path, root).rpartition(".")[0] if path.name != "__init__.py" \
        else module_name(path, root)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from cmmvar import x` names the module cmmvar.x
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "cmmvar"]


def stage_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def offending(stage: str, root: Path = PACKAGE) -> list[str]:
    allowed = set(STAGES[:STAGES.index(stage) + 1])
    bad = []
    for path in sorted((root / stage).rglob("*.py")):
        for line, name in imported(path, root):
            target = stage_of(name)
            if target is not None and target not in allowed:
                bad.append(f"{path.relative_to(root.parent)}:{line} imports {name} "
                           f"({stage} is below {target})")
    return bad


@pytest.mark.parametrize("stage", STAGES)
def test_stage_imports_no_higher_stage(stage):
    assert offending(stage) == []


def test_likelihood_engine_imports_no_cmmvar_module_but_errors():
    names = [f"line {line}: {name}" for line, name in imported(ENGINE)
             if not name.startswith("cmmvar.errors")]
    assert names == [], f"{ENGINE.name} imports {names}"


def test_check_names_an_upward_import_with_its_line(tmp_path):
    """The check itself: io importing report inside a function is reported with its line;
    report importing io is allowed."""
    for stage in STAGES:
        (tmp_path / "cmmvar" / stage).mkdir(parents=True)
        (tmp_path / "cmmvar" / stage / "__init__.py").write_text("")
    (tmp_path / "cmmvar" / "io" / "vcf.py").write_text(
        "import os\n\ndef f():\n    from cmmvar.report import family\n")
    (tmp_path / "cmmvar" / "report" / "family.py").write_text("from cmmvar.io import vcf\n")
    assert offending("io", tmp_path / "cmmvar") == [
        "cmmvar/io/vcf.py:4 imports cmmvar.report.family (io is below report)"]
    assert offending("report", tmp_path / "cmmvar") == []
