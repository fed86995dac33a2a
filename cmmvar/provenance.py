"""Where the numbers come from: the record of each input file and annotation source (path,
SHA-256, the release its header or build manifest names), quoted by run_info.json and the
reports. Knows files; nothing about variants or families. The manifest format itself is
cmmvar.manifest's."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

from cmmvar.manifest import manifest_entry, sha256

# The marker scripts/make_test_data.py writes into every synthetic demo resource.
DEMO_MARKER = "cmmvar_synthetic_demo"


def file_record(path: str | Path, checksum: bool = True) -> dict:
    path = Path(path)
    stat = path.stat()
    record = {"path": str(path), "bytes": stat.st_size,
              "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")}
    if checksum:
        record["sha256"] = sha256(path)
    return record


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
