"""The SVG elements of a pedigree drawing: numbers and attributes as written, symbols, lines,
the carrier's dot, the deceased line and the proband arrow, and Roman generation numbers.
Each function returns SVG text; where things go is decided elsewhere.
"""

from __future__ import annotations

import math
from html import escape

from cmmvar.io.pedigree import Sex
from cmmvar.report.pedigree_geometry import DIAMOND, FONT, SYMBOL, arrow


def num_text(value: float) -> str:
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def attributes(**values: str | float) -> str:
    parts = []
    for key, value in values.items():
        shown = num_text(value) if isinstance(value, float | int) else escape(value, quote=True)
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


def carrier_dot(x: float, y: float, scale: float) -> str:
    """The carrier's dot in the symbol's centre (black, ringed in white to show on black)."""
    return (f'<circle {attributes(class_="carrier-dot", cx=x, cy=y, r=3.5 * scale)} '
            f'fill="#000" stroke="#fff" stroke-width="{num_text(scale)}"/>')


def deceased_line(x: float, y: float, scale: float) -> str:
    """The diagonal through a deceased person's symbol, lower left to upper right, reaching
    a little beyond it."""
    reach = (SYMBOL / 2 + 6) * scale
    return svg_line("deceased-line", x - reach, y + reach, x + reach, y - reach)


def svg_line(cls: str, x1: float, y1: float, x2: float, y2: float, **data: str) -> str:
    return f'<line {attributes(class_=cls, **data, x1=x1, y1=y1, x2=x2, y2=y2)} stroke="#000"/>'


def symbol_shape(shape: str, x: float, y: float, fill: str, dashed: bool, cls: str,
            scale: float = 1.0) -> str:
    style = f'fill="{fill}" stroke="#000" stroke-width="1.5"'
    if dashed:
        style += ' stroke-dasharray="4 3"'
    half = SYMBOL / 2 * scale
    if shape == "square":
        box = attributes(class_=cls, x=x - half, y=y - half, width=2 * half, height=2 * half)
        return f"<rect {box} {style}/>"
    if shape == "circle":
        return f'<circle {attributes(class_=cls, cx=x, cy=y, r=half)} {style}/>'
    d = DIAMOND * scale
    points = " ".join(f"{num_text(px)},{num_text(py)}" for px, py in
                      ((x, y - d), (x + d, y), (x, y + d), (x - d, y)))
    return f'<polygon class="{cls}" points="{points}" {style}/>'


def proband_arrow(sex: Sex, x: float, y: float) -> str:
    (tx, ty), (px, py) = arrow(sex)
    tail = (x + tx, y + ty)
    return (f'<g class="proband-arrow">{arrow_shape(tail, (x + px, y + py), "arrow")}'
            f'<text {attributes(class_="proband-label", x=tail[0] - 2, y=tail[1] + 0.5)} '
            f'text-anchor="end" font-size="{num_text(FONT)}" font-weight="bold">P</text></g>')


def arrow_shape(tail: tuple[float, float], tip: tuple[float, float], cls: str) -> str:
    """A shaft and a filled head (no marker: a marker needs an id, and ids clash when a page
    holds several pedigrees)."""
    length = math.dist(tail, tip)
    ux, uy = (tip[0] - tail[0]) / length, (tip[1] - tail[1]) / length
    back = (tip[0] - 6 * ux, tip[1] - 6 * uy)
    wing = (-uy * 3, ux * 3)
    head = " ".join(f"{num_text(a)},{num_text(b)}" for a, b in (
        tip, (back[0] + wing[0], back[1] + wing[1]), (back[0] - wing[0], back[1] - wing[1])))
    return (f'<line {attributes(class_=cls, x1=tail[0], y1=tail[1], x2=back[0], y2=back[1])} '
            f'stroke="#000" stroke-width="1.5"/>'
            f'<polygon class="{cls}" points="{head}" fill="#000"/>')
