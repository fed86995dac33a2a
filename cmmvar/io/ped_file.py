"""PED files: reading a PED file (separators, the optional header line, the extra columns
named by PedColumns) into the Family records of cmmvar.io.pedigree, with errors naming the line.

Knows the file format; the family model and its checks (parents' sex, cycles, missing
parents) are cmmvar.io.pedigree's.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cmmvar.errors import ConfigError, PedigreeError
from cmmvar.io.pedigree import Family, Individual, Phenotype, Sex, build_family

_HEADER_FIRST = {"fid", "family", "family_id", "familyid", "famid", "pedigree", "ped"}
# A '#' line is the header only when its second word names the individual column too, so
# that a comment such as "# Family of the proband" stays a comment.
_HEADER_SECOND = {"iid", "id", "individual", "individual_id", "individualid", "indiv",
                  "sample", "sample_id", "sampleid", "person", "subject"}
_NO_PARENT = {"0", ".", "-9", ""}
_FIXED = ("family", "individual", "father", "mother", "sex", "phenotype")
PED_COLUMN_KEYS = ("liability_class", "age", "deceased")
_MISSING = {"", ".", "NA"}  # a value of a mapped column that is not known
_AGE = re.compile(r"[0-9]+(\.[0-9]+)?")
# IDs are kept verbatim (they must equal the VCF sample names, and never name a file or
# reach a shell), except ASCII control characters: no sample is named so on purpose, and
# they would act in a terminal or a log (ESC sequences) or end a string early (NUL).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DECEASED = {"1": True, "yes": True, "true": True, "y": True,
             "0": False, "no": False, "false": False, "n": False}


_SEX_CODES = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE}
_PHENOTYPE_CODES = {
    "2": Phenotype.AFFECTED,
    "1": Phenotype.UNAFFECTED,
    "0": Phenotype.UNKNOWN,
    "-9": Phenotype.UNKNOWN,
}


@dataclass(frozen=True)
class PedColumns:
    """Which PED columns hold each member's liability class, age and deceased status: the
    column's name in the header line, or its 1-based position (7 or more); None = not read.

    With no column named at all, a file without a header keeps the classic rule: an optional
    7th column is the liability class.
    """

    liability_class: str | int | None = None
    age: str | int | None = None
    deceased: str | int | None = None

    @classmethod
    def from_config(cls, mapping: Mapping | None) -> PedColumns:
        """From the config's `ped_columns` (or the CLI's --ped-columns), checked."""
        mapping = dict(mapping or {})
        for key, where in mapping.items():
            if key not in PED_COLUMN_KEYS:
                raise ConfigError(f"ped_columns has no key {key!r}",
                                  hint=f"its keys are {', '.join(PED_COLUMN_KEYS)}")
            name = isinstance(where, str) and where.strip() == where != ""
            position = isinstance(where, int) and not isinstance(where, bool) and where >= 7
            if where is not None and not (name or position):
                raise ConfigError(
                    f"ped_columns.{key} is {where!r}",
                    hint="give the column's name in the PED header line, or its position "
                         "counted from 1 (7 or more: columns 1-6 are family, individual, "
                         "father, mother, sex and phenotype)")
        columns = cls(**mapping)
        seen: dict = {}
        for key, where in columns.mapped():
            if where in seen:
                raise ConfigError(f"ped_columns names column {where!r} for both {seen[where]} "
                                  f"and {key}")
            seen[where] = key
        return columns

    def mapped(self) -> tuple[tuple[str, str | int], ...]:
        """(key, name or position) of each column named, in PED_COLUMN_KEYS order."""
        return tuple((key, getattr(self, key)) for key in PED_COLUMN_KEYS
                     if getattr(self, key) is not None)


def read_ped(path: str | Path, columns: PedColumns | None = None) -> dict[str, Family]:
    """Parse a PED file into families by ID.

    Columns: family, individual, father, mother, sex, phenotype, then any others. A file with
    a tab between two columns on any line is tab-separated: every line is split on single
    tabs, so two tabs in a row enclose an empty field (an empty parent is unknown, an empty
    sex or phenotype is 0), and a line that separates some columns by spaces is an error.
    A file without tabs is split on runs of spaces. An optional header line (`FID IID ...`,
    `#family_id individual_id ...`) names the columns; `columns` says which extra columns
    hold liability class, age and deceased status, and every other extra column is ignored
    with a warning. Without a header and without `columns`, a 7th column is the liability
    class. Blank lines and other lines starting with `#` are skipped.
    """
    path = Path(path)
    columns = columns or PedColumns()
    content = _content_lines(path)
    # a tab at either end of a line separates nothing and does not make the file tab-separated
    tab_line = next((number for number, text, _ in content if "\t" in text.strip(" \t")), None)

    def split(text: str) -> list[str]:
        if tab_line is not None:
            return [value.strip(" ") for value in text.split("\t")]
        return [value for value in text.strip(" \t").split(" ") if value]

    rows = [(number, text, split(text)) for number, text, _ in content]
    header, header_line = None, None
    if rows and (content[0][2] or _is_header(rows[0][2])):
        header_line, _, header = rows.pop(0)
        if len(header) < 6:
            raise PedigreeError(
                f"the header line names {len(header)} columns; a PED file has at least 6 "
                f"({', '.join(_FIXED)})", path=path, line=header_line)
    if not rows:
        raise PedigreeError("PED file has no individuals", path=path)
    positions = _positions(columns, header, header_line, path)
    layout = _Layout(path, header, header_line, positions, tab_line,
                     legacy=header is None and not columns.mapped())

    by_family: dict[str, list[Individual]] = {}
    widest = 6
    for number, text, fields in rows:
        layout.check(number, text, fields)
        widest = max(widest, len(fields))
        ind = _parse_row(fields, number, path, layout.positions)
        by_family.setdefault(fields[0], []).append(ind)
    notes = layout.ignored(widest)
    return {fid: build_family(fid, people, path, notes) for fid, people in by_family.items()}


def _content_lines(path: Path) -> list[tuple[int, str, bool]]:
    """(line number, text, is the '#' header) of the header and data lines, in file order;
    the text as in the file (tabs at either end may be empty fields), a header without '#'."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PedigreeError("PED file not found", path=path,
                            hint="check the ped column of the families sheet") from None
    except OSError as exc:
        raise PedigreeError(f"cannot read PED file: {exc}", path=path) from None
    if data.startswith(codecs.BOM_UTF8):  # a spreadsheet may write one
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PedigreeError(
            f"the PED file is not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path,
            line=data[:exc.start].count(b"\n") + 1,
            hint="save it as UTF-8; individual IDs must equal the VCF sample names") from None

    content: list[tuple[int, str, bool]] = []
    # \r\n, \r and \n end a line; str.splitlines would also split at characters such as
    # \x1c or \x85 that may sit inside an ID.
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip(" \t")
        if not line:
            continue
        if line.startswith("#"):
            words = line.lstrip("#").lower().split()
            if content or len(words) < 2 or words[0] not in _HEADER_FIRST \
                    or words[1] not in _HEADER_SECOND:
                continue  # a comment
            content.append((number, raw.lstrip(" \t").lstrip("#"), True))
        else:
            content.append((number, raw, False))
    return content


def _is_header(tokens: list[str]) -> bool:
    """A first line naming the columns (`FID IID ...`), not the first row of a family that
    happens to be called e.g. `Family` or `PED`: a header has no sex and phenotype codes."""
    looks_like_data = (len(tokens) >= 6 and (tokens[4] or "0") in _SEX_CODES
                       and (tokens[5] or "0") in _PHENOTYPE_CODES)
    return tokens[0].lower() in _HEADER_FIRST and not looks_like_data


def _positions(columns: PedColumns, header: list[str] | None, header_line: int | None,
               path: Path) -> dict[str, int]:
    """0-based field index of each column `columns` names."""
    hint = "fix ped_columns in the config, or the PED header line"
    positions: dict[str, int] = {}
    for key, where in columns.mapped():
        if isinstance(where, int):
            if header is not None and where > len(header):
                raise PedigreeError(
                    f"ped_columns.{key} is column {where}, but the header line names "
                    f"{len(header)} columns", path=path, line=header_line, hint=hint)
            positions[key] = where - 1
            continue
        if header is None:
            raise PedigreeError(
                f"ped_columns.{key} names the column {where!r}, but the PED file has no "
                f"header line naming its columns", path=path,
                hint="add a header line (#family_id individual_id father mother sex "
                     "phenotype ...) or give the column's position")
        found = [index for index, name in enumerate(header) if name == where]
        if not found:
            raise PedigreeError(
                f"ped_columns.{key} names the column {where!r}, which the header line does "
                f"not name (its columns: {', '.join(header)})",
                path=path, line=header_line, hint=hint)
        if len(found) > 1:
            raise PedigreeError(
                f"the header line names {where!r} twice (columns "
                f"{' and '.join(str(i + 1) for i in found)}), so ped_columns.{key} is "
                f"ambiguous", path=path, line=header_line, hint="rename one of them")
        if found[0] < 6:
            raise PedigreeError(
                f"ped_columns.{key} names {where!r}, column {found[0] + 1}: one of the six "
                f"PED columns ({', '.join(_FIXED)})", path=path, line=header_line, hint=hint)
        positions[key] = found[0]
    keys = {}
    for key, index in positions.items():
        if index in keys:
            raise PedigreeError(f"ped_columns.{keys[index]} and ped_columns.{key} are both "
                                f"column {index + 1}", path=path, line=header_line, hint=hint)
        keys[index] = key
    return positions


@dataclass
class _Layout:
    """The columns of one PED file: checks each line against them."""

    path: Path
    header: list[str] | None
    header_line: int | None
    positions: dict[str, int]
    tab_line: int | None  # the first line with a tab, when the file is tab-separated
    legacy: bool  # no header and no ped_columns: an optional 7th column is the liability class

    def __post_init__(self):
        if self.legacy:
            self.positions = {"liability_class": 6}

    def check(self, number: int, text: str, fields: list[str]) -> None:
        n, kind = len(fields), "tab" if self.tab_line is not None else "space"
        found = f"found {n} {kind}-separated field{'s' if n != 1 else ''}: {text!r}"
        if self.tab_line is not None:
            for index, value in enumerate(fields[:6]):
                if " " in value:
                    raise PedigreeError(
                        f"column {index + 1} ({value!r}) holds a space, but the file is "
                        f"tab-separated (line {self.tab_line} has a tab between columns)",
                        path=self.path, line=number,
                        hint="separate every column by one tab, or every column by spaces")
        if self.header is not None:
            if n != len(self.header):
                raise PedigreeError(
                    f"the header line (line {self.header_line}) names {len(self.header)} "
                    f"columns, but this line has {n} {kind}-separated fields: {text!r}",
                    path=self.path, line=number,
                    hint="give every line one field per header column; in a tab-separated "
                         "file an unknown value may be left empty, with spaces write .")
        elif self.legacy and n not in (6, 7):
            raise PedigreeError(
                f"expected 6 columns ({', '.join(_FIXED)}) or 7 with a liability class, "
                f"{found}", path=self.path, line=number,
                hint="more columns need a header line naming them, and are ignored unless "
                     "ped_columns in the config maps them; use 0 for unknown parents")
        elif n < 6:
            raise PedigreeError(f"expected at least 6 columns ({', '.join(_FIXED)}), {found}",
                                path=self.path, line=number,
                                hint="use 0 for unknown parents")
        elif not self.legacy:
            for key, index in self.positions.items():
                if index >= n:
                    raise PedigreeError(
                        f"ped_columns.{key} is column {index + 1}, but this line has {n} "
                        f"{kind}-separated fields: {text!r}", path=self.path, line=number,
                        hint="write . for an unknown value")
        for index, name in ((0, "family"), (1, "individual")):
            if not fields[index]:
                raise PedigreeError(f"the {name} ID (column {index + 1}) is empty",
                                    path=self.path, line=number)
        for index, name in enumerate(_FIXED[:4]):
            if _CONTROL.search(fields[index]):
                raise PedigreeError(
                    f"the {name} ID (column {index + 1}) {fields[index]!r} holds a control "
                    f"character", path=self.path, line=number,
                    hint="remove it; IDs must equal the VCF sample names")

    def ignored(self, widest: int) -> tuple[str, ...]:
        """A warning naming the extra columns that no ped_columns key reads, if any."""
        if self.legacy:
            return ()
        used = set(self.positions.values())
        width = len(self.header) if self.header is not None else widest
        left = [index for index in range(6, width) if index not in used]
        if not left:
            return ()
        names = [f"{i + 1} ({self.header[i] or 'unnamed'})" if self.header is not None
                 else str(i + 1) for i in left]
        return (f"PED column{'s' if len(left) > 1 else ''} {', '.join(names)} ignored: "
                f"ped_columns in the config does not name {'them' if len(left) > 1 else 'it'}",)


def read_family(path: str | Path, family_id: str, columns: PedColumns | None = None) -> Family:
    """The family `family_id` from a PED file that may hold several families."""
    families = read_ped(path, columns)
    if family_id not in families:
        raise PedigreeError(
            f"family {family_id!r} is not in this PED file (it holds: "
            f"{', '.join(sorted(families))})",
            path=path, hint="make family_id in the families sheet match the PED's first column",
        )
    return families[family_id]


def _parse_row(fields: list[str], number: int, path: Path,
               positions: dict[str, int]) -> Individual:
    _, iid, father, mother, sex, phenotype = fields[:6]
    # an empty field (tab-separated files) is unknown, as 0 is
    sex, phenotype = sex or "0", phenotype or "0"
    if sex not in _SEX_CODES:
        raise PedigreeError(f"sex of {iid!r} is {sex!r}; use 1 (male), 2 (female) or 0 (unknown)",
                            path=path, line=number)
    if phenotype not in _PHENOTYPE_CODES:
        raise PedigreeError(
            f"phenotype of {iid!r} is {phenotype!r}; use 2 (affected), 1 (unaffected), "
            f"0 or -9 (unknown)", path=path, line=number)
    father = None if father in _NO_PARENT else father
    mother = None if mother in _NO_PARENT else mother
    if iid in (father, mother):
        raise PedigreeError(f"{iid!r} is listed as their own parent", path=path, line=number)
    if father is not None and father == mother:
        raise PedigreeError(f"{iid!r} has the same person {father!r} as father and mother",
                            path=path, line=number)
    extra = {key: fields[index] for key, index in positions.items() if index < len(fields)}
    liability = extra.get("liability_class", "")
    age = extra.get("age", "")
    if age not in _MISSING and not _AGE.fullmatch(age):
        raise PedigreeError(
            f"age of {iid!r} is {age!r}, not a non-negative number", path=path, line=number,
            hint="write the age in years (34, 7.5), or . or an empty field when unknown")
    deceased = extra.get("deceased", "")
    if deceased not in _MISSING and deceased.lower() not in _DECEASED:
        raise PedigreeError(
            f"deceased status of {iid!r} is {deceased!r}", path=path, line=number,
            hint="use 1, yes, true or Y (deceased); 0, no, false or N (living); . or an "
                 "empty field when unknown")
    return Individual(iid, father, mother, _SEX_CODES[sex], _PHENOTYPE_CODES[phenotype],
                      None if liability in _MISSING else liability, number,
                      None if age in _MISSING else float(age),
                      None if deceased in _MISSING else _DECEASED[deceased.lower()])
