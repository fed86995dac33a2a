"""Building the offline resources of one genome build from public servers: the panel's MANE
transcripts (GFF3), the reference around the panel genes, ClinVar, and the gnomAD sites of the
panel regions only, with a manifest of where each file came from.

Holds the public sources of each build and build_resources, which runs the fetch steps of
cmmvar.annotate.resource_fetch in a staging folder, moves the files in and writes the manifest
(cmmvar.manifest). Nothing about samples or variants (no sample data is read or sent).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cmmvar.annotate.online_http import Http, ServiceError
from cmmvar.annotate.resource_fetch import OVERRIDE, STEPS
from cmmvar.atomic import write_json
from cmmvar.errors import ConfigError
from cmmvar.io.genome import BUILDS
from cmmvar.io.panel import load_panel
from cmmvar.manifest import FILES, new_manifest, sha256

log = logging.getLogger("cmmvar.annotate.resources")


@dataclass(frozen=True)
class Sources:
    """Where each resource is read from; every one can be overridden (--base-urls)."""

    gff3_dir: str  # Ensembl FTP directory of per-chromosome GFF3 files
    fasta: str  # bgzipped FASTA with .fai and .gzi beside it (Ensembl dna_index)
    ensembl_rest: str  # reference sequence when the FASTA has no index to read remotely
    clinvar: str  # ClinVar VCF; its .tbi beside it
    gnomad: str  # gnomAD sites VCF, "{chrom}" replaced by the bare chromosome name


_GNOMAD = "https://storage.googleapis.com/gcp-public-data--gnomad/release"
SOURCES = {
    "GRCh38": Sources(
        gff3_dir="https://ftp.ensembl.org/pub/current_gff3/homo_sapiens/",
        fasta="https://ftp.ensembl.org/pub/current_fasta/homo_sapiens/dna_index/"
              "Homo_sapiens.GRCh38.dna.toplevel.fa.gz",
        ensembl_rest="https://rest.ensembl.org",
        clinvar="https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh38/clinvar.vcf.gz",
        gnomad=f"{_GNOMAD}/4.1/vcf/joint/gnomad.joint.v4.1.sites.chr{{chrom}}.vcf.bgz",
    ),
    "GRCh37": Sources(
        gff3_dir="https://ftp.ensembl.org/pub/grch37/current/gff3/homo_sapiens/",
        fasta="https://ftp.ensembl.org/pub/grch37/current/fasta/homo_sapiens/dna_index/"
              "Homo_sapiens.GRCh37.dna.toplevel.fa.gz",
        ensembl_rest="https://grch37.rest.ensembl.org",
        clinvar="https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh37/clinvar.vcf.gz",
        gnomad=f"{_GNOMAD}/2.1.1/vcf/exomes/gnomad.exomes.r2.1.1.sites.{{chrom}}.vcf.bgz",
    ),
}


def sources_for(build: str, overrides: Mapping[str, str] | None = None) -> Sources:
    """The default sources of `build`, with some replaced (keys: the Sources field names)."""
    if build not in BUILDS:
        raise ConfigError(f"unknown genome build {build!r}; use one of {', '.join(BUILDS)}")
    overrides = dict(overrides or {})
    known = [f.name for f in dataclasses.fields(Sources)]
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ConfigError(f"unknown resource source(s) {', '.join(unknown)}; "
                          f"the sources are {', '.join(known)}")
    return dataclasses.replace(SOURCES[build], **overrides)


def build_resources(build: str, panel: str | Path, out_dir: str | Path, padding: int = 100,
                    sources: Sources | None = None, http: Http | None = None) -> dict:
    """Fetch the five resources of `build` for the panel into `out_dir`; return the manifest.

    Everything is made in a staging folder inside `out_dir` and moved in at the end (data
    file before its index, the manifest last), so a failed run leaves the folder as it was.
    """
    genes = load_panel(panel, build)
    sources = sources or sources_for(build)
    http = http or Http()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        entries: dict[str, dict] = {}
        notes: list[str] = []
        for step in STEPS:
            made, said = step(http, sources, build, genes, padding, staging)
            entries.update(made)
            notes.extend(said)
        for name in sorted(entries, key=lambda n: (n.count("."), n)):  # data, then indexes
            entries[name]["sha256"] = sha256(staging / name)
            entries[name]["size"] = (staging / name).stat().st_size
            os.replace(staging / name, out_dir / name)
    except ServiceError as exc:
        raise ServiceError(exc.message, service=exc.service, url=exc.url,
                           hint=f"nothing was written to {out_dir}; check the network and the "
                                f"URL (each source can be replaced: {OVERRIDE}), then "
                                f"re-run") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for note in notes:
        log.warning(note)
    manifest = new_manifest(build, panel, padding, dataclasses.asdict(sources), entries, notes)
    write_json(out_dir / FILES["manifest"], manifest)
    return manifest


