"""The gate that scales stays strict: the scoring marts are hashed once, their change guard is the
catalog (table oid, file, columns, write-log trigger and audit.mart_writes), the keys are proven by
their unique indexes and the indicator rules run as one pass (a salted signature per scheme and year,
the enterprises named by a diagnosis query when it fails). A mart tampered after
`innopoints build` still fails `innopoints validate`, by name; a guard that cannot be trusted (the
trigger disabled) makes the gate hash the rows again rather than believe it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.quality import state
from innopoints.quality.runner import validate
from innopoints.quality.suites.scoring_marts import (
    INDICATOR_ROWS_SQL,
    RULES_CONSTRAINT,
    RULES_DEFINITION,
    rules_held,
)

from .test_quality_support import admin, private_copy

INDICATORS = "marts.fct_indicator_scores"
SCORES = "marts.fct_enterprise_scores"


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _stamp() -> dict:
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        return state.mart_stamp(conn)


def _failed(run_id: str) -> set[tuple[str, str]]:
    return set(admin("select suite_name, check_name from audit.dq_results where run_id = %s and not success",
                     (run_id,)))


def _problems() -> list[tuple[str, str]]:
    """(problem, uscc) of the gate's indicator-rows query as it runs in the suite, over the mart."""
    return sorted((r[0], r[3]) for r in admin(INDICATOR_ROWS_SQL.replace("{batch}", INDICATORS)))


def _one_scored_row() -> tuple[str, int, str, str]:
    """An indicator row with points strictly between 0 and its weight (room to move either way)."""
    return admin(f"select scheme_code, eval_year, uscc, indicator_code from {INDICATORS} "
                 "where points > 0.01 and points < weight - 0.01 order by uscc, indicator_code limit 1")[0]


def test_built_marts_carry_the_write_guard_and_the_gate_uses_it(wh: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    stamp = _stamp()
    assert state.stamp_guarded(stamp), stamp

    def no_hash(*_: object) -> None:
        raise AssertionError("the scoring marts' rows were read to name them")

    with monkeypatch.context() as m:  # guarded marts are named by their stamp: no row is hashed
        m.setattr(state, "marts_summaries", no_hash)
        m.setattr(state, "marts_fingerprint", no_hash)
        out = validate(freshness=False)
        assert out.success, out.report()
        assert out.data_summary["marts_unchanged_by"] == "stamp"
        assert set(out.data_summary["timings_s"]) >= {"marts_fingerprint", "checkpoint gate_marts",
                                                      "marts_unchanged"}
        with db.connect(db.TRANSFORMER, autocommit=True) as conn:
            assert out.marts_fingerprint == state.marts_identity(conn) == state.stamp_fingerprint(stamp)
    assert _stamp() == stamp  # validating wrote nothing
    # the content hash names the same rows whatever their table: a rebuild's new stamp is a new identity
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        content = state.marts_fingerprint(conn)
    assert content is not None and content != out.marts_fingerprint


def test_every_kind_of_write_changes_the_stamp(wh: Settings) -> None:
    before = _stamp()
    admin(f"analyze {INDICATORS}")  # maintenance is not a change of content
    admin(f"select count(*) from {INDICATORS}")
    assert _stamp() == before
    key = _one_scored_row()
    admin(f"update {INDICATORS} set points = points where scheme_code = %s and eval_year = %s and uscc = %s "
          "and indicator_code = %s", key)
    after_update = _stamp()
    assert after_update[INDICATORS]["writes"] == before[INDICATORS]["writes"] + 1
    assert after_update[SCORES] == before[SCORES]
    last = admin("select relation, operation, written_by from audit.mart_writes order by write_id desc limit 1")
    assert last == [(INDICATORS, "UPDATE", admin("select session_user")[0][0])]
    admin(f"alter table {SCORES} add column note text")  # content of every row changes without DML
    altered = _stamp()
    assert altered[SCORES]["columns"] != before[SCORES]["columns"]
    admin(f"alter table {SCORES} drop column note")
    admin(f"alter table {SCORES} disable trigger {state.WRITE_TRIGGER}")
    assert not state.stamp_guarded(_stamp())  # a disabled guard is no guard
    admin(f"alter table {SCORES} enable trigger {state.WRITE_TRIGGER}")
    assert state.stamp_guarded(_stamp()) and _stamp() != altered
    # the write log is append-only, even for the role that builds the marts
    with (pytest.raises(psycopg.Error, match=r"append-only|permission denied"),
          db.connect(db.TRANSFORMER, autocommit=True) as conn):
        conn.execute("delete from audit.mart_writes")


def test_without_its_trigger_the_gate_hashes_the_marts_again(wh: Settings) -> None:
    admin(f"alter table {INDICATORS} disable trigger {state.WRITE_TRIGGER}")
    try:
        out = validate(freshness=False)
    finally:
        admin(f"alter table {INDICATORS} enable trigger {state.WRITE_TRIGGER}")
    assert out.success, out.report()
    assert out.data_summary["marts_unchanged_by"] == "fingerprint"


def test_a_duplicate_key_cannot_be_written_and_a_missing_index_fails_the_gate(wh: Settings) -> None:
    """The catalog proof: the unique index refuses a duplicate on write; without it the gate fails."""
    cols = "scheme_code, eval_year, uscc, indicator_code, category_code, method, city_code, stage, indicator_value, " \
           "cohort_basis, cohort_size, ratio_numerator, ratio_denominator, ratio, weight, points, points_lost"
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin(f"insert into {INDICATORS} ({cols}) select {cols} from {INDICATORS} limit 1")
    index = admin("select i.indexrelid::regclass::text from pg_index as i "
                  f"where i.indrelid = '{INDICATORS}'::regclass and i.indisunique")[0][0]
    ddl = admin("select pg_get_indexdef(%s::regclass)", (index,))[0][0]
    admin(f"drop index {index}")
    try:
        out = validate(freshness=False)
    finally:
        admin(ddl)
    assert ("marts_indicator_scores", "unique_indicator") in _failed(out.run_id), out.report()
    assert not out.scoring_success


def test_a_mart_tampered_after_the_build_fails_validate_by_name(wh: Settings) -> None:
    """Points moved by a cent (still within the weight), then points above the weight: each fails the
    indicator rules, and the command says which; after the repair the gate passes again."""
    exe = wh.project_root / ".venv" / "bin" / "innopoints"
    key = _one_scored_row()
    where = "where scheme_code = %s and eval_year = %s and uscc = %s and indicator_code = %s"
    admin(f"update {INDICATORS} set points = points + 0.01, points_lost = points_lost - 0.01 {where}", key)
    r = subprocess.run([str(exe), "validate", "--no-freshness"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 8, r.stdout + r.stderr
    assert "marts_indicator_scores: indicator_rows_consistent" in r.stdout
    # the check fails per scheme and year; its diagnosis names the enterprise and the rule
    assert "indicator points do not add up to total_points" in r.stdout and key[2] in r.stdout, r.stdout
    assert _problems() == [("indicator points do not add up to total_points", key[2])]
    run_id = admin("select run_id from audit.dq_runs order by finished_at desc limit 1")[0][0]
    assert _failed(run_id) == {("marts_indicator_scores", "indicator_rows_consistent")}

    # points above the weight: PostgreSQL refuses the write (the build's constraint) ...
    with pytest.raises(psycopg.errors.CheckViolation):
        admin(f"update {INDICATORS} set points = weight + 1, points_lost = -1 {where}", key)
    # ... and with the constraint swapped for a weaker one of the same name, the gate no longer takes
    # the catalog's word for the bounds: it counts them and names the row
    admin(f"alter table {INDICATORS} drop constraint {RULES_CONSTRAINT}, "
          f"add constraint {RULES_CONSTRAINT} check (points is not null)")
    admin(f"update {INDICATORS} set points = weight + 1, points_lost = -1 {where}", key)
    out = validate(freshness=False)
    assert out.data_summary["indicator_rules_held"] is False
    assert {(r.suite_name, r.check_name) for r in out.failed} \
        == {("marts_indicator_scores", "indicator_rows_consistent")}, out.report()
    assert _problems() == [("points outside 0..weight, points_lost <> weight - points or ratio outside 0..1",
                            key[2])]

    admin(f"update {INDICATORS} as i set points = o.points, points_lost = o.points_lost "
          f"from intermediate.int_scoring__indicator_points as o where o.scheme_code = i.scheme_code "
          "and o.eval_year = i.eval_year and o.uscc = i.uscc and o.indicator_code = i.indicator_code "
          "and i.scheme_code = %s and i.eval_year = %s and i.uscc = %s and i.indicator_code = %s", key)
    admin(f"alter table {INDICATORS} drop constraint {RULES_CONSTRAINT}, "
          f"add constraint {RULES_CONSTRAINT} {RULES_DEFINITION}")
    out = validate(freshness=False)
    assert out.success, out.report()
    assert out.data_summary["indicator_rules_held"] is True


def test_postgresql_holds_the_indicator_rules_and_the_gate_trusts_only_the_exact_proof(wh: Settings) -> None:
    """The build leaves the indicator rows' rules as a validated constraint and NOT NULL keys (so the
    gate does not count them again); a null key or a bound broken is refused on write; the gate's proof
    fails as soon as any part of it is missing: a key column nullable, the constraint not validated."""
    def held() -> bool:
        with db.connect(db.TRANSFORMER, autocommit=True) as conn:
            return rules_held(conn)

    assert held()
    assert admin("select pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass "
                 "and conname = %s", (INDICATORS, RULES_CONSTRAINT)) == [(RULES_DEFINITION,)]
    key = _one_scored_row()
    where = "where scheme_code = %s and eval_year = %s and uscc = %s and indicator_code = %s"
    with pytest.raises(psycopg.errors.NotNullViolation):
        admin(f"update {INDICATORS} set uscc = null {where}", key)
    for change in ("points = -0.01, points_lost = weight + 0.01", "points_lost = points_lost + 1",
                   "ratio = 1.5", "ratio = null", "weight = null"):
        with pytest.raises(psycopg.errors.CheckViolation):
            admin(f"update {INDICATORS} set {change} {where}", key)
    admin(f"alter table {INDICATORS} alter column uscc drop not null")
    try:
        assert not held()
    finally:
        admin(f"alter table {INDICATORS} alter column uscc set not null")
    assert held()
    admin(f"alter table {INDICATORS} drop constraint {RULES_CONSTRAINT}, "
          f"add constraint {RULES_CONSTRAINT} {RULES_DEFINITION} not valid")
    try:
        assert not held()
    finally:
        admin(f"alter table {INDICATORS} validate constraint {RULES_CONSTRAINT}")
    assert held()


def test_a_vetoed_score_with_points_and_an_orphan_row_fail_the_gate(wh: Settings) -> None:
    vetoed = admin(f"select scheme_code, eval_year, uscc from {SCORES} where is_vetoed limit 1")[0]
    donor = admin(f"select scheme_code, eval_year, uscc from {SCORES} s where not is_vetoed "
                  "and scheme_code = %s and eval_year = %s and exists "
                  f"(select from {INDICATORS} i where i.scheme_code = s.scheme_code and i.eval_year = s.eval_year "
                  "and i.uscc = s.uscc and i.points > 0) limit 1", vetoed[:2])[0]
    # the donor's rows copied to the vetoed enterprise: points where none may be
    admin(f"insert into {INDICATORS} select i.scheme_code, i.eval_year, %s, i.indicator_code, i.category_code, "
          "i.method, i.city_code, i.stage, i.indicator_value, i.cohort_basis, i.cohort_size, i.ratio_numerator, "
          f"i.ratio_denominator, i.ratio, i.weight, i.points, i.points_lost from {INDICATORS} as i "
          "where i.scheme_code = %s and i.eval_year = %s and i.uscc = %s", (vetoed[2], *donor))
    # and the donor's score gone: its rows are orphans
    admin(f"delete from {SCORES} where scheme_code = %s and eval_year = %s and uscc = %s", donor)
    out = validate(freshness=False)
    bad = [r for r in out.failed if r.check_name == "indicator_rows_consistent"]
    assert bad, out.report()
    assert bad[0].unexpected_count == 1, out.report()  # one scheme and year
    expected = sorted([("vetoed enterprise with indicator points", vetoed[2]),
                       ("indicator rows of an enterprise without a score", donor[2])])
    assert _problems() == expected
    assert sorted((d["problem"], d["uscc"]) for d in bad[0].details) == expected  # named in the report
    assert "marts_indicator_scores: indicator_rows_consistent" in out.report(limit=50)


def test_the_two_areas_run_at_once_give_what_they_give_one_after_the_other_and_a_failure_waits_for_the_other(
        wh: Settings) -> None:
    """The raw feeds' checkpoint runs in this process and the marts' in a spawned one with its own GX
    context: every suite of both areas comes back, each result from the area that ran it, the same
    checks with the same verdicts as when the areas run one after the other here (the marts of this
    module may carry an earlier test's tampering: the verdicts are compared, not assumed). An area that
    fails (here: its checkpoint is missing) fails the call, but only once the other has finished."""
    from datetime import UTC, datetime

    from innopoints.errors import ConfigError
    from innopoints.quality import context as gxc
    from innopoints.quality import runner
    from innopoints.quality.suites import all_suites

    suites = {area: [s.name for s in all_suites() if s.area == area] for area in gxc.CHECKPOINTS}
    context = gxc.get_context()
    gxc.sync(context, all_suites())
    runs = [runner.AreaRun(area, cp, suites[area], True) for area, cp in gxc.CHECKPOINTS.items()]

    def verdicts(at_once: bool) -> set[tuple[str, str, str, str | None, bool]]:
        done: list[str] = []
        out = runner._run_areas(runs, context, f"test-two-areas-{at_once}", datetime.now(UTC), {},
                                lambda run: done.append(run.area), at_once)
        assert done == ["raw", "marts"]
        for run, (found, seconds) in out:
            assert {r.suite_name for r in found} == set(suites[run.area]), run.area
            assert {r.area for r in found} == {run.area} and seconds > 0
        return {(r.area, r.suite_name, r.check_name, r.column_name, r.success) for _, (found, _) in out for r in found}

    apart, together = verdicts(False), verdicts(True)
    assert together == apart
    assert any(v[-1] for v in together) and len(together) > 100

    done: list[str] = []
    broken = [runs[0], runner.AreaRun("marts", "no_such_checkpoint", suites["marts"], True)]
    with pytest.raises(ConfigError, match="no_such_checkpoint"):
        runner._run_areas(broken, context, "test-two-areas-broken", datetime.now(UTC), {},
                          lambda run: done.append(run.area))
    assert done == ["raw"]  # the raw area ran to its end before the marts' failure was raised
