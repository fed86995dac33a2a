"""The package has no import cycle: the imports of every module of cmmvar, read from its
source (top-level and inside functions alike), form a graph without a loop."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cmmvar"


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports, for every .py under `package`
    (names dotted from the package: cmmvar.io.vcf, cmmvar.io.vcf)."""
    root = package.name
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                # `from cmmvar import vcf` imports the module cmmvar.io.vcf
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found
                       if m in modules and m != name and m.split(".")[0] == root
                       and m != root}  # cmmvar/__init__.py: imported by every module
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as the modules along it, first repeated at the end, or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return path[path.index(imported):] + [imported]
            if imported not in state:
                cycle = visit(imported, path + [imported])
                if cycle:
                    return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [module])
            if cycle:
                return cycle
    return None


def test_cmmvar_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert len(graph) > 30
    assert graph["cmmvar.prepare.extract"] >= {"cmmvar.io.vcf", "cmmvar.io.panel"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def write_package(root: Path, modules: dict[str, str]) -> Path:
    package = root / "cmmvar"
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '0'\n")
    for name, source in modules.items():
        (package / f"{name}.py").write_text(source)
    return package


def test_a_cycle_through_an_import_inside_a_function_is_found_and_named(tmp_path):
    package = write_package(tmp_path, {
        "a": "from cmmvar.b import g\n",
        "b": "def g():\n    from cmmvar import c\n",
        "c": "import cmmvar.a\nimport json\n",
        "d": "from cmmvar import __version__\nfrom cmmvar.a import x\n",
    })
    assert find_cycle(import_graph(package)) == ["cmmvar.a", "cmmvar.b", "cmmvar.c", "cmmvar.a"]


def test_imports_that_only_fan_out_are_no_cycle(tmp_path):
    package = write_package(tmp_path, {
        "a": "from cmmvar.b import g\nfrom cmmvar.c import h\n",
        "b": "from cmmvar.c import h\n",
        "c": "from cmmvar import __version__\n",
    })
    graph = import_graph(package)
    assert graph == {"cmmvar": set(), "cmmvar.a": {"cmmvar.b", "cmmvar.c"},
                     "cmmvar.b": {"cmmvar.c"}, "cmmvar.c": set()}
    assert find_cycle(graph) is None
