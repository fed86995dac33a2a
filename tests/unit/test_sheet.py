"""cmmvar.io.sheet: the families sheet and one key per distinct VCF.

Each error test asserts the message: the sheet's path, the file line of the row at fault
(comment and blank lines counted, as an editor shows them) and what is wrong.
"""

from __future__ import annotations

import pytest

from cmmvar.errors import ConfigError
from cmmvar.io.sheet import read_sheet, vcf_keys


@pytest.fixture
def inputs(tmp_path):
    """Existing VCF and PED files, as absolute paths (the sheet resolves them from the cwd)."""
    for name in ("joint.vcf.gz", "trio.bcf", "f1.ped", "f2.ped"):
        (tmp_path / name).write_text("")
    return {name: str(tmp_path / name) for name in ("joint.vcf.gz", "trio.bcf", "f1.ped",
                                                    "f2.ped")}


def sheet_file(tmp_path, *lines: str, name: str = "families.tsv"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines))
    return path


def sheet_error(path) -> str:
    with pytest.raises(ConfigError) as caught:
        read_sheet(path)
    return str(caught.value)


def row(*cells: str) -> str:
    return "\t".join(cells)


HEADER = row("family_id", "vcf", "ped")


def test_sheet_is_read_as_strings_indexed_by_family(tmp_path, inputs):
    path = sheet_file(tmp_path, row("family_id", "vcf", "ped", "proband"),
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"], "0012"),
                      row("F2", inputs["trio.bcf"], inputs["f2.ped"], ""))
    sheet = read_sheet(path)
    assert list(sheet.index) == ["F1", "F2"]
    assert list(sheet["family_id"]) == ["F1", "F2"]
    assert sheet.loc["F1", "proband"] == "0012"  # not the integer 12
    assert sheet.loc["F2", "proband"] == ""  # not NaN
    assert sheet.loc["F2", "vcf"] == inputs["trio.bcf"]


def test_cells_and_column_names_are_stripped(tmp_path, inputs):
    path = sheet_file(tmp_path, row(" family_id ", "vcf ", "ped"),
                      row(" F1 ", inputs["joint.vcf.gz"] + " ", " " + inputs["f1.ped"]))
    sheet = read_sheet(path)
    assert list(sheet.columns) == ["family_id", "vcf", "ped"]
    assert sheet.loc["F1", "ped"] == inputs["f1.ped"]


def test_comment_and_blank_lines_are_skipped(tmp_path, inputs):
    path = sheet_file(tmp_path, "# families of the 2024 cohort", HEADER, "",
                      "# F1 first", row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      "   ", row("F2", inputs["joint.vcf.gz"], inputs["f2.ped"]))
    assert list(read_sheet(path).index) == ["F1", "F2"]


def test_byte_order_mark_from_a_spreadsheet_does_not_hide_family_id(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert list(read_sheet(path).columns) == ["family_id", "vcf", "ped"]


def test_hash_inside_a_path_is_kept(tmp_path, inputs):
    odd = tmp_path / "run#2.vcf.gz"
    odd.write_text("")
    path = sheet_file(tmp_path, HEADER, row("F1", str(odd), inputs["f1.ped"]))
    assert read_sheet(path).loc["F1", "vcf"] == str(odd)


def test_missing_column_is_an_error_naming_it_and_the_columns_present(tmp_path, inputs):
    path = sheet_file(tmp_path, row("family_id", "vcf"), row("F1", inputs["joint.vcf.gz"]))
    message = sheet_error(path)
    assert message.startswith(f"{path}, line 1: families sheet lacks column(s) ped "
                              "(it has family_id, vcf)")
    assert "columns: family_id, vcf, ped" in message


def test_missing_column_error_names_the_header_line_after_comments(tmp_path, inputs):
    path = sheet_file(tmp_path, "# comment", "", row("family", "vcf", "ped"),
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]))
    message = sheet_error(path)
    assert message.startswith(f"{path}, line 3: families sheet lacks column(s) family_id")


def test_duplicate_family_id_is_an_error_naming_both_rows(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER,
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", inputs["joint.vcf.gz"], inputs["f2.ped"]),
                      row("F1", inputs["trio.bcf"], inputs["f1.ped"]))
    assert sheet_error(path) == f"{path}, line 4: family_id 'F1' is listed twice (lines 2 and 4)"


@pytest.mark.parametrize("family_id", [
    "F 1", "F/1", "-F1", "_F1", "F1;rm", "Fä", "..", ".", ".hidden",
    # would escape the output folder
    "../x", "../../etc", "/x", "/", "x/../../y", "x\\..\\y",
    # shell metacharacters and quotes
    "x;rm -rf ~", "$(touch pwned)", "${HOME}", "`id`", "a|b", "a&b", "a>b", "a<b", "a*",
    "a?", "a'b", 'a"b', "~x",
    # control characters, which str.splitlines would take as line ends
    "a\x0bb", "a\x0cb", "a\x1cb", "a\x85b", "a\x00b", "a\x1b[31mb",
])
def test_family_id_unfit_for_a_folder_name_is_refused_naming_the_line(
        tmp_path, inputs, family_id):
    path = sheet_file(tmp_path, HEADER, row("OK1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row(family_id, inputs["joint.vcf.gz"], inputs["f2.ped"]),
                      row("OK3", inputs["trio.bcf"], inputs["f1.ped"]))
    message = sheet_error(path)
    assert message.startswith(f"{path}, line 3: family_id {family_id!r} must be letters, "
                              "digits, '.', '_' or '-', starting with a letter or digit")
    assert "names output folders" in message


def test_a_newline_inside_quotes_ends_the_row_and_the_quote_is_refused(tmp_path, inputs):
    """Quotes are not special in the sheet: a quoted family ID holding a newline is two
    lines, the first of which has an ID with a quote."""
    path = sheet_file(tmp_path, HEADER, row('"F\n1"', inputs["joint.vcf.gz"], inputs["f1.ped"]))
    assert sheet_error(path).startswith(f"{path}, line 2: family_id '\"F' must be letters")


@pytest.mark.parametrize("family_id", ["F1", "fam-2", "CMM_03", "1", "A.b", "a..b", "x" * 100])
def test_family_id_of_letters_digits_dot_dash_underscore_is_accepted(
        tmp_path, inputs, family_id):
    path = sheet_file(tmp_path, HEADER, row(family_id, inputs["joint.vcf.gz"], inputs["f1.ped"]))
    assert list(read_sheet(path).index) == [family_id]


def test_family_id_too_long_for_a_file_name_is_refused(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("F" * 101, inputs["joint.vcf.gz"], inputs["f1.ped"]))
    assert sheet_error(path) == (f"{path}, line 2: family_id FFFFFFFFFFFFFFFFFFFF... is 101 "
                                 f"characters long; at most 100 (it names output folders)")


@pytest.mark.parametrize("cell", ["", "  "])
def test_empty_family_id_is_an_error(tmp_path, inputs, cell):
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row(cell, inputs["joint.vcf.gz"], inputs["f1.ped"]))
    assert sheet_error(path) == (f"{path}, line 3: family_id is empty (give every row the "
                                 f"family's ID, as in its PED file)")


def test_family_ids_differing_only_in_case_are_refused(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("Fam1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("FAM1", inputs["joint.vcf.gz"], inputs["f2.ped"]))
    assert sheet_error(path) == (
        f"{path}, line 3: family_id 'FAM1' differs from 'Fam1' (line 2) only in case: on a "
        f"case-insensitive file system (macOS, Windows) they would share one output folder "
        f"(give the families IDs that differ in more than case)")


def test_control_characters_do_not_end_a_line_or_shift_later_line_numbers(tmp_path, inputs):
    """A \\x0c inside a path cell (not a family ID) leaves one row; the error on the next
    row names its line as an editor counts it."""
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", inputs["joint.vcf.gz"] + "\x0cx", inputs["f1.ped"]))
    assert "line 3: family F2: vcf file " in sheet_error(path)


@pytest.mark.parametrize("column", ["vcf", "ped"])
def test_file_not_found_names_family_column_path_and_line(tmp_path, inputs, column):
    cells = {"vcf": inputs["joint.vcf.gz"], "ped": inputs["f2.ped"]}
    cells[column] = str(tmp_path / f"gone.{column}")
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", cells["vcf"], cells["ped"]))
    message = sheet_error(path)
    assert message.startswith(f"{path}, line 3: family F2: {column} file "
                              f"{tmp_path / f'gone.{column}'} not found")
    assert "relative to the directory snakemake runs in" in message


def test_comment_lines_before_data_do_not_shift_the_reported_line(tmp_path, inputs):
    path = sheet_file(tmp_path, "# cohort sheet", "# second comment", HEADER,
                      "# F1 is the index family", "",
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", str(tmp_path / "gone.vcf"), inputs["f2.ped"]))
    assert sheet_error(path).startswith(f"{path}, line 7: family F2: vcf file ")


def test_indented_comment_and_whitespace_only_lines_do_not_become_rows(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, "  # indented comment", "\t\t",
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", str(tmp_path / "gone.vcf"), inputs["f2.ped"]))
    assert sheet_error(path).startswith(f"{path}, line 5: family F2: vcf file ")


def test_directory_given_as_vcf_is_not_a_file(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("F1", str(tmp_path), inputs["f1.ped"]))
    assert sheet_error(path).startswith(f"{path}, line 2: family F1: vcf file {tmp_path} "
                                        "not found")


@pytest.mark.parametrize("column", ["vcf", "ped"])
def test_empty_file_cell_is_an_error_naming_the_column(tmp_path, inputs, column):
    cells = {"vcf": inputs["joint.vcf.gz"], "ped": inputs["f1.ped"], column: ""}
    path = sheet_file(tmp_path, HEADER, row("F1", cells["vcf"], cells["ped"]))
    assert sheet_error(path) == f"{path}, line 2: family F1: the {column} column is empty"


def test_short_row_has_an_empty_ped(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"]))
    assert sheet_error(path) == f"{path}, line 2: family F1: the ped column is empty"


def test_sheet_with_header_but_no_rows_is_an_error(tmp_path):
    path = sheet_file(tmp_path, "# nothing yet", HEADER)
    assert sheet_error(path) == f"{path}: families sheet has no families"


@pytest.mark.parametrize("lines", [(), ("# only a comment", "")])
def test_empty_sheet_is_an_error(tmp_path, lines):
    path = sheet_file(tmp_path, *lines)
    assert sheet_error(path).startswith(f"{path}: families sheet is empty")


def test_missing_sheet_is_an_error_naming_it(tmp_path):
    message = sheet_error(tmp_path / "nope.tsv")
    assert message.startswith(f"{tmp_path / 'nope.tsv'}: families sheet not found")
    assert "families key of the config" in message


def test_row_with_more_cells_than_the_header_is_an_error_naming_the_line(tmp_path, inputs):
    """pandas would silently take the first column as an index and shift the others."""
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", inputs["joint.vcf.gz"], inputs["f2.ped"], "extra"))
    assert sheet_error(path) == (f"{path}, line 3: row has 4 tab-separated cells but the "
                                 "header has 3 (separate columns by single tabs)")


def test_trailing_tabs_are_not_extra_cells(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER + "\t",
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"], "", ""))
    sheet = read_sheet(path)
    assert list(sheet.columns) == ["family_id", "vcf", "ped"]
    assert sheet.loc["F1", "ped"] == inputs["f1.ped"]


def test_quote_characters_are_kept_literally(tmp_path, inputs):
    path = sheet_file(tmp_path, row("family_id", "vcf", "ped", "note"),
                      row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"], '"index family'),
                      row("F2", inputs["joint.vcf.gz"], inputs["f2.ped"], 'b"c'))
    sheet = read_sheet(path)
    assert list(sheet.index) == ["F1", "F2"]
    assert sheet.loc["F1", "note"] == '"index family'
    assert sheet.loc["F2", "note"] == 'b"c'


def test_two_families_sharing_one_vcf_keep_their_rows(tmp_path, inputs):
    path = sheet_file(tmp_path, HEADER, row("F1", inputs["joint.vcf.gz"], inputs["f1.ped"]),
                      row("F2", inputs["joint.vcf.gz"], inputs["f2.ped"]))
    sheet = read_sheet(path)
    keys = vcf_keys(sheet["vcf"])
    assert keys == {inputs["joint.vcf.gz"]: "joint"}
    assert keys[sheet.loc["F1", "vcf"]] == keys[sheet.loc["F2", "vcf"]]


# --- vcf_keys -------------------------------------------------------------------------------

def test_same_vcf_path_gets_one_key():
    keys = vcf_keys(["data/joint.vcf.gz", "data/trio.bcf", "data/joint.vcf.gz"])
    assert keys == {"data/joint.vcf.gz": "joint", "data/trio.bcf": "trio"}


def test_same_file_name_in_different_folders_gets_different_keys():
    keys = vcf_keys(["run1/calls.vcf.gz", "run2/calls.vcf.gz"])
    assert keys["run1/calls.vcf.gz"] == "calls"
    assert keys["run2/calls.vcf.gz"].startswith("calls-")
    assert len(set(keys.values())) == 2


def test_keys_are_stable_across_calls():
    paths = ["run1/calls.vcf.gz", "run2/calls.vcf.gz", "x.bcf"]
    assert vcf_keys(paths) == vcf_keys(list(paths))


@pytest.mark.parametrize(("vcf", "key"), [
    ("a/sample.vcf.gz", "sample"),
    ("a/sample.vcf.bgz", "sample"),
    ("a/sample.bcf", "sample"),
    ("a/sample.vcf", "sample"),
    ("a/sample.g.vcf.gz", "sample.g"),
    ("cohort v2 (final).vcf.gz", "cohort_v2__final_"),
    ("/abs/path/WGS-01_b.vcf", "WGS-01_b"),
])
def test_vcf_suffixes_are_stripped_and_unsafe_characters_replaced(vcf, key):
    assert vcf_keys([vcf]) == {vcf: key}


def test_keys_differing_only_in_case_are_made_distinct():
    """Keys name files under work/: on a case-insensitive file system 'A' and 'a' collide."""
    keys = vcf_keys(["x/Calls.vcf.gz", "y/calls.vcf.gz"])
    assert keys["x/Calls.vcf.gz"] == "Calls" and keys["y/calls.vcf.gz"].startswith("calls-")


def test_file_named_only_by_its_suffix_gets_a_key():
    assert vcf_keys(["dir/.vcf.gz"]) == {"dir/.vcf.gz": "vcf"}
