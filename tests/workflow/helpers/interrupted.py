"""Helpers of test_interrupted.py, shared with other test modules."""

from __future__ import annotations

import re
from pathlib import Path

ISO_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"


RUN_SPECIFIC = [
    (re.compile(rf'("generated": )"{ISO_TIME}"'), r'\1"<time>"'),
    (re.compile(rf"\b(generated|run) {ISO_TIME}"), r"\1 <time>"),
]


LOG_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} ", re.MULTILINE)


def normalised(path: Path, results: Path) -> bytes | str:
    """A result file's content without what is specific to the run that wrote it."""
    relative = path.relative_to(results).as_posix()
    if relative.startswith("benchmarks/"):
        return "<timings>"
    data = path.read_bytes()
    if path.suffix not in (".json", ".html", ".log"):
        return data
    text = data.decode("utf-8")
    if relative.startswith("logs/"):
        return LOG_TIME.sub("", text)
    for pattern, replacement in RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text


def snapshot(results: Path) -> dict[str, bytes | str]:
    return {p.relative_to(results).as_posix(): normalised(p, results)
            for p in sorted(results.rglob("*")) if p.is_file()}


def assert_same_outputs(results: Path, reference: Path) -> None:
    got, expected = snapshot(results), snapshot(reference)
    assert sorted(got) == sorted(expected), (
        f"files only in the resumed run: {sorted(set(got) - set(expected))}; "
        f"only in the uninterrupted run: {sorted(set(expected) - set(got))}")
    differ = [name for name in expected if got[name] != expected[name]]
    assert not differ, f"differ from the uninterrupted run: {differ}"
