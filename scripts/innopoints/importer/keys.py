"""Duplicate-key detection within one file, in bounded memory and at numpy speed.

Keys are reduced to Python's 64-bit ``hash`` of the key (the value, or the tuple of values); a
file's seen keys are kept as a few sorted numpy runs of (hash, first line): 12 bytes per row instead
of ~150 for a dict of tuples, so a file of tens of millions of rows fits. A chunk is checked
against itself with one stable sort and against the runs with ``searchsorted``; its new keys
become a run, and runs of similar size are merged (as in a log-structured merge), so there are
O(log n) runs and each key is merged O(log n) times.

Two different keys with the same 64-bit hash would be reported as a duplicate (probability
~n²/2⁶⁵, about 10⁻⁶ for five million rows); the reason names the first line, so such a row is
visible, never silently lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _lines_array(lines: Sequence[int]) -> np.ndarray:
    if isinstance(lines, range):
        return np.arange(lines.start, lines.stop, lines.step, dtype=np.int64)
    return np.fromiter(lines, dtype=np.int64, count=len(lines))


LINE = np.uint32  # a line number: files have fewer than 4 billion lines


class KeyIndex:
    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, their first lines)

    def __len__(self) -> int:
        return sum(len(h) for h, _ in self._runs)

    def resolve(self, hashes: np.ndarray, lines: Sequence[int]) -> np.ndarray | None:
        """For each (hash, line) in file order: 0 if the key is new, else the line that had it first.

        Returns None when no key of the chunk was seen before (the usual case). New keys are
        remembered.
        """
        n = len(hashes)
        if n == 0:
            return None
        h = np.asarray(hashes, dtype=np.int64)
        ln = _lines_array(lines)
        order = np.argsort(h, kind="stable")  # equal hashes keep file order: the first is the earliest
        hs = h[order]
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(hs[1:], hs[:-1], out=starts[1:])
        first: np.ndarray | None = None
        if not starts.all():
            group_first = order[np.flatnonzero(starts)[np.cumsum(starts) - 1]]  # per sorted position
            dup = ~starts
            first = np.zeros(n, dtype=np.int64)
            first[order[dup]] = ln[group_first[dup]]
        uh = hs[starts]  # sorted distinct hashes of the chunk
        ul = ln[order[starts]]  # the line each first appears on
        for rh, rl in self._runs:
            pos = np.minimum(np.searchsorted(rh, uh), len(rh) - 1)
            found = rh[pos] == uh
            if not found.any():
                continue
            fh, fl = uh[found], rl[pos[found]]
            seen = np.isin(h, fh)
            if first is None:
                first = np.zeros(n, dtype=np.int64)
            first[seen] = fl[np.searchsorted(fh, h[seen])]  # every occurrence: the earlier file line
            uh, ul = uh[~found], ul[~found]
        if len(uh):
            self._add(uh, ul.astype(LINE))
        return first

    def _add(self, h: np.ndarray, ln: np.ndarray) -> None:
        runs = self._runs
        runs.append((h, ln))
        while len(runs) > 1 and len(runs[-2][0]) <= 2 * len(runs[-1][0]):
            (h1, l1), (h2, l2) = runs[-2], runs[-1]
            pos = np.searchsorted(h1, h2)  # merge two sorted runs in O(n): no key is in both
            runs[-2:] = [(np.insert(h1, pos, h2), np.insert(l1, pos, l2))]
