"""Not delivered is not stale: a province in its first year (every scoring feed, no bank yet) passes
the gate and publishes its scores; a bank re-sending only its changed loans is not a collapse of the
feed; a monitoring feed that fails or stops never blocks a score publication; a scoring feed that
stopped arriving does. Real imports, dbt builds, GX checkpoints and dbt source freshness."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from innopoints import db
from innopoints.config import Settings, get_settings
from innopoints.feeds import FEEDS
from innopoints.publication.publish import PublicationRefused
from innopoints.quality.runner import validate

from .conftest import _drop, _use, publish_final
from .test_quality_support import admin, import_file, read_csv, write_csv

MONITORING = {name for name, feed in FEEDS.items() if feed.purpose == "monitoring"}
EXE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "innopoints"


def _feed_of(path: Path) -> str:
    """The feed a generated file delivers: its name is the feed's, with a scope after it (torch_2024)."""
    return next(name for name in sorted(FEEDS, key=len, reverse=True) if path.stem.startswith(name))


@pytest.fixture(scope="module")
def first_year(_server: None, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A province that delivered every scoring feed and nothing else, imported and built."""
    from innopoints.importer import import_path
    from innopoints.warehouse import build

    scoring_only = tmp_path_factory.mktemp("scoring-only")
    for f in demo_dir.iterdir():
        if f.suffix in (".csv", ".xlsx") and _feed_of(f) not in MONITORING:
            shutil.copy(f, scoring_only / f.name)
    assert {_feed_of(f) for f in scoring_only.iterdir()} == set(FEEDS) - MONITORING
    import os

    old = os.environ.get("INNOPOINTS_DB_NAME")
    name = f"innopoints_test_first_{uuid.uuid4().hex[:8]}"
    _use(name)
    db.ensure_database()
    try:
        report = import_path(scoring_only)
        assert report.files_refused == 0, report.summary()
        build()
        yield get_settings()
    finally:
        _use(old)
        _drop(name)


def _latest_year() -> int:
    return admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = 'LN-2025'")[0][0]


def test_a_province_with_only_scoring_feeds_passes_and_publishes(first_year: Settings) -> None:
    r = subprocess.run([str(EXE), "validate"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "尚未交付 (never delivered)" in r.stdout
    run_id = admin("select run_id from audit.dq_runs order by finished_at desc limit 1")[0][0]
    warned = admin("select feed, exception_message from audit.dq_results where run_id = %s and severity = 'warn' "
                   "and check_name = 'never_delivered'", (run_id,))
    assert {feed for feed, _ in warned} == MONITORING
    messages = dict(warned)
    # each warning says what the feed feeds, by dbt's lineage (the dashboards and marts that read it)
    assert "融资监测" in messages["loans"] and "fct_loan_applications" in messages["loans"]
    assert "政策兑现" in messages["policy"] and "fct_policy_delivery" in messages["policy"]
    assert "dim_bank_consents" in messages["consents"]
    all_warnings = admin("select suite_name, check_name, asset_name from audit.dq_results where run_id = %s "
                         "and severity = 'warn'", (run_id,))
    assert admin("select success, scoring_success, monitoring_success, freshness_success, n_warnings "
                 "from audit.dq_runs where run_id = %s", (run_id,)) == [(True, True, True, True, 3)], all_warnings
    p = publish_final("LN-2025", _latest_year())
    assert p.created and p.n_enterprises > 0 and p.dq_run_id == run_id


def test_a_bank_resending_only_changed_loans_is_not_a_collapse(first_year: Settings, demo_dir: Path,
                                                               tmp_path: Path) -> None:
    header, rows = read_csv(demo_dir / "loans_BOCLN.csv")
    assert len(rows) >= 6
    import_file(write_csv(tmp_path / "loans_BOCLN_2024-11.csv", header, rows))
    status = header.index("状态") if "状态" in header else header.index("status")
    key = header.index("申请编号") if "申请编号" in header else header.index("loan_app_id")
    changed = [list(r) for r in rows[:5]]
    for r in changed:
        r[status] = "结清"  # repaid since the last delivery
    import_file(write_csv(tmp_path / "loans_BOCLN_2024-12_changes.csv", header, changed))
    out = validate()
    assert out.success, out.report()
    assert not [r for r in out.results if r.feed == "loans" and not r.success]
    # the newer delivery of a key wins in staging; the keys the bank did not re-send stay
    from innopoints.warehouse import build

    build(["stg_loans__applications"])
    staged = dict(admin("select loan_app_id, status from staging.stg_loans__applications where bank_code = 'BOCLN'"))
    assert len(staged) == len(rows)
    assert all(staged[r[key]] == "repaid" for r in changed)


def test_a_failing_monitoring_feed_does_not_block_the_scores(first_year: Settings, demo_dir: Path,
                                                             tmp_path: Path) -> None:
    header, rows = read_csv(demo_dir / "loans_DLB.csv")
    bank = header.index("银行代码") if "银行代码" in header else header.index("bank_code")
    for r in rows:
        r[bank] = "NOBANK"  # a bank the reference data does not know
    import_file(write_csv(tmp_path / "loans_unknown_bank.csv", header, rows))
    with db.connect("admin") as conn:  # and the banks' last deliveries date from 40 days ago
        conn.execute("update raw.loans set _loaded_at = now() - interval '40 days'")
        conn.commit()
    out = validate()
    assert not out.success and out.scoring_success and not out.monitoring_success, out.report()
    failed = {(r.suite_name, r.check_name, r.column_name) for r in out.failed}
    assert any(s == "raw_loans" and c == "bank_code" for s, _, c in failed), failed
    assert ("dbt_source_freshness", "freshness", None) in failed
    assert {r.purpose for r in out.failed} == {"monitoring"}
    stale = next(r for r in out.failed if r.check_name == "freshness")
    assert "停止交付 (stopped arriving)" in (stale.exception_message or "") and stale.feed == "loans"
    assert "积分可以发布 (scores may be published)" in out.report()
    p = publish_final("LN-2025", _latest_year())  # not refused: the scoring inputs passed
    assert p.n_enterprises > 0


def test_a_scoring_feed_that_stopped_arriving_blocks_the_scores(first_year: Settings) -> None:
    with db.connect("admin") as conn:
        conn.execute("update raw.hte set _loaded_at = now() - interval '900 days'")
        conn.commit()
    out = validate()
    assert not out.scoring_success
    stale = [r for r in out.failed if r.feed == "hte"]
    assert [r.check_name for r in stale] == ["freshness"] and stale[0].purpose == "scoring"
    assert "停止交付 (stopped arriving)" in (stale[0].exception_message or "")
    with pytest.raises(PublicationRefused, match=r"scoring check\(s\) failed.*dbt_source_freshness"):
        publish_final("LN-2025", _latest_year())
