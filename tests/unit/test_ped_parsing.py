"""PED parsing and pedigree checks: each error names the file, the line and the people."""

from __future__ import annotations

import pandas as pd
import pytest

from cmmvar.cli import build_parser
from cmmvar.errors import ConfigError, PedigreeError
from cmmvar.io.ped_file import PedColumns, read_family, read_ped
from cmmvar.io.pedigree import Phenotype, Sex, match_samples
from cmmvar.records import PedigreeMember
from tests.unit.helpers.ped_parsing import segregate


def ped(tmp_path, text: str, name: str = "f.ped"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_header_line_with_a_seventh_unnamed_field_on_a_line_is_an_error(tmp_path):
    """A header names every column: a line with more fields than it names cannot be read
    (before headers named columns, this 7th field was taken as a liability class)."""
    path = ped(tmp_path, "FID IID PAT MAT SEX PHENO\n"
                         "F1 dad 0 0 1 2\n"
                         "F1   kid  dad  0  0  -9  young\n")
    with pytest.raises(PedigreeError) as caught:
        read_ped(path)
    assert str(caught.value) == (
        f"{path}, line 3: the header line (line 1) names 6 columns, but this line has 7 "
        f"space-separated fields: 'F1   kid  dad  0  0  -9  young' (give every line one "
        f"field per header column; in a tab-separated file an unknown value may be left "
        f"empty, with spaces write .)")


@pytest.mark.parametrize(("line", "message"), [
    ("F1 a 0 0 1", "line 2: expected 6 columns"),
    ("F1 a 0 0 3 1", "line 2: sex of 'a' is '3'; use 1 (male), 2 (female) or 0 (unknown)"),
    ("F1 a 0 0 1 x", "line 2: phenotype of 'a' is 'x'"),
    ("F1 a a 0 1 1", "line 2: 'a' is listed as their own parent"),
])
def test_malformed_lines_name_the_line(tmp_path, line, message):
    path = ped(tmp_path, "F1 z 0 0 1 2\n" + line + "\n")
    with pytest.raises(PedigreeError) as caught:
        read_ped(path)
    assert f"f.ped, {message}" in str(caught.value)


def test_duplicate_individual(tmp_path):
    path = ped(tmp_path, "F1 a 0 0 1 2\nF1 b 0 0 2 1\nF1 a 0 0 1 1\n")
    with pytest.raises(PedigreeError, match=r"f\.ped, line 3: individual 'a' of family 'F1' "
                                            r"is listed twice \(lines 1 and 3\)"):
        read_ped(path)


def test_parent_missing_from_file_is_added_as_ungenotyped_founder(tmp_path):
    family = read_family(ped(tmp_path, "F1 kid dad mum 1 2\nF1 mum 0 0 2 1\n"), "F1")
    dad = family["dad"]
    assert dad.added and dad.sex is Sex.MALE and dad.phenotype is Phenotype.UNKNOWN
    assert dad.is_founder
    assert family.warnings == ("father dad of kid is not in the PED file; added as an "
                               "ungenotyped founder of unknown phenotype",)


def test_single_listed_parent_gets_an_added_partner_shared_by_siblings(tmp_path):
    family = read_family(ped(tmp_path, "F1 dad 0 0 1 2\nF1 k1 dad 0 1 2\nF1 k2 dad 0 2 1\n"),
                         "F1")
    assert family["k1"].mother == family["k2"].mother == "dad.partner"
    assert family["dad.partner"].sex is Sex.FEMALE and family["dad.partner"].added


def test_father_coded_female_and_mother_coded_male(tmp_path):
    with pytest.raises(PedigreeError) as caught:
        read_ped(ped(tmp_path, "F1 d 0 0 2 1\nF1 m 0 0 2 1\nF1 k d m 1 2\n"))
    assert "f.ped, line 1: 'd' is the father of 'k' (line 3) but is coded female" in \
        str(caught.value)
    with pytest.raises(PedigreeError, match=r"'m' is the mother of 'k' \(line 3\) but is "
                                            r"coded male"):
        read_ped(ped(tmp_path, "F1 d 0 0 1 1\nF1 m 0 0 1 1\nF1 k d m 1 2\n", "g.ped"))


def test_father_of_unknown_sex_is_taken_as_male_with_a_warning(tmp_path):
    family = read_family(ped(tmp_path, "F1 d 0 0 0 1\nF1 m 0 0 2 1\nF1 k d m 1 2\n"), "F1")
    assert family["d"].sex is Sex.MALE
    assert family.warnings == ("d has sex 0 (unknown) in the PED but is the father of k; "
                               "taken as male",)


def test_cycles_are_refused_with_the_cycle_shown(tmp_path):
    with pytest.raises(PedigreeError, match=r"family 'F1' has a cycle: a -> b -> a"):
        read_ped(ped(tmp_path, "F1 a b x 1 1\nF1 b a y 1 1\nF1 x 0 0 2 1\nF1 y 0 0 2 1\n"))
    with pytest.raises(PedigreeError, match=r"has a cycle: a -> c -> b -> a"):
        read_ped(ped(tmp_path, "F1 a c m 1 1\nF1 b a m 1 1\nF1 c b m 1 1\nF1 m 0 0 2 1\n",
                     "g.ped"))


def test_several_families_in_one_file(tmp_path):
    path = ped(tmp_path, "A a1 0 0 1 2\nB b1 0 0 2 2\nB b2 0 0 1 1\n")
    assert set(read_ped(path)) == {"A", "B"}
    assert read_family(path, "B").ids == ("b1", "b2")
    with pytest.raises(PedigreeError, match=r"family 'C' is not in this PED file \(it holds: "
                                            r"A, B\)"):
        read_family(path, "C")


def test_disconnected_member_is_a_warning(tmp_path):
    family = read_family(ped(tmp_path, "F a 0 0 1 2\nF b 0 0 2 1\nF k a b 1 2\nF z 0 0 1 1\n"),
                         "F")
    assert family.warnings == ("family F: z not connected to a by any parent-child link",)


def test_sample_matching(tmp_path):
    family = read_family(ped(tmp_path, "F a 0 0 1 2\nF b 0 0 2 1\nF k a b 1 2\n"), "F")
    match = match_samples(family, ["k", "a", "stranger"], "x.vcf")
    assert match.sequenced == ("a", "k") and match.not_sequenced == ("b",)
    assert match.vcf_only == ("stranger",)
    with pytest.raises(PedigreeError) as caught:
        match_samples(family, ["b", "other"], "x.vcf")
    assert ("none of the affected members of family 'F' (a, k) is a sample of x.vcf "
            "(its samples: of this family b; 1 of other people, not named)") in str(caught.value)
    assert "other" not in str(caught.value).replace("other people", "")
    healthy = read_family(ped(tmp_path, "G a 0 0 1 1\n", "h.ped"), "G")
    with pytest.raises(PedigreeError, match="has no affected member"):
        match_samples(healthy, ["a"], "x.vcf")


# --- columns as other tools write them (issue 9) -------------------------------------------

PEDDY_HEADER = "#family_id\tindividual_id\tpaternal_id\tmaternal_id\tsex\tphenotype"


def message_of(path, columns=None) -> str:
    with pytest.raises(PedigreeError) as caught:
        read_ped(path, columns)
    return str(caught.value)


def test_empty_parent_fields_of_a_tab_separated_file_are_unknown_parents(tmp_path):
    """The issue's line `F1<tab>C<tab><tab><tab>1<tab>2`: six fields, two of them empty;
    splitting on runs of whitespace used to see 4."""
    family = read_family(ped(tmp_path, "F1\tC\t\t\t1\t2\n"), "F1")
    child = family["C"]
    assert (child.father, child.mother, child.sex, child.phenotype) == (
        None, None, Sex.MALE, Phenotype.AFFECTED)
    assert family.warnings == ()


def test_one_empty_parent_field_leaves_the_named_parent_and_adds_a_partner(tmp_path):
    family = read_family(ped(tmp_path, "F1\tmum\t\t\t2\t1\nF1\tkid\t\tmum\t1\t2\n"), "F1")
    assert (family["kid"].father, family["kid"].mother) == ("mum.partner", "mum")


def test_empty_sex_and_phenotype_of_a_tab_separated_file_are_unknown(tmp_path):
    """Sex 0 of a father is taken as male with a warning, as an empty sex field is."""
    family = read_family(ped(tmp_path, "F1\tdad\t0\t0\t\t\nF1\tmum\t0\t0\t2\t-9\n"
                                       "F1\tkid\tdad\tmum\t1\t2\n"), "F1")
    assert family["dad"].sex is Sex.MALE
    assert family["dad"].phenotype is Phenotype.UNKNOWN
    assert family["mum"].phenotype is Phenotype.UNKNOWN
    assert family.warnings == ("dad has sex 0 (unknown) in the PED but is the father of kid; "
                               "taken as male",)


def test_short_tab_separated_line_counts_its_empty_fields(tmp_path):
    path = ped(tmp_path, "F1\tC\t\t\t1\n")
    assert message_of(path) == (
        f"{path}, line 1: expected 6 columns (family, individual, father, mother, sex, "
        f"phenotype) or 7 with a liability class, found 5 tab-separated fields: "
        f"'F1\\tC\\t\\t\\t1' (more columns need a header line naming them, and are ignored "
        f"unless ped_columns in the config maps them; use 0 for unknown parents)")


@pytest.mark.parametrize(("text", "what"), [
    ("F1\t\t0\t0\t1\t2\n", "the individual ID (column 2) is empty"),
    ("\tC\t0\t0\t1\t2\nF1\tD\t0\t0\t1\t2\n", "the family ID (column 1) is empty"),
])
def test_empty_family_or_individual_id_is_an_error(tmp_path, text, what):
    path = ped(tmp_path, text)
    assert message_of(path) == f"{path}, line 1: {what}"


def test_header_with_extra_columns_ignores_them_with_a_warning(tmp_path):
    """peddy's header with a `Project` column: the 7th column used to be read as a
    liability class, so `segregate` asked for a liability class named `CMM-2024`."""
    path = ped(tmp_path, PEDDY_HEADER + "\tProject\tbatch\n"
                         "F1\tdad\t0\t0\t1\t2\tCMM-2024\tb1\n"
                         "F1\tmum\t0\t0\t2\t1\tCMM-2024\tb1\n"
                         "F1\tkid\tdad\tmum\t1\t2\tCMM-2024\tb2\n")
    family = read_family(path, "F1")
    assert family.ids == ("dad", "mum", "kid")
    assert [ind.line for ind in family.individuals] == [2, 3, 4]
    assert all(ind.liability_class is None for ind in family.individuals)
    assert family.warnings == ("PED columns 7 (Project), 8 (batch) ignored: ped_columns in "
                               "the config does not name them",)


def test_header_after_a_byte_order_mark_with_crlf_line_ends(tmp_path):
    """A spreadsheet's BOM and CRLF: the '#' header is still found and no field keeps a \\r
    (the deceased status `1\\r` would be refused)."""
    path = tmp_path / "f.ped"
    path.write_bytes(b"\xef\xbb\xbf" + (PEDDY_HEADER + "\tdeceased\r\n"
                                         "F1\tdad\t0\t0\t1\t2\t1\r\n"
                                         "F1\tkid\tdad\t\t2\t2\t\r\n").encode())
    family = read_family(path, "F1", PedColumns(deceased="deceased"))
    assert family["dad"].deceased is True and family["kid"].deceased is None
    assert family["dad"].line == 2


def test_carriage_returns_alone_end_lines_too(tmp_path):
    path = tmp_path / "f.ped"
    path.write_bytes(b"F1 dad 0 0 1 2\rF1 kid dad 0 1 1\r")
    assert read_family(path, "F1")["kid"].line == 2


def test_comments_before_the_header_and_between_rows(tmp_path):
    """A comment whose first word is a header word stays a comment: a '#' header names the
    individual column second."""
    path = ped(tmp_path, "# Family of the proband, drawn 2024\n"
                         "#FID IID PAT MAT SEX PHENOTYPE\n"
                         "F1 dad 0 0 1 2\n"
                         "#family individual comment after the header\n"
                         "F1 kid dad 0 1 1\n")
    family = read_family(path, "F1")
    assert [(ind.id, ind.line) for ind in family.individuals
            if not ind.added] == [("dad", 3), ("kid", 5)]


@pytest.mark.parametrize("name", [
    "Jos\u00e9", "\u674e\u96f7", "ID-7.2_b", "A#1", "it's", "x\u0085y", "a\u00a0b", "1",
    # path and shell characters: an individual ID never names a file nor reaches a shell
    # (tests/workflow/test_escaping.py runs the workflow on such names)
    "../x", "/x", "..", "$(touch_pwned)", "`id`", "a;b", "a|b", "a&b", '"dq"', "a\\b", "*",
])
def test_odd_characters_in_ids_are_kept_verbatim(tmp_path, name):
    """IDs must equal VCF sample names byte for byte: accents, CJK, '#' inside an ID, quotes,
    NEL (U+0085, which str.splitlines would take as a line end), a no-break space, and the
    characters of paths and shells."""
    path = ped(tmp_path, f"F1\t{name}\t0\t0\t2\t2\nF1\tkid\t0\t{name}\t1\t1\n")
    family = read_family(path, "F1")
    assert family.ids[:2] == (name, "kid") and family["kid"].mother == name
    assert match_samples(family, [name], "x.vcf").sequenced == (name,)


@pytest.mark.parametrize(("line", "column", "value"), [
    ("F1\ta\x1b[31mb\t0\t0\t1\t2", "individual ID (column 2)", "'a\\x1b[31mb'"),
    ("F1\tkid\tdad\x00\t0\t1\t2", "father ID (column 3)", "'dad\\x00'"),
    ("F1\tkid\t0\tmum\x0b\t1\t2", "mother ID (column 4)", "'mum\\x0b'"),
    ("F\x7f1\tkid\t0\t0\t1\t2", "family ID (column 1)", "'F\\x7f1'"),
    ("F1 a\x0cb 0 0 1 2", "individual ID (column 2)", "'a\\x0cb'"),
])
def test_control_characters_in_ids_are_refused_naming_the_line(tmp_path, line, column, value):
    path = ped(tmp_path, "F1\tok\t0\t0\t1\t1\n" if "\t" in line else "F1 ok 0 0 1 1\n")
    path.write_text(path.read_text() + line + "\n")
    assert message_of(path) == (f"{path}, line 2: the {column} {value} holds a control "
                                f"character (remove it; IDs must equal the VCF sample names)")


def test_duplicate_id_in_a_tab_separated_file_names_both_lines(tmp_path):
    path = ped(tmp_path, PEDDY_HEADER + "\nF1\ta\t\t\t1\t2\nF1\ta\t\t\t1\t1\n")
    assert message_of(path) == (f"{path}, line 3: individual 'a' of family 'F1' is listed "
                                f"twice (lines 2 and 3) (each individual ID must be unique "
                                f"in its family)")


def test_cycle_in_a_tab_separated_file(tmp_path):
    path = ped(tmp_path, "F1\ta\tb\t\t1\t1\nF1\tb\ta\t\t1\t1\n")
    assert "family 'F1' has a cycle: a -> b -> a" in message_of(path)


def test_header_with_fewer_than_six_names_is_an_error(tmp_path):
    path = ped(tmp_path, "#FID IID sex\nF1 a 0 0 1 2\n")
    assert message_of(path) == (f"{path}, line 1: the header line names 3 columns; a PED file "
                                f"has at least 6 (family, individual, father, mother, sex, "
                                f"phenotype)")


# --- ped_columns: liability class, age, deceased ------------------------------------------

MAPPED = ("#family_id\tindividual_id\tfather\tmother\tsex\tphenotype\tProject\tclass\t"
          "age_years\tdeceased\n"
          "F1\tdad\t0\t0\t1\t2\tP1\tadult\t61\tyes\n"
          "F1\tmum\t0\t0\t2\t1\tP1\t\t58.5\tN\n"
          "F1\tkid\tdad\tmum\t1\t0\tP1\tchild\t7\t\n")


def assert_mapped(family):
    assert [(i.id, i.liability_class, i.age, i.deceased) for i in family.individuals] == [
        ("dad", "adult", 61.0, True), ("mum", None, 58.5, False), ("kid", "child", 7.0, None)]


def test_columns_mapped_by_header_name(tmp_path):
    columns = PedColumns(liability_class="class", age="age_years", deceased="deceased")
    family = read_family(ped(tmp_path, MAPPED), "F1", columns)
    assert_mapped(family)
    assert family.warnings == ("PED column 7 (Project) ignored: ped_columns in the config "
                               "does not name it",)


def test_columns_mapped_by_position_with_and_without_header(tmp_path):
    columns = PedColumns(liability_class=8, age=9, deceased=10)
    assert_mapped(read_family(ped(tmp_path, MAPPED), "F1", columns))
    headless = MAPPED.split("\n", 1)[1].replace("\t\t", "\t.\t").replace("\t\n", "\t.\n")
    family = read_family(ped(tmp_path, headless.replace("\t", "  "), "g.ped"), "F1", columns)
    assert_mapped(family)
    assert [ind.line for ind in family.individuals] == [1, 2, 3]
    assert family.warnings == ("PED column 7 ignored: ped_columns in the config does not "
                               "name it",)


def test_mapping_without_liability_class_ignores_a_seventh_column(tmp_path):
    family = read_family(ped(tmp_path, "F1 a 0 0 1 2 young 40\n"), "F1", PedColumns(age=8))
    assert (family["a"].liability_class, family["a"].age) == (None, 40.0)


@pytest.mark.parametrize(("columns", "message"), [
    (PedColumns(age="age"),
     "line 1: ped_columns.age names the column 'age', which the header line does not name "
     "(its columns: family_id, individual_id, father, mother, sex, phenotype, Project, class, "
     "age_years, deceased) (fix ped_columns in the config, or the PED header line)"),
    (PedColumns(deceased=11),
     "line 1: ped_columns.deceased is column 11, but the header line names 10 columns (fix "
     "ped_columns in the config, or the PED header line)"),
    (PedColumns(liability_class="sex"),
     "line 1: ped_columns.liability_class names 'sex', column 5: one of the six PED columns "
     "(family, individual, father, mother, sex, phenotype) (fix ped_columns in the config, "
     "or the PED header line)"),
    (PedColumns(liability_class="class", age=8),
     "line 1: ped_columns.liability_class and ped_columns.age are both column 8 (fix "
     "ped_columns in the config, or the PED header line)"),
])
def test_mapping_that_does_not_fit_the_header_is_an_error(tmp_path, columns, message):
    path = ped(tmp_path, MAPPED)
    assert message_of(path, columns) == f"{path}, {message}"


def test_mapping_by_name_needs_a_header(tmp_path):
    path = ped(tmp_path, "F1 a 0 0 1 2 40\n")
    assert message_of(path, PedColumns(age="age")) == (
        f"{path}: ped_columns.age names the column 'age', but the PED file has no header line "
        f"naming its columns (add a header line (#family_id individual_id father mother sex "
        f"phenotype ...) or give the column's position)")


def test_header_naming_a_mapped_column_twice_is_an_error(tmp_path):
    path = ped(tmp_path, "FID IID PAT MAT SEX PHENO age age\nF1 a 0 0 1 2 4 5\n")
    assert message_of(path, PedColumns(age="age")) == (
        f"{path}, line 1: the header line names 'age' twice (columns 7 and 8), so "
        f"ped_columns.age is ambiguous (rename one of them)")


def test_line_without_the_mapped_column_is_an_error(tmp_path):
    """Without a header, a space-separated line cannot say which column it left out."""
    path = ped(tmp_path, "F1 a 0 0 1 2 adult 40\nF1 b 0 0 2 2 40\n")
    assert message_of(path, PedColumns(liability_class=7, age=8)) == (
        f"{path}, line 2: ped_columns.age is column 8, but this line has 7 space-separated "
        f"fields: 'F1 b 0 0 2 2 40' (write . for an unknown value)")


@pytest.mark.parametrize(("value", "age"), [
    ("34", 34.0), ("7.5", 7.5), ("0", 0.0), ("007", 7.0), (".", None), ("", None),
    ("NA", None)])
def test_age_values(tmp_path, value, age):
    path = ped(tmp_path, f"F1\ta\t0\t0\t1\t2\t{value}\n")
    assert read_family(path, "F1", PedColumns(age=7))["a"].age == age


@pytest.mark.parametrize("value", ["-3", "abc", "1e3", "nan", "inf", "34y", "3,5", "+4",
                                   " 4 5", "\u0663"])
def test_age_that_is_not_a_non_negative_number_is_an_error_naming_the_line(tmp_path, value):
    path = ped(tmp_path, f"F1\tz\t0\t0\t1\t2\t\nF1\ta\t0\t0\t1\t2\t{value}\n")
    assert message_of(path, PedColumns(age=7)) == (
        f"{path}, line 2: age of 'a' is {value.strip(' ')!r}, not a non-negative number (write "
        f"the age in years (34, 7.5), or . or an empty field when unknown)")


@pytest.mark.parametrize(("value", "deceased"), [
    ("1", True), ("yes", True), ("true", True), ("Y", True), ("TRUE", True), ("y", True),
    ("0", False), ("no", False), ("false", False), ("N", False), ("No", False),
    ("", None), (".", None), ("NA", None)])
def test_deceased_values(tmp_path, value, deceased):
    path = ped(tmp_path, f"F1\ta\t0\t0\t1\t2\t{value}\n")
    assert read_family(path, "F1", PedColumns(deceased=7))["a"].deceased is deceased


@pytest.mark.parametrize("value", ["2", "dead", "-9", "deceased", "yes!"])
def test_deceased_value_not_understood_is_an_error_naming_the_line(tmp_path, value):
    path = ped(tmp_path, f"F1 a 0 0 1 2 {value}\n")
    assert message_of(path, PedColumns(deceased=7)) == (
        f"{path}, line 1: deceased status of 'a' is {value!r} (use 1, yes, true or Y "
        f"(deceased); 0, no, false or N (living); . or an empty field when unknown)")


@pytest.mark.parametrize(("mapping", "message"), [
    ({"sex": 7}, "ped_columns has no key 'sex' (its keys are liability_class, age, deceased)"),
    ({"age": 6}, "ped_columns.age is 6 (give the column's name in the PED header line, or its "
                 "position counted from 1 (7 or more: columns 1-6 are family, individual, "
                 "father, mother, sex and phenotype))"),
    ({"age": True}, "ped_columns.age is True"),
    ({"age": ""}, "ped_columns.age is ''"),
    ({"age": " age"}, "ped_columns.age is ' age'"),
    ({"age": 1.5}, "ped_columns.age is 1.5"),
    ({"age": "x", "deceased": "x"}, "ped_columns names column 'x' for both age and deceased"),
])
def test_ped_columns_from_config_refuses_what_cannot_name_a_column(mapping, message):
    with pytest.raises(ConfigError) as caught:
        PedColumns.from_config(mapping)
    assert str(caught.value).startswith(message)


def test_ped_columns_from_config():
    assert PedColumns.from_config(None) == PedColumns()
    assert PedColumns.from_config({"age": "age_years", "deceased": 9, "liability_class": None}
                                  ) == PedColumns(age="age_years", deceased=9)


# --- the mapping reaches the family result and `cmmvar segregate` ---------------------------

def test_age_and_deceased_are_in_the_family_results_pedigree_record(tmp_path):
    family = read_family(ped(tmp_path, MAPPED), "F1",
                         PedColumns(liability_class="class", age="age_years", deceased=10))
    record = [PedigreeMember.from_individual(ind, ind.id == "kid").to_dict()
              for ind in family.individuals]
    assert [(p["id"], p["liability_class"], p["age"], p["deceased"], p["sequenced"])
            for p in record] == [("dad", "adult", 61.0, True, False),
                                 ("mum", None, 58.5, False, False),
                                 ("kid", "child", 7.0, None, True)]


def test_segregate_command_ignores_an_unmapped_project_column(tmp_path):
    """Before: 'dad has liability class 'CMM-2024', which is not defined'."""
    ped(tmp_path, PEDDY_HEADER + "\tProject\n" + "".join(
        f"F1\t{row}\tCMM-2024\n" for row in ("dad\t0\t0\t1\t2", "mum\t0\t0\t2\t1",
                                            "kid\tdad\tmum\t1\t2")))
    code, errors = segregate(tmp_path)
    assert code == 0, errors
    table = pd.read_csv(tmp_path / "out.tsv", sep="\t")
    assert (table.affected_carriers[0], table.unaffected_noncarriers[0]) == (2, 1)
    assert "PED column 7 (Project) ignored" in errors
    # mapped, the column is read as a liability class, which this command cannot define
    code, errors = segregate(tmp_path, "--ped-columns", "liability_class=Project")
    assert code == 1
    assert "line 2: dad has liability class 'CMM-2024', which is not defined" in errors


@pytest.mark.parametrize(("value", "message"), [
    ("age", "argument --ped-columns: 'age' is not KEY=COLUMN"),
    ("age=5", "argument --ped-columns: --ped-columns.age is 5 (give the column's name"),
    ("sex=9", "argument --ped-columns: --ped-columns has no key 'sex'"),
])
def test_segregate_command_refuses_a_bad_ped_columns_value(tmp_path, value, message):
    ped(tmp_path, "F1 dad 0 0 1 2\n")
    code, errors = segregate(tmp_path, "--ped-columns", value)
    assert code == 2 and message in errors


def test_ped_columns_option_reads_positions_and_names():
    args = build_parser().parse_args(
        ["segregate", "--vcf", "v", "--ped", "p", "--out", "o", "--inheritance", "AD",
         "--penetrance", "1", "--phenocopy", "0", "--allele-frequency", "0.1",
         "--ped-columns", "liability_class=class, age = 9,deceased=dead 1"])
    assert args.ped_columns == PedColumns(liability_class="class", age=9, deceased="dead 1")


def test_tab_separated_family_named_like_a_header_word_with_empty_codes_is_data(tmp_path):
    """Empty sex and phenotype fields are codes (unknown): the first row of family `Family`
    is not a header line (seen while writing the parser's property test)."""
    path = ped(tmp_path, "Family\tdad\t\t\t\t\nFamily\tkid\tdad\t\t1\t2\n")
    assert read_family(path, "Family")["dad"].line == 1


def test_tab_separated_header_keeps_its_empty_last_column(tmp_path):
    """A '#' header ending in a tab names an empty 7th column, as the data lines have one."""
    family = read_family(ped(tmp_path, PEDDY_HEADER + "\t\nF1\ta\t\t\t1\t2\t\n"), "F1")
    assert family["a"].line == 2 and family.warnings == (
        "PED column 7 (unnamed) ignored: ped_columns in the config does not name it",)
