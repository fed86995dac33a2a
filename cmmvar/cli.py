"""The `cmmvar` command: the library's tools for users outside the workflow."""

from __future__ import annotations

import argparse
import json
import sys

from cmmvar import __version__
from cmmvar.errors import InputError
from cmmvar.genome import BUILDS


def _extract(args: argparse.Namespace) -> None:
    from cmmvar.extract import extract
    from cmmvar.panel import load_panel

    genes = load_panel(args.panel, args.build)
    stats = extract(args.vcf, genes, args.build, args.out, args.padding)
    for note in stats.notes:
        print(f"cmmvar: note: {note}", file=sys.stderr)
    print(json.dumps(stats.to_dict(), indent=2), file=sys.stderr if args.quiet else sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cmmvar", description="Find the genetic cause of congenital mirror movements.")
    parser.add_argument("--version", action="version", version=f"cmmvar {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser(
        "extract", help="keep the records of a VCF/BCF that overlap the panel genes",
        description="Write the records overlapping the panel genes +- padding to a bgzipped, "
                    "indexed VCF with chr-style contig names. Uses the index when there is "
                    "one, streams otherwise.")
    extract.add_argument("--vcf", required=True, help="input VCF, VCF.gz or BCF")
    extract.add_argument("--panel", required=True, help="panel TSV (config/panels/cmm.tsv)")
    extract.add_argument("--build", required=True, choices=BUILDS)
    extract.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written too)")
    extract.add_argument("--padding", type=int, default=100,
                         help="bases added on each side of every gene (default 100)")
    extract.add_argument("--quiet", action="store_true", help="statistics to stderr")
    extract.set_defaults(func=_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as exc:
        print(f"cmmvar: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
