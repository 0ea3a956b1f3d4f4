"""The gate does not check again what it proved on the same data: a validation takes over, whole, the
results of a recorded one for every raw feed whose newest delivery is the same and for the published
scoring marts when their guarded write stamp and the scoring feeds and corrections are the same (and
hashes nothing); a new delivery, a write to a mart or a changed check makes it check again, and a
tampered mart still fails. The publication gate reuses the validated fingerprint on an unwritten mart
and hashes again after a write.
Private copy of the built warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.publication import gate
from innopoints.quality import runner, state

from .test_quality_support import admin, import_file, private_copy, read_csv, write_csv

SCORING_SUITES = {"marts_enterprise_scores", "marts_indicator_scores"}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _summary(run_id: str) -> dict:
    return admin("select data_summary from audit.dq_runs where run_id = %s", (run_id,))[0][0]


def test_unchanged_data_is_not_checked_again_and_a_change_is(wh: Settings, demo_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = runner.validate(freshness=False)
    assert first.success, first.report()
    raw_suites = {r.suite_name for r in first.results if r.area == "raw"}

    # nothing changed: every raw feed suite and both scoring mart suites are taken over, nothing is hashed
    def no_hash(*_: object) -> None:
        raise AssertionError("the scoring marts were hashed again")

    with monkeypatch.context() as m:
        m.setattr(state, "marts_summaries", no_hash)
        m.setattr(state, "marts_fingerprint", no_hash)
        second = runner.validate()  # with freshness, as a publication needs
        assert second.success, second.report()
        carried = _summary(second.run_id)["carried"]
        # a small validation (the scoring marts taken over) runs its checkpoints in this process
        assert _summary(second.run_id)["checkpoints_at_once"] is False
        assert set(carried) == raw_suites | SCORING_SUITES, set(carried) ^ (raw_suites | SCORING_SUITES)
        assert set(carried.values()) == {first.run_id}
        assert second.marts_fingerprint == first.marts_fingerprint
        # the monitoring marts are checked every time
        assert any(r.suite_name == "marts_financing_monthly" and "proved by" not in (r.description or "")
                   for r in second.results)
        # and a publication may rest on it without reading the marts again
        with db.connect(db.PUBLISHER, autocommit=True) as conn:
            verdict = gate.check(conn)
        assert verdict.ok and verdict.run_id == second.run_id, verdict.reason

    # a new delivery of one feed: that feed is checked again, the others are still taken over
    header, rows = read_csv(demo_dir / "tax.csv")
    import_file(write_csv(tmp_path / "tax_again.csv", header, rows))
    third = runner.validate()
    carried = _summary(third.run_id)["carried"]
    assert "raw_tax" not in carried and "raw_torch" in carried, carried
    # and the scoring marts, which the suites compare with the scoring feeds as delivered, are checked again
    assert not SCORING_SUITES & set(carried), carried

    # a write to a published mart after the build: its suites are checked again, and the tamper fails them
    victim = admin("select uscc, eval_year from marts.fct_enterprise_scores where scheme_code = 'LN-2025' "
                   "and not is_vetoed order by uscc limit 1")[0]
    admin("update marts.fct_enterprise_scores set total_points = total_points + 1 "
          "where scheme_code = 'LN-2025' and uscc = %s and eval_year = %s", victim)
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        verdict = gate.check(conn)
    assert not verdict.ok and "written or rebuilt" in verdict.reason, verdict.reason
    fourth = runner.validate(freshness=False)
    carried = _summary(fourth.run_id)["carried"]
    assert not SCORING_SUITES & set(carried), carried
    assert not fourth.scoring_success
    assert any(r.suite_name in SCORING_SUITES for r in fourth.failed), fourth.report()
    assert fourth.marts_fingerprint != first.marts_fingerprint


def test_a_changed_check_is_run_again(wh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    runner.validate(freshness=False)
    monkeypatch.setattr(runner, "suite_digest", lambda spec: "a new version of " + spec.name)
    again = runner.validate(freshness=False)
    assert _summary(again.run_id)["carried"] == {}
    # every check ran, on marts this small one checkpoint after the other in this process; on marts as
    # large as AT_ONCE_FROM_BYTES the two at the same time, with the same verdicts
    assert _summary(again.run_id)["checkpoints_at_once"] is False
    monkeypatch.setattr(runner, "AT_ONCE_FROM_BYTES", 0)
    monkeypatch.setattr(runner, "suite_digest", lambda spec: "a third version of " + spec.name)
    at_once = runner.validate(freshness=False)
    assert _summary(at_once.run_id)["carried"] == {} and _summary(at_once.run_id)["checkpoints_at_once"] is True
    assert sorted((r.suite_name, r.check_name, r.column_name or "", r.success) for r in at_once.results) \
        == sorted((r.suite_name, r.check_name, r.column_name or "", r.success) for r in again.results)


def test_a_mart_emptied_by_a_crash_recovery_is_checked_again_and_fails(wh: Settings) -> None:
    """PostgreSQL empties an unlogged table (fct_indicator_scores is one) when it recovers from a crash:
    no trigger fires and the file node stays. Rows deleted with triggers off leave the same trace, and
    the gate must not take over the results it proved on the full table."""
    from innopoints import rebuild

    rebuild.rebuild(full=True)  # undo the first test's tamper
    proved = runner.validate(freshness=False)
    again = runner.validate(freshness=False)
    assert "marts_indicator_scores" in _summary(again.run_id)["carried"], proved.report()
    assert admin("select relpersistence from pg_class where oid = 'marts.fct_indicator_scores'::regclass")[0][0] \
        == "u"
    with db.connect("admin") as conn:
        conn.execute("set session_replication_role = replica")  # no trigger fires, as in a crash recovery
        conn.execute("delete from marts.fct_indicator_scores")
        conn.commit()
    after = runner.validate(freshness=False)
    assert "marts_indicator_scores" not in _summary(after.run_id)["carried"]
    assert not after.scoring_success
    failed = {(r.suite_name, r.check_name) for r in after.failed}
    assert ("marts_indicator_scores", "indicator_rows_consistent") in failed, after.report()
