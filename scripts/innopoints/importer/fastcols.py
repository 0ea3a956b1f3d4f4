"""Column-at-a-time fast paths: a chunk of rows is transposed and each column is checked and
converted with a few C-speed operations (one regex over the joined column, a numpy check-digit
computation, a memo of distinct values). A column that the fast path cannot vouch for falls back
to the per-cell converter of convert.py, which also writes the reasons; the results are identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from innopoints.importer.convert import NULL, Bad, Converter
from innopoints.importer.headers import Column
from innopoints.uscc import USCC_CHARSET, USCC_WEIGHTS

# (converted values, indices of cells that failed) or None: "use the per-cell converter"
FastResult = tuple[list[str], list[int]] | None
Fast = Callable[[Sequence[str]], FastResult]

_TEXT_SPECIAL = re.compile(r"[\\\t\r\x00]|^[^\S\n]|[^\S\n]$", re.M)
_LUT = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(USCC_CHARSET):
    _LUT[ord(_c)] = _i
_W = np.array(USCC_WEIGHTS, dtype=np.int64)
_CHARS = np.frombuffer(USCC_CHARSET.encode(), dtype=np.uint8)
MEMO_LIMIT = 200_000


def _joined(col: Sequence[str]) -> str | None:
    s = "\n".join(col)
    return s if s.count("\n") == len(col) - 1 else None


def _nulls(vals: Sequence[str]) -> list[str]:
    return [v or NULL for v in vals]


def fast_text(required: bool, max_len: int) -> Fast:
    def fast(col: Sequence[str]) -> FastResult:
        s = _joined(col)
        if s is None or _TEXT_SPECIAL.search(s) or (required and "" in col):
            return None
        if col and max(map(len, col)) > max_len:
            return None
        return _nulls(col), []

    return fast


def _shift_one(v: str, shift: int) -> str:
    """Multiply a plain decimal string by 10**shift by moving its point (exact)."""
    if not v:
        return NULL
    i, _, frac = v.partition(".")
    if len(frac) <= shift:
        return i + frac + "0" * (shift - len(frac))
    return i + frac[:shift] + "." + frac[shift:]


def fast_number(required: bool, allow_neg: bool, shift: int, max_len: int, frac: bool = True) -> Fast:
    """Plain decimals (no sign unless allowed), at most ``max_len`` characters, times 10**shift."""
    sign = "-?+" if allow_neg else ""
    item = sign + (r"[0-9]++(?:\.[0-9]++)?+" if frac else r"[0-9]++")
    whole = re.compile(f"(?:{item})?+(?:\n(?:{item})?+)*+")
    uniform: dict[int, re.Pattern[str]] = {}

    def same_decimals(d: int) -> re.Pattern[str]:
        pat = uniform.get(d)
        if pat is None:
            it = sign + r"[0-9]++" + (r"\.[0-9]{%d}" % d if d else "")  # noqa: UP031
            pat = uniform[d] = re.compile(f"{it}(?:\n{it})*+")
        return pat

    def fast(col: Sequence[str]) -> FastResult:
        s = _joined(col)
        if s is None or not col:
            return None
        if max(map(len, col)) > max_len:
            return None  # maybe too large for the column: the per-cell path checks the range
        has_empty = "" in col
        if required and has_empty:
            return None
        if shift and frac and not has_empty:
            first = col[0]
            d = len(first) - first.index(".") - 1 if "." in first else 0
            if d <= shift and same_decimals(d).fullmatch(s):
                if d:
                    s = s.replace(".", "")
                if shift > d:
                    z = "0" * (shift - d)
                    s = s.replace("\n", z + "\n") + z
                return s.split("\n"), []
        if whole.fullmatch(s) is None:
            return None
        if shift:
            return [_shift_one(v, shift) for v in col], []
        return _nulls(col), []

    return fast


def fast_uscc(required: bool) -> Fast:
    def fast(col: Sequence[str]) -> FastResult:
        n = len(col)
        if n == 0:
            return [], []
        s = "\n".join(col) + "\n"
        if len(s) != 19 * n or not s.isascii():
            return None  # some code is not 18 ASCII characters: per-cell path says which
        a = np.frombuffer(s.encode(), dtype=np.uint8).reshape(n, 19)
        v = _LUT[a[:, :18]]
        if (v == 255).any():
            return None
        total = v[:, :17].astype(np.int64) @ _W
        ok = _CHARS[(31 - total % 31) % 31] == a[:, 17]
        if not ok.all():
            return None
        return list(col), []

    return fast


def fast_memo(conv: Converter) -> Fast:
    """Low-cardinality kinds (dates, years, codes, booleans, cities): convert each distinct value once."""
    memo: dict[str, str | Bad] = {}

    def fast(col: Sequence[str]) -> FastResult:
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        bad = False
        for v in set(col).difference(memo):
            try:
                memo[v] = conv(v)
            except Bad as exc:
                memo[v] = exc
                bad = True
        if not bad:
            bad = any(isinstance(memo[v], Bad) for v in set(col))
        if not bad:
            return [memo[v] for v in col], []  # type: ignore[misc]
        out: list[str] = []
        idx: list[int] = []
        for i, v in enumerate(col):
            r = memo[v]
            if isinstance(r, Bad):
                out.append(NULL)
                idx.append(i)
            else:
                out.append(r)
        return out, idx

    return fast


def fast_for(c: Column, conv: Converter) -> Fast:
    f = c.field
    k = f.kind
    req = f.is_required
    if k == "text":
        return fast_text(req, 10000)
    if k == "money":
        shift = len(str(int(c.factor))) - 1
        return fast_number(req, f.allow_negative, shift, max_len=max(1, 18 - shift))
    if k == "pct":
        return fast_number(req, f.allow_negative, 0, max_len=5)
    if k == "int":
        return fast_number(req, False, 0, max_len=9, frac=False)
    if k == "uscc":
        return fast_uscc(req)
    return fast_memo(conv)
