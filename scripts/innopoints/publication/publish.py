"""`innopoints publish`: freeze the scores of one (scheme, year), only behind a passed gate.

One transaction (REPEATABLE READ, so the gate's verdict, the fingerprint and the copied rows all
see one snapshot): check the gate → copy scores and indicator points from the marts → hash them →
append the publication header. Killed at any point before COMMIT, nothing of it remains.
Publishing what is already the latest publication of that (scheme, year), byte for byte, appends
nothing and returns that publication.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from innopoints import db
from innopoints.config import get_settings
from innopoints.publication import gate
from innopoints.quality import state

PAUSE_ENV = "INNOPOINTS_TEST_PAUSE_AT"  # test hook: sleep at a named point (fault tests kill us there)
LOCK_KEY = 5_050_505  # serialises publishers (advisory lock)


class PublicationRefused(RuntimeError):
    """The gate or the request says no; nothing was written."""


@dataclass(frozen=True)
class Publication:
    publication_id: int
    scheme_code: str
    eval_year: int
    n_enterprises: int
    content_sha256: str
    dq_run_id: str
    created: bool  # False: identical to the latest publication, which is returned


def pause_point(name: str) -> None:
    """Let a fault test kill the process at a known point: print a marker, then sleep."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"PAUSED AT {name}", flush=True)
        sys.stdout.flush()
        time.sleep(float(os.environ.get("INNOPOINTS_TEST_PAUSE_SECONDS", "120")))


def grade_bands(conn: Any) -> list[dict[str, Any]]:
    """Grade bands as configured (seeds.grade_bands; the seed file when the seed is not built)."""
    if conn.execute("select to_regclass('seeds.grade_bands') is not null").fetchone()[0]:
        rows = conn.execute(
            "select grade, min_share_of_max, label_zh from seeds.grade_bands "
            "order by min_share_of_max desc nulls last").fetchall()
        return [{"grade": g, "min_share_of_max": float(m) if m is not None else None, "label_zh": lab}
                for g, m, lab in rows]
    with open(get_settings().project_root / "seeds" / "scoring" / "grade_bands.csv", encoding="utf-8-sig") as fh:
        return [{"grade": r["grade"], "min_share_of_max": float(r["min_share_of_max"]) if r["min_share_of_max"]
                 else None, "label_zh": r["label_zh"]} for r in csv.DictReader(fh)]


def _insert_rows(conn: Any, pid: int, scheme: str, year: int) -> tuple[int, int]:
    n_scores = conn.execute(
        r"""
        insert into audit.publication_scores (
            publication_id, uscc, enterprise_name, city_code, city_name_zh, stage, stage_name_zh, is_vetoed,
            veto_codes, total_points, max_points, grade, grade_label_zh, rank_in_region, evaluated_in_region,
            top_share, points_to_next_grade, rank_in_stage, ranked_in_stage, band_code, band_name_zh)
        select %(pid)s, uscc, enterprise_name, city_code, city_name_zh, stage, stage_name_zh, is_vetoed,
            case when nullif(btrim(veto_codes), '') is null then null
                 else regexp_split_to_array(btrim(veto_codes), '\s*[,;、]\s*') end,
            total_points, max_points, grade, grade_label_zh, rank_in_region, evaluated_in_region,
            top_share, points_to_next_grade, rank_in_stage, ranked_in_stage, band_code, band_name_zh
        from marts.fct_enterprise_scores
        where scheme_code = %(scheme)s and eval_year = %(year)s
        """, {"pid": pid, "scheme": scheme, "year": year}).rowcount
    n_ind = conn.execute(
        """
        insert into audit.publication_indicator_points (
            publication_id, uscc, indicator_code, indicator_name_zh, category_code, category_name_zh,
            display_order, indicator_value, weight, points)
        select %(pid)s, scores.uscc, scores.indicator_code, indicators.indicator_name_zh,
            scores.category_code, indicators.category_name_zh, indicators.display_order,
            scores.indicator_value, scores.weight, scores.points
        from marts.fct_indicator_scores as scores
        inner join marts.dim_indicator as indicators using (indicator_code)
        where scores.scheme_code = %(scheme)s and scores.eval_year = %(year)s
        """, {"pid": pid, "scheme": scheme, "year": year}).rowcount
    return n_scores, n_ind


def publish(scheme: str, year: int, published_by: str | None = None) -> Publication:
    """Append a publication of (scheme, year), or raise PublicationRefused saying why and what to do."""
    with db.connect(db.PUBLISHER) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.execute("set application_name = 'innopoints publish'")
        conn.commit()
        try:
            with conn.transaction():
                return _publish(conn, scheme, year, published_by)
        except _Unchanged as same:
            return same.publication


class _Unchanged(Exception):  # control flow: roll back, return the existing publication
    def __init__(self, publication: Publication) -> None:
        self.publication = publication


def _publish(conn: Any, scheme: str, year: int, published_by: str | None) -> Publication:
    conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    verdict = gate.check(conn)
    if not verdict.ok:
        raise PublicationRefused(f"{scheme} {year} 的发布被拒绝 (publication refused): {verdict.reason}")
    sch = conn.execute("select scheme_name_zh, max_points from marts.dim_scheme where scheme_code = %s",
                       (scheme,)).fetchone()
    if sch is None:
        known = [r[0] for r in conn.execute("select scheme_code from marts.dim_scheme order by 1")]
        raise PublicationRefused(f"没有评价方案 (unknown scheme) {scheme!r}；现有方案 (schemes): {', '.join(known)}")
    n = conn.execute("select count(*) from marts.fct_enterprise_scores where scheme_code = %s and eval_year = %s",
                     (scheme, year)).fetchone()[0]
    if n == 0:
        years = [str(r[0]) for r in conn.execute(
            "select distinct eval_year from marts.fct_enterprise_scores where scheme_code = %s order by 1",
            (scheme,))]
        raise PublicationRefused(f"{scheme} {year} 没有积分 (no scores)；{scheme} 已评价的年度 (evaluated years): "
                                 f"{', '.join(years) or '无 none'}")
    pid = conn.execute("select nextval(pg_get_serial_sequence('audit.publications', 'publication_id'))").fetchone()[0]
    n_scores, n_ind = _insert_rows(conn, pid, scheme, year)
    digest = conn.execute("select audit.publication_content_sha256(%s)", (pid,)).fetchone()[0]
    last = conn.execute(
        "select publication_id, n_enterprises, content_sha256, dq_run_id from audit.publications "
        "where scheme_code = %s and eval_year = %s order by publication_id desc limit 1", (scheme, year)).fetchone()
    if last is not None and last[2] == digest:
        raise _Unchanged(Publication(last[0], scheme, year, last[1], last[2], last[3], created=False))
    batches = state.all_batch_ids(conn, verdict.covered_batches)
    conn.execute(
        """
        insert into audit.publications (
            publication_id, scheme_code, eval_year, scheme_name_zh, max_points, published_by, code_version,
            dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256,
            grade_bands)
        values (%s, %s, %s, %s, %s, coalesce(%s, current_user), %s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (pid, scheme, year, sch[0], sch[1], published_by, state.code_version(), verdict.run_id,
         json.dumps(verdict.covered_batches), batches, n_scores, n_ind, digest,
         json.dumps(grade_bands(conn), ensure_ascii=False)))
    pause_point("publish-before-commit")
    return Publication(pid, scheme, year, n_scores, digest, verdict.run_id or "", created=True)


def verify(publication_id: int) -> tuple[bool, str]:
    """Recompute a publication's content hash from its stored rows and compare with the recorded one."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        row = conn.execute("select content_sha256, n_enterprises from audit.publications where publication_id = %s",
                           (publication_id,)).fetchone()
        if row is None:
            return False, f"no publication {publication_id}"
        now = conn.execute("select audit.publication_content_sha256(%s)", (publication_id,)).fetchone()[0]
        n = conn.execute("select count(*) from audit.publication_scores where publication_id = %s",
                         (publication_id,)).fetchone()[0]
    ok = now == row[0] and n == row[1]
    return ok, (f"publication {publication_id}: {n} enterprises, sha256 {now} "
                + ("matches the recorded hash" if ok else f"DIFFERS from the recorded {row[0]} ({row[1]} rows)"))


def list_publications(limit: int = 20) -> list[tuple[Any, ...]]:
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        return conn.execute(
            "select publication_id, scheme_code, eval_year, published_at, n_enterprises, dq_run_id, code_version "
            "from audit.publications order by publication_id desc limit %s", (limit,)).fetchall()
