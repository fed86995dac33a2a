"""cmmvar.report.pedigree_svg: the pedigree drawing, checked by parsing the SVG it returns.

Expected values come from the PED fixtures written by hand (tests/data/pedigrees/; in the big
one each id carries its generation's numeral) and from the nomenclature (square = male, ...),
never from the layout code. Geometry is checked as relations between drawn elements: a drop
line ends on its child's symbol, no two labels' boxes overlap. Text boxes use an average
sans-serif advance of 0.6 em per character, an estimate independent of the module's own.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmmvar.errors import PedigreeError
from cmmvar.io.ped_file import read_family
from cmmvar.io.pedigree import Family, Individual, Phenotype, Sex
from cmmvar.report.pedigree_svg import draw_pedigree

PEDS = Path(__file__).parent.parent / "data" / "pedigrees"
SVG = "{http://www.w3.org/2000/svg}"
BLACK, WHITE = {"#000", "#000000", "black"}, {"#fff", "#ffffff", "white"}
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def big() -> Family:
    return read_family(PEDS / "big_four_generations.ped", "BIG")


def family_from(tmp_path, text: str, fid: str) -> Family:
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return read_family(path, fid)


# --- reading the SVG -------------------------------------------------------------------------

def tag(el: ET.Element) -> str:
    return el.tag.removeprefix(SVG)


def classes(el: ET.Element) -> list[str]:
    return (el.get("class") or "").split()


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in classes(el)]


def members(root: ET.Element) -> dict[str, ET.Element]:
    found: dict[str, ET.Element] = {}
    for group in with_class(root, "member"):
        assert group.get("data-id") not in found, f"{group.get('data-id')} drawn twice"
        found[group.get("data-id")] = group
    return found


def symbol(member: ET.Element) -> ET.Element:
    shapes = [el for el in member if "symbol" in classes(el)]
    assert len(shapes) == 1, member.get("data-id")
    return shapes[0]


def points(el: ET.Element) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in el.get("points").split()]


def shape_box(el: ET.Element) -> tuple[float, float, float, float]:
    if tag(el) == "rect":
        x, y = float(el.get("x")), float(el.get("y"))
        return x, y, x + float(el.get("width")), y + float(el.get("height"))
    if tag(el) == "circle":
        cx, cy, r = (float(el.get(k)) for k in ("cx", "cy", "r"))
        return cx - r, cy - r, cx + r, cy + r
    xs, ys = zip(*points(el), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def inner_box(el: ET.Element) -> tuple[float, float, float, float]:
    """A box inside the symbol's outline (a line crossing it crosses the symbol)."""
    x0, y0, x1, y1 = shape_box(el)
    cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    inside = {"rect": half, "circle": half / math.sqrt(2), "polygon": half / 2}[tag(el)] - 0.5
    return cx - inside, cy - inside, cx + inside, cy + inside


def centre(el: ET.Element) -> tuple[float, float]:
    x0, y0, x1, y1 = shape_box(el)
    return (x0 + x1) / 2, (y0 + y1) / 2


def text_box(el: ET.Element) -> tuple[float, float, float, float]:
    size = float(el.get("font-size"))
    width = 0.6 * size * len(el.text or "")
    x, y = float(el.get("x")), float(el.get("y"))
    left = {"middle": x - width / 2, "end": x - width}.get(el.get("text-anchor"), x)
    return left, y - 0.8 * size, left + width, y + 0.25 * size


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segments(root: ET.Element) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    found = []
    for el in root.iter():
        if tag(el) == "line":
            ends = [(float(el.get("x1")), float(el.get("y1"))),
                    (float(el.get("x2")), float(el.get("y2")))]
        elif tag(el) == "polyline":
            ends = points(el)
        else:
            continue
        for p, q in itertools.pairwise(ends):
            found.append((p, q, el.get("class")))
    return found


def crosses(p, q, box) -> bool:
    """Whether segment pq passes through the open box (Liang-Barsky clipping)."""
    (x1, y1), (x2, y2) = p, q
    dx, dy = x2 - x1, y2 - y1
    lo, hi = 0.0, 1.0
    for step, room in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]),
                       (dy, box[3] - y1)):
        if step == 0:
            if room <= 0:
                return False
            continue
        t = room / step
        if step < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
    return lo < hi


def shapes(root: ET.Element) -> list[ET.Element]:
    """Member symbols and legend swatches that are squares, circles or diamonds."""
    return [el for el in root.iter() if tag(el) in ("rect", "circle", "polygon")
            and ("symbol" in classes(el) or "legend-swatch" in classes(el))]


def layout_faults(root: ET.Element, lines_too: bool = True) -> list[str]:
    """Everything that would make the drawing unreadable, in words."""
    faults = []
    texts = [el for el in root.iter() if tag(el) == "text"]
    drawn = shapes(root)
    for a, b in itertools.combinations(drawn, 2):
        if overlap(shape_box(a), shape_box(b)):
            faults.append(f"symbols overlap: {a.attrib} {b.attrib}")
    for a, b in itertools.combinations(texts, 2):
        if overlap(text_box(a), text_box(b)):
            faults.append(f"texts overlap: {a.text!r} {b.text!r}")
    for s, t in itertools.product(drawn, texts):
        if overlap(shape_box(s), text_box(t)):
            faults.append(f"symbol over text {t.text!r}: {s.attrib}")
    if lines_too:
        symbols = [symbol(m) for m in members(root).values()]
        for p, q, cls in segments(root):
            for t in texts:
                if crosses(p, q, text_box(t)):
                    faults.append(f"{cls} {p}-{q} crosses text {t.text!r}")
            for s in symbols:
                if crosses(p, q, inner_box(s)):
                    faults.append(f"{cls} {p}-{q} crosses a symbol {s.attrib}")
    return faults


def unions(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(g.get("data-father"), g.get("data-mother")): g for g in with_class(root, "union")}


def parts(union: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in union if name in classes(el)]


def ends(el: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(el.get(k)) for k in ("x1", "y1", "x2", "y2"))


def wiring_faults(root: ET.Element, family: Family) -> list[str]:
    """Each child hangs by one drop line from the sibship line of its own parents' union,
    whose descent line leaves the relationship line between those parents."""
    faults = []
    drawn, groups = members(root), unions(root)
    for ind in family.individuals:
        if ind.is_founder:
            continue
        group = groups.get((ind.father, ind.mother))
        if group is None:
            faults.append(f"no union drawn for the parents of {ind.id}")
            continue
        drops = [el for el in root.iter() if el.get("data-child") == ind.id]
        if len(drops) != 1 or drops[0] not in parts(group, "drop-line"):
            faults.append(f"{ind.id} does not hang from exactly its parents' union")
            continue
        x1, y1, x2, y2 = ends(drops[0])
        child = symbol(drawn[ind.id])
        cx, _ = centre(child)
        if not (abs(x1 - cx) < 0.05 and abs(x2 - cx) < 0.05 and abs(y2 - shape_box(child)[1])
                < 0.05):
            faults.append(f"drop line of {ind.id} does not end on top of its symbol")
        (sib,) = parts(group, "sibship-line")
        sx1, sy1, sx2, sy2 = ends(sib)
        if not (abs(sy1 - y1) < 0.05 and abs(sy2 - y1) < 0.05 and sx1 - 0.05 <= x1 <= sx2 + 0.05):
            faults.append(f"drop line of {ind.id} does not start on its sibship line")
        for parent in (ind.father, ind.mother):
            if not centre(symbol(drawn[parent]))[1] < centre(child)[1]:
                faults.append(f"{ind.id} is not below its parent {parent}")
    for (father, mother), group in groups.items():
        (descent,) = parts(group, "descent-line")
        (sib,) = parts(group, "sibship-line")
        dx1, dy1, dx2, dy2 = ends(descent)
        sx1, sy1, sx2, _ = ends(sib)
        if not (dx1 == dx2 and abs(dy2 - sy1) < 0.05 and sx1 - 0.05 <= dx1 <= sx2 + 0.05):
            faults.append(f"descent of {father}+{mother} does not reach its sibship line")
        a, b = sorted((father, mother), key=lambda p: centre(symbol(drawn[p]))[0])
        ax, bx = centre(symbol(drawn[a]))[0], centre(symbol(drawn[b]))[0]
        if not ax < dx1 < bx:
            faults.append(f"descent of {father}+{mother} is not between the partners")
        mating = parts(group, "mating-line")
        if not mating:
            faults.append(f"no relationship line for {father}+{mother}")
            continue
        for line in mating:
            if tag(line) == "line":
                lx1, ly1, lx2, ly2 = ends(line)
                left, right = (lx1, ly1), (lx2, ly2)
            else:
                pts = points(line)
                left, right = pts[0], pts[-1]
            for (px, py), sym in ((left, symbol(drawn[a])), (right, symbol(drawn[b]))):
                x0, y0, x1_, y1_ = shape_box(sym)
                if not (x0 - 0.6 <= px <= x1_ + 0.6 and y0 - 0.6 <= py <= y1_ + 0.6):
                    faults.append(f"relationship line of {father}+{mother} does not touch "
                                  f"{sym.get('class')} at {px},{py}")
        if not any(touches_line(dx1, dy1, line) for line in mating):
            faults.append(f"descent of {father}+{mother} does not start on its relationship "
                          f"line")
    return faults


def touches_line(x: float, y: float, line: ET.Element) -> bool:
    if tag(line) == "line":
        pts = [(float(line.get("x1")), float(line.get("y1"))),
               (float(line.get("x2")), float(line.get("y2")))]
    else:
        pts = points(line)
    for (x1, y1), (x2, y2) in itertools.pairwise(pts):
        if min(x1, x2) - 0.05 <= x <= max(x1, x2) + 0.05:
            t = 0.5 if x1 == x2 else (x - x1) / (x2 - x1)
            if abs(y1 + t * (y2 - y1) - y) < 0.2:  # coordinates are rounded to 0.1
                return True
    return False


# --- symbols, fills, attributes --------------------------------------------------------------

def test_every_person_is_one_member_group_with_the_shape_and_fill_of_their_sex_and_status():
    family = big()
    root = ET.fromstring(draw_pedigree(family, proband="BIG_IV1"))
    drawn = members(root)
    assert set(drawn) == set(family.ids) and len(drawn) == 47
    unknown_fills = set()
    for ind in family.individuals:
        group, shape = drawn[ind.id], symbol(drawn[ind.id])
        word = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.UNKNOWN: "unknown"}[ind.sex]
        assert group.get("data-sex") == word
        assert group.get("data-status") == ind.phenotype.value
        if ind.sex is Sex.MALE:
            assert tag(shape) == "rect" and shape.get("width") == shape.get("height")
            assert group.get("data-shape") == "square"
        elif ind.sex is Sex.FEMALE:
            assert tag(shape) == "circle" and group.get("data-shape") == "circle"
        else:
            corners = points(shape)
            (cx, cy) = centre(shape)
            assert tag(shape) == "polygon" and len(corners) == 4
            assert group.get("data-shape") == "diamond"
            # the corners lie on the axes through the centre: a square stood on its point
            assert sorted((round(x - cx, 3), round(y - cy, 3)) for x, y in corners) == sorted(
                [(0, -17), (17, 0), (0, 17), (-17, 0)])
        fill = shape.get("fill")
        if ind.phenotype is Phenotype.AFFECTED:
            assert fill in BLACK, ind.id
        elif ind.phenotype is Phenotype.UNAFFECTED:
            assert fill in WHITE, ind.id
        else:
            assert fill not in BLACK | WHITE, ind.id
            unknown_fills.add(fill)
    assert len(unknown_fills) == 1
    # the legend says what the grey means
    entries = {item[-1].text: item[0] for item in with_class(root, "legend-item")}
    assert entries["phenotype unknown"].get("fill") == unknown_fills.pop()
    assert entries["affected"].get("fill") in BLACK
    assert entries["unaffected"].get("fill") in WHITE


def test_each_member_has_a_tooltip_with_id_sex_status_and_genotype():
    family = big()
    root = ET.fromstring(draw_pedigree(family, proband=None, genotypes={"BIG_III8": "+/−"}))
    group = members(root)["BIG_III8"]
    (title,) = [el for el in group if tag(el) == "title"]
    assert "BIG_III8" in title.text and "male" in title.text
    assert "affected" in title.text and "+/−" in title.text
    assert group.get("data-label") == "III-" + title.text.split("(III-")[1].split(")")[0]


def test_members_are_numbered_left_to_right_within_each_generation():
    root = ET.fromstring(draw_pedigree(big(), proband=None))
    rows: dict[str, list[tuple[float, int]]] = {}
    for group in members(root).values():
        numeral, number = group.get("data-label").split("-")
        rows.setdefault(numeral, []).append((centre(symbol(group))[0], int(number)))
    assert sorted(rows) == ["I", "II", "III", "IV"]
    for row in rows.values():
        assert [n for _, n in sorted(row)] == list(range(1, len(row) + 1))


# --- proband ---------------------------------------------------------------------------------

def test_the_proband_has_one_arrow_at_the_lower_left_with_a_p():
    svg = draw_pedigree(big(), proband="BIG_IV1")
    root = ET.fromstring(svg)
    marked = [g for g in with_class(root, "member") if g.get("data-proband") == "true"]
    assert [g.get("data-id") for g in marked] == ["BIG_IV1"]
    arrows = with_class(root, "proband-arrow")
    assert len(arrows) == 1 and arrows[0] in list(marked[0])
    cx, cy = centre(symbol(marked[0]))
    shaft = next(el for el in arrows[0] if tag(el) == "line")
    tail_x, tail_y, head_x, head_y = ends(shaft)
    tip = max(points(next(el for el in arrows[0] if tag(el) == "polygon")))
    assert tail_x < head_x < tip[0] < cx and cy < tip[1] < head_y < tail_y
    assert [el.text for el in with_class(root, "proband-label")] == ["P"]
    assert not layout_faults(root)


def test_no_proband_no_arrow():
    root = ET.fromstring(draw_pedigree(big(), proband=None))
    assert not with_class(root, "proband-arrow")
    assert all(g.get("data-proband") is None for g in with_class(root, "member"))


def test_a_proband_who_is_not_in_the_family_is_an_error():
    with pytest.raises(PedigreeError, match=r"proband 'NOBODY' is not a member of family 'BIG'"):
        draw_pedigree(big(), proband="NOBODY")


# --- unions ----------------------------------------------------------------------------------

def test_first_cousins_union_is_a_double_line_and_the_others_single():
    family = read_family(PEDS / "first_cousins.ped", "FC")
    root = ET.fromstring(draw_pedigree(family, proband="FC_IV1"))
    groups = unions(root)
    assert set(groups) == {("FC_I1", "FC_I2"), ("FC_II1", "FC_II2"), ("FC_II4", "FC_II3"),
                           ("FC_III1", "FC_III2")}
    for pair, group in groups.items():
        lines = parts(group, "mating-line")
        if pair == ("FC_III1", "FC_III2"):
            assert group.get("data-consanguineous") == "true"
            assert len(lines) == 2 and all(tag(line) == "line" for line in lines)
            (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = map(ends, lines)
            assert ay1 == ay2 and by1 == by2 and 3 <= abs(ay1 - by1) <= 8  # parallel
            overlap_x = min(ax2, bx2) - max(ax1, bx1)
            assert overlap_x > 0.9 * max(ax2 - ax1, bx2 - bx1)
        else:
            assert group.get("data-consanguineous") == "false"
            assert len(lines) == 1, pair
    assert not wiring_faults(root, family)
    assert not layout_faults(root)
    assert any(el.text == "consanguineous union" for el in with_class(root, "legend-text"))


def test_a_union_with_a_partners_descendant_or_an_uncle_counts_as_consanguineous(tmp_path):
    # U is the brother of N's father S: uncle and niece share U's parents as ancestors
    family = family_from(tmp_path, "F G 0 0 1 1\nF H 0 0 2 1\nF U G H 1 1\nF S G H 1 1\n"
                         "F W 0 0 2 1\nF N S W 2 1\nF K U N 1 2\n", "F")
    root = ET.fromstring(draw_pedigree(family, proband=None))
    groups = unions(root)
    assert groups[("U", "N")].get("data-consanguineous") == "true"
    assert groups[("S", "W")].get("data-consanguineous") == "false"
    assert len(parts(groups[("U", "N")], "mating-line")) == 2
    assert not wiring_faults(root, family)


def test_half_cousins_sharing_a_single_grandparent_are_consanguineous(tmp_path):
    # G fathered A with H1 and B with H2; A's son X partners B's daughter Y
    family = family_from(tmp_path, "F G 0 0 1 1\nF H1 0 0 2 1\nF H2 0 0 2 1\nF A G H1 1 1\n"
                         "F B G H2 2 1\nF W1 0 0 2 1\nF W2 0 0 1 1\nF X A W1 1 1\n"
                         "F Y W2 B 2 1\nF K X Y 1 2\n", "F")
    root = ET.fromstring(draw_pedigree(family, proband="K"))
    groups = unions(root)
    assert [pair for pair, g in groups.items() if g.get("data-consanguineous") == "true"] == [
        ("X", "Y")]
    assert len(parts(groups[("X", "Y")], "mating-line")) == 2
    assert wiring_faults(root, family) == []
    assert layout_faults(root, lines_too=False) == []


# --- the big pedigree ------------------------------------------------------------------------

def test_big_pedigree_is_readable_nothing_overlaps_and_nothing_crosses_a_label():
    svg = draw_pedigree(big(), proband="BIG_IV1", title="Family BIG",
                        genotypes={"BIG_IV1": "+/−", "BIG_III1": "+/−", "BIG_II1": "+/−",
                                   "BIG_I1": "+/−", "BIG_III13": "−/−"})
    root = ET.fromstring(svg)
    assert layout_faults(root) == []


def test_big_pedigree_every_child_hangs_from_its_own_parents():
    family = big()
    root = ET.fromstring(draw_pedigree(family, proband="BIG_IV1"))
    assert wiring_faults(root, family) == []


def test_big_pedigree_rows_are_the_generations_of_the_ped_top_down():
    root = ET.fromstring(draw_pedigree(big(), proband="BIG_IV1"))
    labels = {el.text: float(el.get("y")) for el in with_class(root, "generation")}
    assert list(labels) == ["I", "II", "III", "IV"]
    assert labels["I"] < labels["II"] < labels["III"] < labels["IV"]
    for pid, group in members(root).items():
        numeral = re.fullmatch(r"BIG_([IV]+)\d+", pid).group(1)
        _, cy = centre(symbol(group))
        nearest = min(labels, key=lambda n: abs(labels[n] - cy))
        assert nearest == numeral, pid
        assert abs(labels[nearest] - cy) < 20
        assert group.get("data-label").split("-")[0] == numeral


def test_second_marriage_partners_on_either_side_and_half_siblings_under_their_own_union():
    root = ET.fromstring(draw_pedigree(big(), proband=None))
    drawn, groups = members(root), unions(root)
    x = {pid: centre(symbol(g))[0] for pid, g in drawn.items()}
    for person, first, second in (("BIG_II1", "BIG_II2", "BIG_II4"),
                                  ("BIG_III6", "BIG_III18", "BIG_III19")):
        assert (x[first] - x[person]) * (x[second] - x[person]) < 0
    children = {pair: sorted(el.get("data-child") for el in parts(g, "drop-line"))
                for pair, g in groups.items()}
    assert children[("BIG_II1", "BIG_II2")] == ["BIG_III1", "BIG_III2", "BIG_III3"]
    assert children[("BIG_II1", "BIG_II4")] == ["BIG_III4", "BIG_III5"]
    assert children[("BIG_III18", "BIG_III6")] == ["BIG_IV7", "BIG_IV8"]
    assert children[("BIG_III19", "BIG_III6")] == ["BIG_IV9"]


def test_big_pedigree_partners_stand_next_to_each_other_and_siblings_in_ped_order():
    family = big()
    root = ET.fromstring(draw_pedigree(family, proband=None))
    drawn = members(root)
    place = {pid: centre(symbol(g)) for pid, g in drawn.items()}
    for (father, mother), group in unions(root).items():
        (fx, fy), (mx, my) = place[father], place[mother]
        assert fy == my
        between = [p for p, (px, py) in place.items()
                   if py == fy and min(fx, mx) < px < max(fx, mx)]
        assert between == [], (father, mother)
        kids = [el.get("data-child") for el in parts(group, "drop-line")]
        in_ped_order = [pid for pid in family.ids if pid in kids]
        assert sorted(kids, key=lambda k: place[k][0]) == in_ped_order


def test_a_couple_with_one_sibship_is_centred_over_it():
    root = ET.fromstring(draw_pedigree(big(), proband="BIG_IV1"))
    drawn, groups = members(root), unions(root)
    # the couples in which neither partner has another union and no partner has parents on
    # the other side of the family (those are pulled towards their relatives)
    for pair in [("BIG_I1", "BIG_I2"), ("BIG_I3", "BIG_I4"), ("BIG_II6", "BIG_II3"),
                 ("BIG_II5", "BIG_II8"), ("BIG_III1", "BIG_III13"), ("BIG_III14", "BIG_III3"),
                 ("BIG_III4", "BIG_III15"), ("BIG_III16", "BIG_III9"),
                 ("BIG_III17", "BIG_III11")]:
        descent_x = ends(parts(groups[pair], "descent-line")[0])[0]
        kids = [centre(symbol(drawn[el.get("data-child")]))[0]
                for el in parts(groups[pair], "drop-line")]
        assert abs(descent_x - (min(kids) + max(kids)) / 2) < 0.2, pair
        partners = [centre(symbol(drawn[p]))[0] for p in pair]
        assert abs(descent_x - sum(partners) / 2) < 0.2, pair


def test_founders_take_the_row_of_their_partner_and_sit_above_their_child(tmp_path):
    # A and B's only son H marries G, a granddaughter of C and D: H belongs in G's row (III)
    # and his parents in row II, not in row I beside C and D.
    family = family_from(tmp_path, "F C 0 0 1 1\nF D 0 0 2 1\nF E C D 1 1\nF F2 0 0 2 1\n"
                         "F G E F2 2 1\nF A 0 0 1 1\nF B 0 0 2 1\nF H A B 1 1\nF K H G 1 2\n", "F")
    root = ET.fromstring(draw_pedigree(family, proband=None))
    rows = {pid: g.get("data-label").split("-")[0] for pid, g in members(root).items()}
    assert rows == {"C": "I", "D": "I", "E": "II", "F2": "II", "G": "III", "A": "II",
                    "B": "II", "H": "III", "K": "IV"}
    assert wiring_faults(root, family) == []
    assert layout_faults(root) == []


# --- genotypes -------------------------------------------------------------------------------

def test_genotype_labels_are_written_under_each_symbol_and_missing_ones_are_a_question_mark():
    given = {"BIG_IV1": "+/−", "BIG_III1": "+/+", "BIG_III13": "−/−", "NOT_IN_FAMILY": "+/−"}
    root = ET.fromstring(draw_pedigree(big(), proband="BIG_IV1", genotypes=given))
    for pid, group in members(root).items():
        expected = given.get(pid, "?")
        assert group.get("data-genotype") == expected
        (label,) = with_class(group, "genotype")
        (id_label,) = with_class(group, "member-id")
        assert label.text == expected and id_label.text == pid
        assert float(id_label.get("y")) < float(label.get("y"))  # id first, genotype below
        assert float(id_label.get("y")) > shape_box(symbol(group))[3]  # both under the symbol
    keys = [el.text for el in with_class(root, "legend-key")]
    assert keys == ["+/−", "+/+", "−/−", "?"]


def test_without_genotypes_no_genotype_line_is_drawn():
    root = ET.fromstring(draw_pedigree(big(), proband=None))
    assert not with_class(root, "genotype") and not with_class(root, "legend-key")
    assert {g.get("data-genotype") for g in with_class(root, "member")} == {""}


# --- escaping, self-containment, determinism ------------------------------------------------

def test_ids_labels_and_title_from_the_input_are_escaped(tmp_path):
    nasty = "<script>alert(1)</script>"
    family = family_from(tmp_path, f"X a\"b&c 0 0 1 1\nX O'Brien 0 0 2 1\n"
                         f"X {nasty} a\"b&c O'Brien 2 2\n", "X")
    svg = draw_pedigree(family, proband=nasty, title="Family <X> & co",
                        genotypes={nasty: "<img src=x onerror=alert(1)>", "O'Brien": "+/−"})
    assert "<script" not in svg.lower() and "<img" not in svg.lower()
    root = ET.fromstring(svg)  # well-formed XML
    assert set(members(root)) == {'a"b&c', "O'Brien", nasty}
    kid = members(root)[nasty]
    assert kid.get("data-genotype") == "<img src=x onerror=alert(1)>"
    assert with_class(kid, "member-id")[0].text == nasty
    assert nasty in next(el for el in kid if tag(el) == "title").text
    assert unions(root)[('a"b&c', "O'Brien")] is not None
    assert with_class(root, "title")[0].text == "Family <X> & co"


def test_the_svg_is_self_contained():
    svg = draw_pedigree(big(), proband="BIG_IV1", genotypes={}, title="BIG")
    root = ET.fromstring(svg)
    assert tag(root) == "svg" and root.get("width") == "100%" and root.get("viewBox")
    assert re.findall(r"https?://[^\"']*", svg) == ["http://www.w3.org/2000/svg"]
    for forbidden in ("<script", "href", "url(", "@import", "@font-face", "<image", "<foreign"):
        assert forbidden not in svg.lower()
    assert {el.get("font-family") for el in root.iter()} - {None} == {"sans-serif"}


def test_the_same_input_gives_the_same_svg_in_any_process():
    args = dict(proband="BIG_IV1", genotypes={"BIG_IV1": "+/−"}, title="BIG")
    assert draw_pedigree(big(), **args) == draw_pedigree(big(), **args)
    # set and hash order differ between processes: the drawing must not
    ped = str(PEDS / "big_four_generations.ped")
    code = ("import sys; from cmmvar.io.ped_file import read_family; "
            "from cmmvar.report.pedigree_svg import draw_pedigree; "
            f"sys.stdout.write(draw_pedigree(read_family({ped!r}, 'BIG'), proband='BIG_IV1'))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert runs == {draw_pedigree(big(), proband="BIG_IV1")}


# --- parents missing from the PED, unknown sex, unrelated people ------------------------------

def test_added_parents_and_an_unknown_sex_person_are_drawn():
    family = read_family(PEDS / "missing_parents.ped", "MP")
    root = ET.fromstring(draw_pedigree(family, proband="MP_kid1"))
    drawn = members(root)
    assert set(drawn) == {"MP_kid1", "MP_kid2", "MP_half", "MP_dad", "MP_mum",
                          "MP_dad.partner"}
    assert {pid for pid, g in drawn.items() if g.get("data-added") == "true"} == {
        "MP_dad", "MP_mum", "MP_dad.partner"}
    assert all(symbol(drawn[p]).get("stroke-dasharray") for p in ("MP_dad", "MP_mum"))
    assert symbol(drawn["MP_kid1"]).get("stroke-dasharray") is None
    kid2 = drawn["MP_kid2"]
    assert (kid2.get("data-sex"), kid2.get("data-shape")) == ("unknown", "diamond")
    assert tag(symbol(kid2)) == "polygon"
    # MP_dad between his two partners, each union with its own sibship
    x = {pid: centre(symbol(g))[0] for pid, g in drawn.items()}
    assert (x["MP_mum"] - x["MP_dad"]) * (x["MP_dad.partner"] - x["MP_dad"]) < 0
    assert wiring_faults(root, family) == []
    assert layout_faults(root) == []


def test_unrelated_people_of_one_family_are_drawn_side_by_side(tmp_path):
    family = family_from(tmp_path, "U a1 0 0 1 1\nU a2 0 0 2 1\nU a3 a1 a2 2 2\n"
                         "U loner 0 0 0 0\nU b1 0 0 1 1\nU b2 0 0 2 1\nU b3 b1 b2 1 2\n"
                         "U b4 b1 b2 2 1\n", "U")
    root = ET.fromstring(draw_pedigree(family, proband="a3"))
    boxes = {pid: shape_box(symbol(g)) for pid, g in members(root).items()}
    parts_ = [("a1", "a2", "a3"), ("loner",), ("b1", "b2", "b3", "b4")]
    spans = [(min(boxes[p][0] for p in part), max(boxes[p][2] for p in part))
             for part in parts_]
    assert spans[0][1] < spans[1][0] and spans[1][1] < spans[2][0]  # apart, in PED order
    assert wiring_faults(root, family) == []
    assert layout_faults(root) == []


def test_a_hand_made_family_with_one_parent_is_an_error():
    family = Family("H", (Individual("mum", None, None, Sex.FEMALE, Phenotype.UNAFFECTED, None, 1),
                          Individual("kid", None, "mum", Sex.MALE, Phenotype.AFFECTED, None, 2)),
                    "hand.ped")
    with pytest.raises(PedigreeError, match=r"'kid' has one parent"):
        draw_pedigree(family, proband=None)


# --- any pedigree ----------------------------------------------------------------------------

@st.composite
def pedigrees(draw) -> str:
    """PED text of a random family: founders, partners from inside (relatives) or outside the
    family, second partners, sibships of up to four, for up to three generations."""
    rows = [("p0", "0", "0", 1), ("p1", "0", "0", 2)]
    sex = {"p0": 1, "p1": 2}
    couples = [("p0", "p1")]
    for _ in range(draw(st.integers(1, 3))):
        newborn = []
        for father, mother in couples:
            for _ in range(draw(st.integers(0, 4))):
                pid = f"p{len(sex)}"
                sex[pid] = draw(st.sampled_from([1, 2, 0]))
                rows.append((pid, father, mother, sex[pid]))
                newborn.append(pid)
        couples = []
        taken: set[str] = set()
        for pid in newborn:
            if sex[pid] == 0 or pid in taken:
                continue
            for _ in range(draw(st.integers(0, 2))):
                inside = [q for q in newborn if sex[q] == 3 - sex[pid] and q not in taken]
                if inside and draw(st.booleans()):
                    partner = draw(st.sampled_from(inside))
                else:
                    partner = f"p{len(sex)}"
                    sex[partner] = 3 - sex[pid]
                    rows.append((partner, "0", "0", sex[partner]))
                taken.add(partner)
                couples.append((pid, partner) if sex[pid] == 1 else (partner, pid))
            taken.add(pid)
    status = draw(st.lists(st.sampled_from("012"), min_size=len(rows), max_size=len(rows)))
    return "".join(f"R {pid} {f} {m} {s} {p}\n"
                   for (pid, f, m, s), p in zip(rows, status, strict=True))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=pedigrees())
def test_any_pedigree_draws_everyone_once_without_overlaps_and_wired_to_its_parents(
        tmp_path_factory, text):
    path = tmp_path_factory.mktemp("ped") / "r.ped"
    path.write_text(text)
    family = read_family(path, "R")
    root = ET.fromstring(draw_pedigree(family, proband=family.ids[-1],
                                       genotypes={family.ids[0]: "+/−"}))
    assert set(members(root)) == set(family.ids)
    assert wiring_faults(root, family) == []
    # lines are not checked here: a union between two relatives who both have parents may
    # need a long line (see the module's limitations); symbols and labels never collide
    assert layout_faults(root, lines_too=False) == []


# --- carriers, deceased, age and the key (Bennett et al. 2008/2022) -------------------------

def _nuclear(**extra: dict) -> Family:
    """Father F (deceased at 82), mother M (age 60), affected son A (age 30), unaffected
    daughter D (no age): the ages and deceased status a PED mapping gives."""
    info = {"F": dict(age=82.0, deceased=True), "M": dict(age=60.0, deceased=False),
            "A": dict(age=30.0), "D": {}} | extra
    people = (Individual("F", None, None, Sex.MALE, Phenotype.UNAFFECTED, line=1, **info["F"]),
              Individual("M", None, None, Sex.FEMALE, Phenotype.UNAFFECTED, line=2,
                         **info["M"]),
              Individual("A", "F", "M", Sex.MALE, Phenotype.AFFECTED, line=3, **info["A"]),
              Individual("D", "F", "M", Sex.FEMALE, Phenotype.UNAFFECTED, line=4, **info["D"]))
    return Family("N", people, "hand-made")


def legend_words(root: ET.Element) -> list[str]:
    return [item[-1].text for item in with_class(root, "legend-item")]


def test_carriers_not_expected_to_be_affected_have_a_dot_in_the_centre():
    labels = {"F": "+/−", "M": "+/−", "A": "+/+", "D": "+/−"}
    root = ET.fromstring(draw_pedigree(_nuclear(), proband="A", genotypes=labels,
                                       carriers={"M", "D", "NOT_IN_FAMILY"}))
    drawn = members(root)
    assert {p for p, g in drawn.items() if g.get("data-carrier") == "true"} == {"M", "D"}
    for pid, group in drawn.items():
        dots = with_class(group, "carrier-dot")
        assert len(dots) == (pid in ("M", "D")), pid
        for dot in dots:  # a small black dot at the symbol's centre
            assert centre(dot) == pytest.approx(centre(symbol(group)))
            assert float(dot.get("r")) < 5 and dot.get("fill") in BLACK
    assert "dot: carrier, not expected to be affected" in legend_words(root)
    plain = ET.fromstring(draw_pedigree(_nuclear(), proband="A", genotypes=labels))
    assert not with_class(plain, "carrier-dot")
    assert "dot: carrier, not expected to be affected" not in legend_words(plain)


def test_deceased_is_a_diagonal_through_the_symbol_and_age_follows_the_id():
    root = ET.fromstring(draw_pedigree(_nuclear(), proband="A"))
    drawn = members(root)
    assert {p for p, g in drawn.items() if g.get("data-deceased") == "true"} == {"F"}
    (line,) = with_class(drawn["F"], "deceased-line")
    x1, y1, x2, y2 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
    x0, top, x3, bottom = shape_box(symbol(drawn["F"]))
    cx, cy = centre(symbol(drawn["F"]))
    # lower left to upper right, through the centre, beyond the symbol on both ends
    assert x1 < x0 and y1 > bottom and x2 > x3 and y2 < top
    assert (cy - y1) * (x2 - x1) == pytest.approx((y2 - y1) * (cx - x1))
    for pid in ("M", "A", "D"):
        assert not with_class(drawn[pid], "deceased-line")
    ages = {p: "".join(t.text for t in with_class(g, "age")) for p, g in drawn.items()}
    assert ages == {"F": ", d. 82 y", "M": ", 60 y", "A": ", 30 y", "D": ""}
    assert {p: g.get("data-age") for p, g in drawn.items()} == {
        "F": "82", "M": "60", "A": "30", "D": None}
    assert "age at death 82 y" in drawn["F"].find(f"{SVG}title").text
    words = legend_words(root)
    assert "deceased" in words and "after the id: age in years; d. 40 y: age at death" in words


def test_no_age_or_deceased_no_marks_and_no_key_entries():
    family = _nuclear(F={}, M={}, A={})
    root = ET.fromstring(draw_pedigree(family, proband="A"))
    assert not with_class(root, "deceased-line") and not with_class(root, "age")
    words = legend_words(root)
    assert "deceased" not in words and not any("age" in w for w in words)
    alive = ET.fromstring(draw_pedigree(_nuclear(F=dict(age=82.0, deceased=False)),
                                        proband="A"))
    assert "after the id: age in years" in legend_words(alive)  # no one deceased with an age


def test_the_key_lists_exactly_the_shapes_fills_and_labels_drawn():
    """_nuclear: males and females, affected and unaffected, no unknown sex or phenotype; the
    labels +/−, +/+ and + only."""
    labels = {"F": "+", "M": "+/−", "A": "+/+", "D": "+/−"}
    root = ET.fromstring(draw_pedigree(_nuclear(F={}, M={}, A={}), proband="A",
                                       genotypes=labels))
    assert legend_words(root) == ["male", "female", "affected", "unaffected", "proband (P)",
                                  "heterozygous", "homozygous", "hemizygous"]
    assert [el.text for el in with_class(root, "legend-key")] == ["+/−", "+/+", "+"]
    # every shape the key shows is drawn for someone, and the other way round
    drawn = members(root)
    assert {g.get("data-shape") for g in drawn.values()} == {"square", "circle"}
    assert {g.get("data-genotype") for g in drawn.values()} == {"+", "+/−", "+/+"}
