"""Families and relationships: the pedigree model (Individual, Family) with its checks, and
which members a VCF holds. PED files are read by cmmvar.io.ped_file.

Knows people, parents, sex and phenotype; knows nothing about variants or VCF records
(sample matching takes only the list of sample names).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from pathlib import Path

from cmmvar.errors import PedigreeError


class Sex(IntEnum):
    UNKNOWN = 0
    MALE = 1
    FEMALE = 2


class Phenotype(StrEnum):
    UNKNOWN = "unknown"
    UNAFFECTED = "unaffected"
    AFFECTED = "affected"


@dataclass(frozen=True)
class Individual:
    id: str
    father: str | None
    mother: str | None
    sex: Sex
    phenotype: Phenotype
    liability_class: str | None = None
    line: int | None = None  # line in the PED file; None for a parent added by cmmvar
    age: float | None = None  # years, from the column ped_columns.age names
    deceased: bool | None = None  # from the column ped_columns.deceased names

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


def build_family(fid: str, listed: list[Individual], path: Path,
                  notes: tuple[str, ...]) -> Family:
    """The family of the people a PED file lists for `fid`, checked (each listed once,
    parents of the right sex, no one their own ancestor), with the parents named but not
    listed added as founders; `notes` start its warnings."""
    warnings: list[str] = list(notes)
    people: dict[str, Individual] = {}
    for ind in listed:
        if ind.id in people:
            raise PedigreeError(
                f"individual {ind.id!r} of family {fid!r} is listed twice "
                f"(lines {people[ind.id].line} and {ind.line})",
                path=path, line=ind.line, hint="each individual ID must be unique in its family")
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
        # Other people of a joint VCF are counted, never named: this message goes to the
        # family's log (the family's outputs name only its members).
        raise PedigreeError(
            f"none of the affected members of family {family.id!r} "
            f"({', '.join(ind.id for ind in affected)}) is a sample of {vcf_path} "
            f"({_samples_seen(sequenced, len(vcf_only))})",
            path=family.path,
            hint="the PED's individual IDs must equal the VCF sample names")
    return SampleMatch(sequenced, not_sequenced, vcf_only)


def _samples_seen(members: tuple[str, ...], others: int) -> str:
    """What a VCF holds, in words that name the family's members only."""
    if not members and not others:
        return "it has no samples"
    named = f"of this family {', '.join(members)}; " if members else "none of this family; "
    return f"its samples: {named}{others} of other people, not named"
