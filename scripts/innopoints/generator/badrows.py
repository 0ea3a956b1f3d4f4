"""Deliberately broken rows (``--bad-rows SHARE``), each recorded so tests can check the importer.

Each data row of a file is broken with probability SHARE, in one way that applies to its feed:

==================  ===========================================================================
kind                what is written
==================  ===========================================================================
bad_uscc            a USCC whose last (check) character is wrong (GB 32100-2015)
negative_number     a negative count or amount where the field allows none (torch: rd_expense)
text_in_number      text such as ``不详`` or ``12.3.4`` in a number column
bad_date            an impossible date in the file's spelling: ``2024年13月1日``, ``2023-02-30``
future_date         a real date in 2099 in a field that records something that happened
missing_key         a key column left empty
duplicate_key       the row written again later in the same file (the later copy is the bad row)
==================  ===========================================================================

Lines are 1-based physical lines (CSV) or sheet rows (XLSX), the header being line 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from innopoints.feeds import Feed

from .formats import FileSpec

KINDS = (
    "bad_uscc",
    "negative_number",
    "text_in_number",
    "bad_date",
    "future_date",
    "missing_key",
    "duplicate_key",
)
KIND_DOC = {
    "bad_uscc": "USCC with a wrong check character (GB 32100-2015)",
    "negative_number": "negative count or amount in a field that allows none (torch: R&D expense)",
    "text_in_number": "text in a number column",
    "bad_date": "impossible date (month 13, 30 February) in the file's spelling",
    "future_date": "date in 2099 for an event (not an expiry date)",
    "missing_key": "a key column left empty",
    "duplicate_key": "the same key a second time in the same file (the later line is the bad one)",
}
TEXTS = ("不详", "N/A", "约100", "12.3.4", "一百万")
# dates that may lie in the future legitimately
FUTURE_OK = frozenset({"expiry_date"})


@dataclass(frozen=True)
class BadRow:
    file: str
    feed: str
    line: int
    kind: str
    field: str
    value: str
    duplicate_of: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "feed": self.feed,
            "line": self.line,
            "kind": self.kind,
            "field": self.field,
            "value": self.value,
        }
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
        return out


def _candidates(feed: Feed) -> dict[str, list[str]]:
    """For each kind, the fields it can break in this feed (empty: the kind does not apply)."""
    key = [f.name for f in feed.fields if f.key]
    nonneg = [f.name for f in feed.fields if f.kind in ("money", "int") and not f.allow_negative and not f.key]
    if feed.name == "torch":
        nonneg = ["rd_expense"]
    numeric = [f.name for f in feed.fields if f.kind in ("money", "int", "pct", "year") and not f.key]
    if not numeric:
        numeric = [f.name for f in feed.fields if f.kind in ("money", "int", "pct", "year")]
    dates = [f.name for f in feed.fields if f.kind == "date"]
    return {
        "bad_uscc": [f.name for f in feed.fields if f.kind == "uscc"],
        "negative_number": nonneg,
        "text_in_number": numeric,
        "bad_date": dates,
        "future_date": [d for d in dates if d not in FUTURE_OK],
        "missing_key": key[:1],
        "duplicate_key": key[:1],
    }


def corrupt(
    spec: FileSpec,
    columns: dict[str, list[Any]],
    first_line: int,
    share: float,
    rng: np.random.Generator,
    years: tuple[int, int],
) -> list[BadRow]:
    """Break about ``share`` of the rows in place (duplicates are appended); return what was broken."""
    feed = spec.feed_def
    names = list(feed.names)
    n = len(columns[names[0]])
    if n == 0 or share <= 0:
        return []
    cands = {k: v for k, v in _candidates(feed).items() if v}
    kinds = [k for k in KINDS if k in cands]
    picked = np.nonzero(rng.random(n) < share)[0]
    if len(picked) == 0:
        return []
    kind_idx = rng.integers(0, len(kinds), size=len(picked))
    field_pick = rng.random(len(picked))
    aux = rng.random((len(picked), 3))
    out: list[BadRow] = []
    dup_rows: list[int] = []
    empty = None if spec.is_xlsx else ""
    for r, ki, fp, (a, b, c) in zip(picked.tolist(), kind_idx.tolist(), field_pick.tolist(), aux.tolist(), strict=True):
        kind = kinds[ki]
        fields = cands[kind]
        fname = fields[int(fp * len(fields))]
        col = columns[fname]
        kindof = feed.field(fname).kind
        if kind == "duplicate_key":
            dup_rows.append(r)
            continue
        if kind == "bad_uscc":
            code = col[r] or "91210100MA0XXXXXX0"
            last = code[-1]
            alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
            wrong = alphabet[(alphabet.index(last) + 1 + int(a * 30)) % 31] if last in alphabet else "0"
            value: Any = code[:-1] + wrong
        elif kind == "negative_number":
            if kindof == "int":
                value = -(1 + int(a * 50)) if spec.is_xlsx else str(-(1 + int(a * 50)))
            else:
                value = spec.spell_number(-round(1000 + a * 1.0e5, 2))
        elif kind == "text_in_number":
            value = TEXTS[int(a * len(TEXTS))]
        elif kind == "bad_date":
            year = years[0] + int(b * (years[1] - years[0] + 1))
            value = spec.spell_bad_date(year, 13, 1) if c < 0.6 else spell_feb30(spec, year)
        elif kind == "future_date":
            value = spec.spell_bad_date(2099, 1 + int(b * 12), 1 + int(c * 28))
        else:  # missing_key
            value = empty
        col[r] = value
        out.append(BadRow(spec.filename, spec.feed, first_line + r, kind, fname, _text(value)))
    for k, r in enumerate(dup_rows):
        for name in names:
            columns[name].append(columns[name][r])
        out.append(
            BadRow(
                spec.filename,
                spec.feed,
                first_line + n + k,
                "duplicate_key",
                cands["duplicate_key"][0],
                _text(columns[cands["duplicate_key"][0]][r]),
                duplicate_of=first_line + r,
            )
        )
    return out


def spell_feb30(spec: FileSpec, year: int) -> Any:
    from .formats import spell_date

    style = spec.dates if spec.dates in ("iso", "slash", "zh") else "zh"
    return spell_date(year, 2, 30, style)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
