"""Pedigree drawings: a family as one self-contained inline SVG in standard nomenclature.

Holds the layout (generations, order within rows, x positions) and the SVG writer; knows
nothing about variants beyond the genotype label it is given for each person.

Symbols follow Bennett et al. 2008 (J Genet Couns 17:424), updated 2022 (J Genet Couns 31:1238):
square male, circle female, diamond sex unknown; black affected, white unaffected and, our
choice where the standard is silent, grey for phenotype unknown (explained in the legend drawn
in the same SVG); an arrow at the lower left with "P" marks the proband; a double relationship
line marks partners who share an ancestor; generations are rows labelled I, II, III...; a dot
in the centre marks a carrier who is not expected to be affected (the caller names them: a
recessive heterozygote, a heterozygous woman for an X-linked recessive gene); a diagonal line
through the symbol marks a deceased person; the age in years follows the id below the symbol
("d." before it when deceased: age at death). The key lists exactly what the drawing shows.

Layout, our own design after the idea described for kinship2's align.pedigree (generation
assignment, then order within generations keeping partners adjacent and sibships contiguous):
1. generations: a child sits below both parents; founders who married in take their partner's
   row and founders sit directly above their highest child;
2. rows: every person who has parents is drawn in their parents' sibship; a founder who married
   in is drawn beside their partner (a person with two partners between them, one sibship under
   each union), so each union hangs its sibship from the row where it is drawn;
3. x positions: bottom-up, each row is packed against its neighbours by contours per level
   (symbol rows and the bands of connecting lines), like a tidy tree, and each couple is centred
   over its sibship as far as spacing allows (least squares under minimum gaps, solved exactly by
   pool-adjacent-violators).
Lines are drawn from the final positions, so a sibship line always reaches its couple even
where the layout could not centre it.

Limitations: no one is drawn twice, so loops are drawn as they fall: a union between two people
who both have parents in the drawing (cousins, two lineages joining) hangs its children under
one partner's side with the sibship line running across to the couple, and where siblings' PED
order keeps such partners apart the relationship line is routed above the people between them
(lines may then cross; no symbol or label is ever overlapped). Partners stand in different rows
only where row wishes contradict each other (someone partnering both a person and that person's
child, or their own descendant); their line is then slanted. Label widths are estimated, not
measured (no font metrics in a report), generously for a sans-serif font.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html import escape

from cmmvar.errors import PedigreeError
from cmmvar.pedigree import Family, Individual, Phenotype, Sex

# geometry, in SVG user units (px at 100 %)
SYMBOL = 28.0                # side of the square, diameter of the circle
DIAMOND = 17.0               # half diagonal of the diamond (same visual weight as the square)
FONT = 11.0                  # member labels
LABEL_DY = 38.0              # id baseline below the symbol centre (room for the proband arrow)
GENOTYPE_DY = 52.0           # genotype baseline below the symbol centre
SIBSHIP_DY = 74.0            # sibship line below the parents' symbol centre
SIBSHIP_TRACKS = (SIBSHIP_DY, SIBSHIP_DY - 10, SIBSHIP_DY + 12, SIBSHIP_DY + 22)  # the usual
# one, then others between the labels above (down to +55) and the symbols below (from +107)
ROW_HEIGHT = 124.0           # between generation rows
BRACKET_DY = SYMBOL / 2 + 10  # a relationship line routed above people standing in between
DOUBLE = 2.5                 # half the distance between the two lines of a consanguineous union
ROW_GAP = 16.0               # free space between neighbours' symbols and labels
LINE_GAP = 24.0              # free space between unrelated horizontal lines
SIBSHIP_EXTRA = 20.0         # more space between the sibships of one person's two unions
COMPONENT_GAP = 64.0         # between unrelated parts of the family
MIN_COUPLE = 56.0            # least distance between partners' centres
MARGIN = 16.0

FILL = {Phenotype.AFFECTED: "#000000", Phenotype.UNAFFECTED: "#ffffff",
        Phenotype.UNKNOWN: "#bdbdbd"}
SHAPE = {Sex.MALE: "square", Sex.FEMALE: "circle", Sex.UNKNOWN: "diamond"}
SEX_WORD = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.UNKNOWN: "unknown"}
GENOTYPE_KEY = (("+/−", "heterozygous"), ("+/+", "homozygous"), ("−/−", "no variant"),
                ("?", "not sequenced or failed QC"))
# a male's X outside the pseudo-autosomal regions: one copy
HEMIZYGOUS_KEY = (("+", "hemizygous"), ("−", "hemizygous, no variant"))

_ARROW_DIR = (0.819, -0.573)  # unit vector from the arrow's tail to its tip, up and right
_ARROW_LEN = 16.0


def draw_pedigree(family: Family, *, proband: str | None,
                  genotypes: Mapping[str, str] | None = None,
                  title: str | None = None, carriers: Collection[str] = (),
                  proband_note: str = "") -> str:
    """The family as an `<svg>` element for inline use in an HTML report.

    `genotypes` maps a person's id to the label written under the symbol ("+/−", "+/+", "−/−",
    "?"); when it is given, a person missing from it is labelled "?" (not sequenced), and ids
    not in the family are ignored; when it is None no genotype line is drawn. Every string
    from the input is escaped. Each person is a `<g class="member">` with data-id, data-sex,
    data-status, data-shape, data-genotype, data-label ("III-4") and, for the proband,
    data-proband="true", data-carrier="true" for a person in `carriers` (drawn with a dot),
    data-deceased="true" and data-age where the Individual has them; each union a
    `<g class="union">` with data-father, data-mother and data-consanguineous. `proband_note`
    follows "proband" in the key and the proband's tooltip ("chosen by rule"). Raises
    PedigreeError for a proband not in the family or a person with a single or an unlisted
    parent (read_ped adds those parents, so only hand-made families).
    """
    people = {ind.id: ind for ind in family.individuals}
    _check(family, people, proband)
    labels = None if genotypes is None else {pid: genotypes.get(pid, "?") for pid in people}
    pedigree = _Pedigree(people)
    extents = {pid: _extents(ind, labels, pid == proband) for pid, ind in people.items()}
    xs = _Layout(pedigree, extents).positions()
    svg = _Svg(pedigree, extents, xs, proband, labels, title)
    svg.carriers = frozenset(carriers) & people.keys()
    svg.proband_words = f"proband, {proband_note}" if proband_note else "proband"
    return svg.render()


def _check(family: Family, people: dict[str, Individual], proband: str | None) -> None:
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


# --- the pedigree's structure ----------------------------------------------------------------

@dataclass
class _Union:
    father: str
    mother: str
    children: list[str]
    consanguineous: bool

    @property
    def partners(self) -> tuple[str, str]:
        return self.father, self.mother


class _Pedigree:
    """People, unions in order of their first child in the PED, ancestors and generations."""

    def __init__(self, people: dict[str, Individual]):
        self.people = people
        self.order = {pid: i for i, pid in enumerate(people)}
        self.founders = {pid for pid, ind in people.items() if ind.is_founder}
        self.ancestors = _ancestors(people)
        self.unions: list[_Union] = []
        by_pair: dict[tuple[str, str], _Union] = {}
        for ind in people.values():
            if ind.is_founder:
                continue
            pair = (ind.father, ind.mother)
            if pair not in by_pair:
                shared = self.ancestors[ind.father] & self.ancestors[ind.mother]
                by_pair[pair] = _Union(ind.father, ind.mother, [], bool(shared))
                self.unions.append(by_pair[pair])
            by_pair[pair].children.append(ind.id)
        self.couples = {frozenset(u.partners) for u in self.unions}
        self.unions_of: dict[str, list[_Union]] = {pid: [] for pid in people}
        for union in self.unions:
            for partner in union.partners:
                self.unions_of[partner].append(union)
        self.generation = self._generations()

    def partner(self, union: _Union, pid: str) -> str:
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


# --- sizes -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Extent:
    left: float    # room from the symbol centre to the left edge of whatever the person draws
    right: float
    half: float    # half width of the symbol itself


def _extents(ind: Individual, labels: Mapping[str, str] | None, is_proband: bool) -> _Extent:
    half = DIAMOND if ind.sex is Sex.UNKNOWN else SYMBOL / 2
    texts = [ind.id + _age_text(ind)] + ([labels[ind.id]] if labels is not None else [])
    reach = max([half] + [_text_width(t, FONT) / 2 for t in texts])
    left = reach
    if is_proband:
        tail_x, _ = _arrow(ind.sex)[0]
        left = max(left, -tail_x + 2 + _text_width("P", FONT) + 2)
    return _Extent(left, reach, half)


def _text_width(text: str, size: float) -> float:
    """A generous estimate of the rendered width of `text` in a sans-serif font: the report
    has no font metrics, so labels get the room of Helvetica's wider glyphs."""
    width = 0.0
    for char in text:
        if char in "iljI.,:;|!'`/":
            width += 0.32
        elif char in "ftr()[]{} -":
            width += 0.42
        elif char in "MWmw@%":
            width += 0.95
        elif ord(char) >= 0x2E80:  # CJK and other full-width scripts
            width += 1.0
        elif char.isupper():
            width += 0.74
        else:
            width += 0.6
    return width * size


def _arrow(sex: Sex) -> tuple[tuple[float, float], tuple[float, float]]:
    """The proband arrow's tail and tip relative to the symbol centre: pointing up and right
    at the lower-left of the outline, low enough to stay clear of the relationship line and
    high enough to stay clear of the labels."""
    corner = {Sex.MALE: (-SYMBOL / 2, SYMBOL / 2),
              Sex.FEMALE: (-SYMBOL / 2 * math.sqrt(0.5), SYMBOL / 2 * math.sqrt(0.5)),
              Sex.UNKNOWN: (-DIAMOND / 2, DIAMOND / 2)}[sex]
    tip = (corner[0] - 2.0, corner[1] + 1.4)
    tail = (tip[0] - _ARROW_LEN * _ARROW_DIR[0], tip[1] - _ARROW_LEN * _ARROW_DIR[1])
    return tail, tip


# --- layout ----------------------------------------------------------------------------------

def _row_level(gen: int) -> int:
    return 2 * gen


def _line_level(gen: int) -> int:
    """The band of sibship lines below row `gen`."""
    return 2 * gen + 1


@dataclass
class _Box:
    """A laid-out part of the drawing: x of its people and, per level, the span it occupies."""
    xs: dict[str, float] = field(default_factory=dict)
    contour: dict[int, list[float]] = field(default_factory=dict)

    def occupy(self, level: int, lo: float, hi: float) -> None:
        span = self.contour.setdefault(level, [lo, hi])
        span[0], span[1] = min(span[0], lo), max(span[1], hi)

    def moved(self, dx: float) -> _Box:
        return _Box({p: x + dx for p, x in self.xs.items()},
                    {lv: [lo + dx, hi + dx] for lv, (lo, hi) in self.contour.items()})

    def add(self, other: _Box) -> None:
        self.xs.update(other.xs)
        for level, (lo, hi) in other.contour.items():
            self.occupy(level, lo, hi)


def _gap(level: int) -> float:
    return ROW_GAP if level % 2 == 0 else LINE_GAP


def _shift_to_clear(left: _Box, right: _Box, room: float = 0.0,
                    room_at: Mapping[int, float] | None = None) -> float:
    """How far to move `right` so that, on every level both use, it starts after `left` ends,
    with `room` more space on every level and `room_at[level]` more on that level."""
    common = left.contour.keys() & right.contour.keys()
    if not common:  # nothing in the same band: keep them wholly apart all the same
        return (max(hi for _, hi in left.contour.values()) + COMPONENT_GAP
                - min(lo for lo, _ in right.contour.values()))
    room_at = room_at or {}
    return max(left.contour[lv][1] + _gap(lv) + room + room_at.get(lv, 0.0)
               - right.contour[lv][0] for lv in common)


def _pack(boxes: list[_Box], room: list[tuple[float, dict[int, float]]] | None = None) -> _Box:
    """Boxes side by side, left to right, each as far left as the ones before allow;
    `room[i]` (all levels, per level) adds space between box i and box i + 1."""
    packed = _Box()
    for i, box in enumerate(boxes):
        if packed.contour:
            box = box.moved(_shift_to_clear(packed, box, *(room[i - 1] if room else ())))
        packed.add(box)
    return packed


class _Layout:
    """Rows (a person with the founders who married in beside them), the tree of rows
    (each row's sibships), and x positions from a bottom-up packing of that tree."""

    def __init__(self, pedigree: _Pedigree, extents: dict[str, _Extent]):
        self.ped = pedigree
        self.ext = extents
        self.row_of: dict[str, str] = {}          # person -> the row's anchor
        self.tree_parent: dict[str, str] = {}     # founder -> the partner it stands beside
        self._assign_rows()
        self.rows = {anchor: self._arrange(anchor) for anchor in self._anchors()}
        self.hosted: dict[str, list[_Union]] = {anchor: [] for anchor in self.rows}
        for union in pedigree.unions:
            self.hosted[self._host(union)].append(union)
        self.sequence = self._provisional_order()
        for anchor, unions in self.hosted.items():
            unions.sort(key=lambda u, a=anchor: self._union_place(u, a))

    # rows -------------------------------------------------------------------------------

    def _assign_rows(self) -> None:
        ped = self.ped
        for pid in ped.people:
            if pid not in ped.founders:
                self.row_of[pid] = pid
        queue = []
        for pid in ped.people:  # a founder stands beside their first partner who has parents
            if pid in ped.founders:
                for union in ped.unions_of[pid]:
                    partner = ped.partner(union, pid)
                    if partner not in ped.founders:
                        self.row_of[pid], self.tree_parent[pid] = partner, partner
                        queue.append(pid)
                        break
        self._spread(queue)
        for pid in ped.people:  # founders married only to founders: the best connected leads
            if pid in self.row_of:
                continue
            group, todo = [pid], [pid]
            while todo:
                for union in ped.unions_of[todo.pop()]:
                    for other in union.partners:
                        if other not in group:
                            group.append(other)
                            todo.append(other)
            lead = min(group, key=lambda p: (-len(ped.unions_of[p]), ped.order[p]))
            self.row_of[lead] = lead
            self._spread([lead])

    def _spread(self, queue: list[str]) -> None:
        """Founders married to a founder already placed join that founder's row."""
        ped = self.ped
        while queue:
            pid = queue.pop(0)
            for union in ped.unions_of[pid]:
                other = ped.partner(union, pid)
                if other in ped.founders and other not in self.row_of:
                    self.row_of[other], self.tree_parent[other] = self.row_of[pid], pid
                    queue.append(other)

    def _anchors(self) -> list[str]:
        return [pid for pid in self.ped.people if self.row_of[pid] == pid]

    def _beside(self, pid: str) -> list[str]:
        """Founders placed directly beside `pid`, in the order of their unions with `pid`."""
        ped = self.ped
        found = []
        for union in ped.unions_of[pid]:
            other = ped.partner(union, pid)
            if self.tree_parent.get(other) == pid and other not in found:
                found.append(other)
        return found

    def _arrange(self, anchor: str) -> list[str]:
        """The row left to right: one partner on the conventional side (a man left of a woman);
        with two or more, the first partner left and the others right, so each union's line
        runs between neighbours."""
        partners = self._beside(anchor)
        if len(partners) == 1:
            sexes = (self.ped.people[partners[0]].sex, self.ped.people[anchor].sex)
            goes_left = sexes[0] is Sex.MALE or sexes == (Sex.UNKNOWN, Sex.FEMALE)
            left, right = (partners, []) if goes_left else ([], partners)
        else:
            left, right = partners[:1], partners[1:]
        row = []
        for pid in left:
            row += self._outward(pid, "left")
        row.append(anchor)
        for pid in right:
            row += self._outward(pid, "right")
        return row

    def _outward(self, pid: str, side: str) -> list[str]:
        further = [self._outward(p, side) for p in self._beside(pid)]
        if side == "right":
            return [pid] + [p for part in further for p in part]
        return [p for part in reversed(further) for p in part] + [pid]

    def _host(self, union: _Union) -> str:
        """The row whose sibships include this union's: the partners' common row, else the row
        of the partner who has parents, else the father's."""
        rows = [self.row_of[p] for p in union.partners]
        if rows[0] == rows[1]:
            return rows[0]
        with_parents = [p for p in union.partners if p not in self.ped.founders]
        return self.row_of[with_parents[0] if len(with_parents) == 1 else union.father]

    def _provisional_order(self) -> dict[str, int]:
        """Left-to-right rank of everyone before x positions exist, used to tell on which side
        a partner drawn in another row will be."""
        ranks: dict[str, int] = {}
        visited: set[str] = set()

        def walk(anchor: str) -> None:
            visited.add(anchor)
            for pid in self.rows[anchor]:
                ranks.setdefault(pid, len(ranks))
            for union in self.hosted[anchor]:
                for child in union.children:
                    if child not in visited:
                        walk(child)

        for anchor in self._roots():
            if anchor not in visited:
                walk(anchor)
        return ranks

    def _roots(self) -> list[str]:
        """Rows not in any sibship: founders' rows, then any row left out of the tree (only a
        pedigree where someone partners their own ancestor's parent can cause that)."""
        hosted_children = {c for unions in self.hosted.values() for u in unions
                           for c in u.children}
        roots = sorted((a for a in self.rows if a not in hosted_children),
                       key=lambda a: min(self.ped.order[p] for p in self.rows[a]))
        return roots + [a for a in self.rows if a in hosted_children]

    def _side(self, union: _Union, anchor: str) -> tuple[str, int]:
        """For a union whose partners stand in different rows: the partner in this row and
        the side (-1 left, +1 right) where the other one is expected."""
        here = next(p for p in union.partners if self.row_of[p] == anchor)
        other = self.ped.partner(union, here)
        return here, 1 if self.sequence[other] > self.sequence[here] else -1

    def _union_place(self, union: _Union, anchor: str) -> tuple[float, int]:
        row = self.rows[anchor]
        if all(p in row for p in union.partners):
            place = sum(row.index(p) for p in union.partners) / 2
        else:
            here, side = self._side(union, anchor)
            place = row.index(here) + side / 2
        return place, self.ped.unions.index(union)

    # x positions ------------------------------------------------------------------------

    def positions(self) -> dict[str, float]:
        self._done: set[str] = set()
        components: dict[int, list[_Box]] = {}
        component = _components(self.ped.people)
        for root in self._roots():
            if root not in self._done:
                components.setdefault(component[root], []).append(self._box(root))
        parts = [_pack(boxes) for _, boxes in sorted(components.items())]
        whole = _Box()
        for part in parts:  # unrelated parts wholly apart, not interleaved
            if whole.contour:
                part = part.moved(max(hi for _, hi in whole.contour.values()) + COMPONENT_GAP
                                  - min(lo for lo, _ in part.contour.values()))
            whole.add(part)
        return whole.xs

    def _box(self, anchor: str) -> _Box:
        self._done.add(anchor)
        gen = self.ped.generation
        unions = self.hosted[anchor]
        sibships: list[list[_Box]] = []
        for union in unions:
            top = _line_level(max(gen[p] for p in union.partners))
            boxes = []
            for child in union.children:
                if child in self._done:
                    continue
                box = self._box(child)
                x = box.xs[child]
                for level in range(top, _row_level(gen[child])):
                    box.occupy(level, x - 1, x + 1)  # the drop line from the sibship line
                boxes.append(box)
            sibships.append(boxes)
        row = self.rows[anchor]
        extra = [0.0] * max(len(unions) - 1, 0)
        for _ in range(12):
            children = self._children(sibships, unions, extra)
            xs = self._place_row(anchor, unions, children)
            lines = [self._line_span(u, xs, children, anchor) for u in unions]
            crowded = False
            for k in range(len(lines) - 1):
                (lv1, _, hi1), (lv2, lo2, _) = lines[k], lines[k + 1]
                if lv1 == lv2 and hi1 + LINE_GAP > lo2:
                    extra[k] += hi1 + LINE_GAP - lo2
                    crowded = True
            if not crowded:
                break
        box = children
        for pid in row:
            x = xs[pid]
            box.xs[pid] = x
            box.occupy(_row_level(gen[pid]), x - self.ext[pid].left, x + self.ext[pid].right)
        for level, lo, hi in lines:
            box.occupy(level, lo, hi)
        return box

    def _children(self, sibships: list[list[_Box]], unions: list[_Union],
                  extra: list[float]) -> _Box:
        """All sibships of a row side by side, the sibships of different unions further apart
        (by `extra[k]` more between union k and k + 1)."""
        boxes, room = [], []
        gen = self.ped.generation
        for k, sibship in enumerate(sibships):
            for i, box in enumerate(sibship):
                if boxes:
                    if i == 0:  # first child of the next union: a wider gap
                        level = _line_level(max(gen[p] for p in unions[k].partners))
                        room.append((extra[k - 1], {level: SIBSHIP_EXTRA}))
                    else:
                        room.append((0.0, {}))
                boxes.append(box)
        return _pack(boxes, room)

    def _couple_gap(self, a: str, b: str) -> float:
        """Partners far enough apart that the line down from the middle of their relationship
        line passes between their labels."""
        reach = max(self.ext[a].right, self.ext[b].left)
        return max(MIN_COUPLE, 2 * reach + ROW_GAP)

    def _min_gaps(self, row: list[str]) -> list[float]:
        gaps = []
        for a, b in itertools.pairwise(row):
            gap = self.ext[a].right + self.ext[b].left + ROW_GAP
            if frozenset((a, b)) in self.ped.couples:
                gap = max(gap, self._couple_gap(a, b))
            gaps.append(gap)
        return gaps

    def _place_row(self, anchor: str, unions: list[_Union], children: _Box) -> dict[str, float]:
        """x of the row's people: every union's midpoint as near its sibship's centre as the
        minimum gaps allow (least squares, exact by isotonic regression)."""
        row = self.rows[anchor]
        gaps = self._min_gaps(row)
        offsets = [0.0]
        for gap in gaps:
            offsets.append(offsets[-1] + gap)
        wanted: list[list[float]] = [[] for _ in row]
        for union in unions:
            kids = [c for c in union.children if c in children.xs]
            if not kids:
                continue
            centre = (children.xs[kids[0]] + children.xs[kids[-1]]) / 2
            if all(p in row for p in union.partners):
                i, j = sorted(row.index(p) for p in union.partners)
                half = (offsets[j] - offsets[i]) / 2
                wanted[i].append(centre - half)
                wanted[j].append(centre + half)
            else:
                here, side = self._side(union, anchor)
                other = self.ped.partner(union, here)
                wanted[row.index(here)].append(centre - side * self._couple_gap(here, other) / 2)
        values = [(sum(w) / len(w) if w else 0.0) - offsets[i] for i, w in enumerate(wanted)]
        weights = [len(w) or 1e-9 for w in wanted]
        fitted = _isotonic(values, weights)
        return {pid: fitted[i] + offsets[i] for i, pid in enumerate(row)}

    def _line_span(self, union: _Union, xs: dict[str, float], children: _Box,
                   anchor: str) -> tuple[int, float, float]:
        """The band and horizontal span of a union's descent and sibship lines."""
        gen = self.ped.generation
        if all(p in xs for p in union.partners):
            a, b = sorted(union.partners, key=xs.__getitem__)
            stands = sorted((xs[p], p) for p in self.rows[anchor]
                            if xs[a] <= xs[p] <= xs[b] and gen[p] == gen[a])
            drop = _descent_x([(p, x, self.ext[p]) for x, p in stands], self.ped.couples)
        else:
            here, side = self._side(union, anchor)
            drop = xs[here] + side * self._couple_gap(here, self.ped.partner(union, here)) / 2
        kids = [children.xs[c] for c in union.children if c in children.xs]
        level = _line_level(max(gen[p] for p in union.partners))
        return level, min(kids + [drop]) - 1, max(kids + [drop]) + 1


def _descent_x(stands: list[tuple[str, float, _Extent]], couples: set[frozenset[str]]) -> float:
    """Where the line down to the children leaves a relationship line, given the partners and
    whoever stands between them, left to right: the line's middle; or, when people stand
    between, the middle of the free gap nearest to it, not the gap of another couple (whose
    own line comes down there)."""
    middle = (stands[0][1] + stands[-1][1]) / 2
    if len(stands) == 2:
        return middle
    gaps = [((xa + ea.right + xb - eb.left) / 2, frozenset((a, b)) in couples)
            for (a, xa, ea), (b, xb, eb) in itertools.pairwise(stands)]
    return min(gaps, key=lambda gap: (gap[1], abs(gap[0] - middle), gap[0]))[0]


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    pools: list[list[float]] = []  # [weighted sum, weight, count]
    for value, weight in zip(values, weights, strict=True):
        pools.append([value * weight, weight, 1])
        while len(pools) > 1 and pools[-2][0] / pools[-2][1] > pools[-1][0] / pools[-1][1]:
            total, w, n = pools.pop()
            pools[-1][0] += total
            pools[-1][1] += w
            pools[-1][2] += n
    fitted: list[float] = []
    for total, weight, count in pools:
        fitted += [total / weight] * int(count)
    return fitted


def _components(people: dict[str, Individual]) -> dict[str, int]:
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


# --- SVG -------------------------------------------------------------------------------------

def _num(value: float) -> str:
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**values: str | float) -> str:
    parts = []
    for key, value in values.items():
        shown = _num(value) if isinstance(value, float | int) else escape(value, quote=True)
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{shown}"')
    return " ".join(parts)


def roman(number: int) -> str:
    """1 -> I, 4 -> IV, 14 -> XIV."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while number >= value:
            out, number = out + letters, number - value
    return out


class _Svg:
    carriers: frozenset[str] = frozenset()  # drawn with a dot; draw_pedigree sets them
    proband_words = "proband"  # with how the proband was chosen ("chosen by rule")

    def __init__(self, pedigree: _Pedigree, extents: dict[str, _Extent], xs: dict[str, float],
                 proband: str | None, labels: Mapping[str, str] | None, title: str | None):
        self.ped, self.ext, self.proband, self.labels, self.title = (
            pedigree, extents, proband, labels, title)
        gen = pedigree.generation
        rows = max(gen.values()) + 1
        self.gen_label_width = max(_text_width(roman(g + 1), 12) for g in range(rows))
        lowest = min(xs[p] - extents[p].left for p in xs)
        dx = MARGIN + self.gen_label_width + 20 - lowest
        self.x = {p: x + dx for p, x in xs.items()}
        self.top = MARGIN + (30.0 if title else 0.0) + BRACKET_DY + 6 + SYMBOL / 2
        self.y = {p: self.top + gen[p] * ROW_HEIGHT for p in xs}
        self.rows = rows
        self.width = max(self.x[p] + extents[p].right for p in xs) + MARGIN
        self.numbers = self._numbers()

    def _numbers(self) -> dict[str, str]:
        """III-4: the generation's numeral and the place from the left in that row."""
        found = {}
        for g in range(self.rows):
            row = sorted((x, self.ped.order[p]) for p, x in self.x.items()
                         if self.ped.generation[p] == g)
            by_place = {order: i for i, (_, order) in enumerate(row, start=1)}
            for pid in self.x:
                if self.ped.generation[pid] == g:
                    found[pid] = f"{roman(g + 1)}-{by_place[self.ped.order[pid]]}"
        return found

    def render(self) -> str:
        body = []
        if self.title:
            body.append(f'<text {_attrs(class_="title", x=MARGIN, y=MARGIN + 14.0)} '
                        f'font-size="14" font-weight="bold">{escape(self.title)}</text>')
        for g in range(self.rows):
            y = self.top + g * ROW_HEIGHT
            body.append(f'<text {_attrs(class_="generation", x=MARGIN, y=y + 4.0)} '
                        f'font-size="12" font-weight="bold">{roman(g + 1)}</text>')
        body += self._unions()
        for pid in self.ped.people:
            body.append(self._member(pid))
        bottom = self.top + (self.rows - 1) * ROW_HEIGHT + GENOTYPE_DY + 8
        legend, legend_width, legend_height = self._legend(bottom + 24)
        body.append(legend)
        width = max(self.width, legend_width + 2 * MARGIN,
                    MARGIN * 2 + _text_width(self.title or "", 14))
        height = bottom + 24 + legend_height + MARGIN
        label = f"Pedigree {self.title}" if self.title else "Pedigree"
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'{_attrs(class_="pedigree", viewBox=f"0 0 {_num(width)} {_num(height)}")} '
                f'width="100%" preserveAspectRatio="xMinYMin meet" '
                f'style="max-width:{_num(width)}px;height:auto" role="img" '
                f'{_attrs(aria_label=label)} font-family="sans-serif">')
        heading = f"<title>{escape(label)}</title>"
        return "\n".join([head, heading] + body + ["</svg>"])

    # people -------------------------------------------------------------------------------

    def _member(self, pid: str) -> str:
        ind = self.ped.people[pid]
        x, y = self.x[pid], self.y[pid]
        shape = SHAPE[ind.sex]
        genotype = "" if self.labels is None else self.labels[pid]
        data = dict(class_="member", data_id=pid, data_sex=SEX_WORD[ind.sex],
                    data_status=ind.phenotype.value, data_shape=shape,
                    data_genotype=genotype, data_label=self.numbers[pid])
        if pid == self.proband:
            data["data_proband"] = "true"
        if ind.added:
            data["data_added"] = "true"
        if pid in self.carriers:
            data["data_carrier"] = "true"
        if ind.deceased:
            data["data_deceased"] = "true"
        if ind.age is not None:
            data["data_age"] = _years(ind.age)
        tooltip = [f"{pid} ({self.numbers[pid]})", f"sex {SEX_WORD[ind.sex]}",
                   f"phenotype {ind.phenotype.value}"]
        if self.labels is not None:
            tooltip.append(f"genotype {genotype}")
        if pid == self.proband:
            tooltip.append(self.proband_words)
        if ind.added:
            tooltip.append("not in the PED file (added parent)")
        if pid in self.carriers:
            tooltip.append("carrier, not expected to be affected")
        if ind.deceased:
            tooltip.append("deceased")
        if ind.age is not None:
            tooltip.append(f"{'age at death' if ind.deceased else 'age'} {_years(ind.age)} y")
        parts = [f"<g {_attrs(**data)}>", f"<title>{escape(', '.join(tooltip))}</title>",
                 _symbol(shape, x, y, FILL[ind.phenotype], ind.added, "symbol")]
        if pid in self.carriers:
            parts.append(_carrier_dot(x, y, 1.0))
        if ind.deceased:
            parts.append(_deceased_line(x, y, 1.0))
        age = _age_text(ind)
        shown_age = f'<tspan class="age">{escape(age)}</tspan>' if age else ""
        parts.append(f'<text {_attrs(class_="member-id", x=x, y=y + LABEL_DY)} '
                     f'text-anchor="middle" font-size="{_num(FONT)}">{escape(pid)}'
                     f'{shown_age}</text>')
        if self.labels is not None:
            parts.append(f'<text {_attrs(class_="genotype", x=x, y=y + GENOTYPE_DY)} '
                         f'text-anchor="middle" font-size="{_num(FONT)}">'
                         f'{escape(genotype)}</text>')
        if pid == self.proband:
            parts.append(_proband_arrow(ind.sex, x, y))
        parts.append("</g>")
        return "\n".join(parts)

    # unions -------------------------------------------------------------------------------

    def _unions(self) -> list[str]:
        """Each union's lines. Sibship lines hang on the usual track below their parents' row;
        one that would run along another's (a union drawn across other people) moves to a
        free track above or below, so no two sibship lines share a stretch."""
        shapes = [self._relationship(union) for union in self.ped.unions]
        taken: dict[float, list[tuple[float, float, float]]] = {}
        tracks: dict[int, float] = {}
        order = sorted(range(len(shapes)), key=lambda i: (shapes[i][3], i))
        for i in order:
            union, (_, drop_x, _, _, band) = self.ped.unions[i], shapes[i]
            kids = [self.x[c] for c in union.children]
            lo, hi = min(kids + [drop_x]), max(kids + [drop_x])
            used = taken.setdefault(band, [])
            free = [dy for dy in SIBSHIP_TRACKS if not any(
                t == dy and lo < end + LINE_GAP / 2 and start < hi + LINE_GAP / 2
                for t, start, end in used)]
            tracks[i] = band + (free[0] if free else SIBSHIP_TRACKS[0])
            used.append((tracks[i] - band, lo, hi))
        return [self._union(union, shapes[i], tracks[i])
                for i, union in enumerate(self.ped.unions)]

    def _relationship(self, union: _Union) -> tuple[list[str], float, float, bool, float]:
        """The relationship line(s), where the descent leaves them (x, y), whether the union
        is drawn across other people or rows, and the y of the lower partner's row."""
        a, b = sorted(union.partners, key=lambda p: (self.x[p], self.ped.order[p]))
        ya, yb = self.y[a], self.y[b]
        offsets = (-DOUBLE, DOUBLE) if union.consanguineous else (0.0,)
        lines = []
        if ya == yb:
            stands = sorted((self.x[p], self.ped.order[p], p) for p in self.ped.people
                            if self.y[p] == ya and self.x[a] <= self.x[p] <= self.x[b])
            drop_x = _descent_x([(p, x, self.ext[p]) for x, _, p in stands], self.ped.couples)
            across = len(stands) > 2
            if across:  # route the line above whoever stands between the partners
                for d in offsets:
                    top = ya - BRACKET_DY + d
                    xa, xb = self.x[a] + d, self.x[b] - d
                    points = [(xa, ya - _half_height(self._sex(a))), (xa, top), (xb, top),
                              (xb, yb - _half_height(self._sex(b)))]
                    shown = " ".join(f"{_num(px)},{_num(py)}" for px, py in points)
                    lines.append(f'<polyline class="mating-line" fill="none" stroke="#000" '
                                 f'points="{shown}"/>')
                drop_top = ya - BRACKET_DY + offsets[-1]
            else:
                for d in offsets:
                    x1 = self.x[a] + _half_width(self._sex(a), d)
                    x2 = self.x[b] - _half_width(self._sex(b), d)
                    lines.append(_line("mating-line", x1, ya + d, x2, ya + d))
                drop_top = ya + offsets[-1]
        else:  # partners in different rows (only where the rows could not be levelled)
            across = True
            for d in offsets:
                x1, x2 = self.x[a] + _half_width(self._sex(a), 0), self.x[b] - _half_width(
                    self._sex(b), 0)
                lines.append(_line("mating-line", x1, ya + d, x2, yb + d))
            drop_x = round((x1 + x2) / 2, 1)  # on the drawn line after rounding too
            along = 0.5 if x1 == x2 else (drop_x - x1) / (x2 - x1)
            drop_top = ya + (yb - ya) * along + offsets[-1]
        return lines, drop_x, drop_top, across, max(ya, yb)

    def _union(self, union: _Union, shape: tuple[list[str], float, float, bool, float],
               sibship_y: float) -> str:
        lines, drop_x, drop_top, _, _ = shape
        lines = list(lines)
        kids = [self.x[c] for c in union.children]
        lines.append(_line("descent-line", drop_x, drop_top, drop_x, sibship_y))
        lines.append(_line("sibship-line", min(kids + [drop_x]), sibship_y,
                           max(kids + [drop_x]), sibship_y))
        for child in union.children:
            top = self.y[child] - _half_height(self._sex(child))
            lines.append(_line("drop-line", self.x[child], sibship_y, self.x[child], top,
                               data_child=child))
        data = _attrs(class_="union", data_father=union.father, data_mother=union.mother,
                      data_consanguineous="true" if union.consanguineous else "false")
        return "\n".join([f"<g {data}>"] + lines + ["</g>"])

    def _sex(self, pid: str) -> Sex:
        return self.ped.people[pid].sex

    # legend -------------------------------------------------------------------------------

    def _legend(self, top: float) -> tuple[str, float, float]:
        """A key in the same SVG, flowing in lines no wider than the drawing; each entry a
        `<g class="legend-item">` of a swatch (or a genotype label) and its words. It lists
        exactly what this drawing shows: a shape, fill, mark or label no one has is left out."""
        half = SYMBOL / 4
        entries: list[tuple[object, str]] = []  # (swatch drawer at (x, y) or label, words)
        sexes = {ind.sex for ind in self.ped.people.values()}
        phenotypes = {ind.phenotype for ind in self.ped.people.values()}
        for sex, words in ((Sex.MALE, "male"), (Sex.FEMALE, "female"),
                           (Sex.UNKNOWN, "sex unknown")):
            if sex not in sexes:
                continue
            entries.append((lambda x, y, s=SHAPE[sex]: _symbol(
                s, x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5), words))
        for phenotype, words in ((Phenotype.AFFECTED, "affected"),
                                 (Phenotype.UNAFFECTED, "unaffected"),
                                 (Phenotype.UNKNOWN, "phenotype unknown")):
            if phenotype not in phenotypes:
                continue
            entries.append((lambda x, y, f=FILL[phenotype]: _symbol(
                "square", x, y, f, False, "legend-swatch", 0.5), words))
        if self.proband is not None:
            entries.append((lambda x, y: _arrow_shape(
                (x - half, y + half), (x + half, y - half), "legend-swatch"),
                f"{self.proband_words} (P)"))
        if any(u.consanguineous for u in self.ped.unions):
            entries.append((lambda x, y: "".join(
                _line("legend-swatch", x - 2 * half, y + d, x + 2 * half, y + d)
                for d in (-DOUBLE, DOUBLE)), "consanguineous union"))
        if any(ind.added for ind in self.ped.people.values()):
            entries.append((lambda x, y: _symbol(
                "square", x, y, FILL[Phenotype.UNAFFECTED], True, "legend-swatch", 0.5),
                "dashed: parent not in the PED file, added"))
        people = self.ped.people.values()
        if self.carriers:
            entries.append((lambda x, y: _symbol(
                "circle", x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5)
                + _carrier_dot(x, y, 0.5), "dot: carrier, not expected to be affected"))
        if any(ind.deceased for ind in people):
            entries.append((lambda x, y: _symbol(
                "square", x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5)
                + _deceased_line(x, y, 0.5), "deceased"))
        if any(ind.age is not None for ind in people):
            entries.append(("40 y", "after the id: age in years"
                            + ("; d. 40 y: age at death" if any(
                                ind.deceased and ind.age is not None for ind in people)
                               else "")))
        if self.labels is not None:
            shown = set(self.labels.values())
            entries += [key for key in GENOTYPE_KEY + HEMIZYGOUS_KEY if key[0] in shown]
        avail = max(self.width - 2 * MARGIN, 420.0)
        parts = ['<g class="legend">']
        x, y, used = 0.0, 0.0, 0.0
        for swatch, words in entries:
            lead = 4 * half if callable(swatch) else _text_width(swatch, FONT)
            width = lead + 6 + _text_width(words, FONT)
            if x > 0 and x + width > avail:
                x, y = 0.0, y + 22
            ox, oy = MARGIN + x, top + y
            if callable(swatch):
                shown = swatch(ox + 2 * half, oy)
            else:
                shown = (f'<text {_attrs(class_="legend-key", x=ox, y=oy + 4)} '
                         f'font-size="{_num(FONT)}">{escape(swatch)}</text>')
            parts.append(f'<g class="legend-item">{shown}'
                         f'<text {_attrs(class_="legend-text", x=ox + lead + 6, y=oy + 4)} '
                         f'font-size="{_num(FONT)}">{escape(words)}</text></g>')
            used = max(used, x + width)
            x += width + 18
        parts.append("</g>")
        return "\n".join(parts), used, y + 12


def _years(age: float) -> str:
    return f"{age:g}"


def _age_text(ind: Individual) -> str:
    """What follows the id below the symbol: ", 40 y", or ", d. 40 y" for age at death."""
    if ind.age is None:
        return ""
    return f", {'d. ' if ind.deceased else ''}{_years(ind.age)} y"


def _carrier_dot(x: float, y: float, scale: float) -> str:
    """The carrier's dot in the symbol's centre (black, ringed in white to show on black)."""
    return (f'<circle {_attrs(class_="carrier-dot", cx=x, cy=y, r=3.5 * scale)} '
            f'fill="#000" stroke="#fff" stroke-width="{_num(scale)}"/>')


def _deceased_line(x: float, y: float, scale: float) -> str:
    """The diagonal through a deceased person's symbol, lower left to upper right, reaching
    a little beyond it."""
    reach = (SYMBOL / 2 + 6) * scale
    return _line("deceased-line", x - reach, y + reach, x + reach, y - reach)


def _half_width(sex: Sex, dy: float) -> float:
    """Half the symbol's width at height `dy` from its centre, where a line meets its outline."""
    if sex is Sex.FEMALE:
        return math.sqrt((SYMBOL / 2) ** 2 - dy * dy)
    if sex is Sex.UNKNOWN:
        return DIAMOND - abs(dy)
    return SYMBOL / 2


def _half_height(sex: Sex) -> float:
    return DIAMOND if sex is Sex.UNKNOWN else SYMBOL / 2


def _line(cls: str, x1: float, y1: float, x2: float, y2: float, **data: str) -> str:
    return f'<line {_attrs(class_=cls, **data, x1=x1, y1=y1, x2=x2, y2=y2)} stroke="#000"/>'


def _symbol(shape: str, x: float, y: float, fill: str, dashed: bool, cls: str,
            scale: float = 1.0) -> str:
    style = f'fill="{fill}" stroke="#000" stroke-width="1.5"'
    if dashed:
        style += ' stroke-dasharray="4 3"'
    half = SYMBOL / 2 * scale
    if shape == "square":
        box = _attrs(class_=cls, x=x - half, y=y - half, width=2 * half, height=2 * half)
        return f"<rect {box} {style}/>"
    if shape == "circle":
        return f'<circle {_attrs(class_=cls, cx=x, cy=y, r=half)} {style}/>'
    d = DIAMOND * scale
    points = " ".join(f"{_num(px)},{_num(py)}" for px, py in
                      ((x, y - d), (x + d, y), (x, y + d), (x - d, y)))
    return f'<polygon class="{cls}" points="{points}" {style}/>'


def _proband_arrow(sex: Sex, x: float, y: float) -> str:
    (tx, ty), (px, py) = _arrow(sex)
    tail = (x + tx, y + ty)
    return (f'<g class="proband-arrow">{_arrow_shape(tail, (x + px, y + py), "arrow")}'
            f'<text {_attrs(class_="proband-label", x=tail[0] - 2, y=tail[1] + 0.5)} '
            f'text-anchor="end" font-size="{_num(FONT)}" font-weight="bold">P</text></g>')


def _arrow_shape(tail: tuple[float, float], tip: tuple[float, float], cls: str) -> str:
    """A shaft and a filled head (no marker: a marker needs an id, and ids clash when a page
    holds several pedigrees)."""
    length = math.dist(tail, tip)
    ux, uy = (tip[0] - tail[0]) / length, (tip[1] - tail[1]) / length
    back = (tip[0] - 6 * ux, tip[1] - 6 * uy)
    wing = (-uy * 3, ux * 3)
    head = " ".join(f"{_num(a)},{_num(b)}" for a, b in (
        tip, (back[0] + wing[0], back[1] + wing[1]), (back[0] - wing[0], back[1] - wing[1])))
    return (f'<line {_attrs(class_=cls, x1=tail[0], y1=tail[1], x2=back[0], y2=back[1])} '
            f'stroke="#000" stroke-width="1.5"/>'
            f'<polygon class="{cls}" points="{head}" fill="#000"/>')
