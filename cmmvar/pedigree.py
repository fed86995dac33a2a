"""Families and relationships: the PED parser and the pedigree model with its checks.

Knows people, parents, sex and phenotype; knows nothing about variants or VCF records
(sample matching takes only the list of sample names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from pathlib import Path

from cmmvar.errors import PedigreeError

_HEADER_FIRST = {"fid", "family", "family_id", "familyid", "famid", "pedigree", "ped"}
_NO_PARENT = {"0", ".", "-9", ""}


class Sex(IntEnum):
    UNKNOWN = 0
    MALE = 1
    FEMALE = 2


class Phenotype(StrEnum):
    UNKNOWN = "unknown"
    UNAFFECTED = "unaffected"
    AFFECTED = "affected"


_SEX_CODES = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE}
_PHENOTYPE_CODES = {
    "2": Phenotype.AFFECTED,
    "1": Phenotype.UNAFFECTED,
    "0": Phenotype.UNKNOWN,
    "-9": Phenotype.UNKNOWN,
}


@dataclass(frozen=True)
class Individual:
    id: str
    father: str | None
    mother: str | None
    sex: Sex
    phenotype: Phenotype
    liability_class: str | None = None
    line: int | None = None  # line in the PED file; None for a parent added by cmmvar

    @property
    def added(self) -> bool:
        """True for a parent who was named but not listed, added as an untyped founder."""
        return self.line is None

    @property
    def is_founder(self) -> bool:
        return self.father is None and self.mother is None


@dataclass(frozen=True)
class Family:
    id: str
    individuals: tuple[Individual, ...]  # PED order; added parents follow
    path: str
    warnings: tuple[str, ...] = ()
    _by_id: dict = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {ind.id: ind for ind in self.individuals})

    def __getitem__(self, individual_id: str) -> Individual:
        return self._by_id[individual_id]

    def __contains__(self, individual_id: str) -> bool:
        return individual_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(ind.id for ind in self.individuals)

    def with_phenotype(self, phenotype: Phenotype) -> tuple[Individual, ...]:
        return tuple(ind for ind in self.individuals if ind.phenotype is phenotype)

    def children(self, individual_id: str) -> tuple[Individual, ...]:
        return tuple(
            ind for ind in self.individuals if individual_id in (ind.father, ind.mother)
        )


@dataclass(frozen=True)
class SampleMatch:
    """Which pedigree members have data in a VCF, and which VCF samples are not in the family."""

    sequenced: tuple[str, ...]
    not_sequenced: tuple[str, ...]
    vcf_only: tuple[str, ...]


def read_ped(path: str | Path) -> dict[str, Family]:
    """Parse a PED file (6 columns, optional 7th = liability class) into families by ID."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may write a BOM
    except FileNotFoundError:
        raise PedigreeError("PED file not found", path=path,
                            hint="check the ped column of the families sheet") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PedigreeError(f"cannot read PED file: {exc}", path=path) from None

    rows: dict[str, list[tuple[int, list[str]]]] = {}
    seen_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = re.split(r"[ \t]+", line)
        if not seen_data and _is_header(tokens):
            seen_data = True  # a header line, optional
            continue
        seen_data = True
        if len(tokens) not in (6, 7):
            raise PedigreeError(
                f"expected 6 columns (family, individual, father, mother, sex, phenotype) "
                f"or 7 with a liability class, found {len(tokens)}: {line!r}",
                path=path, line=number,
                hint="separate columns by tabs or spaces; use 0 for unknown parents",
            )
        rows.setdefault(tokens[0], []).append((number, tokens))
    if not rows:
        raise PedigreeError("PED file has no individuals", path=path)
    return {fid: _build_family(fid, lines, path) for fid, lines in rows.items()}


def _is_header(tokens: list[str]) -> bool:
    """A first line naming the columns (`FID IID ...`), not the first row of a family that
    happens to be called e.g. `Family` or `PED`: a header has no sex and phenotype codes."""
    looks_like_data = (len(tokens) in (6, 7) and tokens[4] in _SEX_CODES
                       and tokens[5] in _PHENOTYPE_CODES)
    return tokens[0].lower() in _HEADER_FIRST and not looks_like_data


def read_family(path: str | Path, family_id: str) -> Family:
    """The family `family_id` from a PED file that may hold several families."""
    families = read_ped(path)
    if family_id not in families:
        raise PedigreeError(
            f"family {family_id!r} is not in this PED file (it holds: "
            f"{', '.join(sorted(families))})",
            path=path, hint="make family_id in the families sheet match the PED's first column",
        )
    return families[family_id]


def _parse_row(tokens: list[str], number: int, path: Path) -> Individual:
    _, iid, father, mother, sex, phenotype, *rest = tokens
    if sex not in _SEX_CODES:
        raise PedigreeError(f"sex of {iid!r} is {sex!r}; use 1 (male), 2 (female) or 0 (unknown)",
                            path=path, line=number)
    if phenotype not in _PHENOTYPE_CODES:
        raise PedigreeError(
            f"phenotype of {iid!r} is {phenotype!r}; use 2 (affected), 1 (unaffected), "
            f"0 or -9 (unknown)", path=path, line=number)
    father = None if father in _NO_PARENT else father
    mother = None if mother in _NO_PARENT else mother
    if iid in (father, mother):
        raise PedigreeError(f"{iid!r} is listed as their own parent", path=path, line=number)
    if father is not None and father == mother:
        raise PedigreeError(f"{iid!r} has the same person {father!r} as father and mother",
                            path=path, line=number)
    liability = rest[0] if rest else None
    return Individual(iid, father, mother, _SEX_CODES[sex], _PHENOTYPE_CODES[phenotype],
                      liability, number)


def _build_family(fid: str, lines: list[tuple[int, list[str]]], path: Path) -> Family:
    warnings: list[str] = []
    people: dict[str, Individual] = {}
    for number, tokens in lines:
        ind = _parse_row(tokens, number, path)
        if ind.id in people:
            raise PedigreeError(
                f"individual {ind.id!r} of family {fid!r} is listed twice "
                f"(lines {people[ind.id].line} and {number})",
                path=path, line=number, hint="each individual ID must be unique in its family")
        people[ind.id] = ind

    _check_parent_sex(people, path, warnings)
    _add_missing_parents(people, warnings)
    _check_cycles(people, path, fid)

    _warn_disconnected(fid, people, warnings)
    return Family(fid, tuple(people.values()), str(path), tuple(warnings))


def _check_parent_sex(people: dict[str, Individual], path: Path, warnings: list[str]) -> None:
    fathers = {p.father: p for p in people.values() if p.father}
    mothers = {p.mother: p for p in people.values() if p.mother}
    for pid in fathers.keys() & mothers.keys():
        raise PedigreeError(
            f"{pid!r} is the father of {fathers[pid].id!r} and the mother of {mothers[pid].id!r}",
            path=path, line=fathers[pid].line)
    for role, parents, expected in (("father", fathers, Sex.MALE), ("mother", mothers, Sex.FEMALE)):
        for pid, child in parents.items():
            parent = people.get(pid)
            if parent is None:
                continue
            if parent.sex is Sex.UNKNOWN:
                people[pid] = replace(parent, sex=expected)
                warnings.append(f"{pid} has sex 0 (unknown) in the PED but is the {role} of "
                                f"{child.id}; taken as {expected.name.lower()}")
            elif parent.sex is not expected:
                raise PedigreeError(
                    f"{pid!r} is the {role} of {child.id!r} (line {child.line}) but is coded "
                    f"{parent.sex.name.lower()}",
                    path=path, line=parent.line,
                    hint=f"fix the sex column of {pid!r} or the {role} column of {child.id!r}")


def _add_missing_parents(people: dict[str, Individual], warnings: list[str]) -> None:
    """Named-but-unlisted parents, and the unnamed partner of a single listed parent,
    become untyped founders of unknown phenotype: the likelihood needs both parents."""
    for ind in list(people.values()):
        for role, sex in (("father", Sex.MALE), ("mother", Sex.FEMALE)):
            pid = getattr(ind, role)
            if pid is not None and pid not in people:
                people[pid] = Individual(pid, None, None, sex, Phenotype.UNKNOWN)
                warnings.append(f"{role} {pid} of {ind.id} is not in the PED file; "
                                f"added as an ungenotyped founder of unknown phenotype")
    for ind in list(people.values()):
        if (ind.father is None) == (ind.mother is None):
            continue
        known = ind.father or ind.mother
        role, sex = ("mother", Sex.FEMALE) if ind.mother is None else ("father", Sex.MALE)
        partner = f"{known}.partner"
        if partner not in people:
            people[partner] = Individual(partner, None, None, sex, Phenotype.UNKNOWN)
            warnings.append(f"{ind.id} has one parent listed; an unknown {role} {partner} was "
                            f"added (children of {known} with no other parent are taken as full "
                            f"siblings)")
        people[ind.id] = replace(ind, **{role: partner})


def _check_cycles(people: dict[str, Individual], path: Path, fid: str) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(pid: str, trail: list[str]) -> None:
        if state.get(pid) == 2:
            return
        if state.get(pid) == 1:
            loop = trail[trail.index(pid):] + [pid]
            raise PedigreeError(
                f"family {fid!r} has a cycle: {' -> '.join(loop)} (each is a parent of the "
                f"previous one, so someone is their own ancestor)",
                path=path, line=people[pid].line, hint="check the father and mother columns")
        state[pid] = 1
        ind = people[pid]
        for parent in (ind.father, ind.mother):
            if parent is not None:
                visit(parent, trail + [pid])
        state[pid] = 2

    for pid in people:
        visit(pid, [])


def _warn_disconnected(fid: str, people: dict[str, Individual], warnings: list[str]) -> None:
    if len(people) < 2:
        return
    neighbours: dict[str, set[str]] = {pid: set() for pid in people}
    for ind in people.values():
        for parent in (ind.father, ind.mother):
            if parent is not None:
                neighbours[ind.id].add(parent)
                neighbours[parent].add(ind.id)
    start = next(iter(people))
    reached, todo = {start}, [start]
    while todo:
        for other in neighbours[todo.pop()] - reached:
            reached.add(other)
            todo.append(other)
    alone = [pid for pid in people if pid not in reached]
    if alone:
        warnings.append(f"family {fid}: {', '.join(alone)} not connected to "
                        f"{start} by any parent-child link")


def match_samples(family: Family, vcf_samples: list[str], vcf_path: str) -> SampleMatch:
    """Pedigree members with data in the VCF; an error if no affected member has data."""
    in_vcf = set(vcf_samples)
    sequenced = tuple(pid for pid in family.ids if pid in in_vcf)
    not_sequenced = tuple(pid for pid in family.ids if pid not in in_vcf)
    members = set(family.ids)
    vcf_only = tuple(s for s in vcf_samples if s not in members)
    affected = family.with_phenotype(Phenotype.AFFECTED)
    if not affected:
        raise PedigreeError(
            f"family {family.id!r} has no affected member (phenotype 2)",
            path=family.path, hint="code affected relatives with 2 in the 6th column")
    if not any(ind.id in in_vcf for ind in affected):
        shown = ", ".join(vcf_samples[:8]) + (" ..." if len(vcf_samples) > 8 else "")
        raise PedigreeError(
            f"none of the affected members of family {family.id!r} "
            f"({', '.join(ind.id for ind in affected)}) is a sample of {vcf_path} "
            f"(its samples: {shown or 'none'})",
            path=family.path,
            hint="the PED's individual IDs must equal the VCF sample names")
    return SampleMatch(sequenced, not_sequenced, vcf_only)
