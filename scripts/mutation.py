"""Mutation testing of the clinical rules and the likelihood engine (mutmut 3), in a copy.

Copies the work tree's files (tracked and untracked-not-ignored, as they are now) to a
temporary folder, configures mutmut there, mutates the chosen modules, runs the unit tests
that cover each mutated function (mutmut selects them per function by the tests' calls), and
reports the mutation score per module and every surviving mutant with its diff. The work tree
never holds mutants/ or caches, so several runs can go on at once.

Exit status: 0 when every survivor is listed in tests/mutation/equivalent.tsv and no entry of
that list is stale (matches no mutant generated, or matches a mutant that was killed); 1
otherwise; 2 on a usage error or when mutmut itself fails.

    .venv/bin/python scripts/mutation.py                        # every module, every mutant
    .venv/bin/python scripts/mutation.py likelihood             # one module
    .venv/bin/python scripts/mutation.py de_novo.de_novo_status 'prioritise.pm*'
    .venv/bin/python scripts/mutation.py --ci         # the CI selection (see ci_selection)
    options: --jobs N (default 2), --tests PATH... (default tests/unit), --shard K/N, --keep

Equivalent list (tab-separated, header `module function before after reason`): the key of
a mutant is its module, its function (Class.method for methods) and the changed source lines
before and after the mutation, each stripped and whitespace-collapsed, lines joined by ' ⏎ ';
not mutmut's serial number, so entries survive code added or removed elsewhere. The report
prints each survivor's key line ready to paste (fill in the reason).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = Path("tests/mutation/equivalent.tsv")
MODULES = ("genotypes", "segregation", "de_novo", "prioritise", "likelihood", "config")
# config.py: only the check that the PP1/BS4 and meioses ladders are ordered is a clinical rule
# (the thresholds themselves are checked by workflow/schemas/config.schema.yaml).
SCOPE = {"cmmvar/config.py": ("check_ladders",)}
# Hypothesis examples per property test in a mutation run (the brute-force tests of the engine
# read it): a mutant that survives runs every test calling its function, and 300 examples of a
# brute-force enumeration made one such mutant cost minutes.
MUTATION_EXAMPLES = 25
COLUMNS = ("module", "function", "before", "after", "reason")
LINE_JOIN = " ⏎ "
MUTMUT_SEP = "ǁ"  # mutmut's separator of class and method in mangled names
# mutmut exit codes (mutmut/stats.py) that mean a test noticed the mutant; a timeout or a
# crash counts, as they would fail CI; "no tests", "suspicious" and "skipped" do not.
DETECTED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout",
            152: "timeout", 255: "timeout", 37: "type check", -11: "crash", -9: "crash"}
NOT_DETECTED = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious",
                None: "not checked"}


# --- keys and the equivalent list (pure; tests/unit/test_mutation_tool.py)


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's name, e.g. cmmvar.segregate.likelihood.x_flb__mutmut_12
    module: str  # cmmvar/segregate/likelihood.py
    function: str  # flb, or Model.vector
    diff: str  # unified diff of the function, original -> mutant

    @property
    def key(self) -> tuple[str, str, str, str]:
        before, after = changed_lines(self.diff)
        return (self.module, self.function, before, after)


def normalise(line: str) -> str:
    return " ".join(line.split())


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a unified diff, each normalised, joined."""
    before, after = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            before.append(normalise(line[1:]))
        elif line.startswith("+"):
            after.append(normalise(line[1:]))
    return LINE_JOIN.join(before), LINE_JOIN.join(after)


def split_name(name: str) -> tuple[str, str]:
    """mutmut name -> (module path, function):
    'cmmvar.segregate.segregation.xǁModelǁvector__mutmut_3'
    -> ('cmmvar/segregate/segregation.py', 'Model.vector')."""
    dotted, _, mangled = name.rpartition(".")
    mangled = re.sub(r"__mutmut_\d+$", "", mangled)
    if mangled.startswith("x" + MUTMUT_SEP):
        function = ".".join(mangled[2:].split(MUTMUT_SEP))
    else:
        function = mangled.removeprefix("x_")
    return dotted.replace(".", "/") + ".py", function


def read_equivalent(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, row in enumerate(rows, start=2):
        if list(row) != list(COLUMNS) or any(row[c] is None for c in COLUMNS):
            raise SystemExit(f"{path}, line {number}: expected the tab-separated columns "
                             f"{', '.join(COLUMNS)}")
        if not row["reason"].strip():
            raise SystemExit(f"{path}, line {number}: an equivalent mutant needs a reason "
                             "(why it cannot change any output)")
    return rows


def entry_line(mutant: Mutant, reason: str = "REASON") -> str:
    return "\t".join((*mutant.key, reason))


def judge(mutants: list[Mutant], status: dict[str, int | None],
          equivalent: list[dict[str, str]], modules: set[str]
          ) -> tuple[list[Mutant], list[Mutant], list[tuple[dict[str, str], str]]]:
    """Survivors not listed, survivors listed, and stale entries with why.

    `mutants`: every mutant generated in the modules run (tested or not); `status`: the
    exit code of each mutant tested. An entry of a module in the run is stale when no
    generated mutant has its key, or when a tested mutant with its key was detected."""
    listed = {tuple(row[c] for c in COLUMNS[:4]): row for row in equivalent}
    unlisted, excused = [], []
    for m in mutants:
        if m.name in status and status[m.name] not in DETECTED:
            (excused if m.key in listed else unlisted).append(m)
    keys = Counter(m.key for m in mutants)
    stale = []
    for key, row in listed.items():
        if key[0] not in modules:
            continue
        if key not in keys:
            stale.append((row, "matches no mutant of the current code"))
        elif any(m.key == key and status.get(m.name, 0) in DETECTED for m in mutants):
            stale.append((row, "a test now kills this mutant: not equivalent, remove the line"))
    return unlisted, excused, stale


def shard_of(mutant: Mutant, shards: int) -> int:
    """Stable across renumbering and unrelated edits: a hash of the mutant's key."""
    digest = hashlib.sha256("\t".join(mutant.key).encode()).digest()
    return int.from_bytes(digest[:8], "big") % shards


# --- the run, in a copy


def module_path(name: str) -> str:
    name = name.removeprefix("cmmvar/").removeprefix("cmmvar.").removesuffix(".py")
    if name not in MODULES:
        raise SystemExit(f"unknown module {name!r}: one of {', '.join(MODULES)}")
    # found wherever it lives in the package (flat, or in a stage's subpackage)
    [path] = sorted((ROOT / "cmmvar").rglob(f"{name}.py"))
    return path.relative_to(ROOT).as_posix()


def parse_targets(targets: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Positional targets -> (module paths, [(module path, function glob)]); a function
    target is 'module.function', 'module.Class.method' or a glob of either; a module alone
    means all its functions (config.py: those of SCOPE)."""
    modules, functions = [], []
    for target in targets or MODULES:
        module, _, function = target.removeprefix("cmmvar.").partition(".")
        path = module_path(module)
        if path not in modules:
            modules.append(path)
        if function and function != "py":
            functions.append((path, function))
        else:
            functions += [(path, glob) for glob in SCOPE.get(path, ("*",))]
    return modules, functions


def copy_tree(destination: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = ROOT / name, destination / name
        if source.is_symlink():  # cmmvar/schemas -> ../workflow/schemas: linked the same way
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source.readlink())
        elif source.is_file():  # a tracked file deleted in the work tree is skipped
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def configure(copy: Path, modules: list[str], tests: list[str]) -> None:
    """mutmut reads [tool.mutmut] from the copy's pyproject.toml; the unit tests run from
    mutants/, so everything they read beside the package is copied there too."""
    also = sorted(p.name + ("/" if p.is_dir() else "") for p in copy.iterdir()
                  if p.name not in {"cmmvar", "tests", "pyproject.toml"})
    # mutmut's copy of the package skips linked folders (cmmvar/schemas): copied as files
    also += sorted(f"cmmvar/{p.name}/" for p in (copy / "cmmvar").iterdir() if p.is_symlink())
    section = "\n".join([
        "", "[tool.mutmut]",
        'source_paths = ["cmmvar/"]',
        f"only_mutate = {json.dumps(modules)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        # no cache files, no hypothesis example database shared between runs
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]',
        f"also_copy = {json.dumps(also)}",
        "use_git_change_detection = false", ""])
    with (copy / "pyproject.toml").open("a") as handle:
        handle.write(section)


def generate(jobs: int) -> list[Mutant]:
    """Writes mutants/ in the current directory (the copy) and returns every mutant with
    its diff. mutmut reads its configuration on import, hence the late imports."""
    from mutmut.__main__ import create_mutants
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.utils.file_utils import (
        copy_also_copy_files,
        copy_src_dir,
        setup_source_paths,
        walk_mutatable_files,
    )

    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    create_mutants(jobs)
    mutants = []
    for path in walk_mutatable_files():
        meta = json.loads((Path("mutants") / f"{path}.meta").read_text())
        for name in meta["exit_code_by_key"]:
            module, function = split_name(name)
            mutants.append(Mutant(name, module, function, get_diff_for_mutant(name, path=path)))
    return mutants


@contextlib.contextmanager
def output_to(log: TextIO) -> Iterator[None]:
    """File-level redirection of stdout: mutmut's generation prints every file name, also
    from its worker processes."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(log.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def statuses() -> dict[str, int | None]:
    out = {}
    for meta in Path("mutants").rglob("*.py.meta"):
        out.update(json.loads(meta.read_text())["exit_code_by_key"])
    return out


def ci_selection(mutants: list[Mutant], run_number: int) -> list[Mutant]:
    """The CI run: shard (run_number mod CI_SHARDS) of CI_SHARDS, over every module; the
    shard of a mutant is a hash of its key, and the run number is the commit count, so any
    CI_SHARDS consecutive commits test every mutant once."""
    chosen = run_number % CI_SHARDS
    return [m for m in mutants if shard_of(m, CI_SHARDS) == chosen]


# The full run over the five modules (about 1,650 mutants) is estimated at 25-30 min on 2
# free cores; a third of it fits the CI budget of about 12 min (see the report of issue 12).
CI_SHARDS = 3


def report(mutants: list[Mutant], tested: list[Mutant], status: dict[str, int | None],
           equivalent: list[dict[str, str]], modules: list[str]) -> int:
    print("\nmutation score (detected / tested; listed equivalents count as not detected):")
    tested_names = {m.name for m in tested}
    totals = Counter()
    for module in modules:
        codes = [status.get(m.name) for m in tested if m.module == module]
        detected = sum(code in DETECTED for code in codes)
        totals["detected"] += detected
        totals["tested"] += len(codes)
        print(f"  {module:28} {detected:5} / {len(codes):<5} {percent(detected, len(codes))}")
    print(f"  {'overall':28} {totals['detected']:5} / {totals['tested']:<5} "
          f"{percent(totals['detected'], totals['tested'])}")
    run_status = {name: code for name, code in status.items() if name in tested_names}
    unlisted, excused, stale = judge(mutants, run_status, equivalent, set(modules))
    print(f"\nequivalent mutants listed in {EQUIVALENT} and seen surviving: {len(excused)}")
    for m in unlisted:
        print(f"\nSURVIVOR {m.name} ({NOT_DETECTED.get(status[m.name], status[m.name])}) "
              f"in {m.module}, {m.function}\n{m.diff}\n"
              f"  equivalent-list line: {entry_line(m)}")
    for row, why in stale:
        print(f"\nSTALE entry of {EQUIVALENT}: {why}\n  "
              + "\t".join(row[c] for c in COLUMNS))
    print(f"\n{len(unlisted)} survivor(s) not in the equivalent list, "
          f"{len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'}")
    return 1 if unlisted or stale else 0


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help="module (likelihood), module.function "
                        "(de_novo.de_novo_status, segregation.Model.vector) or a glob; "
                        f"default: every module ({', '.join(MODULES)})")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tests", nargs="+", default=["tests/unit"],
                        help="test paths to choose from (default tests/unit)")
    parser.add_argument("--shard", help="K/N: only the mutants of shard K of N (0-based)")
    parser.add_argument("--ci", action="store_true", help="the CI selection (ci_selection)")
    parser.add_argument("--keep", action="store_true", help="keep the copy and print its path")
    args = parser.parse_args(argv)
    modules, functions = parse_targets(args.targets)
    equivalent = read_equivalent(ROOT / EQUIVALENT)
    started = time.monotonic()
    copy = Path(tempfile.mkdtemp(prefix="cmmvar-mutation-"))
    try:
        copy_tree(copy)
        configure(copy, modules, args.tests)
        os.chdir(copy)
        with open("mutmut.log", "w") as log, output_to(log):
            mutants = generate(args.jobs)
        chosen = [m for m in mutants if any(
            m.module == path and fnmatch.fnmatchcase(m.function, glob)
            for path, glob in functions)]
        if args.shard:
            k, n = (int(x) for x in args.shard.split("/"))
            chosen = [m for m in chosen if shard_of(m, n) == k]
        if args.ci:
            count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=ROOT,
                                   capture_output=True, text=True, check=True).stdout
            chosen = ci_selection(chosen, int(count))
        if not chosen:
            print("no mutant matches " + " ".join(args.targets), file=sys.stderr)
            return 2
        print(f"{len(mutants)} mutants generated in {', '.join(modules)}; "
              f"testing {len(chosen)} with {args.jobs} jobs (log: {copy}/mutmut.log)",
              flush=True)
        with open("mutmut.log", "a") as log:
            code = subprocess.run(
                [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.jobs),
                 *[m.name for m in chosen]], stdout=log, stderr=subprocess.STDOUT,
                env=os.environ | {"CMMVAR_MUTATION_EXAMPLES": str(MUTATION_EXAMPLES)}).returncode
        status = statuses()
        if code != 0 or any(status.get(m.name) is None for m in chosen):
            print(Path("mutmut.log").read_text()[-4000:], file=sys.stderr)
            print(f"mutmut failed (exit {code})", file=sys.stderr)
            return 2
        result = report(mutants, chosen, status, equivalent, modules)
        print(f"time: {time.monotonic() - started:.0f} s")
        return result
    finally:
        os.chdir(ROOT)
        if args.keep:
            print(f"copy kept: {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
