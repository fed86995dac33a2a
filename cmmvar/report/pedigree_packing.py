"""Packing laid-out parts of a pedigree drawing side by side, tidy-tree style: boxes with a
contour per level (symbol rows and the bands of lines between them), the shift that clears
one box of another, and the least-squares fit that centres couples (pool adjacent
violators). Knows spans of x; nothing about people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cmmvar.report.pedigree_geometry import COMPONENT_GAP, LINE_GAP, ROW_GAP


def row_level(gen: int) -> int:
    return 2 * gen


def line_level(gen: int) -> int:
    """The band of sibship lines below row `gen`."""
    return 2 * gen + 1


@dataclass
class Box:
    """A laid-out part of the drawing: x of its people and, per level, the span it occupies."""
    xs: dict[str, float] = field(default_factory=dict)
    contour: dict[int, list[float]] = field(default_factory=dict)

    def occupy(self, level: int, lo: float, hi: float) -> None:
        span = self.contour.setdefault(level, [lo, hi])
        span[0], span[1] = min(span[0], lo), max(span[1], hi)

    def moved(self, dx: float) -> Box:
        return Box({p: x + dx for p, x in self.xs.items()},
                    {lv: [lo + dx, hi + dx] for lv, (lo, hi) in self.contour.items()})

    def add(self, other: Box) -> None:
        self.xs.update(other.xs)
        for level, (lo, hi) in other.contour.items():
            self.occupy(level, lo, hi)


def level_gap(level: int) -> float:
    return ROW_GAP if level % 2 == 0 else LINE_GAP


def shift_to_clear(left: Box, right: Box, room: float = 0.0,
                    room_at: Mapping[int, float] | None = None) -> float:
    """How far to move `right` so that, on every level both use, it starts after `left` ends,
    with `room` more space on every level and `room_at[level]` more on that level."""
    common = left.contour.keys() & right.contour.keys()
    if not common:  # nothing in the same band: keep them wholly apart all the same
        return (max(hi for _, hi in left.contour.values()) + COMPONENT_GAP
                - min(lo for lo, _ in right.contour.values()))
    room_at = room_at or {}
    return max(left.contour[lv][1] + level_gap(lv) + room + room_at.get(lv, 0.0)
               - right.contour[lv][0] for lv in common)


def pack(boxes: list[Box], room: list[tuple[float, dict[int, float]]] | None = None) -> Box:
    """Boxes side by side, left to right, each as far left as the ones before allow;
    `room[i]` (all levels, per level) adds space between box i and box i + 1."""
    packed = Box()
    for i, box in enumerate(boxes):
        if packed.contour:
            box = box.moved(shift_to_clear(packed, box, *(room[i - 1] if room else ())))
        packed.add(box)
    return packed


def isotonic(values: list[float], weights: list[float]) -> list[float]:
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
