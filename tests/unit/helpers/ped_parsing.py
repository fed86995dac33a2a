"""Helpers of test_ped_parsing.py, shared with other test modules."""

from __future__ import annotations

import contextlib
import io

from cmmvar.cli import main

CALLS = ("##fileformat=VCFv4.2\n##contig=<ID=7,length=159345973>\n"
         '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tdad\tmum\tkid\n"
         "7\t500\t.\tC\tT\t60\tPASS\t.\tGT\t0/1\t0/0\t0/1\n")


def segregate(tmp_path, *extra: str) -> tuple[int, str]:
    (tmp_path / "calls.vcf").write_text(CALLS)
    argv = ["segregate", "--vcf", str(tmp_path / "calls.vcf"), "--ped", str(tmp_path / "f.ped"),
            "--out", str(tmp_path / "out.tsv"), "--inheritance", "AD", "--penetrance", "0.9",
            "--phenocopy", "0.01", "--allele-frequency", "1e-4", "--min-gq", "0",
            "--min-dp", "0", *extra]
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse
            code = stop.code
    return code, errors.getvalue()
