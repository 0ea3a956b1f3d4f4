"""Duplicate-key detection within one file, in bounded memory.

Keys are reduced to Python's 64-bit ``hash`` of the key tuple; a file's seen keys are kept as sorted
numpy arrays (hash, first line): 16 bytes per row instead of ~150 for a dict of tuples, so a file of
tens of millions of rows fits. Two different keys with the same 64-bit hash would be reported as a
duplicate (probability ~n²/2⁶⁵, about 10⁻⁶ for five million rows); the reason names the first line,
so such a row is visible, never silently lost.
"""

from __future__ import annotations

import numpy as np


class KeyIndex:
    def __init__(self) -> None:
        self._h = np.empty(0, dtype=np.int64)
        self._l = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._h)

    def resolve(self, hashes: list[int], lines: list[int]) -> list[int]:
        """For each (hash, line) in file order: 0 if the key is new, else the line that had it first.

        New keys are remembered.
        """
        n = len(hashes)
        first = [0] * n
        local: dict[int, int] = {}
        for i in range(n):
            h = hashes[i]
            f = local.get(h)
            if f is None:
                local[h] = lines[i]
            else:
                first[i] = f
        if not local:
            return first
        ha = np.fromiter(local.keys(), dtype=np.int64, count=len(local))
        la = np.fromiter(local.values(), dtype=np.int64, count=len(local))
        if len(self._h):
            pos = np.searchsorted(self._h, ha)
            posc = np.minimum(pos, len(self._h) - 1)
            found = self._h[posc] == ha
            if found.any():
                earlier = dict(zip(ha[found].tolist(), self._l[posc[found]].tolist(), strict=True))
                for i in range(n):
                    e = earlier.get(hashes[i])
                    if e is not None:
                        first[i] = e
                keep = ~found
                ha, la = ha[keep], la[keep]
        if len(ha):
            h = np.concatenate((self._h, ha))
            ln = np.concatenate((self._l, la))
            order = np.argsort(h, kind="stable")
            self._h, self._l = h[order], ln[order]
        return first
