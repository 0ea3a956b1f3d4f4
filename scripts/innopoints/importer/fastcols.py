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
FastResult = tuple[Sequence[str], list[int]] | None
Fast = Callable[[Sequence[str]], FastResult]

_LUT = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(USCC_CHARSET):
    _LUT[ord(_c)] = _i
_W = np.array(USCC_WEIGHTS, dtype=np.int64)
_CHARS = np.frombuffer(USCC_CHARSET.encode(), dtype=np.uint8)
MEMO_LIMIT = 200_000
_NULL_ITEM = f"\n{NULL}\n"


def _joined(col: Sequence[str]) -> str | None:
    s = "\n".join(col)
    return s if s.count("\n") == len(col) - 1 else None


def _nulls(vals: Sequence[str]) -> Sequence[str]:
    return [v or NULL for v in vals] if "" in vals else vals


def fast_text(required: bool, max_len: int) -> Fast:
    """Values are trimmed (as the per-cell converter does); a column with a backslash, tab, line
    break, carriage return or NUL in some value needs COPY escaping and takes the per-cell path."""

    def fast(col: Sequence[str]) -> FastResult:
        vals = list(map(str.strip, col))
        s = _joined(vals)
        if s is None or "\\" in s or "\t" in s or "\r" in s or "\x00" in s:
            return None
        if required and "" in vals:
            return None
        if vals and max(map(len, vals)) > max_len:
            return None
        return _nulls(vals), []

    return fast


def fast_number(required: bool, allow_neg: bool, shift: int, max_len: int, frac: bool = True) -> Fast:
    """Plain decimals (no sign unless allowed), at most ``max_len`` characters, times 10**shift.

    Thousands separators (``1,234.50``) are accepted when every value groups its digits by three,
    as the per-cell converter would read them, and removed.
    """
    sign = "-?+" if allow_neg else ""
    item = sign + (r"[0-9]++(?:\.[0-9]++)?+" if frac else r"[0-9]++")
    whole = re.compile(f"(?:{item})?+(?:\n(?:{item})?+)*+")
    g_item = sign + r"(?:[0-9]{1,3}(?:,[0-9]{3})++|[0-9]++)" + (r"(?:\.[0-9]++)?+" if frac else "")
    grouped = re.compile(f"(?:{g_item})?+(?:\n(?:{g_item})?+)*+")
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
        plain = False
        if "," in s:
            if grouped.fullmatch(s) is None:
                return None
            s = s.replace(",", "")
            col = s.split("\n")
            plain = True
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
        if not plain and whole.fullmatch(s) is None:
            return None
        if shift:
            # times 10**shift in PostgreSQL's own numeric input: "12.5e3" is exactly 12500
            e = f"e{shift}"
            s = f"\n{s}\n".replace("\n", e + "\n")  # every item gets the exponent, empty ones too
            empty = f"\n{e}\n"
            if has_empty:  # two passes: str.replace does not see an empty item right after a replaced one
                s = s.replace(empty, _NULL_ITEM).replace(empty, _NULL_ITEM)
            return s[len(e) + 1 : -1].split("\n"), []
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
        return col, []

    return fast


def fast_memo(conv: Converter) -> Fast:
    """Low-cardinality kinds (dates, years, codes, booleans, cities): convert each distinct value once."""
    memo: dict[str, str] = {}
    bad: dict[str, Bad] = {}

    def fast(col: Sequence[str]) -> FastResult:
        if len(memo) + len(bad) > MEMO_LIMIT:
            memo.clear()
            bad.clear()
        for v in set(col).difference(memo):
            if v not in bad:
                try:
                    memo[v] = conv(v)
                except Bad as exc:
                    bad[v] = exc
        if not bad or bad.keys().isdisjoint(col):
            return list(map(memo.__getitem__, col)), []
        get = memo.get
        out = [get(v, NULL) for v in col]
        return out, [i for i, v in enumerate(col) if v in bad]

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
