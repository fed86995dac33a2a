"""Atomic writes: every output goes to a temporary path beside the target, then is renamed,
so an interrupted run never leaves a half-written file under the target's name."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import simplejson


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary files and folders that earlier writes of `target` left behind
    when they were killed before their rename (a SIGKILL or a scheduler's time limit runs no
    `finally`). Only this target's own names are touched: a hidden
    `.{name}.{random}.tmp` whose random part (tempfile's: letters, digits, `_`) holds no dot,
    so `.x.tsv.gz.{random}.tmp`, a leftover of x.tsv.gz, is not one of x.tsv's."""
    own = re.compile(re.escape(_temporary_prefix(target)) + r"[a-z0-9_]+\.tmp")
    for entry in target.parent.iterdir():
        if not own.fullmatch(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the umask. (mkstemp makes 0o600, which
    would hide the outputs from the rest of a group sharing a results folder.) The umask can
    only be read by setting it; cmmvar creates no files in other threads meanwhile."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto the target on success.
    On failure the target is as it was (absent, or the previous complete file). Leftovers of
    earlier killed writes of the same target are removed first (one job writes one target,
    so none of them can still be in use)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(target), suffix=".tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        tmp_path.chmod(_new_file_mode())
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


@contextlib.contextmanager
def scratch_dir(target: str | Path) -> Iterator[Path]:
    """A temporary folder beside `target` (same file system, so what is made in it can be
    renamed onto the target), removed on exit; named like atomic_path's temporary files, so
    that a killed write's folder is removed by the next write of the same target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    path = Path(tempfile.mkdtemp(prefix=_temporary_prefix(target), suffix=".tmp",
                                 dir=target.parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text)


def write_json(target: str | Path, data) -> None:
    """Indented JSON, as the standard library writes it. simplejson's C encoder writes the
    same text with indentation (the standard library's falls back to pure Python there), 2-3
    times faster: a cohort writes a report.json of about 2 MB per family (issue 14). The
    options keep the standard library's output: tuples and namedtuples as lists, NaN written,
    no Decimal."""
    text = simplejson.dumps(data, indent=2, default=str, namedtuple_as_object=False,
                            use_decimal=False, allow_nan=True)
    write_text(target, text + "\n")
