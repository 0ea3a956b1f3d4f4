"""Recognise a file's feed from its header row.

Every header is normalised (NFKC, so full-width brackets and digits become half-width; trimmed;
English lower-cased), a money unit in brackets (``研发费用(千元)``, ``注册资本（万元）``) is split off
as a factor to yuan, and the rest is looked up among each feed's Chinese headers, canonical English
names and aliases. Each feed scores the number of headers it recognises; a feed qualifies only when
all its key and required columns are present. The best-scoring qualifying feed wins; a tie is
ambiguous and refused, as is a file no feed qualifies for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from innopoints.feeds import FEEDS, Feed, Field

# money unit in a header -> factor to yuan
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "人民币元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "百万元": Decimal(1000000),
    "亿元": Decimal(100000000),
    "yuan": Decimal(1),
    "cny": Decimal(1),
    "rmb": Decimal(1),
    "k yuan": Decimal(1000),
    "thousand yuan": Decimal(1000),
    "10k yuan": Decimal(10000),
    "ten thousand yuan": Decimal(10000),
}

_SUFFIX = re.compile(r"^(.*?)\s*\(\s*([^()]*?)\s*\)$")


def normalise(header: str) -> str:
    h = unicodedata.normalize("NFKC", header or "").replace("\ufeff", "").strip().strip("*").strip()
    h = re.sub(r"\s+", " ", h)
    return h.lower() if h.isascii() else h


def _lookup(feed: Feed) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in feed.fields:
        for name in (f.name, f.zh, *f.aliases):
            out.setdefault(normalise(name), f)
    return out


LOOKUPS: dict[str, dict[str, Field]] = {name: _lookup(feed) for name, feed in FEEDS.items()}


@dataclass(frozen=True)
class Column:
    index: int  # position in the file's rows
    header: str  # as written in the file
    field: Field
    factor: Decimal = Decimal(1)  # money: multiply by this to get yuan


@dataclass
class FeedMatch:
    feed: Feed
    columns: list[Column]
    ignored: list[str] = field(default_factory=list)  # headers the feed does not know


class Unrecognised(Exception):
    """The header row does not identify exactly one feed; the message says why and what to fix."""


def _match_header(lookup: dict[str, Field], raw: str) -> tuple[Field, Decimal] | str | None:
    """(field, factor), or an error message, or None when the feed does not know the header."""
    h = normalise(raw)
    if not h:
        return None
    f = lookup.get(h)
    if f is not None:
        return f, Decimal(1)
    m = _SUFFIX.match(h)
    if not m:
        return None
    base, unit = m.group(1), m.group(2).lower()
    f = lookup.get(base)
    if f is None:
        return None
    if f.kind == "money":
        factor = MONEY_UNITS.get(unit)
        if factor is None:
            return (f"column {raw!r}: unknown money unit {m.group(2)!r}; give money in "
                    f"元, 千元, 万元 or 亿元 (e.g. {f.zh}(万元))")
        return f, factor
    return f, Decimal(1)


def _try_feed(feed: Feed, headers: list[str]) -> tuple[FeedMatch, list[str], list[str]]:
    lookup = LOOKUPS[feed.name]
    columns: list[Column] = []
    ignored: list[str] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(headers):
        r = _match_header(lookup, raw)
        if r is None:
            if normalise(raw):
                ignored.append(raw)
            continue
        if isinstance(r, str):
            problems.append(r)
            continue
        f, factor = r
        if f.name in seen:
            problems.append(f"columns {seen[f.name]!r} and {raw!r} both mean {f.zh} ({f.name}); keep one")
            continue
        seen[f.name] = raw
        columns.append(Column(i, raw, f, factor))
    missing = [f for f in feed.fields if f.is_required and f.name not in seen]
    missing_txt = [f"{f.zh} ({f.name}){' [key]' if f.key else ''}" for f in missing]
    return FeedMatch(feed, columns, ignored), problems, missing_txt


def recognise(headers: list[str]) -> FeedMatch:
    """The feed of a header row, or raise Unrecognised with what was seen and what to fix."""
    shown = ", ".join(h for h in headers if h.strip()) or "(none)"
    if not any(normalise(h) for h in headers):
        raise Unrecognised("the first row has no column headers; put the header row first")
    candidates: list[tuple[int, FeedMatch, list[str], list[str]]] = []
    for feed in FEEDS.values():
        match, problems, missing = _try_feed(feed, headers)
        candidates.append((len(match.columns) + len(problems), match, problems, missing))
    candidates.sort(key=lambda c: -c[0])
    qualified = [c for c in candidates if not c[2] and not c[3] and c[0] > 0]
    if qualified and qualified[0][0] >= candidates[0][0]:
        best = qualified[0][0]
        top = [c for c in qualified if c[0] == best]
        if len(top) > 1:
            names = ", ".join(c[1].feed.name for c in top)
            raise Unrecognised(
                f"ambiguous feed: the headers fit {names} equally well ({best} columns each); "
                f"add the feed's other columns so it can be told apart. Headers seen: {shown}"
            )
        return top[0][1]
    score, match, problems, missing = candidates[0]
    if score >= 2 or (score == 1 and any(c.field.key for c in match.columns)):
        # it looks like this feed, but something required is wrong
        why = problems + ([f"missing column(s) {', '.join(missing)}"] if missing else [])
        others = [c[1].feed.name for c in candidates[1:] if c[0] == score]
        also = f" (or {', '.join(others)})" if others else ""
        raise Unrecognised(
            f"looks like feed {match.feed.name} ({match.feed.system_zh}){also} but "
            + "; ".join(why)
            + f". Add or rename the column(s). Headers seen: {shown}"
        )
    raise Unrecognised(
        f"unknown feed: no feed of sources.md has these headers. Headers seen: {shown}. "
        "Use the Chinese headers of the exporting system or the canonical English names "
        "(see scripts/innopoints/feeds.py)"
    )
