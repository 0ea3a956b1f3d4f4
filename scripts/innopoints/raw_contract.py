"""What follows from feeds.py, the master of the raw contract: the dbt sources' column lists and the
seeds that name the feeds and their fields in Chinese (ref_feeds, ref_feed_fields).

Each feed's ``models/staging/<feed>/_<feed>__sources.yml`` lists the raw table's columns: the feed's
fields in feeds.py order, then the load columns every raw table carries. Only that column list is
written; the rest of the file (descriptions, freshness, loaded_at_field) is kept as it stands, and
so is the description of a column that is still in the contract. A feed without a file gets one with
a default freshness to adjust. The staging models read the list back (macro ``source_columns``).
The two seeds are written whole, one row per feed and per field, in feeds.py order.

    python -m innopoints.raw_contract           # rewrite the files that differ
    python -m innopoints.raw_contract --check   # exit 1 and name the files that differ
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import yaml

from innopoints import seeds
from innopoints.feeds import FEEDS, RAW_META_COLUMNS, Feed

COMMAND = "python -m innopoints.raw_contract"
META_DESCRIPTIONS = {
    "_batch_id": "Import batch (audit.import_batches) the row came in.",
    "_line": "Line of the source file (header = line 1).",
    "_loaded_at": "When the row was loaded (入库时间).",
}
COLUMNS_INDENT = " " * 8


def sources_file(root: Path, feed: Feed) -> Path:
    return root / "models" / "staging" / feed.name / f"_{feed.name}__sources.yml"


def _new_file(feed: Feed) -> str:
    return (
        "version: 2\n\nsources:\n"
        f"  - name: {feed.name}\n"
        f"    description: {_quote(f'{feed.system_zh} ({feed.name}) feed as loaded by `innopoints import`: every delivery of every row, with its batch.')}\n"  # noqa: E501
        "    schema: raw\n"
        "    loaded_at_field: _loaded_at\n"
        "    freshness:\n"
        "      warn_after: {count: 400, period: day}\n"
        "      error_after: {count: 800, period: day}\n"
        "    tables:\n"
        f"      - name: {feed.name}\n"
        f"        description: {_quote(f'Raw {feed.system_zh} rows; a newer delivery of a key is appended, never overwritten.')}\n"  # noqa: E501
        f"{COLUMNS_INDENT}columns:\n"
    )


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _existing_descriptions(text: str, feed: Feed) -> dict[str, str]:
    doc = yaml.safe_load(text) or {}
    for source in doc.get("sources") or []:
        for table in source.get("tables") or []:
            if source.get("name") == feed.name and table.get("name") == feed.name:
                return {c["name"]: c["description"] for c in table.get("columns") or [] if c.get("description")}
    return {}


def columns_block(feed: Feed, descriptions: dict[str, str]) -> list[str]:
    """The `columns:` block of the feed's raw table, one column per field then the load columns."""
    defaults = {f.name: f"{f.zh}." + (" Natural key." if f.key else "") for f in feed.fields}
    defaults |= META_DESCRIPTIONS
    names = [*feed.names, *(name for name, _ in RAW_META_COLUMNS)]
    lines = [f"{COLUMNS_INDENT}columns:"]
    for name in names:
        lines.append(f"{COLUMNS_INDENT}  - name: {name}")
        lines.append(f"{COLUMNS_INDENT}    description: {_quote(descriptions.get(name, defaults[name]))}")
    return lines


def render(feed: Feed, text: str | None) -> str:
    """The sources file of `feed`: `text` (the committed file, or None) with its column list regenerated."""
    text = text if text is not None else _new_file(feed)
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == f"{COLUMNS_INDENT}columns:")
    except StopIteration:
        start, end = len(lines), len(lines)
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(COLUMNS_INDENT + " ")):
            end += 1
    block = columns_block(feed, _existing_descriptions(text, feed))
    return "\n".join([*lines[:start], *block, *lines[end:]]) + "\n"


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def feed_seeds(root: Path) -> dict[Path, str]:
    """The ref_feeds and ref_feed_fields seeds as feeds.py defines them."""
    feeds = [(f.name, f.system_zh, f.purpose, f.delivery) for f in FEEDS.values()]
    fields = [(f.name, x.name, x.zh, x.kind, str(x.key).lower()) for f in FEEDS.values() for x in f.fields]
    return {
        seeds.path("ref_feeds", root, new_in="reference"):
            _csv(("feed", "feed_name_zh", "purpose", "delivery"), feeds),
        seeds.path("ref_feed_fields", root, new_in="reference"):
            _csv(("feed", "field", "field_name_zh", "field_kind", "is_key"), fields),
    }


def stale(root: Path) -> dict[Path, str]:
    """The files that differ from what feeds.py generates, with the content they should have."""
    wanted: dict[Path, str] = {}
    for feed in FEEDS.values():
        path = sources_file(root, feed)
        wanted[path] = render(feed, path.read_text(encoding="utf-8") if path.exists() else None)
    wanted |= feed_seeds(root)
    return {p: text for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text}


def main(argv: list[str] | None = None) -> int:
    from innopoints.config import get_settings

    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report the files that differ (exit 1)")
    args = parser.parse_args(argv)
    root = get_settings().project_root
    differ = stale(root)
    for path, content in differ.items():
        if args.check:
            print(f"differs from feeds.py: {path.relative_to(root)}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
