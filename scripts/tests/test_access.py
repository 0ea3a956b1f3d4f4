"""Access enforced by PostgreSQL: a sealed publication or push takes no new, changed or deleted rows;
only the gate's role writes the gate's verdict; no login role owns, or can become the owner of, the
raw and audit tables. Every attack runs as every login role against a real sandbox warehouse."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from innopoints import db
from innopoints.config import Settings

USCC = "91110000100000000X"
GUARDED = ("audit.publications", "audit.publication_scores", "audit.publication_indicator_points",
           "audit.bank_pushes", "audit.bank_push_enterprises", "audit.dq_runs", "audit.dq_results",
           "audit.row_inserts")
TRIGGERS = {"audit.publications": "publications_immutable", "audit.publication_scores": "publication_scores_sealed",
            "audit.dq_runs": "dq_runs_immutable", "audit.bank_push_enterprises": "bank_push_enterprises_sealed",
            "audit.row_inserts": "row_inserts_need_a_header"}


def _record_run(conn: psycopg.Connection, passed: bool = True) -> str:
    run_id = f"test-{uuid.uuid4().hex[:12]}"
    conn.execute(
        "insert into audit.dq_runs (run_id, started_at, finished_at, success, gx_success, freshness_success, "
        "scoring_success, n_checks, n_failed, covered_batches) values (%s, now(), now(), %s, %s, true, %s, 1, %s, "
        "'{}')", (run_id, passed, passed, passed, 0 if passed else 1))
    conn.execute("insert into audit.dq_results (run_id, suite_name, area, expectation_type, success, run_time) "
                 "values (%s, 'probe', 'gate', 'probe', %s, now())", (run_id, passed))
    return run_id


def _next_id(conn: psycopg.Connection, table: str, column: str) -> int:
    return conn.execute("select nextval(pg_get_serial_sequence(%s, %s))", (table, column)).fetchone()[0]


def _add_rows(conn: psycopg.Connection, pid: int, uscc: str = USCC) -> None:
    conn.execute("insert into audit.publication_scores (publication_id, uscc, is_vetoed, total_points, max_points, "
                 "grade) values (%s, %s, false, 80, 100, 'A')", (pid, uscc))
    conn.execute("insert into audit.publication_indicator_points (publication_id, uscc, indicator_code, points) "
                 "values (%s, %s, 'T01', 8)", (pid, uscc))


def _add_header(conn: psycopg.Connection, pid: int, run_id: str, publicity_id: int | None = None) -> None:
    """A publicity list (period closed ten days ago) or, naming one, the final list resting on it."""
    conn.execute(
        "insert into audit.publications (publication_id, scheme_code, eval_year, max_points, code_version, "
        "dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256, grade_bands, "
        "kind, opens_on, closes_on, publicity_publication_id) "
        "values (%s, 'LN-2025', 2025, 100, 'test', %s, '{}', '{}', 1, 1, audit.publication_content_sha256(%s), "
        "'[]', %s, %s, %s, %s)",
        (pid, run_id, pid, "final" if publicity_id else "publicity",
         None if publicity_id else date.today() - timedelta(days=15),
         None if publicity_id else date.today() - timedelta(days=10), publicity_id))


def _publish(conn: psycopg.Connection, run_id: str) -> int:
    """What `innopoints publicize` and `publish` do, in SQL: the rows first, the header last, one
    transaction each; the final list (returned) rests on the publicity list."""
    with conn.transaction():
        publicity = _next_id(conn, "audit.publications", "publication_id")
        _add_rows(conn, publicity)
        _add_header(conn, publicity, run_id)
    with conn.transaction():
        pid = _next_id(conn, "audit.publications", "publication_id")
        _add_rows(conn, pid)
        _add_header(conn, pid, run_id, publicity)
    return pid


def _push(conn: psycopg.Connection, pid: int) -> int:
    with conn.transaction():
        push_id = _next_id(conn, "audit.bank_pushes", "push_id")
        conn.execute("insert into audit.bank_push_enterprises (push_id, uscc) values (%s, %s)", (push_id, USCC))
        conn.execute("insert into audit.bank_pushes (push_id, bank_code, publication_id, push_date, n_enterprises, "
                     "files, xlsx_file, xlsx_sha256, csv_file, csv_sha256) values (%s, 'B1', %s, current_date, 1, "
                     "'[]', 'x.xlsx', 'h', 'x.csv', 'h')", (push_id, pid))
    return push_id


@pytest.fixture(scope="module")
def sealed(_server: None) -> Iterator[dict[str, Any]]:
    """A passed validation (written by the gate), a publication and a push (written by the publisher)."""
    with db.connect(db.GATE, autocommit=True) as gate:
        run_id = _record_run(gate)
    with db.connect(db.PUBLISHER, autocommit=True) as pub:
        pid = _publish(pub, run_id)
        push_id = _push(pub, pid)
    yield {"run_id": run_id, "pid": pid, "push_id": push_id}


def _refused(role: str, stmt: str, params: Any = None,
             errors: type[psycopg.Error] | tuple[type[psycopg.Error], ...] = psycopg.errors.InsufficientPrivilege,
             ) -> None:
    with db.connect(role) as conn, pytest.raises(errors):
        conn.execute(stmt, params)


@pytest.mark.parametrize("role", db.ROLES)
def test_no_role_adds_rows_to_a_sealed_publication_or_push(warehouse: Settings, sealed: dict[str, Any],
                                                           role: str) -> None:
    pid, push_id = sealed["pid"], sealed["push_id"]
    _refused(role, "insert into audit.publication_scores (publication_id, uscc, is_vetoed, total_points, max_points, "
             "grade) values (%s, '91110000100000001X', false, 100, 100, 'A')", (pid,))
    _refused(role, "insert into audit.publication_indicator_points (publication_id, uscc, indicator_code, points) "
             "values (%s, %s, 'T02', 99)", (pid, USCC))
    _refused(role, "insert into audit.bank_push_enterprises (push_id, uscc) values (%s, '91110000100000001X')",
             (push_id,))
    # a second header for the same id: the primary key (the publisher may insert headers at all)
    _refused(role, "insert into audit.publications select * from audit.publications where publication_id = %s",
             (pid,), (psycopg.errors.InsufficientPrivilege, psycopg.errors.UniqueViolation))


@pytest.mark.parametrize("role", db.ROLES)
def test_no_role_changes_deletes_or_truncates_the_guarded_tables(warehouse: Settings, sealed: dict[str, Any],
                                                                 role: str) -> None:
    for table in GUARDED:
        _refused(role, f"delete from {table}")
        _refused(role, f"truncate {table} cascade")
    _refused(role, "update audit.publication_scores set total_points = 0")
    _refused(role, "update audit.publications set content_sha256 = 'x'")
    _refused(role, "update audit.dq_runs set success = true")
    _refused(role, "update audit.dq_results set success = true")


@pytest.mark.parametrize("role", db.ROLES)
def test_no_role_acts_as_the_owner(warehouse: Settings, sealed: dict[str, Any], role: str) -> None:
    for table, trigger in TRIGGERS.items():
        _refused(role, f"alter table {table} disable trigger {trigger}")
        _refused(role, f"alter table {table} disable trigger all")
        _refused(role, f"drop trigger {trigger} on {table}")
        _refused(role, f"alter table {table} owner to {role}")
    _refused(role, "drop table audit.dq_results")
    _refused(role, f"set role {db.OWNER}")
    _refused(role, f"set session authorization {db.OWNER}")
    _refused(role, "create or replace function audit.forbid_change() returns trigger language plpgsql "
             "as $$ begin return new; end $$")


def test_the_owner_cannot_log_in_and_has_no_members(warehouse: Settings) -> None:
    with db.connect("admin", warehouse) as conn:
        login, superuser = conn.execute("select rolcanlogin, rolsuper from pg_roles where rolname = %s",
                                        (db.OWNER,)).fetchone()
        assert not login and not superuser
        members = conn.execute("select m.rolname from pg_auth_members as a join pg_roles as m on m.oid = a.member "
                               "join pg_roles as r on r.oid = a.roleid where r.rolname = %s and m.rolname = any(%s)",
                               (db.OWNER, list(db.ROLES))).fetchall()
        assert members == []
        owners = conn.execute(
            "select distinct pg_get_userbyid(c.relowner) from pg_class as c join pg_namespace as n "
            "on n.oid = c.relnamespace where n.nspname in ('raw', 'audit') and c.relkind in ('r', 'p', 'S')").fetchall()
        assert owners == [(db.OWNER,)]
        schemas = conn.execute("select distinct pg_get_userbyid(nspowner) from pg_namespace "
                               "where nspname in ('raw', 'audit')").fetchall()
        assert schemas == [(db.OWNER,)]


@pytest.mark.parametrize("role", [r for r in db.ROLES if r != db.GATE])
def test_only_the_gate_writes_the_verdict(warehouse: Settings, sealed: dict[str, Any], role: str) -> None:
    with db.connect(role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _record_run(conn)
    _refused(role, "insert into audit.dq_results (run_id, suite_name, area, expectation_type, success, run_time) "
             "values (%s, 'forged', 'gate', 'forged', true, now())", (sealed["run_id"],))


def test_the_gate_writes_the_verdict_and_nothing_else(warehouse: Settings, sealed: dict[str, Any]) -> None:
    with db.connect(db.GATE, autocommit=True) as conn:
        _record_run(conn, passed=False)
    with db.connect(db.TRANSFORMER) as conn:  # dbt's quality models read it
        assert conn.execute("select count(*) from audit.dq_runs").fetchone()[0] >= 2
    _refused(db.GATE, "select * from raw.torch")
    with db.connect(db.GATE) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _add_rows(conn, 10_000_000)


def test_a_publication_names_a_passed_validation(warehouse: Settings, sealed: dict[str, Any]) -> None:
    with db.connect(db.GATE, autocommit=True) as gate:
        failed = _record_run(gate, passed=False)
    with db.connect(db.PUBLISHER) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="did not pass"):
        _publish(conn, failed)
    with db.connect(db.PUBLISHER) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="did not pass"):
        _publish(conn, "no-such-run")


def test_rows_without_a_header_never_commit(warehouse: Settings, sealed: dict[str, Any]) -> None:
    with db.connect(db.PUBLISHER) as conn:
        pid = _next_id(conn, "audit.publications", "publication_id")
        push_id = _next_id(conn, "audit.bank_pushes", "push_id")
        conn.commit()
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="无表头"), conn.transaction():
            _add_rows(conn, pid)
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="无表头"), conn.transaction():
            conn.execute("insert into audit.bank_push_enterprises (push_id, uscc) values (%s, %s)", (push_id, USCC))
        # one id's header does not cover another id's rows written in the same transaction
        other = sealed["pid"] + 1000
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match=f"audit.publications {other} have no header"), \
                conn.transaction():
            _add_rows(conn, other)
            _add_rows(conn, pid)
            _add_header(conn, pid, sealed["run_id"])
        n = conn.execute("select (select count(*) from audit.publication_scores where publication_id in (%s, %s)) "
                         "+ (select count(*) from audit.bank_push_enterprises where push_id = %s)",
                         (pid, other, push_id)).fetchone()[0]
    assert n == 0


@pytest.mark.parametrize("role", db.ROLES)
def test_no_role_writes_the_row_insert_log(warehouse: Settings, sealed: dict[str, Any], role: str) -> None:
    """The line the header check reads at COMMIT is written by the rows' trigger (as the owner) only: no
    role forges one, or removes one to escape the check."""
    _refused(role, "insert into audit.row_inserts (parent_table, parent_key, child_table, parent_id, n_rows) "
             "values ('audit.publications', 'publication_id', 'audit.publication_scores', %s, 1)", (sealed["pid"],))
    _refused(role, "delete from audit.row_inserts")


@pytest.mark.parametrize("function", ["audit.refuse_sealed_rows('audit.publications', 'publication_id')",
                                      "audit.require_header()"])
def test_no_role_attaches_an_owner_trigger_function_to_its_own_table(warehouse: Settings, sealed: dict[str, Any],
                                                                    function: str) -> None:
    """The rows' trigger functions run as the owner. The transformer may create temporary tables (dbt
    builds in its own schemas): attaching one of them to a table of its own would let it write the log
    as the owner. EXECUTE is refused at CREATE TRIGGER."""
    with db.connect(db.TRANSFORMER) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("create temporary table publication_scores (publication_id bigint, parent_table text, "
                     "parent_key text, parent_id bigint, n_rows bigint)")
        conn.execute(f"create trigger forged after insert on publication_scores referencing new table as new_rows "
                     f"for each statement execute function {function}")


def test_no_owner_function_is_executable_by_everyone(warehouse: Settings, sealed: dict[str, Any]) -> None:
    """A function that runs as its owner (security definer) in audit or access is granted to the roles
    that need it, never to PUBLIC."""
    with db.connect("admin") as conn:
        open_to_all = conn.execute(
            "select p.oid::regprocedure::text from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace "
            "where n.nspname in ('audit', 'access') and p.prosecdef "
            "and (p.proacl is null or exists (select from aclexplode(p.proacl) as a "
            "where a.grantee = 0 and a.privilege_type = 'EXECUTE')) order by 1").fetchall()
    assert open_to_all == []


@pytest.mark.parametrize("isolation", [psycopg.IsolationLevel.READ_COMMITTED, psycopg.IsolationLevel.REPEATABLE_READ],
                         ids=["read_committed", "repeatable_read"])
def test_rows_added_while_a_publication_is_being_sealed_are_refused(
        warehouse: Settings, sealed: dict[str, Any], isolation: psycopg.IsolationLevel) -> None:
    """A second publisher session adds rows under the id of a publication that another session is
    writing: it waits for that session to commit, then is refused (its rows never join the publication)."""
    outcome: dict[str, BaseException | None] = {}
    with db.connect(db.PUBLISHER) as writer, db.connect(db.PUBLISHER) as attacker:
        attacker.isolation_level = isolation
        attacker.execute("select 1")  # the attacker's snapshot predates the header
        pid = _next_id(writer, "audit.publications", "publication_id")
        _add_rows(writer, pid)
        _add_header(writer, pid, sealed["run_id"])

        def attack() -> None:
            try:
                _add_rows(attacker, pid, "91110000100000001X")
                attacker.commit()
                outcome["error"] = None
            except psycopg.Error as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=attack)
        thread.start()
        thread.join(1.5)
        assert thread.is_alive(), f"the attacker did not wait for the publication being sealed: {outcome}"
        writer.commit()
        thread.join(30)
        assert not thread.is_alive()
    assert isinstance(outcome["error"], psycopg.errors.InsufficientPrivilege | psycopg.errors.ForeignKeyViolation)
    with db.connect(db.PUBLISHER) as conn:
        n = conn.execute("select count(*) from audit.publication_scores where publication_id = %s",
                         (pid,)).fetchone()[0]
    assert n == 1
