"""Pedigree likelihoods from FASTLINK (Debian `fastlink`), for checking cmmvar.segregate.likelihood.

Writes LINKAGE files (datafile.dat, post-makeped pedfile.dat) and runs `unknown` then `mlink`.
The variant is the LINKAGE affection locus (allele 1 reference, allele 2 ALT with frequency q);
each person's weight vector w[g] = P(data | g) becomes a liability class whose "penetrances"
are w, with the person recorded as affected, so FASTLINK multiplies in exactly w[g] (LINKAGE
penetrance order 11, 12, 22 = 0, 1, 2 ALT copies; X-linked males 1, 2 = 0, 1). A second locus,
a one-allele marker, is there because MLINK needs two loci; it contributes a factor 1. (With two
alleles and nobody typed, FASTLINK 4.1P counts each founder as homozygous for allele 1.)
Shared by tests/unit/test_fastlink.py and scripts/bench.py.
Knows LINKAGE formats and how to run FASTLINK; nothing about FLB or VCFs.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cmmvar.segregate.likelihood import Person

PROGRAMS = ("unknown", "mlink")
MAX_LIABILITY_CLASSES = 120  # `unknown` reports this limit of the Debian build

# MLINK's per-pedigree line of outfile.dat: pedigree, ln likelihood, log10 likelihood, LOD.
_RESULT_LINE = re.compile(r"^\s*(\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+LOD=")


_IMPOSSIBLE = -1e19


class FastlinkError(RuntimeError):
    """FASTLINK rejected the input or printed no likelihood; carries the programs' output."""


@dataclass(frozen=True)
class Pedigree:
    """One likelihood to compute: people, per-person weights (missing = all ones) and the ids
    duplicated to break loops (one per loop, as makeped asks)."""

    people: Sequence[Person]
    weights: Mapping[str, Sequence[float]]
    loop_breakers: Sequence[str] = ()


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


def _states(person: Person, x_linked: bool) -> int:
    return 2 if x_linked and person.male else 3


def _scaled(weights: Sequence[float]) -> tuple[tuple[float, ...], float]:
    """LINKAGE penetrances must lie in [0, 1]: divide by the largest weight and return the
    log of the factor taken out (-inf when every weight is 0)."""
    top = max(weights)
    if top < 0 or min(weights) < 0:
        raise ValueError(f"negative weights {list(weights)}")
    if top == 0:
        return tuple(1.0 for _ in weights), -math.inf
    return tuple(w / top for w in weights), math.log(top)


def _founder_prior(person: Person, q: float, x_linked: bool) -> tuple[float, ...]:
    if x_linked and person.male:
        return (1.0 - q, q)
    return ((1.0 - q) ** 2, 2.0 * q * (1.0 - q), q * q)


def _break_loops(pedigree: Pedigree) -> tuple[list[Person], dict[str, str]]:
    """makeped's loop breaking: each breaker keeps his parents, and a copy of him (a founder
    with a new id) takes his spouses and children. Returns the people and breaker -> copy."""
    ids = {p.id for p in pedigree.people}
    unknown_breakers = set(pedigree.loop_breakers) - ids
    if unknown_breakers:
        raise ValueError(f"loop breakers not in the pedigree: {sorted(unknown_breakers)}")
    copy = {b: f"{b}'" for b in pedigree.loop_breakers}
    people = [p if p.father is None else Person(
        p.id, copy.get(p.father, p.father), copy.get(p.mother, p.mother), p.male)
        for p in pedigree.people]
    by_id = {p.id: p for p in pedigree.people}
    people += [Person(copy[b], None, None, by_id[b].male) for b in pedigree.loop_breakers]
    return people, copy


def _conditioned(pedigree: Pedigree, q: float, x_linked: bool) -> list[dict]:
    """The loop-free pieces whose likelihoods sum to the pedigree's (Lange & Elston 1975):
    for each genotype vector g of the breakers, the breaker carries w x [G = g] and his
    founder copy [G = g] / P_founder(g), which cancels the prior FASTLINK gives a founder.
    Pieces where a breaker's own weight is 0 are left out (they add 0)."""
    people, copy = _break_loops(pedigree)
    by_id = {p.id: p for p in people}
    pieces = []
    for combo in itertools.product(*(range(_states(by_id[b], x_linked))
                                     for b in pedigree.loop_breakers)):
        weights = dict(pedigree.weights)
        for b, g in zip(pedigree.loop_breakers, combo, strict=True):
            n = _states(by_id[b], x_linked)
            own = pedigree.weights.get(b, (1.0,) * n)
            weights[b] = [own[k] if k == g else 0.0 for k in range(n)]
            prior = _founder_prior(by_id[b], q, x_linked)
            weights[copy[b]] = [1.0 / prior[k] if k == g else 0.0 for k in range(n)]
        if all(max(weights[b]) > 0 for b in pedigree.loop_breakers):
            pieces.append(weights)
    return [dict(people=people, weights=w, loops={}) for w in pieces]


def _makeped(pedigree: Pedigree) -> list[dict]:
    """FASTLINK's own loop handling: both the breaker and his copy carry his data and the
    loop number (2, 3, ...) in the proband column. MLINK counts that data once, so the
    factor taken out of the copy's weights is not counted (`uncounted`)."""
    people, copy = _break_loops(pedigree)
    weights = dict(pedigree.weights)
    loops = {}
    for k, b in enumerate(pedigree.loop_breakers, start=2):
        if b in weights:
            weights[copy[b]] = weights[b]
        loops[b] = loops[copy[b]] = k
    return [dict(people=people, weights=weights, loops=loops, uncounted=set(copy.values()))]


def _pedfile_rows(people: Sequence[Person], weights: Mapping[str, Sequence[float]],
                  loops: Mapping[str, int], ped_number: int, x_linked: bool,
                  classes: dict[tuple, int], uncounted: Collection[str] = ()
                  ) -> tuple[list[str], float]:
    """Rows of a post-makeped pedfile (with first-offspring and next-sib pointers) and the log
    of the factors taken out of the weights. The proband (1) is the first non-breaker."""
    number = {p.id: k + 1 for k, p in enumerate(people)}
    rows = [(number[p.id], 0, 0) if p.father is None else
            (number[p.id], number[p.father], number[p.mother]) for p in people]
    _check_loops_broken(rows)

    first_child, next_paternal, next_maternal = {}, {}, {}
    last_by_father, last_by_mother = {}, {}
    for n, f, m in rows:
        if f == 0:
            continue
        first_child.setdefault(f, n)
        first_child.setdefault(m, n)
        if f in last_by_father:
            next_paternal[last_by_father[f]] = n
        if m in last_by_mother:
            next_maternal[last_by_mother[m]] = n
        last_by_father[f], last_by_mother[m] = n, n

    proband = next(p.id for p in people if p.id not in loops)
    log_scale, lines = 0.0, []
    for p, (n, f, m) in zip(people, rows, strict=True):
        states = _states(p, x_linked)
        w = tuple(float(v) for v in weights.get(p.id, (1.0,) * states))
        if len(w) != states:
            raise ValueError(f"{p.id}: expected {states} genotype weights, got {len(w)}")
        scaled, log_top = _scaled(w)
        if p.id not in uncounted:
            log_scale += log_top
        liability = classes.setdefault(_class_key(scaled, p.male, x_linked), len(classes) + 1)
        status = loops.get(p.id, 1 if p.id == proband else 0)
        lines.append(
            f"{ped_number} {n} {f} {m} {first_child.get(n, 0)} {next_paternal.get(n, 0)} "
            f"{next_maternal.get(n, 0)} {1 if p.male else 2} {status}  2 {liability}  0 0")
    return lines, log_scale


def _class_key(scaled: tuple[float, ...], male: bool, x_linked: bool) -> tuple:
    """A liability class: three penetrances, and on X also two for males. The sex not used
    gets 1s (LINKAGE reads both lines for every class)."""
    if not x_linked:
        return (scaled,)
    return ((1.0, 1.0, 1.0), scaled) if male else (scaled, (1.0, 1.0))


def _check_loops_broken(rows: Sequence[tuple[int, int, int]]) -> None:
    """After the copies, the graph of people and marriages must be a tree: a loop left
    unbroken or a person connected to no one makes MLINK fail or silently leave them out."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a, b):
        ra, rb = find(a), find(b)
        if ra == rb:
            raise ValueError("the pedigree still has a loop: declare a loop breaker")
        parent[ra] = rb

    marriages = set()
    for n, f, m in rows:
        find(("p", n))
        if f == 0:
            continue
        if (f, m) not in marriages:
            marriages.add((f, m))
            join(("p", f), ("m", f, m))
            join(("p", m), ("m", f, m))
        join(("m", f, m), ("p", n))
    if len({find(x) for x in list(parent)}) != 1:
        raise ValueError("the pedigree is not connected: FASTLINK needs one pedigree per family")


def _datafile(classes: Mapping[tuple, int], q: float, x_linked: bool) -> str:
    """LINKAGE datafile: locus 1 the variant (affection status, liability classes), locus 2
    an uninformative marker; MLINK (program code 5 as in FASTLINK's example) at theta 0.5."""
    lines = [
        f"2 0 {1 if x_linked else 0} 5 << no. of loci, risk locus, sexlinked, program",
        "0 0.0 0.0 0 << mut locus, mut male, mut female, hap freq",
        "1 2",
        "1 2 << affection, no. of alleles: the variant",
        f"{1.0 - q!r} {q!r} << gene frequencies",
        f"{len(classes)} << no. of liability classes",
    ]
    for key, _ in sorted(classes.items(), key=lambda item: item[1]):
        if key == ("unused",):
            key = _class_key((1.0, 1.0, 1.0), False, x_linked)
        lines += [" ".join(repr(v) for v in pens) for pens in key]
    lines += [
        "3 1 << allele numbers, no. of alleles: marker nobody is typed at",
        "1.0 << gene frequencies",
        "0 0 << sex difference, interference",
        "0.5 << recombination values",
        "1 0.1 0.5 << rec varied, increment, finishing value",
    ]
    return "\n".join(lines) + "\n"


def log_likelihoods(pedigrees: Sequence[Pedigree], q: float, x_linked: bool = False,
                    makeped_loops: bool = False, workdir: Path | None = None) -> list[float]:
    """Natural-log likelihood of each pedigree from one run of `unknown` and `mlink`.

    Loops are broken at the declared breakers and, by default, conditioned on exactly here:
    each genotype of the breakers is a loop-free pedigree for FASTLINK, and the results are
    summed. With makeped_loops, FASTLINK handles the loops itself and the value printed is
    FASTLINK's, which on looped pedigrees is shifted by a data-dependent constant
    (README.scaling in the package's documentation: only differences are meaningful).
    FASTLINK prints ln L with 6 decimals, so values agree with an exact engine to ~5e-7."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="fastlink-") as tmp:
            return log_likelihoods(pedigrees, q, x_linked, makeped_loops, Path(tmp))
    classes: dict[tuple, int] = {}
    pedlines, owner, scales = [], [], []
    for k, pedigree in enumerate(pedigrees):
        if not pedigree.loop_breakers:
            jobs = [dict(people=list(pedigree.people), weights=pedigree.weights, loops={})]
        elif makeped_loops:
            jobs = _makeped(pedigree)
        else:
            jobs = _conditioned(pedigree, q, x_linked)
        for job in jobs:
            lines, log_scale = _pedfile_rows(**job, ped_number=len(owner) + 1,
                                             x_linked=x_linked, classes=classes)
            if log_scale == -math.inf:  # some person has weight 0 everywhere: nothing to run
                continue
            pedlines += lines
            owner.append(k)
            scales.append(log_scale)
    if len(classes) == 1:  # with one class LINKAGE expects no class column: add an unused one
        classes[("unused",)] = 2
    if len(classes) > MAX_LIABILITY_CLASSES:
        raise ValueError(f"{len(classes)} distinct weight vectors; FASTLINK allows "
                         f"{MAX_LIABILITY_CLASSES} liability classes per run")
    printed = _run(workdir, _datafile(classes, q, x_linked), pedlines, len(owner))
    terms: list[list[float]] = [[] for _ in pedigrees]
    for k, value, log_scale in zip(owner, printed, scales, strict=True):
        if value > -math.inf:
            terms[k].append(value + log_scale)
    return [_log_sum_exp(t) for t in terms]


def _log_sum_exp(logs: Sequence[float]) -> float:
    if not logs:
        return -math.inf
    top = max(logs)
    return top + math.log(sum(math.exp(v - top) for v in logs))


def _run(workdir: Path, datafile: str, pedlines: Sequence[str], count: int) -> list[float]:
    """Runs `unknown` then `mlink` in workdir; the ln likelihood printed for pedigrees 1..count."""
    if count == 0:
        return []
    (workdir / "datafile.dat").write_text(datafile)
    (workdir / "pedfile.dat").write_text("\n".join(pedlines) + "\n")
    log = []
    for program in PROGRAMS:
        run = subprocess.run([program], cwd=workdir, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, check=False)
        log.append(f"$ {program} (exit {run.returncode})\n{run.stdout}{run.stderr}")
        if run.returncode != 0:
            raise FastlinkError("\n".join(log))
    outfile = workdir / "outfile.dat"
    found: dict[int, float] = {}
    if outfile.exists():
        for line in outfile.read_text().splitlines():
            match = _RESULT_LINE.match(line)
            if match and int(match[1]) not in found:  # first theta block only
                found[int(match[1])] = float(match[2])
    if sorted(found) != list(range(1, count + 1)):
        raise FastlinkError("MLINK printed no likelihood for every pedigree\n" + "\n".join(log))
    # MLINK prints ln L = -1e20 for a pedigree whose data are impossible
    return [-math.inf if found[k] <= _IMPOSSIBLE else found[k] for k in range(1, count + 1)]
