"""PED files as spreadsheets, PLINK and peddy users write them, through `cmmvar segregate`.

Every case runs against the well-formed family VCF of test_broken_vcfs.py (FATHER, MOTHER,
SON, DAUGHTER). A case that gives a result must give the rows of the independent counter for
the pedigree written here (`members`: how the PED must be understood), and where cmmvar has
to assume something (a parent's sex, an absent parent) a note that says so; a case that
cannot be used must give one clear error naming the PED file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.robustness.harness import (
    Error,
    Member,
    Result,
    check,
    expected_rows,
    rows_problem,
    segregate_argv,
)
from tests.robustness.helpers.broken_vcfs import BODY, HEADER, MEMBERS, chrom_line, text

BASE = [("FAM1", "FATHER", "0", "0", "1", "2"),
        ("FAM1", "MOTHER", "0", "0", "2", "1"),
        ("FAM1", "SON", "FATHER", "MOTHER", "1", "2"),
        ("FAM1", "DAUGHTER", "FATHER", "MOTHER", "2", "0")]


def lines(rows) -> list[str]:
    return ["\t".join(r) for r in rows]


ODD = {"FATHER": "Père-1", "MOTHER": "mère_2", "SON": "kid.3(a)", "DAUGHTER": "kid:4/b"}


@dataclass(frozen=True)
class PedCase:
    name: str
    ped: bytes
    expect: Result | Error
    members: tuple[Member, ...] = tuple(MEMBERS)  # for the counter, when a result is expected
    rename: dict | None = None  # VCF sample names, when the case changes the IDs


def ped(rows_or_lines, newline: str = "\n") -> bytes:
    body = [r if isinstance(r, str) else "\t".join(r) for r in rows_or_lines]
    return (newline.join(body) + newline).encode("utf-8")


CASES = [
    PedCase("bom", b"\xef\xbb\xbf" + ped(BASE), Result()),
    PedCase("crlf", ped(BASE, newline="\r\n"), Result()),
    PedCase("comments", ped(["# family FAM1, exported 2024-05-01", *lines(BASE[:2]),
                             "# the children", *lines(BASE[2:])]), Result()),
    PedCase("odd_characters_in_ids",
            ped([tuple(ODD.get(f, f) for f in r) for r in BASE]), Result(),
            members=tuple(Member(ODD[m.id], m.sex, m.phenotype) for m in MEMBERS), rename=ODD),
    PedCase("duplicate_ids", ped([*BASE, ("FAM1", "SON", "FATHER", "MOTHER", "1", "2")]),
            Error(r"SON.*(twice|duplicat)|(twice|duplicat).*SON")),
    # DAUGHTER's mother is someone not listed: added as an untyped founder of unknown
    # phenotype (the likelihood needs both parents), so every row has one more unknown missing
    PedCase("missing_parent",
            ped([*BASE[:3], ("FAM1", "DAUGHTER", "FATHER", "STEPMOTHER", "2", "0")]),
            Result(note=r"STEPMOTHER"),
            members=(*MEMBERS, Member("STEPMOTHER", "female", "unknown"))),
    PedCase("cycle", ped([("FAM1", "FATHER", "SON", "0", "1", "2"), *BASE[1:]]),
            Error(r"cycle|own ancestor")),
    # a parent of sex 0 is taken as the sex their role needs, and the user is told
    PedCase("sex_0_for_a_parent", ped([("FAM1", "FATHER", "0", "0", "0", "2"), *BASE[1:]]),
            Result(note=r"FATHER")),
    PedCase("phenotype_minus_9", ped([BASE[0], ("FAM1", "MOTHER", "0", "0", "2", "-9"),
                                      *BASE[2:]]), Result(),
            members=tuple(Member(m.id, m.sex, "unknown" if m.id == "MOTHER" else m.phenotype)
                          for m in MEMBERS)),
    # issue 9: a header naming a 7th column that is not a liability class
    PedCase("header_with_extra_column",
            ped(["#FID\tIID\tPAT\tMAT\tSEX\tPHENOTYPE\tProject",
                 *(f"{line}\tCMM-2024" for line in lines(BASE))]), Result()),
    # issue 9: tab-separated, empty parent fields for founders
    PedCase("tab_separated_empty_parents",
            ped([("FAM1", "FATHER", "", "", "1", "2"), ("FAM1", "MOTHER", "", "", "2", "1"),
                 *BASE[2:]]), Result()),
]


def family_vcf(folder: Path, rename: dict | None) -> Path:
    names = [rename.get(s, s) if rename else s for s in ("FATHER", "MOTHER", "SON", "DAUGHTER")]
    path = folder / "family.vcf"
    path.write_bytes(text(HEADER + [chrom_line(tuple(names))] + BODY))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_segregate(case: PedCase, tmp_path: Path):
    vcf = family_vcf(tmp_path, case.rename)
    ped_path = tmp_path / f"{case.name}.ped"
    ped_path.write_bytes(case.ped)
    out = tmp_path / "out" / "segregation.tsv"
    verify: Callable[[], str | None] = lambda: rows_problem(  # noqa: E731
        expected_rows(vcf, list(case.members), "GRCh38"), out)
    check(f"PED {case.name}", "segregate", segregate_argv(vcf, ped_path, out, "GRCh38"),
          tmp_path, out, case.expect, ped_path, verify=verify)
