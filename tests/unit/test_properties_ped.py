"""Property tests of the PED parser (hypothesis).

A generated pedigree, written as PED text in any of the ways the parser accepts (tabs with
empty fields or runs of spaces, an optional header with ignored or mapped extra columns, CRLF,
a byte order mark, comments, blank lines), parses back to the same people; any other text is
either parsed or refused with a PedigreeError, never another exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmmvar.errors import PedigreeError
from cmmvar.io.ped_file import PedColumns, read_ped
from cmmvar.io.pedigree import Phenotype, Sex

FAST = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One folder for every example: each writes its file afresh."""
    return tmp_path_factory.mktemp("ped")

# IDs: any characters but the separators, line ends and the ASCII control characters the
# parser refuses; not a no-parent code; a family ID does not start with '#' (that line would
# be a comment). Header words are drawn on purpose.
ID_CHARS = st.characters(blacklist_categories=("Cs",),
                         blacklist_characters=" " + "".join(map(chr, range(32))) + "\x7f")
IDS = st.one_of(st.text(ID_CHARS, min_size=1, max_size=6),
                st.sampled_from(["FID", "Family", "ped", "IID", "0x", "NA", "-9a", "#7"]))
IDS = IDS.filter(lambda s: s not in ("0", ".", "-9"))
FAMILY_IDS = IDS.filter(lambda s: not s.startswith("#"))
SEX_CODE = {Sex.UNKNOWN: ["0"], Sex.MALE: ["1"], Sex.FEMALE: ["2"]}
PHENOTYPE_CODE = {Phenotype.UNKNOWN: ["0", "-9"], Phenotype.UNAFFECTED: ["1"],
                  Phenotype.AFFECTED: ["2"]}


@dataclass(frozen=True)
class Person:
    family: str
    id: str
    father: str | None
    mother: str | None
    sex: Sex
    phenotype: Phenotype
    liability_class: str | None
    age: float | None
    deceased: bool | None


@st.composite
def pedigrees(draw) -> list[Person]:
    """Families whose members have both parents listed earlier in the family, or none: no
    cycle, no added parent; parents have the sex of their role (never 0, which the parser
    would recode with a warning)."""
    people: list[Person] = []
    for family in draw(st.lists(FAMILY_IDS, min_size=1, max_size=3, unique=True)):
        members: list[Person] = []
        for iid in draw(st.lists(IDS, min_size=1, max_size=6, unique=True)):
            men = [p.id for p in members if p.sex is Sex.MALE]
            women = [p.id for p in members if p.sex is Sex.FEMALE]
            father = mother = None
            if men and women and draw(st.booleans()):
                father, mother = draw(st.sampled_from(men)), draw(st.sampled_from(women))
            members.append(Person(
                family, iid, father, mother, draw(st.sampled_from(list(Sex))),
                draw(st.sampled_from(list(Phenotype))),
                draw(st.none() | st.sampled_from(["adult", "child", "c-3"])),
                draw(st.none() | st.integers(0, 99).map(float) | st.just(7.5)),
                draw(st.none() | st.booleans())))
        people += members
    return people


@st.composite
def ped_texts(draw, people: list[Person]) -> tuple[bytes, PedColumns, bool]:
    """(file bytes, the mapping to read them with, whether extra columns hold the values)."""
    tabs = draw(st.booleans())
    header = draw(st.sampled_from([None, ["FID", "IID", "PAT", "MAT", "SEX", "PHENOTYPE"],
                                   ["#family_id", "individual_id", "father", "mother", "sex",
                                    "phenotype"],
                                   ["# FID", "IID", "father", "mother", "sex", "phenotype"]]))
    # extra columns: (name, kind) with kind one of the mapped keys or "other"
    extra = draw(st.permutations(["liability_class", "age", "deceased", "other"]))
    extra = extra[:draw(st.integers(0, 4))]
    if header is None and extra and draw(st.booleans()):
        extra = ["liability_class"]  # the classic 7th column, read without any mapping
        columns, legacy = PedColumns(), True
    else:
        legacy = False
        by_name = header is not None and draw(st.booleans())
        columns = PedColumns(**{kind: (f"col_{kind}" if by_name else 7 + index)
                                for index, kind in enumerate(extra) if kind != "other"})

    def missing_parent() -> str:
        return draw(st.sampled_from(["0", ".", "-9"] + ([""] if tabs else [])))

    def code(options: list[str], unknown: bool) -> str:
        return draw(st.sampled_from(options + ([""] if tabs and unknown else [])))

    def value(person: Person, kind: str) -> str:
        unknown = ([""] if tabs else []) + [".", "NA"]
        if kind == "liability_class":
            known = person.liability_class
        elif kind == "age":
            known = None if person.age is None else (
                f"{person.age:g}" if person.age != int(person.age) else f"{int(person.age)}")
        elif kind == "deceased":
            known = None if person.deceased is None else draw(st.sampled_from(
                ["1", "yes", "TRUE", "Y"] if person.deceased else ["0", "no", "false", "n"]))
        else:
            known = draw(st.text("abc-", min_size=1, max_size=3))
        if legacy and known is None:
            return draw(st.sampled_from(unknown))
        return known if known is not None else draw(st.sampled_from(unknown))

    def join(fields: list[str]) -> str:
        if tabs:
            return "\t".join(draw(st.sampled_from(["", " "])) + f for f in fields)
        lead = draw(st.sampled_from(["", " ", "\t"]))
        return lead + "".join(f + " " * draw(st.integers(1, 3)) for f in fields).rstrip(" ")

    lines = []
    if header is not None:
        names = header + [f"col_{kind}" for kind in extra]
        lines.append(("\t" if tabs else " ").join(names))
    for person in people:
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# a note", "#FID is not here", "  "])))
        fields = [person.family, person.id, person.father or missing_parent(),
                  person.mother or missing_parent(),
                  code(SEX_CODE[person.sex], person.sex is Sex.UNKNOWN),
                  code(PHENOTYPE_CODE[person.phenotype], person.phenotype is Phenotype.UNKNOWN)]
        fields += [value(person, kind) for kind in extra]
        if legacy and not person.liability_class and draw(st.booleans()):
            fields = fields[:6]  # the optional 7th column left out
        lines.append(join(fields))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + text.encode(), columns, legacy or any(k != "other" for k in extra)


@FAST
@given(st.data())
def test_a_written_pedigree_parses_back_to_the_same_people(folder, data):
    people = data.draw(pedigrees())
    raw, columns, _ = data.draw(ped_texts(people))
    path = folder / "f.ped"
    path.write_bytes(raw)
    families = read_ped(path, columns)
    assert list(families) == list(dict.fromkeys(p.family for p in people))
    read = [(fid, ind.id, ind.father, ind.mother, ind.sex, ind.phenotype, ind.liability_class,
             ind.age, ind.deceased) for fid, family in families.items()
            for ind in family.individuals]
    mapped = set(dict(columns.mapped())) | ({"liability_class"} if not columns.mapped() else set())

    def expected(p: Person):
        return (p.family, p.id, p.father, p.mother, p.sex, p.phenotype,
                p.liability_class if "liability_class" in mapped else None,
                p.age if "age" in mapped else None,
                p.deceased if "deceased" in mapped else None)

    got = sorted(read, key=repr)
    want = sorted((expected(p) for p in people), key=repr)
    if not columns.mapped():
        # without a mapping the liability class is read only from a header-less 7th column
        got = [g[:6] + g[7:] for g in got]
        want = [w[:6] + w[7:] for w in want]
    assert got == want
    assert not any(ind.added for family in families.values() for ind in family.individuals)


JUNK_CHARS = st.sampled_from(list("F12 0\t\n\r#.-9aé\u0085") + ["\ufeff", "FID", "IID"])


@settings(FAST, max_examples=150)
@given(st.one_of(st.binary(max_size=200),
                 st.lists(JUNK_CHARS, max_size=60).map(lambda c: "".join(c).encode()),
                 st.lists(JUNK_CHARS, max_size=60).map(lambda c: "".join(c).encode("utf-16"))),
       st.sampled_from([None, PedColumns(age=7), PedColumns(liability_class="IID"),
                        PedColumns(deceased=8, age="FID")]))
def test_junk_is_parsed_or_refused_with_a_pedigree_error(folder, raw, columns):
    path = folder / "junk.ped"
    path.write_bytes(raw)
    try:
        families = read_ped(path, columns)
    except PedigreeError as error:
        assert str(error).startswith(str(path))
        return
    assert families and all(family.individuals for family in families.values())


@settings(FAST, max_examples=30)
@given(st.data())
def test_a_mutated_pedigree_is_parsed_or_refused_with_a_pedigree_error(folder, data):
    """Valid text with characters inserted, deleted or swapped: the near-misses of real
    files (a lost tab, a stray '#', a digit in the wrong column)."""
    raw, columns, _ = data.draw(ped_texts(data.draw(pedigrees())))
    text = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete"]))
        if action == "delete" and at < len(text):
            del text[at]
        else:
            text[at:at] = data.draw(st.sampled_from([b"\t", b" ", b"\n", b"#", b"2", b"0",
                                                      b"\xe9", b"x"]))
    path = folder / "m.ped"
    path.write_bytes(bytes(text))
    try:
        read_ped(path, columns)
    except PedigreeError as error:
        assert str(error).startswith(str(path))
