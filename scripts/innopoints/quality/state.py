"""What data a validation saw, so a publication can tell whether it is still the same data.

- ``feed_batches``: the newest import batch of every feed (raw is append-only: a new delivery is a
  new batch id, so equal maxima mean equal raw data);
- ``marts_identity``: what names the scoring marts a publication copies, as a validation saw them.
  When their write stamp is guarded (below), the stamp itself: the same tables, unwritten since,
  is the same content, and naming them costs catalog look-ups; nationally the alternative reads
  110 M rows (about 50 s). Otherwise an order-independent content hash (``marts_fingerprint``: row
  count and the sum of each row's 64-bit hash_record_extended). A rebuild gives new tables, so a new
  identity even when the rows come out the same: the next validation names them, and a publication
  that would copy the same rows again is recognised by its own content digest (publish._Unchanged);
- ``mart_stamp``: what tells, from the catalog alone, that a published mart was not written between
  two moments: its table oid (a rebuild), file node (a truncate or rewrite), columns (an altered
  table), and the count of statements its write-log trigger logged in audit.mart_writes (an insert,
  update or delete). A stamp is ``guarded`` only when that trigger is there and enabled; without it
  the stamp proves nothing and the caller hashes the rows again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from innopoints.feeds import FEEDS

PUBLISHED_RELATIONS = ("marts.fct_enterprise_scores", "marts.fct_indicator_scores")


def feed_batches(conn: Any) -> dict[str, int | None]:
    rows = dict(conn.execute("select feed, max(batch_id) from audit.import_batches group by feed").fetchall())
    return {feed: (int(rows[feed]) if rows.get(feed) is not None else None) for feed in FEEDS}


def all_batch_ids(conn: Any, upto: dict[str, int | None]) -> list[int]:
    """Every import batch at or below the per-feed maxima a validation covered."""
    ids: list[int] = []
    for feed, max_id in upto.items():
        if max_id is None:
            continue
        ids += [r[0] for r in conn.execute(
            "select batch_id from audit.import_batches where feed = %s and batch_id <= %s order by batch_id",
            (feed, max_id)).fetchall()]
    return sorted(ids)


def relation_summary(conn: Any, relation: str) -> dict[str, Any] | None:
    if not conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]:
        return None
    # hash_record_extended hashes each column with its type's own hash (no text rendering of the row:
    # 3-4 times cheaper than md5(t::text) on the 110-million-row indicator table); the sum of the 64-bit
    # row hashes is order-independent and exact: sum(bigint) adds in 128-bit integers and returns a
    # numeric, the same number as summing each hash cast to numeric, in half the time
    n, h = conn.execute(
        f"select count(*), coalesce(sum(hash_record_extended(t, 0)), 0)::text "
        f"from {relation} as t"  # relation comes from PUBLISHED_RELATIONS, not from input
    ).fetchone()
    return {"rows": int(n), "hash": h}


def marts_summaries(conn: Any) -> dict[str, dict[str, Any] | None]:
    """Row count and content hash of each published mart (one pass over each)."""
    return {r: relation_summary(conn, r) for r in PUBLISHED_RELATIONS}


def fingerprint_of(parts: dict[str, dict[str, Any] | None]) -> str | None:
    if any(parts.get(r) is None for r in PUBLISHED_RELATIONS):
        return None
    return hashlib.sha256(json.dumps({r: parts[r] for r in PUBLISHED_RELATIONS}, sort_keys=True).encode()).hexdigest()


def marts_fingerprint(conn: Any) -> str | None:
    """The content hash of the published marts (every row read), or None when one is missing."""
    return fingerprint_of(marts_summaries(conn))


def stamp_fingerprint(stamp: dict[str, dict[str, Any] | None]) -> str:
    """The identity of a guarded stamp: equal for the same tables with no write in between."""
    return hashlib.sha256(json.dumps({"stamp": stamp}, sort_keys=True).encode()).hexdigest()


def marts_identity(conn: Any) -> str | None:
    """The published marts' identity now (see the module doc): their guarded stamp's, or their content
    hash when a mart lacks its write-log trigger; None when one is missing."""
    stamp = mart_stamp(conn)
    if stamp_guarded(stamp):
        return stamp_fingerprint(stamp)
    return marts_fingerprint(conn)


WRITE_TRIGGER = "log_mart_writes"  # created by the marts' post-hook (macros/marts/log_mart_writes.sql)

_STAMP_SQL = f"""
select c.oid::bigint, c.relfilenode::bigint,
       (select md5(string_agg(a.attname || ':' || a.atttypid::regtype::text || ':' || a.attisdropped::text,
                              ',' order by a.attnum))
        from pg_attribute as a where a.attrelid = c.oid and a.attnum > 0) as columns,
       (select tg.oid::bigint || ':' || tg.tgenabled::text || ':' || tg.xmin::text
        from pg_trigger as tg
        where tg.tgrelid = c.oid and tg.tgname = '{WRITE_TRIGGER}' and tg.tgenabled <> 'D'
          and tg.tgfoid = 'audit.note_mart_write()'::regprocedure
          -- statement level (bit 0 clear), fires after insert (4), delete (8), update (16), truncate (32)
          and tg.tgtype & 1 = 0 and tg.tgtype & 60 = 60) as guard,
       (select count(*) from audit.mart_writes as w where w.table_oid = c.oid) as writes
from pg_class as c where c.oid = to_regclass(%s)
"""


def mart_stamp(conn: Any) -> dict[str, dict[str, Any] | None]:
    """Per published mart: its oid, file node, columns, write-log trigger and logged writes (catalog
    look-ups), and whether it has a row (one row read). Two equal guarded stamps mean nothing wrote the
    mart in between, and no crash recovery emptied it."""
    out: dict[str, dict[str, Any] | None] = {}
    for r in PUBLISHED_RELATIONS:
        row = conn.execute(_STAMP_SQL, (r,)).fetchone()
        # rows: an unlogged mart is emptied by a server crash, with no write to log and the same file node
        out[r] = None if row is None else {"oid": row[0], "filenode": row[1], "columns": row[2],
                                           "guard": row[3], "writes": int(row[4]),
                                           "rows": conn.execute(f"select exists (select from {r})").fetchone()[0]}
    return out


def stamp_guarded(stamp: dict[str, dict[str, Any] | None]) -> bool:
    """Every published mart exists and carries its enabled write-log trigger."""
    return all(v is not None and v["guard"] is not None for v in stamp.values())


def raw_row_counts(conn: Any) -> dict[str, int]:
    return {f: int(conn.execute(f"select count(*) from raw.{f}").fetchone()[0]) for f in FEEDS}


def code_version() -> str:
    """`git describe` of the project when it is a git checkout, else the package version."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    from innopoints.config import get_settings

    try:
        r = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=get_settings().project_root,
                           capture_output=True, text=True, timeout=10, check=False)
        if r.returncode == 0 and r.stdout.strip():
            return "git:" + r.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return "innopoints " + version("innopoints")
    except PackageNotFoundError:
        return "unknown"
