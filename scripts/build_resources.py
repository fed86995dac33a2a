"""Fetch the offline annotation resources of one genome build for the panel.

By hand:
    .venv/bin/python scripts/build_resources.py --build GRCh38 --panel config/panels/cmm.tsv \\
        --out resources/GRCh38 [--padding 100] [--base-urls '{"gnomad": "https://..."}']
or as the workflow target `snakemake build_resources` (rule build_resources, which runs this
file with `script:`, so under the rule's Python or conda environment).

Writes transcripts.gff3, reference.fa.gz (+ .fai, .gzi), clinvar.vcf.gz (+ .tbi), gnomad.vcf.gz
(+ .tbi, the panel regions only) and manifest.json. Only public files are read; no sample data.
"""

# No `from __future__` import: Snakemake puts its preamble before the first line.
import argparse
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmmvar.annotate.resources import Sources, build_resources, sources_for  # noqa: E402
from cmmvar.errors import ConfigError, InputError  # noqa: E402
from cmmvar.io.genome import BUILDS  # noqa: E402
from cmmvar.manifest import FILES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, choices=BUILDS)
    parser.add_argument("--panel", required=True, help="panel TSV (config/panels/cmm.tsv)")
    parser.add_argument("--out", required=True, help="output folder, e.g. resources/GRCh38")
    parser.add_argument("--padding", type=int, default=100,
                        help="bases kept around each gene (default 100, as the workflow)")
    parser.add_argument("--base-urls", default="{}", metavar="JSON",
                        help="replace sources: a JSON object with keys among "
                             + ", ".join(Sources.__dataclass_fields__))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        manifest = build_resources(args.build, args.panel, args.out, args.padding,
                                   sources_for(args.build, _overrides(args.base_urls)))
    except InputError as exc:
        print(f"cmmvar: error: {exc}", file=sys.stderr)
        return 1
    for name, entry in manifest["files"].items():
        print(f"{Path(args.out) / name}\t{entry.get('version', '')}\t{entry['sha256']}")
    print(f"{Path(args.out) / FILES['manifest']}")
    return 0


def _overrides(text: str) -> dict:
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--base-urls is not JSON ({exc})") from None
    if not isinstance(overrides, dict):
        raise ConfigError("--base-urls must be a JSON object, e.g. '{\"gnomad\": \"...\"}'")
    return overrides


def rule(sm) -> None:
    """rule build_resources: the same call, its log in the rule's log file."""
    from cmmvar.scripting import run_logged

    run_logged(lambda: build_resources(
        sm.params.build, sm.input.panel, Path(sm.output.manifest).parent, sm.params.padding,
        sources_for(sm.params.build, sm.params.base_urls)), sm.log[0])


if __name__ == "__main__":
    if "snakemake" in globals():  # run by the rule's `script:`
        rule(snakemake)  # noqa: F821 (injected by Snakemake)
    else:
        sys.exit(main())
