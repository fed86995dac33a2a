"""Where the numbers come from: file checksums and the record of each annotation source
(path, SHA-256, the release its header or build manifest names), quoted by run_info.json and
the reports. Knows files; nothing about variants or families."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

from cmmvar.errors import InputError

# The marker scripts/make_test_data.py writes into every synthetic demo resource.
DEMO_MARKER = "cmmvar_synthetic_demo"
MANIFEST = "manifest.json"  # what scripts/build_resources.py writes beside the files


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: str | Path, checksum: bool = True) -> dict:
    path = Path(path)
    stat = path.stat()
    record = {"path": str(path), "bytes": stat.st_size,
              "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")}
    if checksum:
        record["sha256"] = sha256(path)
    return record


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


def synthetic_demo_marker(path: str | Path) -> str | None:
    """What the synthetic-demo marker of a resource file says, or None when it has none.

    Read from the file's own header, never from its name, so that a copy of a demo file
    under any path is still recognised: a VCF header line `##cmmvar_synthetic_demo=...`, a
    GFF3 directive `#!cmmvar_synthetic_demo ...`, or the first FASTA description
    `>name cmmvar_synthetic_demo=...`. Only the header is read (up to the first record)."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"  # gzip or BGZF
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                line = line.rstrip("\r\n")
                if line.startswith((f"##{DEMO_MARKER}=", f"#!{DEMO_MARKER} ")):
                    return line.split(DEMO_MARKER, 1)[1][1:].strip()
                if line.startswith(">"):  # FASTA: the first description only
                    _, _, description = line.partition(f" {DEMO_MARKER}=")
                    return description.strip() or None
                if not line.startswith("#"):
                    return None
    except (OSError, EOFError, zlib.error):
        return None  # not a gzip file after all: what reads it reports that
    return None


def resource_record(path: str | Path, described_as: str | None = None) -> dict:
    """A resource file as the reports quote it: path, size, SHA-256, the release its own
    header names (`described_as`), its build-manifest entry when there is one, and
    `synthetic_demo` (what its marker says) when it is one of the demo's synthetic files."""
    record = file_record(path)
    if described_as:
        record["described_as"] = described_as
    entry = manifest_entry(path)
    if entry:
        record["manifest"] = entry
    marker = synthetic_demo_marker(path)
    if marker:
        record["synthetic_demo"] = marker
    return record


MANIFEST_KEYS = ("build", "cmmvar_version", "created", "files")


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
