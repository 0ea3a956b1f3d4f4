"""What data a validation saw, so a publication can tell whether it is still the same data.

- ``feed_batches``: the newest import batch of every feed (raw is append-only: a new delivery is a
  new batch id, so equal maxima mean equal raw data);
- ``marts_fingerprint``: an order-independent content hash of the scoring marts a publication
  copies (row count and the sum of 60-bit slices of each row's md5). A rebuild that changes any
  score, weight, rank or value changes it; a rebuild that produces identical rows does not, which
  is what matters: the published rows are the validated rows.
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
    n, h = conn.execute(
        f"select count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0)::text "
        f"from {relation} as t"  # relation comes from PUBLISHED_RELATIONS, not from input
    ).fetchone()
    return {"rows": int(n), "hash": h}


def marts_fingerprint(conn: Any) -> str | None:
    parts = {r: relation_summary(conn, r) for r in PUBLISHED_RELATIONS}
    if any(v is None for v in parts.values()):
        return None
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


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
