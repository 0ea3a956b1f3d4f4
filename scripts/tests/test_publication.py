"""Publication: only behind a passed gate on exactly the data published; append-only and immutable;
a publish killed before COMMIT leaves nothing. The tests of this module run in order on a private
copy of the built warehouse (each step builds on the one before)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.publication.publish import PublicationRefused, verify
from innopoints.quality.runner import validate

from .conftest import publish_final
from .test_quality_support import admin, import_file, private_copy, read_csv, rebuild_models, write_csv

STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _year(scheme: str = "LN-2025") -> int:
    return admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = %s", (scheme,))[0][0]


def _snapshot(pid: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], tuple[Any, ...]]:
    return (admin("select * from audit.publication_scores where publication_id = %s order by uscc", (pid,)),
            admin("select * from audit.publication_indicator_points where publication_id = audit.indicator_rows_id(%s) "
                  "order by uscc, indicator_code", (pid,)),
            admin("select * from audit.publications where publication_id = %s", (pid,))[0])


def _counts() -> tuple[int, int, int]:
    return admin("select (select count(*) from audit.publications), (select count(*) from audit.publication_scores), "
                 "(select count(*) from audit.publication_indicator_points)")[0]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "innopoints"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def _swap_weights(scheme: str, a: str, b: str) -> None:
    """Exchange two indicators' weights in every stage (the stage totals, hence max_points, stay)."""
    admin("""
        update seeds.scheme_weights as w set weight = o.weight
        from seeds.scheme_weights as o
        where w.scheme_code = %(s)s and o.scheme_code = %(s)s and w.stage = o.stage
          and ((w.indicator_code = %(a)s and o.indicator_code = %(b)s)
            or (w.indicator_code = %(b)s and o.indicator_code = %(a)s))
    """, {"s": scheme, "a": a, "b": b})


def test_publish_is_refused_while_the_data_is_not_validated(wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    # whatever validation the copied warehouse holds, a new delivery of a scoring feed makes it stale (a
    # monitoring feed would not: test_quality_delivery)
    header, rows = read_csv(demo_dir / "registry.csv")
    import_file(write_csv(tmp_path / "registry_again.csv", header, rows))
    before = _counts()
    with pytest.raises(PublicationRefused, match="innopoints validate"):
        publish_final("LN-2025", _year())
    r = _cli("publish", "--scheme", "LN-2025", "--year", str(_year()))
    assert r.returncode == 10 and "refused" in r.stderr and "innopoints validate" in r.stderr, r.stderr
    assert _counts() == before


def test_publish_after_a_passed_validation(wh: Settings) -> None:
    out = validate()
    assert out.success, out.report()
    year = _year()
    p = publish_final("LN-2025", year)
    assert p.created and p.dq_run_id == out.run_id
    n = admin("select count(*) from marts.fct_enterprise_scores where scheme_code = 'LN-2025' and eval_year = %s",
              (year,))[0][0]
    assert p.n_enterprises == n
    head = admin("select scheme_code, eval_year, dq_run_id, code_version, source_batches, source_batch_ids, "
                 "n_indicator_rows, grade_bands from audit.publications where publication_id = %s",
                 (p.publication_id,))[0]
    assert head[:3] == ("LN-2025", year, out.run_id) and head[3]
    current = dict(admin("select feed, max(batch_id) from audit.import_batches group by feed"))
    assert {k: v for k, v in head[4].items() if v is not None} == current
    assert sorted(head[5]) == [r[0] for r in admin("select batch_id from audit.import_batches order by 1")]
    assert head[6] == admin("select count(*) from marts.fct_indicator_scores where scheme_code = 'LN-2025' "
                            "and eval_year = %s", (year,))[0][0]
    assert [g["grade"] for g in head[7]][:4] == ["A", "B", "C", "D"]
    # the published rows are the mart's rows
    diff = admin("""
        select count(*) from marts.fct_enterprise_scores as m
        full join (select * from audit.publication_scores where publication_id = %s) as p on p.uscc = m.uscc
        where (m.scheme_code = 'LN-2025' and m.eval_year = %s or m.uscc is null)
          and (p.uscc is null or m.uscc is null or p.total_points <> m.total_points or p.grade <> m.grade
               or p.rank_in_region is distinct from m.rank_in_region)
    """, (p.publication_id, year))[0][0]
    assert diff == 0
    again = publish_final("LN-2025", year)
    assert not again.created and again.publication_id == p.publication_id
    STATE["a"] = p
    STATE["a_rows"] = _snapshot(p.publication_id)


def test_a_final_list_on_its_publicity_validation_shares_its_indicator_rows(wh: Settings) -> None:
    """The final list on the validation its publicity list rests on does not copy the indicator rows
    again: it names the publicity list's, they are the mart's rows, and its hash, recomputed in Python
    from the rows read through audit.indicator_rows_id, is the publicity list's. PostgreSQL refuses a
    header that shares rows on another validation, with another hash, or of another list."""
    p = STATE["a"]
    pub = p.publicity_publication_id
    assert p.indicator_rows_from == pub and pub is not None
    own, shared = admin("select (select count(*) from audit.publication_indicator_points where publication_id = %s), "
                        "(select count(*) from audit.publication_indicator_points where publication_id = %s)",
                        (p.publication_id, pub))[0]
    head = admin("select n_indicator_rows, content_sha256, dq_run_id from audit.publications "
                 "where publication_id = %s", (pub,))[0]
    assert own == 0 and shared == head[0] > 0
    assert admin("select audit.indicator_rows_id(%s), audit.indicator_rows_id(%s)", (p.publication_id, pub))[0] \
        == (pub, pub)
    # the shared rows are the mart's rows of the scheme and year, value for value
    assert admin("""
        select count(*) from (
            (select uscc, indicator_code, indicator_value, weight, points from marts.fct_indicator_scores
             where scheme_code = 'LN-2025' and eval_year = %s
             except all
             select uscc, indicator_code, indicator_value, weight, points from audit.publication_indicator_points
             where publication_id = %s)
            union all
            (select uscc, indicator_code, indicator_value, weight, points from audit.publication_indicator_points
             where publication_id = %s
             except all
             select uscc, indicator_code, indicator_value, weight, points from marts.fct_indicator_scores
             where scheme_code = 'LN-2025' and eval_year = %s)) as d""",
                 (p.eval_year, pub, pub, p.eval_year))[0][0] == 0
    assert p.content_sha256 == head[1] == _python_hashes(p.publication_id)[1] and p.dq_run_id == head[2]
    assert p.n_changes == 0
    ok, msg = verify(p.publication_id)
    assert ok, msg

    def header(conn: psycopg.Connection, new: int, rows_from: int, digest: str, run_id: str, own: bool) -> None:
        conn.execute("insert into audit.publication_scores (publication_id, uscc, is_vetoed, total_points, "
                     "max_points, grade) select %s, uscc, is_vetoed, total_points, max_points, grade "
                     "from audit.publication_scores where publication_id = %s", (new, p.publication_id))
        if own:  # a row of its own beside the shared ones, which no reader would see
            conn.execute("insert into audit.publication_indicator_points (publication_id, uscc, indicator_code, "
                         "points) select %s, uscc, 'X99', 99 from audit.publication_scores "
                         "where publication_id = %s limit 1", (new, p.publication_id))
        conn.execute(
            "insert into audit.publications (publication_id, scheme_code, eval_year, max_points, code_version, "
            "dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256, "
            "grade_bands, kind, publicity_publication_id, indicator_rows_from) "
            "select %s, scheme_code, eval_year, max_points, code_version, %s, source_batches, source_batch_ids, "
            "n_enterprises, n_indicator_rows, %s, grade_bands, 'final', %s, %s "
            "from audit.publications where publication_id = %s",
            (new, run_id, digest, pub, rows_from, p.publication_id))

    same = "same validation with the same content hash"
    attacks = [(pub, "0" * 64, p.dq_run_id, False, same),  # another hash
               (p.publication_id, p.content_sha256, p.dq_run_id, False, "publications_shared_rows"),  # not its list
               (pub, p.content_sha256, "attack-run", False, same),  # another validation
               (pub, p.content_sha256, p.dq_run_id, True, "may have none of its own")]  # hidden rows of its own
    for rows_from, digest, run_id, own, refusal in attacks:
        with db.connect("admin") as conn, pytest.raises(psycopg.Error, match=refusal):
            # another passed validation, older than the latest, then the publisher's attempt (rolled back)
            conn.execute("insert into audit.dq_runs (run_id, started_at, finished_at, success, gx_success, "
                         "freshness_success, n_checks, n_failed, covered_batches, scoring_success) "
                         "select 'attack-run', started_at - interval '1 day', finished_at - interval '1 day', "
                         "success, gx_success, freshness_success, n_checks, n_failed, covered_batches, "
                         "scoring_success from audit.dq_runs where run_id = %s", (p.dq_run_id,))
            conn.execute("set local role innopoints_publisher")
            new = conn.execute("select nextval(pg_get_serial_sequence('audit.publications', 'publication_id'))"
                               ).fetchone()[0]
            header(conn, new, rows_from, digest, run_id, own)


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> str:
    assert proc.stdout is not None
    seen = ""
    deadline = time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen += line
            if marker in line:
                return seen
    raise AssertionError(f"{marker!r} not seen; output: {seen}; stderr: {proc.stderr.read() if proc.stderr else ''}")


def test_killing_publish_before_commit_leaves_no_partial_publication(wh: Settings) -> None:
    year = _year("MOST-2024")
    from datetime import timedelta

    from innopoints.publication.publish import publicize, today_beijing

    publicize("MOST-2024", year, 5, today_beijing() - timedelta(days=10))  # the final list needs a closed one
    before = _counts()
    exe = wh.project_root / ".venv" / "bin" / "innopoints"
    proc = subprocess.Popen(
        [str(exe), "publish", "--scheme", "MOST-2024", "--year", str(year)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "INNOPOINTS_TEST_PAUSE_AT": "publish-before-commit"})
    try:
        _read_until(proc, "PAUSED AT publish-before-commit", 300)
        # every row is written, nothing is committed
        busy = admin("select state from pg_stat_activity where datname = current_database() "
                     "and application_name = 'innopoints publish'")
        assert busy and busy[0][0] == "idle in transaction"
        assert _counts() == before
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.time() + 30
    while admin("select count(*) from pg_stat_activity where datname = current_database() "
                "and application_name = 'innopoints publish'")[0][0] and time.time() < deadline:
        time.sleep(0.2)
    assert _counts() == before
    # the lock went with the dead session: the same publication goes through now
    p = publish_final("MOST-2024", year)
    assert p.created
    assert _counts()[0] == before[0] + 1


def test_old_publication_survives_new_data_and_new_weights(wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    a = STATE["a"]
    year = a.eval_year
    # new source data: a corrected torch delivery raising some enterprises' R&D expense
    torch = sorted(demo_dir.glob(f"torch_{year}.*"))[0]
    header, rows = read_csv(torch)
    col = next(i for i, h in enumerate(header) if h.startswith("研发费用"))
    for r in rows[:40]:
        if r[col]:
            r[col] = f"{Decimal(r[col].replace(',', '')) * 3:.2f}"
    import_file(write_csv(tmp_path / f"torch_{year}_corrected.csv", header, rows))
    with pytest.raises(PublicationRefused, match="imported after the latest validation"):
        publish_final("LN-2025", year)
    # new weights (an officer's seed change), then the rebuild
    _swap_weights("LN-2025", "T01", "G01")
    rebuild_models()
    out = validate()
    assert out.success, out.report()
    b = publish_final("LN-2025", year)
    assert b.created and b.publication_id != a.publication_id
    assert b.content_sha256 != a.content_sha256
    assert _snapshot(a.publication_id) == STATE["a_rows"]
    ok, msg = verify(a.publication_id)
    assert ok, msg
    changed = admin("""
        select count(*) from audit.publication_scores as a
        join audit.publication_scores as b on b.uscc = a.uscc
        where a.publication_id = %s and b.publication_id = %s and a.total_points <> b.total_points
    """, (a.publication_id, b.publication_id))[0][0]
    assert changed > 0
    STATE["b"] = b


def test_a_rebuild_that_changes_scores_after_validation_blocks_publication(wh: Settings) -> None:
    _swap_weights("LN-2025", "T01", "G01")  # back
    rebuild_models()
    before = _counts()
    with pytest.raises(PublicationRefused, match="written or rebuilt"):
        publish_final("LN-2025", STATE["a"].eval_year)
    assert _counts() == before


@pytest.mark.parametrize("role", [db.PUBLISHER, db.LOADER, db.TRANSFORMER, db.REPORTER])
def test_no_role_may_change_a_publication(wh: Settings, role: str) -> None:
    pid = STATE["a"].publication_id
    for stmt in (f"update audit.publication_scores set total_points = 0 where publication_id = {pid}",
                 f"delete from audit.publication_indicator_points where publication_id = {pid}",
                 f"update audit.publications set scheme_code = 'X' where publication_id = {pid}",
                 "truncate audit.publication_scores"):
        with db.connect(role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(stmt)


def test_even_the_owner_cannot_change_a_publication(wh: Settings) -> None:
    pid = STATE["a"].publication_id
    for stmt in (f"update audit.publication_scores set total_points = 0 where publication_id = {pid}",
                 f"delete from audit.publications where publication_id = {pid}",
                 "truncate audit.publication_indicator_points cascade",
                 "delete from audit.dq_results"):
        with db.connect("admin") as conn, pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(stmt)
    assert _snapshot(pid) == STATE["a_rows"]


# The content hash, recomputed here from the stored rows: the canonical line of a score row and of an
# indicator row (the fields of audit.publication_score_line / publication_indicator_line, joined with
# '|', a null field left out as concat_ws does), then form 1 (one text of all lines) and form 2 (per
# enterprise, then over the 32-byte digests in uscc order).
SCORE_FIELDS = ("uscc", "enterprise_name", "city_code", "stage", "is_vetoed", "veto_codes", "total_points",
                "max_points", "grade", "rank_in_region", "evaluated_in_region", "top_share",
                "points_to_next_grade", "rank_in_stage", "ranked_in_stage", "band_code")
INDICATOR_FIELDS = ("uscc", "indicator_code", "category_code", "indicator_value", "weight", "points")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, list):  # array_to_string(…, ','): null elements left out
        return ",".join(str(x) for x in v if x is not None)
    if isinstance(v, Decimal):
        return format(v, "f")  # PostgreSQL's numeric text: plain notation, the stored scale
    return str(v)


def _line(row: tuple[Any, ...]) -> str:
    return "|".join(t for t in map(_text, row) if t is not None)


def _python_hashes(pid: int) -> tuple[str, str]:
    """(form 1, form 2) of a publication's content hash, computed in Python."""
    import hashlib

    scores = {r[0]: _line(r) for r in admin(f"select {', '.join(SCORE_FIELDS)} from audit.publication_scores "
                                             "where publication_id = %s", (pid,))}
    indicators: dict[str, list[tuple[str, str]]] = {}
    for r in admin(f"select {', '.join(INDICATOR_FIELDS)} from audit.publication_indicator_points "
                   "where publication_id = audit.indicator_rows_id(%s)", (pid,)):
        indicators.setdefault(r[0], []).append((r[1], _line(r)))
    usccs = sorted(scores.keys() | indicators.keys())  # collation C: code point order
    ind_lines = {u: [line for _, line in sorted(indicators.get(u, []))] for u in usccs}
    flat = ("\n".join(scores[u] for u in usccs if u in scores) + "\n--\n"
            + "\n".join(line for u in usccs for line in ind_lines[u]))
    v1 = hashlib.sha256(flat.encode()).hexdigest()
    digests = b"".join(hashlib.sha256((scores.get(u, "") + "\n--\n" + "\n".join(ind_lines[u])).encode()).digest()
                       for u in usccs)
    return v1, hashlib.sha256(digests).hexdigest()


def _as_admin_past_the_trigger(table: str, stmt: str, params: Any = None) -> None:
    """Change an append-only table as the administrator: its trigger off for this transaction only
    (ALTER TABLE holds the table's exclusive lock until commit, so no one else writes meanwhile)."""
    with db.connect("admin") as conn, conn.transaction():
        conn.execute(f"alter table audit.{table} disable trigger {table}_immutable")
        conn.execute(stmt, params)
        conn.execute(f"alter table audit.{table} enable trigger {table}_immutable")


def test_content_hash_equals_a_recomputation_in_python(wh: Settings) -> None:
    pid = STATE["b"].publication_id
    v1, v2 = _python_hashes(pid)
    head = admin("select content_sha256, content_hash_version from audit.publications where publication_id = %s",
                 (pid,))[0]
    assert head == (v2, 2)
    assert admin("select audit.publication_content_sha256(%s, 1), audit.publication_content_sha256(%s, 2)",
                 (pid, pid))[0] == (v1, v2)
    ok, msg = verify(pid)
    assert ok and "version 2" in msg, msg


def test_one_changed_indicator_value_fails_verify(wh: Settings) -> None:
    pid = STATE["b"].publication_id
    uscc, code, value = admin("select uscc, indicator_code, indicator_value from audit.publication_indicator_points "
                              "where publication_id = audit.indicator_rows_id(%s) and indicator_value is not null "
                              "order by uscc, indicator_code limit 1", (pid,))[0]
    where = "where publication_id = audit.indicator_rows_id(%s) and uscc = %s and indicator_code = %s"
    _as_admin_past_the_trigger("publication_indicator_points",
                               f"update audit.publication_indicator_points set indicator_value = %s {where}",
                               (value + Decimal("0.01"), pid, uscc, code))
    try:
        ok, msg = verify(pid)
        assert not ok and "DIFFERS" in msg, msg
        assert _python_hashes(pid)[1] == admin("select audit.publication_content_sha256(%s)", (pid,))[0][0]
    finally:
        _as_admin_past_the_trigger("publication_indicator_points",
                                   f"update audit.publication_indicator_points set indicator_value = %s {where}",
                                   (value, pid, uscc, code))
    ok, msg = verify(pid)
    assert ok, msg


def test_a_version_1_publication_verifies_and_is_not_published_again(wh: Settings) -> None:
    """A publication hashed in form 1 (before form 2 existed) still verifies, and publishing the same
    scores again returns it: the new rows are compared in its form."""
    out = validate()  # the scores rebuilt by the test before (weights swapped back)
    assert out.success, out.report()
    c = publish_final("LN-2025", STATE["a"].eval_year)
    assert c.created
    v1, _ = _python_hashes(c.publication_id)
    _as_admin_past_the_trigger("publications", "update audit.publications set content_hash_version = 1, "
                               "content_sha256 = %s where publication_id = %s", (v1, c.publication_id))
    ok, msg = verify(c.publication_id)
    assert ok and "version 1" in msg, msg
    again = publish_final("LN-2025", c.eval_year)
    assert not again.created and again.publication_id == c.publication_id and again.content_sha256 == v1
    # a form-1 header with a form-2 hash does not verify
    _as_admin_past_the_trigger("publications", "update audit.publications set content_sha256 = %s "
                               "where publication_id = %s", (_python_hashes(c.publication_id)[1], c.publication_id))
    ok, msg = verify(c.publication_id)
    assert not ok, msg


def test_a_final_list_copies_its_rows_when_the_indicator_names_changed_since_its_publicity(wh: Settings) -> None:
    """Indicator names and display order are frozen with the rows (from marts.dim_indicator, which the
    gate does not guard) but are not in the content hash: a final list on the same validation whose
    publicity list froze other names copies its rows with the current names instead of sharing."""
    from datetime import timedelta

    from innopoints.publication.publish import publicize, publish, today_beijing

    year = STATE["a"].eval_year
    p = publicize("LN-2025", year, 5, today_beijing() - timedelta(days=8))
    assert p.created
    code, name = admin("select indicator_code, indicator_name_zh from audit.publication_indicator_points "
                       "where publication_id = %s order by uscc, indicator_code limit 1", (p.publication_id,))[0]
    admin("update marts.dim_indicator set indicator_name_zh = indicator_name_zh || '（更名）' "
          "where indicator_code = %s", (code,))
    try:
        f = publish("LN-2025", year)
    finally:
        admin("update marts.dim_indicator set indicator_name_zh = %s where indicator_code = %s", (name, code))
    assert f.created and f.publicity_publication_id == p.publication_id and f.indicator_rows_from is None
    assert {r[0] for r in admin("select distinct indicator_name_zh from audit.publication_indicator_points "
                                "where publication_id = %s and indicator_code = %s",
                                (f.publication_id, code))} == {name + "（更名）"}
    assert f.content_sha256 == p.content_sha256 == _python_hashes(f.publication_id)[1]
    ok, msg = verify(f.publication_id)
    assert ok, msg
