"""Choosing the lines of a text VCF that may overlap some regions, from their text alone.

Streaming extraction reads a whole file to keep a few thousand records: parsing every record
(genotypes and all) would cost more than everything else together. Here a line is placed by
its CHROM, POS and REF length; a run of lines on a chromosome without regions is counted and
skipped whole; on a chromosome with regions the positions of a run are read at once (numpy
over the bytes), and only the lines that may overlap a region are written out, for
htslib to parse and for the exact test on each record. A line that cannot be placed so
(malformed, or with END or SVLEN, which can extend a record past its REF) is always written
out: htslib judges it as it would have otherwise.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import BinaryIO

import numpy as np

_EXTENDS = (b"END=", b"SVLEN=")  # a record's end may then lie past POS + len(REF) - 1

Spans = tuple[np.ndarray, np.ndarray]  # starts, ends (1-based, closed; sorted, disjoint)


def select_lines(blocks: Iterable[bytes], spans: dict[str, Spans],
                 name_of: Callable[[bytes], str], out: BinaryIO) -> int:
    """Write to `out` the lines of `blocks` (whole lines, each ending with a newline) that may
    overlap `spans` of their chromosome (named as `name_of` turns the file's CHROM into the
    keys of `spans`). Returns the number of lines read."""
    lines = 0
    for block in blocks:
        remaining = block.count(b"\n")
        lines += remaining
        while block:
            tab = block.find(b"\t")
            first = block[:tab]
            if tab <= 0 or b"\n" in first:
                _line_by_line(block, spans, name_of, out)
                break
            # the run of lines on `first`: up to its last line in the block, when no other
            # chromosome's line lies between (a sorted file); else line by line
            marker = b"\n" + first + b"\t"
            last = block.rfind(marker)
            end = len(block) if last < 0 else block.index(b"\n", last + 1) + 1
            run = block[:end]
            run_lines = remaining if end == len(block) else run.count(b"\n")
            if run.count(marker) != run_lines - 1:
                _line_by_line(block, spans, name_of, out)
                break
            chrom = name_of(first)
            if chrom in spans:
                _select_run(run, spans[chrom], out)
            block, remaining = block[end:], remaining - run_lines
    return lines


def _select_run(run: bytes, spans: Spans, out: BinaryIO) -> None:
    """Lines of one chromosome: those whose POS..POS+len(REF)-1 meets a span. The first
    four tabs of every line are found at once (numpy over the bytes) and POS is read from
    its digits; a run with a line that does not fit this reading goes line by line."""
    placed = None if any(key in run for key in _EXTENDS) else _positions(run)
    if placed is None:
        _lines_of_one_chromosome(run, spans, out)
        return
    line_starts, line_ends, pos, stop = placed
    starts, ends = spans
    # the last span starting at or before the record's end is the only one it can meet
    i = np.searchsorted(starts, stop, side="right") - 1
    keep = np.flatnonzero((i >= 0) & (ends[np.maximum(i, 0)] >= pos))
    if len(keep):
        out.write(b"".join(run[line_starts[k]:line_ends[k] + 1] for k in keep.tolist()))


def _positions(run: bytes):
    """(line starts, line ends, POS, POS + len(REF) - 1) of every line of `run`, or None
    when a line has fewer than five columns or a POS that is not 1 to 18 digits."""
    buf = np.frombuffer(run, dtype=np.uint8)
    line_ends = np.flatnonzero(buf == 10)
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    tabs = np.flatnonzero(buf == 9)
    k = np.searchsorted(tabs, line_starts)
    if len(tabs) == 0 or k[-1] + 3 >= len(tabs):
        return None
    t1, t2, t3, t4 = tabs[k], tabs[k + 1], tabs[k + 2], tabs[k + 3]
    width = t2 - t1 - 1
    if (t4 > line_ends).any() or width.min() < 1 or width.max() > 18:
        return None
    pos = np.zeros(len(k), dtype=np.int64)
    for d in range(int(width.max())):
        inside = d < width
        digit = buf[np.where(inside, t1 + 1 + d, 0)].astype(np.int64) - 48
        if ((digit < 0) | (digit > 9))[inside].any():
            return None
        pos = np.where(inside, pos * 10 + digit, pos)
    return line_starts, line_ends, pos, pos + (t4 - t3 - 1) - 1


def _lines_of_one_chromosome(run: bytes, spans: Spans, out: BinaryIO) -> None:
    starts, ends = spans[0].tolist(), spans[1].tolist()
    for line in run.split(b"\n")[:-1]:
        _select_line(line, starts, ends, out)


def _line_by_line(block: bytes, spans: dict[str, Spans], name_of: Callable[[bytes], str],
                  out: BinaryIO) -> None:
    """A block whose chromosomes alternate (an unsorted file) or with lines without tabs."""
    lists = {c: (s.tolist(), e.tolist()) for c, (s, e) in spans.items()}
    for line in block.split(b"\n")[:-1]:
        tab = line.find(b"\t")
        if tab <= 0:
            out.write(line + b"\n")  # htslib reads it, and says what is wrong
            continue
        chrom = name_of(line[:tab])
        if chrom in lists:
            _select_line(line, *lists[chrom], out)


def _select_line(line: bytes, starts: list[int], ends: list[int], out: BinaryIO) -> None:
    fields = line.split(b"\t", 5)
    try:
        pos = int(fields[1])
        stop = pos + len(fields[3]) - 1
    except (ValueError, IndexError):
        out.write(line + b"\n")  # htslib reads it, and says what is wrong
        return
    if any(key in line for key in _EXTENDS):
        out.write(line + b"\n")
        return
    i = bisect_right(starts, stop) - 1
    if i >= 0 and ends[i] >= pos:
        out.write(line + b"\n")
