"""The harness itself: its verdicts on made-up endings, its agreement with the real console
script, and its carrier counter against `bcftools norm -m -any`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.robustness.harness import (
    bcftools,
    bcftools_reads,
    carrier_state,
    expected_rows,
    extract_argv,
    family_of,
    run_cmmvar,
    samples,
    write_panel,
)
from tests.robustness.helpers import broken_vcfs as broken
from tests.robustness.helpers.htslib_test import FILES, MALFORMED, label


def _raises(argv):
    raise KeyError("Invalid key: AD")


def _segfaults(argv):
    os.kill(os.getpid(), signal.SIGSEGV)


def _hangs(argv):
    time.sleep(30)


def _clear_error(argv):
    print("cmmvar: error: in.vcf: something named", file=sys.stderr)
    return 1


def _silent_failure(argv):
    return 1


def _writes(argv):
    Path(argv[0]).write_text("done\n")
    return 0


@pytest.mark.parametrize(("main", "kind"), [
    (_raises, "traceback"), (_segfaults, "traceback"), (_hangs, "traceback"),
    (_clear_error, "error"), (_silent_failure, "unclear"), (_writes, "result")])
def test_each_ending_is_classified(main, kind, tmp_path):
    out = tmp_path / "out.txt"
    outcome = run_cmmvar([str(out)], tmp_path, out, main=main, timeout_s=2)
    assert outcome.kind == kind, outcome.describe()


def test_exit_0_without_the_output_file_is_not_a_result(tmp_path):
    outcome = run_cmmvar(["x"], tmp_path, tmp_path / "never.tsv", main=lambda argv: 0)
    assert outcome.kind == "unclear"


@pytest.mark.parametrize("make", [broken.bom, broken.header_only], ids=lambda m: m.__name__)
def test_forked_run_matches_the_console_script(make, tmp_path):
    """Same exit code and same stderr from the installed `cmmvar` as from the forked run."""
    folder = tmp_path / "input"
    folder.mkdir()
    vcf = make(folder)
    panel = write_panel(tmp_path / "panel.tsv", broken.SPANS)
    argv = extract_argv(vcf, panel, tmp_path / "a" / "out.vcf.gz", "GRCh38")
    forked = run_cmmvar(argv, tmp_path, tmp_path / "a" / "out.vcf.gz")
    argv = extract_argv(vcf, panel, tmp_path / "b" / "out.vcf.gz", "GRCh38")
    script = Path(sys.executable).with_name("cmmvar")
    real = subprocess.run([str(script), *argv], capture_output=True, text=True, cwd=tmp_path)
    assert real.returncode == forked.code
    assert real.stderr.replace("/b/", "/a/") == forked.stderr


@pytest.mark.parametrize(("gt", "alt", "n_alts", "ploidy", "state"), [
    ("0/1", 1, 1, 2, "carrier"), ("1|1", 1, 1, 2, "carrier"), ("0/0", 1, 1, 2, "noncarrier"),
    ("1/2", 1, 2, 2, "carrier"), ("1/2", 2, 2, 2, "carrier"), ("0/2", 1, 2, 2, "noncarrier"),
    ("./.", 1, 1, 2, "missing"), ("./1", 1, 1, 2, "missing"), (".", 1, 1, 2, "missing"),
    ("0/2", 1, 1, 2, "missing"),  # an allele the record has no ALT for
    ("1", 1, 1, 2, "missing"), ("0/1/1", 1, 1, 2, "missing"),  # ploidy other than 2
    ("1", 1, 1, 1, "carrier"), ("0", 1, 1, 1, "noncarrier"), ("1/1", 1, 1, 1, "carrier"),
    ("0/0", 1, 1, 1, "noncarrier"), ("0/1", 1, 1, 1, "missing"), ("1/1/1", 1, 1, 1, "missing"),
])
def test_carrier_state_rules(gt, alt, n_alts, ploidy, state):
    assert carrier_state(gt, alt, n_alts, ploidy) == state


def _normalisable_inputs(tmp_path: Path) -> list[Path]:
    """htslib-test files (but the malformed one, which norm corrupts) and the hand-made
    files that bcftools reads."""
    made = []
    for case in broken.CASES:
        if case.bcftools_reads and case.make is not broken.no_samples:
            folder = tmp_path / case.name
            folder.mkdir()
            made.append(case.make(folder))
    return [*(f for f in FILES if label(f) not in MALFORMED), *made]


def test_counter_splits_as_bcftools_norm_does(tmp_path):
    """For every input `bcftools norm -m -any` accepts, the counter gives the same rows on
    its biallelic output as on the input (norm writes the other ALTs of a split record as
    REF; the counter reads them so). Norm refuses some inputs view reads (an INFO/AC of the
    wrong length, an undeclared contig); at least 15 must be compared."""
    compared = 0
    for vcf in _normalisable_inputs(tmp_path):
        if not bcftools_reads(vcf)[0] or not samples(vcf):
            continue
        split = tmp_path / f"split{compared}.vcf"
        if bcftools("norm", "-m", "-any", "-Ov", "-o", str(split), str(vcf),
                    check=False).returncode != 0:
            continue
        members, _ = family_of(samples(vcf))
        assert expected_rows(split, members, "GRCh38") == expected_rows(vcf, members, "GRCh38"), \
            vcf
        compared += 1
    print(f"counter checked against bcftools norm on {compared} inputs")
    assert compared >= 15
