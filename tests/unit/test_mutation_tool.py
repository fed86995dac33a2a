"""scripts/mutation.py: the equivalent-list key and the stale-entry check (no mutmut run)."""

from __future__ import annotations

import difflib
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation.py"
spec = importlib.util.spec_from_file_location("mutation_tool", SCRIPT)
tool = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = tool  # dataclasses look their module up there
spec.loader.exec_module(tool)

ORIGINAL = """\
def passed(gq, min_gq):
    if gq < min_gq:
        return False
    return True
"""
MUTATED = ORIGINAL.replace("gq < min_gq", "gq <= min_gq")


def diff(before: str, after: str, first_line: int) -> str:
    """A unified diff as mutmut prints it, of a function starting at `first_line`."""
    pad = "\n" * (first_line - 1)
    return "\n".join(difflib.unified_diff((pad + before).split("\n"), (pad + after).split("\n"),
                                         "cmmvar/segregate/genotypes.py",
                                         "cmmvar/segregate/genotypes.py", lineterm=""))


def mutant(name: str, first_line: int, mutated: str = MUTATED,
           function: str = "passed") -> tool.Mutant:
    return tool.Mutant(name, "cmmvar/segregate/genotypes.py", function,
                       diff(ORIGINAL, mutated, first_line))


def entry(m: tool.Mutant, reason: str = "changes only speed") -> dict[str, str]:
    return dict(zip(tool.COLUMNS, (*m.key, reason), strict=True))


def test_key_is_the_same_when_the_mutant_is_renumbered_and_moved_by_code_added_above():
    old = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_3", first_line=10)
    new = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_9", first_line=42)
    assert old.diff != new.diff  # the hunk headers differ
    assert old.key == new.key == ("cmmvar/segregate/genotypes.py", "passed", "if gq < min_gq:",
                                  "if gq <= min_gq:")


def test_key_differs_for_another_mutation_of_the_same_line():
    lt = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_1", 10)
    gt = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_2", 10, ORIGINAL.replace("<", ">"))
    assert lt.key != gt.key


def test_listed_survivor_is_excused_after_renumbering_and_an_unlisted_one_is_reported():
    listed = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_3", 10)
    renumbered = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_9", 42)
    other = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_10", 42, ORIGINAL.replace("<", ">"))
    unlisted, excused, stale = tool.judge(
        [renumbered, other], {renumbered.name: 0, other.name: 0}, [entry(listed)],
        {"cmmvar/segregate/genotypes.py"})
    assert (unlisted, excused, stale) == ([other], [renumbered], [])


def test_entry_matching_no_generated_mutant_is_reported_stale():
    gone = entry(mutant("cmmvar.segregate.genotypes.x_passed__mutmut_3", 10,
                        ORIGINAL.replace("return True", "return None")))
    current = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_1", 10)
    unlisted, excused, stale = tool.judge([current], {current.name: 1}, [gone],
                                          {"cmmvar/segregate/genotypes.py"})
    assert stale == [(gone, "matches no mutant of the current code")]
    assert unlisted == excused == []


def test_entry_whose_mutant_a_test_now_kills_is_reported_stale():
    m = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_1", 10)
    _, _, stale = tool.judge([m], {m.name: 1}, [entry(m)], {"cmmvar/segregate/genotypes.py"})
    assert stale == [(entry(m), "a test now kills this mutant: not equivalent, remove the line")]


def test_entry_of_a_module_outside_the_run_is_not_judged():
    m = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_1", 10)
    assert tool.judge([], {}, [entry(m)], {"cmmvar/segregate/likelihood.py"}) == ([], [], [])


def test_untested_mutant_is_neither_a_survivor_nor_makes_its_entry_stale():
    """A shard runs some mutants only: the others' entries still match generated mutants."""
    m = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_1", 10)
    assert tool.judge([m], {}, [entry(m)], {"cmmvar/segregate/genotypes.py"}) == ([], [], [])


@pytest.mark.parametrize(("name", "expected"), [
    ("cmmvar.segregate.likelihood.x_flb__mutmut_12", ("cmmvar/segregate/likelihood.py", "flb")),
    ("cmmvar.segregate.likelihood.x__prior__mutmut_1",
     ("cmmvar/segregate/likelihood.py", "_prior")),
    ("cmmvar.segregate.segregation.xǁModelǁvector__mutmut_3",
     ("cmmvar/segregate/segregation.py", "Model.vector")),
])
def test_mutmut_names_split_into_module_and_function(name, expected):
    assert tool.split_name(name) == expected


def test_equivalent_list_without_a_reason_is_refused(tmp_path):
    path = tmp_path / "equivalent.tsv"
    path.write_text("module\tfunction\tbefore\tafter\treason\n"
                    "cmmvar/segregate/genotypes.py\tpassed\tif gq < min_gq:\tif gq <= min_gq:\t \n")
    with pytest.raises(SystemExit, match=r"line 2: an equivalent mutant needs a reason"):
        tool.read_equivalent(path)


def test_committed_equivalent_list_reads_and_every_entry_has_a_reason():
    rows = tool.read_equivalent(SCRIPT.parents[1] / tool.EQUIVALENT)
    assert all(row["module"] in {tool.module_path(m) for m in tool.MODULES} for row in rows)


def test_shard_of_a_mutant_depends_on_its_key_not_its_number():
    a = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_3", 10)
    b = mutant("cmmvar.segregate.genotypes.x_passed__mutmut_9", 42)
    assert tool.shard_of(a, 4) == tool.shard_of(b, 4)


def test_ci_covers_every_mutant_exactly_once_in_as_many_consecutive_runs_as_shards():
    mutants = [tool.Mutant(f"cmmvar.segregate.likelihood.x_flb__mutmut_{i}",
                           "cmmvar/segregate/likelihood.py", "flb",
                           diff(ORIGINAL, ORIGINAL.replace("min_gq", f"min_gq + {i}"), 10))
               for i in range(60)]
    runs = [tool.ci_selection(mutants, n) for n in range(100, 100 + tool.CI_SHARDS)]
    assert Counter(m.name for run in runs for m in run) == Counter(m.name for m in mutants)
    assert all(0 < len(run) < len(mutants) for run in runs)
    assert tool.ci_selection(mutants, 100 + tool.CI_SHARDS) == runs[0]
