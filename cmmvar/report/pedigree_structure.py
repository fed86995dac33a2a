"""The structure a pedigree drawing rests on: unions (a couple and their children, in PED
order, consanguineous when the partners share an ancestor), ancestors, generations and the
unrelated parts of a family. Knows people and parents; nothing about positions or drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmmvar.errors import PedigreeError
from cmmvar.io.pedigree import Family, Individual


@dataclass
class Union:
    father: str
    mother: str
    children: list[str]
    consanguineous: bool

    @property
    def partners(self) -> tuple[str, str]:
        return self.father, self.mother


class Pedigree:
    """People, unions in order of their first child in the PED, ancestors and generations."""

    def __init__(self, people: dict[str, Individual]):
        self.people = people
        self.order = {pid: i for i, pid in enumerate(people)}
        self.founders = {pid for pid, ind in people.items() if ind.is_founder}
        self.ancestors = _ancestors(people)
        self.unions: list[Union] = []
        by_pair: dict[tuple[str, str], Union] = {}
        for ind in people.values():
            if ind.is_founder:
                continue
            pair = (ind.father, ind.mother)
            if pair not in by_pair:
                shared = self.ancestors[ind.father] & self.ancestors[ind.mother]
                by_pair[pair] = Union(ind.father, ind.mother, [], bool(shared))
                self.unions.append(by_pair[pair])
            by_pair[pair].children.append(ind.id)
        self.couples = {frozenset(u.partners) for u in self.unions}
        self.unions_of: dict[str, list[Union]] = {pid: [] for pid in people}
        for union in self.unions:
            for partner in union.partners:
                self.unions_of[partner].append(union)
        self.generation = self._generations()

    def partner(self, union: Union, pid: str) -> str:
        return union.mother if pid == union.father else union.father

    def _generations(self) -> dict[str, int]:
        """Rows, top = 0: each child below both parents (a hard rule); partners in one row and
        founders right above their highest child wherever these wishes can all hold together
        (partners of whom one descends from the other are never levelled)."""
        people, gen = self.people, dict.fromkeys(self.people, 0)
        topo = _topological(people)
        founders = [pid for pid in people if pid in self.founders]
        children: dict[str, list[str]] = {pid: [] for pid in people}
        for ind in people.values():
            for parent in (ind.father, ind.mother):
                if parent is not None:
                    children[parent].append(ind.id)

        def push_children_down() -> bool:
            changed = False
            for pid in topo:
                ind = people[pid]
                if not ind.is_founder:
                    depth = max(gen[ind.father], gen[ind.mother]) + 1
                    if depth > gen[pid]:
                        gen[pid], changed = depth, True
            return changed

        while True:
            changed = push_children_down()
            for pid in founders:
                if children[pid]:
                    depth = min(gen[c] for c in children[pid]) - 1
                    if depth > gen[pid]:
                        gen[pid], changed = depth, True
            for union in self.unions:
                a, b = union.partners
                if a in self.ancestors[b] or b in self.ancestors[a] or gen[a] == gen[b]:
                    continue
                lower = a if gen[a] < gen[b] else b
                gen[lower], changed = max(gen[a], gen[b]), True
            if not changed:
                break
            if max(gen.values()) > len(people):
                # the wishes contradict each other (someone partners both a person and that
                # person's child): drop the partners' levelling, keep founders beside partners
                gen.update(dict.fromkeys(people, 0))
                push_children_down()
                for pid in founders:
                    partners = [self.partner(u, pid) for u in self.unions_of[pid]]
                    if partners:
                        gen[pid] = max(gen[p] for p in partners)
                push_children_down()
                break
        top = min(gen.values())
        return {pid: g - top for pid, g in gen.items()}


def _ancestors(people: dict[str, Individual]) -> dict[str, frozenset[str]]:
    """Each person with all their ancestors (the person included, so that a union of a person
    with their own descendant counts as consanguineous too)."""
    found: dict[str, frozenset[str]] = {}
    for pid in _topological(people):
        ind = people[pid]
        found[pid] = frozenset({pid}).union(
            *(found[p] for p in (ind.father, ind.mother) if p is not None))
    return found


def _topological(people: dict[str, Individual]) -> list[str]:
    """Parents before children, otherwise PED order (read_ped has rejected cycles)."""
    done: dict[str, None] = {}

    def visit(pid: str) -> None:
        if pid in done:
            return
        ind = people[pid]
        for parent in (ind.father, ind.mother):
            if parent is not None:
                visit(parent)
        done[pid] = None

    for pid in people:
        visit(pid)
    return list(done)


def connected_parts(people: dict[str, Individual]) -> dict[str, int]:
    """Connected parts of the family (by parent-child links), numbered in PED order."""
    part: dict[str, int] = {}
    links: dict[str, list[str]] = {pid: [] for pid in people}
    for ind in people.values():
        for parent in (ind.father, ind.mother):
            if parent is not None:
                links[ind.id].append(parent)
                links[parent].append(ind.id)
    for start in people:
        if start in part:
            continue
        number = len(set(part.values()))
        part[start], todo = number, [start]
        while todo:
            for other in links[todo.pop()]:
                if other not in part:
                    part[other] = number
                    todo.append(other)
    return part


def check_drawable(family: Family, people: dict[str, Individual], proband: str | None) -> None:
    """Raise PedigreeError unless the family can be drawn: the proband a member, and every
    person with both parents or neither, both in the family."""
    if proband is not None and proband not in people:
        raise PedigreeError(f"proband {proband!r} is not a member of family {family.id!r}",
                            path=family.path)
    for ind in family.individuals:
        if (ind.father is None) != (ind.mother is None):
            raise PedigreeError(f"{ind.id!r} has one parent; a drawing needs both or neither "
                                f"(read_ped adds the missing partner)", path=family.path)
        for parent in (ind.father, ind.mother):
            if parent is not None and parent not in people:
                raise PedigreeError(f"parent {parent!r} of {ind.id!r} is not a member of "
                                    f"family {family.id!r}", path=family.path)
