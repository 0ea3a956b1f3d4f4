"""`innopoints publicize` and `innopoints publish`: freeze the scores of one (scheme, year), only
behind a passed gate, as a publicity list (公示名单) or as the final list (正式发布) that follows it.

One transaction (REPEATABLE READ, so the gate's verdict, the fingerprint and the copied rows all
see one snapshot): check the gate → copy scores and indicator points from the marts → hash them →
append the publication header. Killed at any point before COMMIT, nothing of it remains.
Publishing what is already the latest publication of that (scheme, year) and kind, byte for byte
(for a final list: resting on the same publicity list), appends nothing and returns that publication.

A final list rests on the latest publicity list of its (scheme, year): its period has closed and every
objection to it is decided (PostgreSQL enforces both). It carries a change report: the enterprises
whose score, grade or rank differ from the publicity list, and why. On the very validation the
publicity list rests on (nothing was corrected or rebuilt since), a copy would give the same rows
again: the final list copies its scores and, once their lines are the publicity list's (so its content
hash is too), shares that list's indicator rows (audit.publications.indicator_rows_from).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from innopoints import db, seeds
from innopoints.console import result
from innopoints.errors import PublicationRefused
from innopoints.publication import gate
from innopoints.quality import state

PAUSE_ENV = "INNOPOINTS_TEST_PAUSE_AT"  # test hook: sleep at a named point (fault tests kill us there)
LOCK_KEY = 5_050_505  # serialises publishers (advisory lock)


KIND_ZH = {"publicity": "公示名单", "final": "正式发布"}


def today_beijing() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@dataclass(frozen=True)
class Publication:
    publication_id: int
    scheme_code: str
    eval_year: int
    n_enterprises: int
    content_sha256: str
    dq_run_id: str
    created: bool  # False: identical to the latest publication, which is returned
    kind: str = "final"
    opens_on: date | None = None
    closes_on: date | None = None
    publicity_publication_id: int | None = None
    n_changes: int = 0
    indicator_rows_from: int | None = None  # the publicity list whose indicator rows it shares


def pause_point(name: str) -> None:
    """Let a fault test kill the process at a known point: print a marker, then sleep."""
    if os.environ.get(PAUSE_ENV) == name:
        result(f"PAUSED AT {name}")  # on stdout, where the fault tests wait for it
        time.sleep(float(os.environ.get("INNOPOINTS_TEST_PAUSE_SECONDS", "120")))


def grade_bands(conn: Any) -> list[dict[str, Any]]:
    """Grade bands as configured (seeds.grade_bands; the seed file when the seed is not built)."""
    if conn.execute("select to_regclass('seeds.grade_bands') is not null").fetchone()[0]:
        rows = conn.execute(
            "select grade, min_share_of_max, label_zh from seeds.grade_bands "
            "order by min_share_of_max desc nulls last").fetchall()
        return [{"grade": g, "min_share_of_max": float(m) if m is not None else None, "label_zh": lab}
                for g, m, lab in rows]
    return [{"grade": r["grade"], "min_share_of_max": float(r["min_share_of_max"])
             if r["min_share_of_max"] is not None else None, "label_zh": r["label_zh"]}
            for r in seeds.load("grade_bands")]


def _insert_scores(conn: Any, pid: int, scheme: str, year: int) -> int:
    return int(conn.execute(
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
        order by uscc
        """, {"pid": pid, "scheme": scheme, "year": year}).rowcount)


def _insert_indicator_rows(conn: Any, pid: int, scheme: str, year: int) -> int:
    return int(conn.execute(
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
        order by scores.uscc, scores.indicator_code
        """, {"pid": pid, "scheme": scheme, "year": year}).rowcount)


def _shareable(conn: Any, publicity_id: int, run_id: str | None, version: int) -> tuple[str, int] | None:
    """(content hash, indicator rows) of the publicity list a final list may share its indicator rows
    with, or None. Only on the validation the publicity list rests on: the gate has just found the marts
    as that validation saw them, as it did for the publicity list, so a copy would give the same rows;
    and only while the indicator names and display order it froze (audit.publications.indicator_names,
    recorded in the same snapshot as its rows) are still those of marts.dim_indicator: a copy takes
    them from there, and the gate does not guard that table."""
    row = conn.execute(
        "select content_sha256, n_indicator_rows from audit.publications where publication_id = %s "
        "and dq_run_id = %s and content_hash_version = %s and indicator_rows_from is null "
        "and indicator_names = audit.current_indicator_names()",
        (publicity_id, run_id, version)).fetchone()
    return (str(row[0]), int(row[1])) if row is not None else None


def publish(scheme: str, year: int, published_by: str | None = None) -> Publication:
    """Append the final list of (scheme, year), or raise PublicationRefused saying why and what to do."""
    return _in_transaction(scheme, year, published_by, kind="final")


def publicize(scheme: str, year: int, days: int, opens_on: date | None = None,
              published_by: str | None = None) -> Publication:
    """Append a publicity list of (scheme, year) open for `days` calendar days from `opens_on` (default
    today, Beijing time): objections are received until the last day inclusive."""
    if days < 1:
        raise PublicationRefused(f"公示期至少 1 天 (the publicity period needs at least 1 day), got {days}")
    opens = opens_on or today_beijing()
    return _in_transaction(scheme, year, published_by, kind="publicity", opens_on=opens,
                           closes_on=opens + timedelta(days=days - 1))


def _in_transaction(scheme: str, year: int, published_by: str | None, **kind: Any) -> Publication:
    with db.connect(db.PUBLISHER) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.execute("set application_name = 'innopoints publish'")
        conn.commit()
        try:
            with conn.transaction():
                return _publish(conn, scheme, year, published_by, **kind)
        except _Unchanged as same:
            return same.publication


class _Unchanged(Exception):  # control flow: roll back, return the existing publication
    def __init__(self, publication: Publication) -> None:
        self.publication = publication


def latest_publicity(conn: Any, scheme: str, year: int) -> tuple[int, date, date] | None:
    """(publication_id, opens_on, closes_on) of the latest publicity list of (scheme, year), or None."""
    return conn.execute(
        "select publication_id, opens_on, closes_on from audit.publications "
        "where scheme_code = %s and eval_year = %s and kind = 'publicity' "
        "order by publication_id desc limit 1", (scheme, year)).fetchone()


def _final_rests_on(conn: Any, scheme: str, year: int, run_id: str | None) -> int:
    """The publicity list a final list of (scheme, year) may rest on, or PublicationRefused saying what
    is missing (PostgreSQL checks the period and the decisions again when the header is written): its
    period has closed, every objection is decided, and the validation the final list rests on ran
    after the last accepted objection was decided (so the marts carry the corrections)."""
    found = latest_publicity(conn, scheme, year)
    if found is None:
        raise PublicationRefused(
            f"{scheme} {year} 尚未公示 (no publicity list yet): 正式发布前先公示 (publicize first), e.g. "
            f"`innopoints publicize --scheme {scheme} --year {year} --days 5`")
    pid, opens, closes = found
    if closes >= today_beijing():
        raise PublicationRefused(
            f"公示名单 {pid} 的公示期为 {opens:%Y-%m-%d} 至 {closes:%Y-%m-%d}，尚未期满 (the publicity period "
            f"has not closed): 正式发布须在 {closes + timedelta(days=1):%Y-%m-%d} 及以后 (final on or after that day)")
    undecided = [r[0] for r in conn.execute(
        "select o.objection_id from audit.objections as o where o.publication_id = %s and not exists "
        "(select from audit.objection_decisions as d where d.objection_id = o.objection_id) order by 1", (pid,))]
    if undecided:
        raise PublicationRefused(
            f"公示名单 {pid} 还有 {len(undecided)} 件异议未复核 (objection(s) not decided): "
            f"{', '.join(map(str, undecided))}; decide each with `innopoints objection decide ID ...`")
    stale = conn.execute(
        "select max(d.decided_at) > (select started_at from audit.dq_runs where run_id = %s) "
        "from audit.objection_decisions as d join audit.objections as o using (objection_id) "
        "where o.publication_id = %s and d.decision = 'accepted'", (run_id, pid)).fetchone()[0]
    if stale:
        raise PublicationRefused(
            f"公示名单 {pid} 的异议更正在最近一次校验之后才记录 (corrections were recorded after the latest "
            "validation): 先重新构建并校验 (rebuild and validate first): `innopoints build && innopoints validate`")
    return int(pid)


def _same_score_lines(conn: Any, publication_id: int, other_id: int) -> bool:
    """Whether two publications have the same score lines (audit.publication_score_line: what the content
    hash reads of them), as many of each."""
    return bool(conn.execute(
        """
        select (select count(*) from audit.publication_scores where publication_id = %(a)s)
                 = (select count(*) from audit.publication_scores where publication_id = %(b)s)
            and not exists (
                select audit.publication_score_line(s) from audit.publication_scores as s
                where s.publication_id = %(a)s
                except all
                select audit.publication_score_line(s) from audit.publication_scores as s
                where s.publication_id = %(b)s)
        """, {"a": publication_id, "b": other_id}).fetchone()[0])


def _content_sha256(conn: Any, publication_id: int, version: int, indicator_rows_id: int | None = None) -> str:
    """The content hash of a publication's rows in the given form (audit.publication_content_sha256);
    indicator_rows_id: its indicator rows are stored under that publication (shared, header not yet written)."""
    if indicator_rows_id is None:
        sql, args = "select audit.publication_content_sha256(%s, %s)", (publication_id, version)
    elif version in (1, 2):
        sql, args = f"select audit.publication_content_sha256_v{version}(%s, %s)", (publication_id, indicator_rows_id)
    else:
        raise PublicationRefused(f"no content hash version {version} (known: 1, 2)")
    return str(conn.execute(sql, args).fetchone()[0])


def _publish(conn: Any, scheme: str, year: int, published_by: str | None, kind: str = "final",
             opens_on: date | None = None, closes_on: date | None = None) -> Publication:
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
    publicity_id = _final_rests_on(conn, scheme, year, verdict.run_id) if kind == "final" else None
    pid = conn.execute("select nextval(pg_get_serial_sequence('audit.publications', 'publication_id'))").fetchone()[0]
    version = conn.execute("select audit.publication_content_hash_version()").fetchone()[0]
    n_scores = _insert_scores(conn, pid, scheme, year)
    # a final list on its publicity list's validation shares that list's indicator rows when its score
    # lines are that list's too: its content is then that list's, and so is its content hash (PostgreSQL
    # checks the validation and the hash again; `--verify` recomputes it); otherwise it copies its own
    shared = _shareable(conn, publicity_id, verdict.run_id, version) if publicity_id is not None else None
    rows_from: int | None = None
    if shared is not None and publicity_id is not None and _same_score_lines(conn, pid, publicity_id):
        rows_from, digest, n_ind = publicity_id, shared[0], shared[1]
    else:
        n_ind = _insert_indicator_rows(conn, pid, scheme, year)
        digest = _content_sha256(conn, pid, version)
    last = conn.execute(
        "select publication_id, n_enterprises, content_sha256, dq_run_id, opens_on, closes_on, "
        "publicity_publication_id, content_hash_version, indicator_rows_from from audit.publications "
        "where scheme_code = %s and eval_year = %s and kind = %s order by publication_id desc limit 1",
        (scheme, year, kind)).fetchone()
    same_period = kind != "publicity" or (last is not None and (last[4], last[5]) == (opens_on, closes_on))
    # like with like: the last publication's hash may be of an earlier form
    same_rows = last is not None and last[2] == (digest if last[7] == version
                                                 else _content_sha256(conn, pid, last[7], rows_from))
    if last is not None and same_rows and last[6] == publicity_id and same_period:
        raise _Unchanged(Publication(last[0], scheme, year, last[1], last[2], last[3], created=False, kind=kind,
                                     opens_on=last[4], closes_on=last[5], publicity_publication_id=last[6],
                                     indicator_rows_from=last[8]))
    batches = state.all_batch_ids(conn, verdict.covered_batches)
    conn.execute(
        """
        insert into audit.publications (
            publication_id, scheme_code, eval_year, scheme_name_zh, max_points, published_by, code_version,
            dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256,
            content_hash_version, grade_bands, kind, opens_on, closes_on, publicity_publication_id,
            indicator_rows_from, indicator_names)
        values (%s, %s, %s, %s, %s, coalesce(%s, current_user), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                %s, %s, audit.current_indicator_names())
        """,
        (pid, scheme, year, sch[0], sch[1], published_by, state.code_version(), verdict.run_id,
         json.dumps(verdict.covered_batches), batches, n_scores, n_ind, digest, version,
         json.dumps(grade_bands(conn), ensure_ascii=False), kind, opens_on, closes_on, publicity_id, rows_from))
    n_changes = _change_report(conn, pid, publicity_id, same_values=rows_from is not None) \
        if publicity_id is not None else 0
    pause_point("publish-before-commit")
    return Publication(pid, scheme, year, n_scores, digest, verdict.run_id or "", created=True, kind=kind,
                       opens_on=opens_on, closes_on=closes_on, publicity_publication_id=publicity_id,
                       n_changes=n_changes, indicator_rows_from=rows_from)


def _change_report(conn: Any, final_id: int, publicity_id: int, same_values: bool = False) -> int:
    """Write the change report of a final list: every enterprise whose total, grade or rank in region
    differs from the publicity list (or that is on one list only), with the cause: its own accepted
    objection (to any publicity list of the year: a correction reaches every scheme); new data of its
    own delivered after the publicity (an indicator value changed); or its cohort (its values are as
    they were, others' corrections moved its points or rank). same_values: the final list shares the
    publicity list's indicator rows, so no value changed and the two are not compared row by row."""
    return conn.execute(
        """
        with before as (
            select * from audit.publication_scores where publication_id = %(pub)s
        ),
        after as (
            select * from audit.publication_scores where publication_id = %(fin)s
        ),
        -- a correction changes the enterprise's data for every scheme scoring that year: the accepted
        -- objections to any publicity list of the year count
        accepted as (
            select o.uscc, array_agg(o.objection_id order by o.objection_id) as ids
            from audit.objections as o
            inner join audit.objection_decisions as d on d.objection_id = o.objection_id
            inner join audit.publications as lists on lists.publication_id = o.publication_id
            where d.decision = 'accepted' and lists.kind = 'publicity'
                and lists.eval_year = (select eval_year from audit.publications where publication_id = %(pub)s)
            group by o.uscc
        ),
        all_accepted as (
            select array_agg(id order by id) as ids from accepted, unnest(accepted.ids) as id
        ),
        value_changed as (
            select distinct coalesce(b.uscc, a.uscc) as uscc
            from (select * from audit.publication_indicator_points
                  where publication_id = audit.indicator_rows_id(%(pub)s)) as b
            full join (select * from audit.publication_indicator_points
                       where publication_id = audit.indicator_rows_id(%(fin)s)) as a
                on a.uscc = b.uscc and a.indicator_code = b.indicator_code
            where not %(same_values)s and b.indicator_value is distinct from a.indicator_value
        ),
        changed as (
            select
                coalesce(a.uscc, b.uscc) as uscc,
                coalesce(a.enterprise_name, b.enterprise_name) as enterprise_name,
                coalesce(a.city_code, b.city_code) as city_code,
                coalesce(a.city_name_zh, b.city_name_zh) as city_name_zh,
                b.total_points as total_before, a.total_points as total_after,
                b.grade as grade_before, a.grade as grade_after,
                b.rank_in_region as rank_before, a.rank_in_region as rank_after
            from after as a
            full join before as b on b.uscc = a.uscc
            where a.total_points is distinct from b.total_points or a.grade is distinct from b.grade
                or a.rank_in_region is distinct from b.rank_in_region
        ),
        explained as (
            select
                c.*,
                case when acc.uscc is not null then 'objection'
                     when vc.uscc is not null then 'data'
                     else 'cohort' end as cause,
                case when acc.uscc is not null then acc.ids
                     when vc.uscc is null then (select ids from all_accepted) end as objection_ids
            from changed as c
            left join accepted as acc on acc.uscc = c.uscc
            left join value_changed as vc on vc.uscc = c.uscc
        )
        insert into audit.publication_changes (
            publication_id, uscc, enterprise_name, city_code, city_name_zh, total_before, total_after,
            grade_before, grade_after, rank_before, rank_after, cause, objection_ids, explanation_zh)
        select
            %(fin)s, uscc, enterprise_name, city_code, city_name_zh, total_before, total_after,
            grade_before, grade_after, rank_before, rank_after, cause, objection_ids,
            concat_ws('；',
                case cause
                    when 'objection' then '异议 #' || array_to_string(objection_ids, '、#') || ' 复核采纳，数据已更正'
                    when 'data' then '公示后本企业数据有新的交付'
                    else '本企业数据未变，同一比较范围内其他企业的更正改变了其得分分位或排名'
                        || coalesce('（异议 #' || array_to_string(objection_ids, '、#') || '）', '')
                end,
                case when total_before is distinct from total_after then
                    '总积分 ' || coalesce(total_before::text, '—') || ' → ' || coalesce(total_after::text, '—') end,
                case when grade_before is distinct from grade_after then
                    '等级 ' || coalesce(grade_before, '—') || ' → ' || coalesce(grade_after, '—') end,
                case when rank_before is distinct from rank_after then
                    '区域排名 ' || coalesce(rank_before::text, '—') || ' → ' || coalesce(rank_after::text, '—') end
            )
        from explained
        """, {"pub": publicity_id, "fin": final_id, "same_values": same_values}).rowcount


def verify(publication_id: int) -> tuple[bool, str]:
    """Recompute a publication's content hash from its stored rows, in the form its header records, and
    compare with the recorded one."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        row = conn.execute("select content_sha256, n_enterprises, content_hash_version from audit.publications "
                           "where publication_id = %s", (publication_id,)).fetchone()
        if row is None:
            return False, f"no publication {publication_id}"
        now = _content_sha256(conn, publication_id, row[2])
        n = conn.execute("select count(*) from audit.publication_scores where publication_id = %s",
                         (publication_id,)).fetchone()[0]
    ok = now == row[0] and n == row[1]
    return ok, (f"publication {publication_id}: {n} enterprises, sha256 {now} (hash version {row[2]}) "
                + ("matches the recorded hash" if ok else f"DIFFERS from the recorded {row[0]} ({row[1]} rows)"))


def list_publications(limit: int = 20) -> list[tuple[Any, ...]]:
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        return conn.execute(
            "select publication_id, scheme_code, eval_year, published_at, n_enterprises, dq_run_id, code_version, "
            "kind, opens_on, closes_on, publicity_publication_id "
            "from audit.publications order by publication_id desc limit %s", (limit,)).fetchall()
