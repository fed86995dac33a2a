"""Sorting VCF lines that arrive almost in order, in memory bounded by a window of positions.

Normalisation moves a record left (left-alignment) by less than a window but in long repeats,
so once the input has passed a position by more than the window a later record seldom sorts
before it: lines up to there are written out. A line that does (moved further, or input not
sorted itself: contigs out of header order, positions going back) is still put in order:
each stretch written in order is a run on disk, and the runs are merged at the end.
Knows lines and their sort keys; knows nothing about alleles or samples.
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

MAX_RUNS = 32  # runs merged into one when there are this many: open files stay few

Key = tuple  # (contig rank, position, REF, ALT): the order of the output


class WindowSort:
    """Lines pushed with their key and the input position they came from; `write_to` writes
    them all in key order (ties in the order pushed)."""

    def __init__(self, window: int, tmp: Path, key_of: Callable[[str], Key]):
        self.window = window
        self._tmp = tmp
        self._key_of = key_of  # a line's key, for merging runs read back from disk
        self._heap: list[tuple[Key, int, str]] = []
        self._pushed = 0
        self._last: Key | None = None
        self._runs: list[Path] = []
        self._out = None

    @property
    def runs(self) -> int:
        """Runs written so far: 1 for input in order (within the window)."""
        return len(self._runs)

    def push(self, line: str, key: Key, rank: int, pos: int) -> None:
        """Add `line` (with its newline), made from an input record on the contig of rank
        `rank` at `pos`; every line no later record can precede is written out first."""
        heap = self._heap
        while heap and (heap[0][0][0] != rank or heap[0][0][1] + self.window < pos):
            self._emit(heapq.heappop(heap))
        heapq.heappush(heap, (key, self._pushed, line))
        self._pushed += 1

    def _emit(self, item: tuple[Key, int, str]) -> None:
        key, _, line = item
        if self._out is None or key < self._last:
            self._new_run()
        self._out.write(line)
        self._last = key

    def _new_run(self) -> None:
        if self._out is not None:
            self._out.close()
        if len(self._runs) == MAX_RUNS:
            self._runs = [self._merge_runs()]
        self._runs.append(self._tmp / f"run{len(self._runs)}.vcf")
        self._out = self._runs[-1].open("w", encoding="utf-8", newline="\n")

    def _merge_runs(self) -> Path:
        merged = self._tmp / "merged.vcf"
        with merged.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(self._merged())
        for run in self._runs:
            run.unlink()
        return merged.rename(self._tmp / "run0.vcf")

    def _merged(self):
        handles = [run.open(encoding="utf-8", newline="\n") for run in self._runs]
        try:
            # heapq.merge is stable: equal keys come from earlier runs first, and a run holds
            # lines pushed before those of any later run with the same key
            yield from heapq.merge(*handles, key=self._key_of)
        finally:
            for handle in handles:
                handle.close()

    def write_to(self, handle: BinaryIO) -> None:
        """Write every line, in order, as UTF-8."""
        while self._heap:
            self._emit(heapq.heappop(self._heap))
        if self._out is not None:
            self._out.close()
        if len(self._runs) == 1:
            with self._runs[0].open("rb") as run:
                shutil.copyfileobj(run, handle, 1 << 16)
        elif self._runs:
            for line in self._merged():
                handle.write(line.encode("utf-8"))
