"""PED parsing and pedigree checks: each error names the file, the line and the people."""

from __future__ import annotations

import pytest

from cmmvar.errors import PedigreeError
from cmmvar.pedigree import Phenotype, Sex, match_samples, read_family, read_ped


def ped(tmp_path, text: str, name: str = "f.ped"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_tabs_spaces_header_and_liability_class(tmp_path):
    path = ped(tmp_path, "FID IID PAT MAT SEX PHENO\n"
                         "F1\tdad 0 0 1 2\n"
                         "F1 mum\t0\t0 2 1\n"
                         "F1   kid  dad  mum  0  -9  young\n")
    family = read_family(path, "F1")
    assert family.ids == ("dad", "mum", "kid")
    kid = family["kid"]
    assert (kid.father, kid.mother, kid.sex, kid.phenotype, kid.liability_class, kid.line) == (
        "dad", "mum", Sex.UNKNOWN, Phenotype.UNKNOWN, "young", 4)
    assert family["dad"].phenotype is Phenotype.AFFECTED
    assert family["mum"].phenotype is Phenotype.UNAFFECTED
    assert family.warnings == ()


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
            "(its samples: b, other)") in str(caught.value)
    healthy = read_family(ped(tmp_path, "G a 0 0 1 1\n", "h.ped"), "G")
    with pytest.raises(PedigreeError, match="has no affected member"):
        match_samples(healthy, ["a"], "x.vcf")
