"""Every VCF/BCF of Debian's htslib-test package through `cmmvar extract` and `cmmvar segregate`.

The expected outcome of each file is decided by `bcftools view` at test time: a file it reads
must give a result from both commands (extraction keeps every record; segregation gives the
carrier counts of the independent counter in harness.py), except that a file without samples
has no family to segregate (one clear error); a file it refuses must give one clear error
naming the file, never a traceback. One exception is listed in MALFORMED.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.robustness.harness import (
    Error,
    Member,
    Result,
    bcftools_reads,
    check,
    check_extract_result,
    expected_rows,
    extract_argv,
    family_of,
    pick_build,
    record_spans,
    rows_problem,
    samples,
    segregate_argv,
    write_panel,
    write_ped,
)
from tests.robustness.helpers.htslib_test import FILES, MALFORMED, label


def text_spans(path: Path) -> dict[str, tuple[int, int]]:
    """Per CHROM, the first and last POS of the data lines of a text VCF, read as text
    (gzip or plain; nothing for a BCF or lines without a numeric POS)."""
    spans: dict[str, tuple[int, int]] = {}
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    try:
        with opener(path, "rt", errors="replace") as handle:
            for line in handle:
                fields = line.split("\t", 2)
                if line.startswith("#") or len(fields) < 3 or not fields[1].isdigit():
                    continue
                low, high = spans.get(fields[0], (int(fields[1]), int(fields[1])))
                spans[fields[0]] = (min(low, int(fields[1])), max(high, int(fields[1])))
    except (OSError, EOFError, UnicodeDecodeError):
        pass  # BCF or not text: the default panel
    return spans


def test_htslib_test_package_is_installed():
    assert FILES, "Debian's htslib-test package is not installed (`make robustness` installs it)"


def test_malformed_files_are_in_the_package():
    assert {label(f) for f in FILES} >= set(MALFORMED), "htslib-test no longer has these"


@pytest.mark.parametrize("vcf", FILES, ids=label)
def test_extract(vcf: Path, tmp_path: Path):
    readable, _ = bcftools_reads(vcf)
    # a file bcftools cannot read: the panel covers its lines as text, so that extraction
    # must read them (streaming does not parse the records outside the panel)
    panel = write_panel(tmp_path / "panel.tsv",
                        record_spans(vcf) if readable else text_spans(vcf))
    out = tmp_path / "out" / "extracted.vcf.gz"
    expect = MALFORMED.get(label(vcf)) or (Result() if readable else Error(".+"))
    check(f"htslib-test {label(vcf)}", "extract",
          extract_argv(vcf, panel, out, pick_build(vcf) if readable else "GRCh38"),
          tmp_path, out, expect, vcf, verify=lambda: check_extract_result(vcf, out))


@pytest.mark.parametrize("vcf", FILES, ids=label)
def test_segregate(vcf: Path, tmp_path: Path):
    readable, _ = bcftools_reads(vcf)
    out = tmp_path / "out" / "segregation.tsv"
    names = samples(vcf) if readable else []
    if label(vcf) in MALFORMED:
        members, parents = family_of(names)
        build, verify, expect = pick_build(vcf), None, MALFORMED[label(vcf)]
    elif readable and names:
        members, parents = family_of(names)
        build = pick_build(vcf)
        expect = Result()
        verify = lambda: rows_problem(expected_rows(vcf, members, build), out)  # noqa: E731
    else:
        # nothing to match a family against: a sites-only file, or one bcftools refuses
        members, parents = [Member("PROBAND", "male", "affected")], [("0", "0")]
        build, verify = "GRCh38", None
        expect = Error(r"no samples|samples: none|has no sample") if readable \
            else Error(".+")
    ped = write_ped(tmp_path / "family.ped", members, parents)
    check(f"htslib-test {label(vcf)}", "segregate", segregate_argv(vcf, ped, out, build),
          tmp_path, out, expect, vcf, verify=verify)
