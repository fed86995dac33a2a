"""Where the numbers come from: file checksums and the record of each annotation source
(path, SHA-256, the release its header or build manifest names), quoted by run_info.json and
the reports. Knows files; nothing about variants or families."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from datetime import UTC, datetime
from pathlib import Path

# The marker scripts/make_test_data.py writes into every synthetic demo resource.
DEMO_MARKER = "cmmvar_synthetic_demo"


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
    # cmmvar.resources imports requests, whose urllib3 opens a socket at import (an IPv6
    # probe): looked for before importing it, so an offline run on files without a
    # manifest opens no socket. The name is resources.FILES["manifest"].
    manifest = path.parent / "manifest.json"
    if not manifest.exists():
        return None
    from cmmvar.errors import InputError
    from cmmvar.resources import read_manifest

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
