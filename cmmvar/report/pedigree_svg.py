"""Pedigree drawings: a family as one self-contained inline SVG in standard nomenclature.

Holds the SVG writer and its entry point, draw_pedigree; the layout lives beside it
(pedigree_structure: unions and generations; pedigree_layout and pedigree_packing: rows and x
positions; pedigree_geometry: sizes; pedigree_shapes: the SVG elements). Knows nothing about
variants beyond the genotype label it is given for each person.

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

from collections.abc import Collection, Mapping
from html import escape

from cmmvar.io.pedigree import Family, Phenotype, Sex
from cmmvar.report.pedigree_geometry import (
    BRACKET_DY,
    DOUBLE,
    FONT,
    GENOTYPE_DY,
    LABEL_DY,
    LINE_GAP,
    MARGIN,
    ROW_HEIGHT,
    SIBSHIP_TRACKS,
    SYMBOL,
    Extent,
    age_text,
    extent_of,
    half_height,
    half_width,
    text_width,
    years,
)
from cmmvar.report.pedigree_layout import Layout, descent_x
from cmmvar.report.pedigree_shapes import (
    arrow_shape,
    attributes,
    carrier_dot,
    deceased_line,
    num_text,
    proband_arrow,
    roman,
    svg_line,
    symbol_shape,
)
from cmmvar.report.pedigree_structure import Pedigree, Union, check_drawable

FILL = {Phenotype.AFFECTED: "#000000", Phenotype.UNAFFECTED: "#ffffff",
        Phenotype.UNKNOWN: "#bdbdbd"}
SHAPE = {Sex.MALE: "square", Sex.FEMALE: "circle", Sex.UNKNOWN: "diamond"}
SEX_WORD = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.UNKNOWN: "unknown"}
GENOTYPE_KEY = (("+/−", "heterozygous"), ("+/+", "homozygous"), ("−/−", "no variant"),
                ("?", "not sequenced or failed QC"))
# a male's X outside the pseudo-autosomal regions: one copy
HEMIZYGOUS_KEY = (("+", "hemizygous"), ("−", "hemizygous, no variant"))


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
    check_drawable(family, people, proband)
    labels = None if genotypes is None else {pid: genotypes.get(pid, "?") for pid in people}
    pedigree = Pedigree(people)
    extents = {pid: extent_of(ind, labels, pid == proband) for pid, ind in people.items()}
    xs = Layout(pedigree, extents).positions()
    svg = _Svg(pedigree, extents, xs, proband, labels, title)
    svg.carriers = frozenset(carriers) & people.keys()
    svg.proband_words = f"proband, {proband_note}" if proband_note else "proband"
    return svg.render()


class _Svg:
    carriers: frozenset[str] = frozenset()  # drawn with a dot; draw_pedigree sets them
    proband_words = "proband"  # with how the proband was chosen ("chosen by rule")

    def __init__(self, pedigree: Pedigree, extents: dict[str, Extent], xs: dict[str, float],
                 proband: str | None, labels: Mapping[str, str] | None, title: str | None):
        self.ped, self.ext, self.proband, self.labels, self.title = (
            pedigree, extents, proband, labels, title)
        gen = pedigree.generation
        rows = max(gen.values()) + 1
        self.gen_label_width = max(text_width(roman(g + 1), 12) for g in range(rows))
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
            body.append(f'<text {attributes(class_="title", x=MARGIN, y=MARGIN + 14.0)} '
                        f'font-size="14" font-weight="bold">{escape(self.title)}</text>')
        for g in range(self.rows):
            y = self.top + g * ROW_HEIGHT
            body.append(f'<text {attributes(class_="generation", x=MARGIN, y=y + 4.0)} '
                        f'font-size="12" font-weight="bold">{roman(g + 1)}</text>')
        body += self._unions()
        for pid in self.ped.people:
            body.append(self._member(pid))
        bottom = self.top + (self.rows - 1) * ROW_HEIGHT + GENOTYPE_DY + 8
        legend, legend_width, legend_height = self._legend(bottom + 24)
        body.append(legend)
        width = max(self.width, legend_width + 2 * MARGIN,
                    MARGIN * 2 + text_width(self.title or "", 14))
        height = bottom + 24 + legend_height + MARGIN
        label = f"Pedigree {self.title}" if self.title else "Pedigree"
        box = f"0 0 {num_text(width)} {num_text(height)}"
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'{attributes(class_="pedigree", viewBox=box)} '
                f'width="100%" preserveAspectRatio="xMinYMin meet" '
                f'style="max-width:{num_text(width)}px;height:auto" role="img" '
                f'{attributes(aria_label=label)} font-family="sans-serif">')
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
            data["data_age"] = years(ind.age)
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
            tooltip.append(f"{'age at death' if ind.deceased else 'age'} {years(ind.age)} y")
        parts = [f"<g {attributes(**data)}>", f"<title>{escape(', '.join(tooltip))}</title>",
                 symbol_shape(shape, x, y, FILL[ind.phenotype], ind.added, "symbol")]
        if pid in self.carriers:
            parts.append(carrier_dot(x, y, 1.0))
        if ind.deceased:
            parts.append(deceased_line(x, y, 1.0))
        age = age_text(ind)
        shown_age = f'<tspan class="age">{escape(age)}</tspan>' if age else ""
        parts.append(f'<text {attributes(class_="member-id", x=x, y=y + LABEL_DY)} '
                     f'text-anchor="middle" font-size="{num_text(FONT)}">{escape(pid)}'
                     f'{shown_age}</text>')
        if self.labels is not None:
            parts.append(f'<text {attributes(class_="genotype", x=x, y=y + GENOTYPE_DY)} '
                         f'text-anchor="middle" font-size="{num_text(FONT)}">'
                         f'{escape(genotype)}</text>')
        if pid == self.proband:
            parts.append(proband_arrow(ind.sex, x, y))
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

    def _relationship(self, union: Union) -> tuple[list[str], float, float, bool, float]:
        """The relationship line(s), where the descent leaves them (x, y), whether the union
        is drawn across other people or rows, and the y of the lower partner's row."""
        a, b = sorted(union.partners, key=lambda p: (self.x[p], self.ped.order[p]))
        ya, yb = self.y[a], self.y[b]
        offsets = (-DOUBLE, DOUBLE) if union.consanguineous else (0.0,)
        lines = []
        if ya == yb:
            stands = sorted((self.x[p], self.ped.order[p], p) for p in self.ped.people
                            if self.y[p] == ya and self.x[a] <= self.x[p] <= self.x[b])
            drop_x = descent_x([(p, x, self.ext[p]) for x, _, p in stands], self.ped.couples)
            across = len(stands) > 2
            if across:  # route the line above whoever stands between the partners
                for d in offsets:
                    top = ya - BRACKET_DY + d
                    xa, xb = self.x[a] + d, self.x[b] - d
                    points = [(xa, ya - half_height(self._sex(a))), (xa, top), (xb, top),
                              (xb, yb - half_height(self._sex(b)))]
                    shown = " ".join(f"{num_text(px)},{num_text(py)}" for px, py in points)
                    lines.append(f'<polyline class="mating-line" fill="none" stroke="#000" '
                                 f'points="{shown}"/>')
                drop_top = ya - BRACKET_DY + offsets[-1]
            else:
                for d in offsets:
                    x1 = self.x[a] + half_width(self._sex(a), d)
                    x2 = self.x[b] - half_width(self._sex(b), d)
                    lines.append(svg_line("mating-line", x1, ya + d, x2, ya + d))
                drop_top = ya + offsets[-1]
        else:  # partners in different rows (only where the rows could not be levelled)
            across = True
            for d in offsets:
                x1, x2 = self.x[a] + half_width(self._sex(a), 0), self.x[b] - half_width(
                    self._sex(b), 0)
                lines.append(svg_line("mating-line", x1, ya + d, x2, yb + d))
            drop_x = round((x1 + x2) / 2, 1)  # on the drawn line after rounding too
            along = 0.5 if x1 == x2 else (drop_x - x1) / (x2 - x1)
            drop_top = ya + (yb - ya) * along + offsets[-1]
        return lines, drop_x, drop_top, across, max(ya, yb)

    def _union(self, union: Union, shape: tuple[list[str], float, float, bool, float],
               sibship_y: float) -> str:
        lines, drop_x, drop_top, _, _ = shape
        lines = list(lines)
        kids = [self.x[c] for c in union.children]
        lines.append(svg_line("descent-line", drop_x, drop_top, drop_x, sibship_y))
        lines.append(svg_line("sibship-line", min(kids + [drop_x]), sibship_y,
                           max(kids + [drop_x]), sibship_y))
        for child in union.children:
            top = self.y[child] - half_height(self._sex(child))
            lines.append(svg_line("drop-line", self.x[child], sibship_y, self.x[child], top,
                               data_child=child))
        data = attributes(class_="union", data_father=union.father, data_mother=union.mother,
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
            entries.append((lambda x, y, s=SHAPE[sex]: symbol_shape(
                s, x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5), words))
        for phenotype, words in ((Phenotype.AFFECTED, "affected"),
                                 (Phenotype.UNAFFECTED, "unaffected"),
                                 (Phenotype.UNKNOWN, "phenotype unknown")):
            if phenotype not in phenotypes:
                continue
            entries.append((lambda x, y, f=FILL[phenotype]: symbol_shape(
                "square", x, y, f, False, "legend-swatch", 0.5), words))
        if self.proband is not None:
            entries.append((lambda x, y: arrow_shape(
                (x - half, y + half), (x + half, y - half), "legend-swatch"),
                f"{self.proband_words} (P)"))
        if any(u.consanguineous for u in self.ped.unions):
            entries.append((lambda x, y: "".join(
                svg_line("legend-swatch", x - 2 * half, y + d, x + 2 * half, y + d)
                for d in (-DOUBLE, DOUBLE)), "consanguineous union"))
        if any(ind.added for ind in self.ped.people.values()):
            entries.append((lambda x, y: symbol_shape(
                "square", x, y, FILL[Phenotype.UNAFFECTED], True, "legend-swatch", 0.5),
                "dashed: parent not in the PED file, added"))
        people = self.ped.people.values()
        if self.carriers:
            entries.append((lambda x, y: symbol_shape(
                "circle", x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5)
                + carrier_dot(x, y, 0.5), "dot: carrier, not expected to be affected"))
        if any(ind.deceased for ind in people):
            entries.append((lambda x, y: symbol_shape(
                "square", x, y, FILL[Phenotype.UNAFFECTED], False, "legend-swatch", 0.5)
                + deceased_line(x, y, 0.5), "deceased"))
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
            lead = 4 * half if callable(swatch) else text_width(swatch, FONT)
            width = lead + 6 + text_width(words, FONT)
            if x > 0 and x + width > avail:
                x, y = 0.0, y + 22
            ox, oy = MARGIN + x, top + y
            if callable(swatch):
                shown = swatch(ox + 2 * half, oy)
            else:
                shown = (f'<text {attributes(class_="legend-key", x=ox, y=oy + 4)} '
                         f'font-size="{num_text(FONT)}">{escape(swatch)}</text>')
            parts.append(f'<g class="legend-item">{shown}'
                         f'<text {attributes(class_="legend-text", x=ox + lead + 6, y=oy + 4)} '
                         f'font-size="{num_text(FONT)}">{escape(words)}</text></g>')
            used = max(used, x + width)
            x += width + 18
        parts.append("</g>")
        return "\n".join(parts), used, y + 12
