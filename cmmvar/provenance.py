"""Where the numbers come from: file checksums and the record of each annotation source
(path, SHA-256, the release its header or build manifest names), quoted by run_info.json and
the reports. Knows files; nothing about variants or families."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path


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
    from cmmvar.errors import InputError
    from cmmvar.resources import FILES, read_manifest

    path = Path(path)
    manifest = path.parent / FILES["manifest"]
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


def resource_record(path: str | Path, described_as: str | None = None) -> dict:
    """A resource file as the reports quote it: path, size, SHA-256, the release its own
    header names (`described_as`) and its build-manifest entry when there is one."""
    record = file_record(path)
    if described_as:
        record["described_as"] = described_as
    entry = manifest_entry(path)
    if entry:
        record["manifest"] = entry
    return record
