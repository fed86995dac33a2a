"""The geometry of a pedigree drawing: sizes and spacings in SVG user units, the room each
person's symbol and labels take, the proband arrow and the outline of each symbol.
Knows one person at a time; nothing about rows, unions or the SVG text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from cmmvar.io.pedigree import Individual, Sex

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


_ARROW_DIR = (0.819, -0.573)  # unit vector from the arrow's tail to its tip, up and right
_ARROW_LEN = 16.0


@dataclass(frozen=True)
class Extent:
    left: float    # room from the symbol centre to the left edge of whatever the person draws
    right: float
    half: float    # half width of the symbol itself


def extent_of(ind: Individual, labels: Mapping[str, str] | None, is_proband: bool) -> Extent:
    half = DIAMOND if ind.sex is Sex.UNKNOWN else SYMBOL / 2
    texts = [ind.id + age_text(ind)] + ([labels[ind.id]] if labels is not None else [])
    reach = max([half] + [text_width(t, FONT) / 2 for t in texts])
    left = reach
    if is_proband:
        tail_x, _ = arrow(ind.sex)[0]
        left = max(left, -tail_x + 2 + text_width("P", FONT) + 2)
    return Extent(left, reach, half)


def text_width(text: str, size: float) -> float:
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


def arrow(sex: Sex) -> tuple[tuple[float, float], tuple[float, float]]:
    """The proband arrow's tail and tip relative to the symbol centre: pointing up and right
    at the lower-left of the outline, low enough to stay clear of the relationship line and
    high enough to stay clear of the labels."""
    corner = {Sex.MALE: (-SYMBOL / 2, SYMBOL / 2),
              Sex.FEMALE: (-SYMBOL / 2 * math.sqrt(0.5), SYMBOL / 2 * math.sqrt(0.5)),
              Sex.UNKNOWN: (-DIAMOND / 2, DIAMOND / 2)}[sex]
    tip = (corner[0] - 2.0, corner[1] + 1.4)
    tail = (tip[0] - _ARROW_LEN * _ARROW_DIR[0], tip[1] - _ARROW_LEN * _ARROW_DIR[1])
    return tail, tip


def years(age: float) -> str:
    return f"{age:g}"


def age_text(ind: Individual) -> str:
    """What follows the id below the symbol: ", 40 y", or ", d. 40 y" for age at death."""
    if ind.age is None:
        return ""
    return f", {'d. ' if ind.deceased else ''}{years(ind.age)} y"


def half_width(sex: Sex, dy: float) -> float:
    """Half the symbol's width at height `dy` from its centre, where a line meets its outline."""
    if sex is Sex.FEMALE:
        return math.sqrt((SYMBOL / 2) ** 2 - dy * dy)
    if sex is Sex.UNKNOWN:
        return DIAMOND - abs(dy)
    return SYMBOL / 2


def half_height(sex: Sex) -> float:
    return DIAMOND if sex is Sex.UNKNOWN else SYMBOL / 2
