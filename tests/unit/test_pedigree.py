"""cmmvar.io.pedigree: the PED parser, the pedigree checks and sample matching.

Every error test asserts the message: the file, the line where there is one, the people named
and the words that say what is wrong.
"""

from __future__ import annotations

import re

import pytest

from cmmvar.errors import InputError, PedigreeError
from cmmvar.io.ped_file import read_family, read_ped
from cmmvar.io.pedigree import Family, Individual, Phenotype, SampleMatch, Sex, match_samples

TRIO = "F1 dad 0 0 1 1\nF1 mum 0 0 2 1\nF1 kid dad mum 1 2\n"


def write(tmp_path, text: str, name: str = "fam.ped"):
    path = tmp_path / name
    path.write_text(text)
    return path


def ped_error(path) -> str:
    """The message of the PedigreeError that reading `path` raises."""
    with pytest.raises(PedigreeError) as caught:
        read_ped(path)
    return str(caught.value)


# --- columns, separators, header ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    TRIO.replace(" ", "\t"),
    TRIO,
    "F1   dad 0  0 1  1\n  F1  mum 0 0 2 1  \nF1 kid dad mum 1 2\t\n",
    "F1\t dad\t0 \t0\t1\t1\nF1\tmum\t0\t0\t2\t1 \n F1\tkid\tdad\tmum\t1\t2\n",
], ids=["tabs", "spaces", "runs-of-spaces", "tabs-with-spaces-around-fields"])
def test_six_columns_separated_by_tabs_or_spaces_give_the_same_family(tmp_path, text):
    """Runs of spaces are one separator; spaces around a tab-separated field are not part of
    it; a tab or space at either end of a line is not a separator."""
    family = read_family(write(tmp_path, text), "F1")
    assert family.ids == ("dad", "mum", "kid")
    kid = family["kid"]
    assert (kid.father, kid.mother, kid.sex, kid.phenotype) == (
        "dad", "mum", Sex.MALE, Phenotype.AFFECTED)
    assert [ind.line for ind in family.individuals] == [1, 2, 3]
    assert family.warnings == ()


def test_a_line_mixing_tabs_and_spaces_between_columns_is_an_error(tmp_path):
    """A file with a tab between columns is tab-separated (empty fields are possible only
    there), so spaces between columns on another line cannot be read safely."""
    message = ped_error(write(tmp_path, "F1\tdad\t0\t0\t1\t1\nF1  mum\t\t0\t2\t1\n"))
    assert message == (f"{tmp_path / 'fam.ped'}, line 2: column 1 ('F1  mum') holds a space, "
                       f"but the file is tab-separated (line 1 has a tab between columns) "
                       f"(separate every column by one tab, or every column by spaces)")


@pytest.mark.parametrize("header", [
    "#family_id individual_id father mother sex phenotype",
    "FID IID PAT MAT SEX PHENOTYPE",
    "FID\tIID\tPAT\tMAT\tSEX\tPHENOTYPE",
    "# FID\tIID\tPAT\tMAT\tSEX\tPHENOTYPE",
])
def test_optional_header_line_is_skipped_and_line_numbers_stay_those_of_the_file(
        tmp_path, header):
    trio = TRIO.replace(" ", "\t") if "\t" in header else TRIO
    family = read_family(write(tmp_path, header + "\n" + trio), "F1")
    assert family.ids == ("dad", "mum", "kid")
    assert family["dad"].line == 2
    assert family["kid"].line == 4


def test_comment_and_blank_lines_are_skipped_without_shifting_line_numbers(tmp_path):
    text = "# a pedigree\n\nF1 dad 0 0 1 1\n   \n# mum next\nF1 mum 0 0 2 1\nF1 kid dad mum 1 2\n"
    family = read_family(write(tmp_path, text), "F1")
    assert [(ind.id, ind.line) for ind in family.individuals] == [
        ("dad", 3), ("mum", 6), ("kid", 7)]


def test_family_named_like_a_header_word_keeps_its_first_row(tmp_path):
    """'Family' and 'PED' are header words, but a row with sex and phenotype codes is data."""
    path = write(tmp_path, "Family dad 0 0 1 1\nFamily kid dad 0 1 2\n")
    family = read_family(path, "Family")
    assert family["dad"].line == 1
    assert family["kid"].father == "dad"


def test_header_after_the_first_data_row_is_a_malformed_line(tmp_path):
    message = ped_error(write(tmp_path, "F1 dad 0 0 1 1\nFID IID PAT MAT SEX PHENOTYPE\n"))
    assert "fam.ped, line 2: sex of 'IID' is 'SEX'" in message


def test_byte_order_mark_from_a_spreadsheet_is_not_part_of_the_family_id(tmp_path):
    path = tmp_path / "fam.ped"
    path.write_bytes(b"\xef\xbb\xbf" + TRIO.encode())
    assert list(read_ped(path)) == ["F1"]
    assert read_family(path, "F1").ids == ("dad", "mum", "kid")


def test_file_that_is_not_utf8_text_is_an_error_naming_it_and_the_line(tmp_path):
    path = tmp_path / "fam.ped"
    text = "F1 Ana 0 0 2 1\r\nF1 Jos\u00e9 0 0 1 2\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("latin-1"))
    assert ped_error(path) == (
        f"{path}, line 2: the PED file is not UTF-8 text (byte 0xe9) (save it as UTF-8; "
        f"individual IDs must equal the VCF sample names)")


def test_seventh_column_of_a_file_without_header_is_the_liability_class(tmp_path):
    text = "F1 dad 0 0 1 1 adult\nF1 mum 0 0 2 1\nF1 kid dad mum 1 0 child\n"
    family = read_family(write(tmp_path, text), "F1")
    assert family["dad"].liability_class == "adult"
    assert family["mum"].liability_class is None
    assert family["kid"].liability_class == "child"
    assert family["kid"].phenotype is Phenotype.UNKNOWN


@pytest.mark.parametrize(("code", "sex"), [("1", Sex.MALE), ("2", Sex.FEMALE),
                                           ("0", Sex.UNKNOWN)])
def test_sex_codes(tmp_path, code, sex):
    family = read_family(write(tmp_path, f"F1 a 0 0 {code} 2\n"), "F1")
    assert family["a"].sex is sex


@pytest.mark.parametrize(("code", "phenotype"), [
    ("2", Phenotype.AFFECTED), ("1", Phenotype.UNAFFECTED),
    ("0", Phenotype.UNKNOWN), ("-9", Phenotype.UNKNOWN)])
def test_phenotype_codes(tmp_path, code, phenotype):
    family = read_family(write(tmp_path, f"F1 a 0 0 1 {code}\n"), "F1")
    assert family["a"].phenotype is phenotype


@pytest.mark.parametrize("unknown_parent", ["0", ".", "-9"])
def test_unknown_parent_codes_make_a_founder(tmp_path, unknown_parent):
    family = read_family(
        write(tmp_path, f"F1 a {unknown_parent} {unknown_parent} 1 2\n"), "F1")
    assert family["a"].is_founder
    assert (family["a"].father, family["a"].mother) == (None, None)


def test_family_accessors(tmp_path):
    family = read_family(write(tmp_path, TRIO), "F1")
    assert "kid" in family and "stranger" not in family
    assert [ind.id for ind in family.children("dad")] == ["kid"]
    assert family.children("kid") == ()
    assert [ind.id for ind in family.with_phenotype(Phenotype.UNAFFECTED)] == ["dad", "mum"]
    assert family.path == str(tmp_path / "fam.ped")
    assert not any(ind.added for ind in family.individuals)


# --- malformed lines ------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "expected"), [
    ("F1 kid dad mum 1", ["line 3:", "expected 6 columns", "found 5", "'F1 kid dad mum 1'"]),
    ("F1 kid dad mum 1 2 young extra", ["line 3:", "found 8"]),
    ("F1 kid dad mum 3 2", ["line 3:", "sex of 'kid' is '3'", "1 (male), 2 (female)"]),
    ("F1 kid dad mum M 2", ["line 3:", "sex of 'kid' is 'M'"]),
    ("F1 kid dad mum 1 x", ["line 3:", "phenotype of 'kid' is 'x'", "2 (affected)"]),
    ("F1 kid dad mum 1 3", ["line 3:", "phenotype of 'kid' is '3'"]),
])
def test_malformed_line_is_an_error_naming_file_and_line(tmp_path, bad, expected):
    message = ped_error(write(tmp_path, "F1 dad 0 0 1 1\nF1 mum 0 0 2 1\n" + bad + "\n"))
    assert message.startswith(str(tmp_path / "fam.ped") + ", line 3: ")
    for words in expected:
        assert words in message


def test_error_carries_path_and_line_as_attributes(tmp_path):
    path = write(tmp_path, "F1 a 0 0 1\n")
    with pytest.raises(InputError) as caught:
        read_ped(path)
    assert (caught.value.path, caught.value.line) == (str(path), 1)


def test_duplicate_individual_is_an_error_naming_both_lines(tmp_path):
    message = ped_error(write(tmp_path, "F1 a 0 0 1 2\nF1 b 0 0 2 1\nF1 a 0 0 1 1\n"))
    assert "fam.ped, line 3: individual 'a' of family 'F1' is listed twice (lines 1 and 3)" \
        in message


def test_same_individual_id_in_two_families_is_allowed(tmp_path):
    families = read_ped(write(tmp_path, "F1 a 0 0 1 2\nF2 a 0 0 2 2\n"))
    assert families["F1"]["a"].sex is Sex.MALE
    assert families["F2"]["a"].sex is Sex.FEMALE


@pytest.mark.parametrize("row", ["F1 a a 0 1 2", "F1 a 0 a 2 2"])
def test_self_parent_is_an_error(tmp_path, row):
    message = ped_error(write(tmp_path, "F1 z 0 0 1 1\n" + row + "\n"))
    assert "fam.ped, line 2: 'a' is listed as their own parent" in message


def test_same_person_as_father_and_mother_is_an_error(tmp_path):
    message = ped_error(write(tmp_path, "F1 p 0 0 1 1\nF1 a p p 1 2\n"))
    assert "fam.ped, line 2: 'a' has the same person 'p' as father and mother" in message


def test_file_without_individuals_is_an_error(tmp_path):
    message = ped_error(write(tmp_path, "# nothing\nFID IID PAT MAT SEX PHENOTYPE\n\n"))
    assert "fam.ped: PED file has no individuals" in message


def test_missing_file_is_an_error_naming_it(tmp_path):
    message = ped_error(tmp_path / "absent.ped")
    assert "absent.ped: PED file not found" in message
    assert "ped column of the families sheet" in message


# --- parents absent from the file -----------------------------------------------------------

def test_parent_missing_from_file_is_added_as_ungenotyped_founder(tmp_path):
    family = read_family(write(tmp_path, "F1 mum 0 0 2 1\nF1 kid dad mum 2 2\n"), "F1")
    assert family.ids == ("mum", "kid", "dad")  # added parents follow the PED order
    dad = family["dad"]
    assert dad.added and dad.is_founder and dad.line is None
    assert dad.sex is Sex.MALE
    assert dad.phenotype is Phenotype.UNKNOWN
    assert not family["mum"].added
    assert family.warnings == ("father dad of kid is not in the PED file; added as an "
                               "ungenotyped founder of unknown phenotype",)


def test_both_parents_missing_are_added_with_the_sex_of_their_role(tmp_path):
    family = read_family(write(tmp_path, "F1 kid dad mum 0 2\n"), "F1")
    assert (family["dad"].sex, family["mum"].sex) == (Sex.MALE, Sex.FEMALE)
    assert all(family[p].added and family[p].phenotype is Phenotype.UNKNOWN
               for p in ("dad", "mum"))
    assert len(family.warnings) == 2
    assert "mother mum of kid is not in the PED file" in family.warnings[1]


def test_single_listed_father_gets_an_added_mother(tmp_path):
    family = read_family(write(tmp_path, "F1 dad 0 0 1 2\nF1 kid dad 0 1 2\n"), "F1")
    kid = family["kid"]
    assert (kid.father, kid.mother) == ("dad", "dad.partner")
    partner = family["dad.partner"]
    assert partner.added and partner.is_founder
    assert (partner.sex, partner.phenotype) == (Sex.FEMALE, Phenotype.UNKNOWN)
    assert family.warnings == (
        "kid has one parent listed; an unknown mother dad.partner was added (children of dad "
        "with no other parent are taken as full siblings)",)


def test_single_listed_mother_gets_one_added_father_shared_by_her_children(tmp_path):
    text = "F1 mum 0 0 2 2\nF1 kid1 0 mum 1 2\nF1 kid2 0 mum 2 1\n"
    family = read_family(write(tmp_path, text), "F1")
    assert family["kid1"].father == family["kid2"].father == "mum.partner"
    assert family["mum.partner"].sex is Sex.MALE
    assert family.ids.count("mum.partner") == 1
    assert len(family.warnings) == 1


def test_single_parent_not_in_file_is_added_with_a_partner(tmp_path):
    family = read_family(write(tmp_path, "F1 kid 0 mum 1 2\n"), "F1")
    assert family.ids == ("kid", "mum", "mum.partner")
    assert family["mum"].added and family["mum"].sex is Sex.FEMALE
    assert family["mum.partner"].sex is Sex.MALE
    assert (family["kid"].father, family["kid"].mother) == ("mum.partner", "mum")


# --- parents' sex ---------------------------------------------------------------------------

def test_father_coded_female_is_an_error_naming_father_and_child(tmp_path):
    message = ped_error(write(tmp_path, "F1 dad 0 0 2 1\nF1 mum 0 0 2 1\nF1 kid dad mum 1 2\n"))
    assert ("fam.ped, line 1: 'dad' is the father of 'kid' (line 3) but is coded female"
            in message)
    assert "fix the sex column of 'dad' or the father column of 'kid'" in message


def test_mother_coded_male_is_an_error_naming_mother_and_child(tmp_path):
    message = ped_error(write(tmp_path, "F1 dad 0 0 1 1\nF1 mum 0 0 1 1\nF1 kid dad mum 1 2\n"))
    assert ("fam.ped, line 2: 'mum' is the mother of 'kid' (line 3) but is coded male"
            in message)


def test_father_of_one_child_and_mother_of_another_is_an_error(tmp_path):
    text = "F1 x 0 0 1 1\nF1 y 0 0 2 1\nF1 a x y 1 2\nF1 b y x 1 1\n"
    message = ped_error(write(tmp_path, text))
    assert re.search(r"fam\.ped, line \d: '[xy]' is the father of '[ab]' and the mother of "
                     r"'[ab]'", message)


def test_father_with_unknown_sex_is_taken_as_male_with_a_warning(tmp_path):
    family = read_family(write(tmp_path, "F1 dad 0 0 0 1\nF1 mum 0 0 2 1\nF1 kid dad mum 1 2\n"),
                         "F1")
    assert family["dad"].sex is Sex.MALE
    assert family["dad"].line == 1 and not family["dad"].added
    assert family.warnings == ("dad has sex 0 (unknown) in the PED but is the father of kid; "
                               "taken as male",)


def test_mother_with_unknown_sex_is_taken_as_female_with_a_warning(tmp_path):
    family = read_family(write(tmp_path, "F1 dad 0 0 1 1\nF1 mum 0 0 0 1\nF1 kid dad mum 1 2\n"),
                         "F1")
    assert family["mum"].sex is Sex.FEMALE
    assert "mum has sex 0 (unknown) in the PED but is the mother of kid; taken as female" \
        in family.warnings


# --- cycles ---------------------------------------------------------------------------------

def test_two_person_cycle_is_an_error_showing_the_cycle(tmp_path):
    message = ped_error(write(tmp_path, "F1 A B 0 1 2\nF1 B A 0 1 1\n"))
    assert "fam.ped, line 1: family 'F1' has a cycle: A -> B -> A" in message
    assert "their own ancestor" in message


def test_three_person_cycle_is_an_error_showing_the_cycle(tmp_path):
    message = ped_error(write(tmp_path, "F1 A B 0 1 2\nF1 B C 0 1 1\nF1 C A 0 1 1\n"))
    assert "family 'F1' has a cycle: A -> B -> C -> A" in message


def test_cycle_through_a_mother_is_found(tmp_path):
    text = "F1 kid dad B 2 2\nF1 dad 0 0 1 1\nF1 B 0 C 2 1\nF1 C 0 kid 2 1\n"
    message = ped_error(write(tmp_path, text))
    assert "family 'F1' has a cycle: kid -> B -> C -> kid" in message


def test_deep_pedigree_without_cycle_is_accepted(tmp_path):
    """Ten generations of father-to-son: a chain, not a cycle."""
    rows = ["F1 g0 0 0 1 2"] + [f"F1 g{i} g{i - 1} 0 1 2" for i in range(1, 10)]
    family = read_family(write(tmp_path, "\n".join(rows) + "\n"), "F1")
    assert family["g9"].father == "g8"


# --- several families, connectivity ---------------------------------------------------------

def test_read_family_picks_the_requested_family_from_a_multi_family_file(tmp_path):
    text = TRIO + "F2 x 0 0 2 2\nF2 y 0 x 1 1\nF3 solo 0 0 1 2\n"
    path = write(tmp_path, text)
    assert set(read_ped(path)) == {"F1", "F2", "F3"}
    f2 = read_family(path, "F2")
    assert f2.id == "F2"
    assert f2.ids == ("x", "y", "x.partner")
    assert [ind.line for ind in f2.individuals if not ind.added] == [4, 5]
    assert read_family(path, "F1").ids == ("dad", "mum", "kid")


def test_read_family_of_an_absent_family_lists_the_families_present(tmp_path):
    path = write(tmp_path, TRIO + "F2 x 0 0 2 2\n")
    with pytest.raises(PedigreeError) as caught:
        read_family(path, "F9")
    message = str(caught.value)
    assert "fam.ped: family 'F9' is not in this PED file (it holds: F1, F2)" in message
    assert "family_id in the families sheet" in message


def test_member_with_no_parent_child_link_gives_a_warning(tmp_path):
    family = read_family(write(tmp_path, TRIO + "F1 cousin 0 0 2 2\n"), "F1")
    assert family.ids == ("dad", "mum", "kid", "cousin")
    assert family.warnings == ("family F1: cousin not connected to dad by any parent-child "
                               "link",)


def test_connected_family_has_no_disconnection_warning(tmp_path):
    family = read_family(write(tmp_path, TRIO + "F1 sib dad mum 2 1\n"), "F1")
    assert not any("not connected" in w for w in family.warnings)


def test_family_is_frozen(tmp_path):
    family = read_family(write(tmp_path, TRIO), "F1")
    with pytest.raises(AttributeError):
        family.id = "F2"
    with pytest.raises(AttributeError):
        family["kid"].sex = Sex.FEMALE


# --- matching against VCF samples -----------------------------------------------------------

def family_of(tmp_path, text: str = TRIO) -> Family:
    return read_family(write(tmp_path, text), "F1")


def test_relatives_absent_from_vcf_are_not_sequenced_and_stay_in_the_pedigree(tmp_path):
    family = family_of(tmp_path)
    match = match_samples(family, ["kid", "mum"], "cohort.vcf.gz")
    assert match == SampleMatch(sequenced=("mum", "kid"), not_sequenced=("dad",), vcf_only=())
    assert "dad" in family and family.ids == ("dad", "mum", "kid")


def test_vcf_samples_not_in_the_ped_are_listed_as_vcf_only(tmp_path):
    match = match_samples(family_of(tmp_path), ["other1", "kid", "dad", "mum", "other2"],
                          "cohort.vcf.gz")
    assert match.sequenced == ("dad", "mum", "kid")
    assert match.not_sequenced == ()
    assert match.vcf_only == ("other1", "other2")


def test_added_parents_are_never_sequenced(tmp_path):
    family = family_of(tmp_path, "F1 kid dad 0 1 2\n")
    match = match_samples(family, ["kid"], "x.vcf")
    assert match.sequenced == ("kid",)
    assert match.not_sequenced == ("dad", "dad.partner")


def test_family_whose_affected_members_are_all_absent_from_vcf_is_an_error(tmp_path):
    text = TRIO + "F1 sib dad mum 2 2\n"
    family = family_of(tmp_path, text)
    with pytest.raises(PedigreeError) as caught:
        match_samples(family, ["dad", "mum", "S1"], "/data/joint.vcf.gz")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "fam.ped") + ": ")
    assert ("none of the affected members of family 'F1' (kid, sib) is a sample of "
            "/data/joint.vcf.gz (its samples: of this family dad, mum; 1 of other people, "
            "not named)") in message
    assert "S1" not in message
    assert "individual IDs must equal the VCF sample names" in message


def test_samples_of_other_people_are_counted_never_named_in_the_error(tmp_path):
    samples = [f"S{i}" for i in range(20)]
    with pytest.raises(PedigreeError) as caught:
        match_samples(family_of(tmp_path), samples, "big.vcf")
    message = str(caught.value)
    assert "(its samples: none of this family; 20 of other people, not named)" in message
    assert "S0" not in message


def test_vcf_without_samples_is_an_error_saying_so(tmp_path):
    with pytest.raises(PedigreeError, match=r"is a sample of sites\.vcf \(it has no samples\)"):
        match_samples(family_of(tmp_path), [], "sites.vcf")


def test_family_with_no_affected_member_is_an_error(tmp_path):
    family = family_of(tmp_path, "F1 dad 0 0 1 1\nF1 mum 0 0 2 0\nF1 kid dad mum 1 -9\n")
    with pytest.raises(PedigreeError) as caught:
        match_samples(family, ["dad", "mum", "kid"], "x.vcf")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "fam.ped") + ": ")
    assert "family 'F1' has no affected member (phenotype 2)" in message


def test_individual_added_flag_follows_the_line():
    listed = Individual("a", None, None, Sex.MALE, Phenotype.AFFECTED, line=4)
    added = Individual("b", None, None, Sex.FEMALE, Phenotype.UNKNOWN)
    assert not listed.added and added.added


def test_phenotype_renders_as_its_value_in_text_and_equals_it():
    assert str(Phenotype.AFFECTED) == f"{Phenotype.AFFECTED}" == "affected"
    assert Phenotype.UNKNOWN == "unknown"
