"""The `cmmvar` command: the library's tools for users outside the workflow.

Each command imports what it needs inside its function, so that a small run is not
dominated by the start-up of the modules other commands use (pandas, the likelihood engine).
"""

from __future__ import annotations

import argparse
import sys

from cmmvar import __version__
from cmmvar.defaults import schema_default
from cmmvar.errors import InputError
from cmmvar.io.genome import BUILDS


def _notes(notes: list[str]) -> None:
    for note in notes:
        print(f"cmmvar: note: {note}", file=sys.stderr)


def _extract(args: argparse.Namespace) -> None:
    import json

    from cmmvar.stages import extract_stage

    stats = extract_stage(args.vcf, args.panel, args.build, args.out, args.padding)
    _notes(stats.notes)
    print(json.dumps(stats.to_dict(), indent=2), file=sys.stderr if args.quiet else sys.stdout)


def _segregate(args: argparse.Namespace) -> None:
    from cmmvar.atomic import atomic_path
    from cmmvar.segregate.analysis import pick_family
    from cmmvar.segregate.genotypes import Thresholds
    from cmmvar.segregate.segregation import Model, Settings
    from cmmvar.stages import segregate_vcf

    family = pick_family(args.ped, args.family, args.ped_columns)
    model = Model(args.inheritance, args.penetrance, args.phenocopy)
    settings = Settings(allele_frequency=args.allele_frequency,
                        parentage_confirmed=args.parentage_confirmed)
    table, notes = segregate_vcf(args.vcf, family, model, settings,
                                 Thresholds(args.min_gq, args.min_dp), args.build,
                                 args.proband, args.pass_only, args.fasta)
    with atomic_path(args.out) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    _notes(notes + list(family.warnings))


def _annotate(args: argparse.Namespace) -> None:
    import tempfile
    from pathlib import Path

    from cmmvar.stages import annotate_stage, extract_stage, normalise_stage

    annotation = {"mode": "online" if args.online else "offline",
                  "transcripts_gff3": args.gff3, "reference_fasta": args.fasta,
                  "gnomad_vcf": args.gnomad, "clinvar_vcf": args.clinvar, "cache": args.cache}
    with tempfile.TemporaryDirectory(prefix="cmmvar-annotate-") as tmp:
        # the workflow's stages: the panel regions (when a panel is given), then split,
        # trimmed and left-aligned, so that rows match the workflow's tables
        source = args.vcf
        if args.panel:
            source = str(Path(tmp) / "extracted.vcf.gz")
            _notes(extract_stage(args.vcf, args.panel, args.build, source, args.padding).notes)
        normalised = str(Path(tmp) / "normalised.vcf.gz")
        _notes(normalise_stage(source, normalised, False, args.fasta)[1])
        annotate_stage(normalised, args.panel, args.build, annotation, args.padding, args.out)


def _ped_columns(text: str):
    """`liability_class=class,age=9`: a header name, or a position when all digits."""
    from cmmvar.errors import ConfigError
    from cmmvar.io.ped_file import PedColumns

    mapping = {}
    for item in text.split(","):
        key, sep, where = (part.strip() for part in item.partition("="))
        if not sep or not where:
            raise argparse.ArgumentTypeError(f"{item.strip()!r} is not KEY=COLUMN")
        mapping[key] = int(where) if where.isascii() and where.isdigit() else where
    try:
        return PedColumns.from_config(mapping)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("ped_columns", "--ped-columns")) \
            from None


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not in [0, 1]")
    return value


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
    extract.add_argument("--padding", type=int, default=schema_default("padding"),
                         help="bases added on each side of every gene (default %(default)s)")
    extract.add_argument("--quiet", action="store_true", help="statistics to stderr")
    extract.set_defaults(func=_extract)

    seg = commands.add_parser(
        "segregate", help="cosegregation of every VCF record in one family",
        description="One row per record (multiallelic records split): carriers by phenotype, "
                    "the full-likelihood Bayes factor (Thompson et al. 2003), PP1/BS4 "
                    "strength (Tavtigian et al. 2018), informative meioses and de novo status.")
    seg.add_argument("--vcf", required=True, help="VCF, VCF.gz or BCF with the family's samples")
    seg.add_argument("--ped", required=True,
                     help="PED file: 6 columns separated by tabs or by spaces, an optional "
                          "header line; without header or --ped-columns a 7th column is the "
                          "liability class")
    seg.add_argument("--ped-columns", type=_ped_columns, metavar="KEY=COLUMN[,...]",
                     help="PED columns read as liability_class, age and deceased, each by "
                          "its header name or 1-based position (7 or more), e.g. "
                          "liability_class=class,age=9; other extra columns are ignored")
    seg.add_argument("--out", required=True, help="output TSV")
    seg.add_argument("--family", help="family ID, when the PED holds several")
    seg.add_argument("--inheritance", required=True, choices=("AD", "AR", "XLD", "XLR"))
    seg.add_argument("--penetrance", required=True, type=_fraction,
                     help="P(affected | carrier genotype), e.g. 0.68")
    seg.add_argument("--phenocopy", required=True, type=_fraction,
                     help="P(affected | non-carrier), e.g. 0.001")
    seg.add_argument("--allele-frequency", type=_fraction,
                     default=schema_default("segregation", "allele_frequency"),
                     help="variant allele frequency for founders (default %(default)s)")
    seg.add_argument("--proband", help="index case (default: first affected carrier in PED order)")
    seg.add_argument("--min-gq", type=int, default=schema_default("filters", "min_gq"),
                     help="calls below are missing (default %(default)s)")
    seg.add_argument("--min-dp", type=int, default=schema_default("filters", "min_dp"),
                     help="calls below are missing (default %(default)s)")
    seg.add_argument("--build", choices=BUILDS, default="GRCh38",
                     help="for the X pseudo-autosomal regions (default GRCh38)")
    seg.add_argument("--pass-only", action="store_true", help="skip records failing FILTER")
    seg.add_argument("--fasta", help="indexed reference FASTA: indels left-aligned against it, "
                                     "as the workflow does (default: trimmed only)")
    seg.add_argument("--parentage-confirmed", action="store_true",
                     help="a de novo variant earns PS2 instead of PM6")
    seg.set_defaults(func=_segregate)

    ann = commands.add_parser(
        "annotate", help="consequence, HGVS, gnomAD and ClinVar of every VCF record",
        description="Split, left-align and annotate every record: Sequence Ontology "
                    "consequence and HGVS on the MANE Select transcript (from the VCF's VEP "
                    "CSQ / snpEff ANN when it has one, else computed from the GFF3 and FASTA), "
                    "gnomAD and ClinVar from local tabix-indexed VCFs. Offline unless --online.")
    ann.add_argument("--vcf", required=True, help="input VCF, VCF.gz or BCF")
    ann.add_argument("--gff3", required=True, help="GFF3 of the transcripts (Ensembl/MANE style)")
    ann.add_argument("--fasta", required=True, help="indexed reference FASTA (.fai, .gzi)")
    ann.add_argument("--gnomad", help="tabix-indexed gnomAD sites VCF (v4 or v2 fields)")
    ann.add_argument("--clinvar", help="tabix-indexed ClinVar VCF")
    ann.add_argument("--out", required=True, help="output TSV (the workflow's columns)")
    ann.add_argument("--build", choices=BUILDS, default="GRCh38",
                     help="genome build of every file (checked; default GRCh38)")
    ann.add_argument("--panel", help="panel TSV: keep the records in the panel genes and "
                                     "report each gene's MANE transcript and inheritance "
                                     "(default: every record, every transcript of the GFF3)")
    ann.add_argument("--padding", type=int, default=schema_default("padding"),
                     help="bases around each panel gene that still count as the gene "
                          "(default %(default)s)")
    ann.add_argument("--online", action="store_true",
                     help="also ask Ensembl VEP REST and MyVariant.info (sends chrom, pos, "
                          "ref, alt only)")
    ann.add_argument("--cache", default=schema_default("annotation", "cache"),
                     help="online response cache (default %(default)s)")
    ann.set_defaults(func=_annotate)
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
