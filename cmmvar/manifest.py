"""The resource manifest: manifest.json, which scripts/build_resources.py writes beside the
offline resources, saying where each file came from and its checksum. Its one format lives
here: the file names of a resource folder, the entries written and the checks on reading.

Knows files and checksums; nothing about what the resources hold, nor how they are fetched
(cmmvar.annotate.resource_fetch) or quoted in a report (cmmvar.provenance).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from cmmvar import __version__
from cmmvar.errors import InputError

MANIFEST = "manifest.json"
# The files of a resource folder, by resource.
FILES = {"gff3": "transcripts.gff3", "fasta": "reference.fa.gz", "clinvar": "clinvar.vcf.gz",
         "gnomad": "gnomad.vcf.gz", "manifest": MANIFEST}
MANIFEST_KEYS = ("build", "cmmvar_version", "created", "files")


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    """The time as manifests record it: UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def download_entry(urls: list[str], version: str, headers: Mapping[str, str]) -> dict:
    """The entry of a downloaded file (its sha256 and size are added once it is final)."""
    return {"source_urls": urls, "version": version,
            "last_modified": headers.get("Last-Modified"), "etag": headers.get("ETag"),
            "downloaded": now()}


def http_version(headers: Mapping[str, str]) -> str:
    """What the server says about the file's version: its Last-Modified date (and ETag)."""
    said = [f"Last-Modified {headers['Last-Modified']}"] if headers.get("Last-Modified") else []
    said += [f"ETag {headers['ETag']}"] if headers.get("ETag") else []
    return "; ".join(said) or "unknown"


def new_manifest(build: str, panel: str | Path, padding: int, sources: dict,
                 files: dict[str, dict], notes: list[str]) -> dict:
    """The manifest of a resource folder just built (the fields read_manifest describes)."""
    return {
        "build": build, "panel": str(panel), "panel_sha256": sha256(Path(panel)),
        "padding": padding, "cmmvar_version": __version__, "created": now(),
        "sources": sources, "files": files, "notes": notes,
    }


def manifest_entry(path: str | Path) -> dict | None:
    """What the build manifest beside a resource file says of it (source URLs, version,
    download date), when the file came from scripts/build_resources.py; with a note when the
    file no longer matches the checksum recorded there."""
    path = Path(path)
    manifest = path.parent / MANIFEST
    if not manifest.exists():
        return None
    try:
        entry = read_manifest(manifest, verify=False)["files"].get(path.name)
    except InputError:
        return None  # a manifest of something else: nothing to quote
    if not isinstance(entry, dict):
        return None
    entry = dict(entry)
    if entry.get("sha256") and entry["sha256"] != sha256(path):
        entry["note"] = "the file differs from the one the manifest describes (checksum)"
    return entry


def read_manifest(path: str | Path, verify: bool = True) -> dict:
    """The manifest.json build_resources wrote, as written: {build, panel, panel_sha256,
    padding, cmmvar_version, created, sources, notes, files: {name: {source_urls, version,
    downloaded, last_modified, etag, sha256, size} or, for an index made here, {derived_from,
    made_by, sha256, size}}}. With `verify`, every file listed must sit beside the manifest
    with the checksum given."""
    path = Path(path)
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("resource manifest not found", path=path,
                         hint="make the resources with 'snakemake build_resources' or "
                              "scripts/build_resources.py") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable resource manifest ({exc})", path=path) from None
    missing = [k for k in MANIFEST_KEYS if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise InputError(f"not a cmmvar resource manifest: no {', '.join(missing)}", path=path)
    if verify:
        for name in manifest["files"]:
            _verify(path, manifest, name)
    return manifest


def _verify(manifest_path: Path, manifest: dict, name: str) -> dict:
    entry = manifest["files"][name]
    file = manifest_path.parent / name
    if not file.exists():
        raise InputError(f"{name}, listed in the manifest, is missing", path=manifest_path,
                         hint="rebuild the resources")
    if sha256(file) != entry.get("sha256"):
        raise InputError(f"{file} is not the file the manifest describes (its sha256 differs: "
                         f"changed after build_resources made it)", path=manifest_path,
                         hint="rebuild the resources, or delete the manifest if the file was "
                              "replaced on purpose")
    return entry
