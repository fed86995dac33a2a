"""The x positions of a pedigree drawing: rows (a person with the founders who married in
beside them), the tree of rows (each row's sibships) and a bottom-up packing of that tree
(the method is described in cmmvar.report.pedigree_svg). Knows the structure and the sizes;
nothing about the SVG.
"""

from __future__ import annotations

import itertools

from cmmvar.io.pedigree import Sex
from cmmvar.report.pedigree_geometry import (
    COMPONENT_GAP,
    LINE_GAP,
    MIN_COUPLE,
    ROW_GAP,
    SIBSHIP_EXTRA,
    Extent,
)
from cmmvar.report.pedigree_packing import Box, isotonic, line_level, pack, row_level
from cmmvar.report.pedigree_structure import Pedigree, Union, connected_parts


class Layout:
    """Rows (a person with the founders who married in beside them), the tree of rows
    (each row's sibships), and x positions from a bottom-up packing of that tree."""

    def __init__(self, pedigree: Pedigree, extents: dict[str, Extent]):
        self.ped = pedigree
        self.ext = extents
        self.row_of: dict[str, str] = {}          # person -> the row's anchor
        self.tree_parent: dict[str, str] = {}     # founder -> the partner it stands beside
        self._assign_rows()
        self.rows = {anchor: self._arrange(anchor) for anchor in self._anchors()}
        self.hosted: dict[str, list[Union]] = {anchor: [] for anchor in self.rows}
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

    def _host(self, union: Union) -> str:
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

    def _side(self, union: Union, anchor: str) -> tuple[str, int]:
        """For a union whose partners stand in different rows: the partner in this row and
        the side (-1 left, +1 right) where the other one is expected."""
        here = next(p for p in union.partners if self.row_of[p] == anchor)
        other = self.ped.partner(union, here)
        return here, 1 if self.sequence[other] > self.sequence[here] else -1

    def _union_place(self, union: Union, anchor: str) -> tuple[float, int]:
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
        components: dict[int, list[Box]] = {}
        component = connected_parts(self.ped.people)
        for root in self._roots():
            if root not in self._done:
                components.setdefault(component[root], []).append(self._box(root))
        parts = [pack(boxes) for _, boxes in sorted(components.items())]
        whole = Box()
        for part in parts:  # unrelated parts wholly apart, not interleaved
            if whole.contour:
                part = part.moved(max(hi for _, hi in whole.contour.values()) + COMPONENT_GAP
                                  - min(lo for lo, _ in part.contour.values()))
            whole.add(part)
        return whole.xs

    def _box(self, anchor: str) -> Box:
        self._done.add(anchor)
        gen = self.ped.generation
        unions = self.hosted[anchor]
        sibships: list[list[Box]] = []
        for union in unions:
            top = line_level(max(gen[p] for p in union.partners))
            boxes = []
            for child in union.children:
                if child in self._done:
                    continue
                box = self._box(child)
                x = box.xs[child]
                for level in range(top, row_level(gen[child])):
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
            box.occupy(row_level(gen[pid]), x - self.ext[pid].left, x + self.ext[pid].right)
        for level, lo, hi in lines:
            box.occupy(level, lo, hi)
        return box

    def _children(self, sibships: list[list[Box]], unions: list[Union],
                  extra: list[float]) -> Box:
        """All sibships of a row side by side, the sibships of different unions further apart
        (by `extra[k]` more between union k and k + 1)."""
        boxes, room = [], []
        gen = self.ped.generation
        for k, sibship in enumerate(sibships):
            for i, box in enumerate(sibship):
                if boxes:
                    if i == 0:  # first child of the next union: a wider gap
                        level = line_level(max(gen[p] for p in unions[k].partners))
                        room.append((extra[k - 1], {level: SIBSHIP_EXTRA}))
                    else:
                        room.append((0.0, {}))
                boxes.append(box)
        return pack(boxes, room)

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

    def _place_row(self, anchor: str, unions: list[Union], children: Box) -> dict[str, float]:
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
        fitted = isotonic(values, weights)
        return {pid: fitted[i] + offsets[i] for i, pid in enumerate(row)}

    def _line_span(self, union: Union, xs: dict[str, float], children: Box,
                   anchor: str) -> tuple[int, float, float]:
        """The band and horizontal span of a union's descent and sibship lines."""
        gen = self.ped.generation
        if all(p in xs for p in union.partners):
            a, b = sorted(union.partners, key=xs.__getitem__)
            stands = sorted((xs[p], p) for p in self.rows[anchor]
                            if xs[a] <= xs[p] <= xs[b] and gen[p] == gen[a])
            drop = descent_x([(p, x, self.ext[p]) for x, p in stands], self.ped.couples)
        else:
            here, side = self._side(union, anchor)
            drop = xs[here] + side * self._couple_gap(here, self.ped.partner(union, here)) / 2
        kids = [children.xs[c] for c in union.children if c in children.xs]
        level = line_level(max(gen[p] for p in union.partners))
        return level, min(kids + [drop]) - 1, max(kids + [drop]) + 1


def descent_x(stands: list[tuple[str, float, Extent]], couples: set[frozenset[str]]) -> float:
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
