"""The data-quality gate on real deliveries: the generated province passes; a torch file in 元 where
千元 was expected, a re-delivery with half its rows, and a delivery with duplicated keys each make
exactly their check fail, and then nothing can be published."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.publication.publish import PublicationRefused, verify
from innopoints.quality.runner import validate

from .conftest import publish_final
from .test_quality_support import admin, import_file, private_copy, read_csv, write_csv


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _latest_year() -> int:
    return admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = 'LN-2025'")[0][0]


def test_generated_province_passes_and_every_result_is_recorded(wh: Settings) -> None:
    out = validate()
    assert out.success, out.report()
    assert out.freshness_success is True
    areas = {r.area for r in out.results}
    assert {"raw", "marts", "freshness", "gate"} <= areas
    suites = {r.suite_name for r in out.results}
    from innopoints.feeds import FEEDS

    assert {f"raw_{f}" for f in FEEDS} <= suites
    assert {"marts_enterprise_scores", "marts_indicator_scores"} <= suites
    run = admin("select success, n_checks, n_failed, covered_batches, marts_fingerprint from audit.dq_runs "
                "where run_id = %s", (out.run_id,))[0]
    assert run[0] is True and run[1] == len(out.results) and run[2] == 0
    current = dict(admin("select feed, max(batch_id) from audit.import_batches group by feed"))
    assert {k: v for k, v in run[3].items() if v is not None} == current
    assert run[4]
    n = admin("select count(*), count(*) filter (where check_name = 'uscc_check_digit'), "
              "count(*) filter (where area = 'freshness') from audit.dq_results where run_id = %s", (out.run_id,))[0]
    assert n[0] == len(out.results) and n[1] >= 11 and n[2] >= 11
    docs = wh.project_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert docs.exists()


def test_corrupted_deliveries_fail_the_gate_and_block_publication(wh: Settings, demo_dir: Path,
                                                                  tmp_path: Path) -> None:
    year = _latest_year()
    baseline = publish_final("LN-2025", year)  # the clean data passed just before
    assert baseline.n_enterprises > 0

    # 1. 元 where 千元 was expected: the survey file says 营业收入(千元) but its values are in yuan
    torch = sorted(demo_dir.glob(f"torch_{year}.*"))[0]
    assert torch.suffix == ".csv"
    header, rows = read_csv(torch)
    col = next(i for i, h in enumerate(header) if h.startswith("营业收入"))
    assert "千元" in header[col]
    for r in rows:
        if r[col]:
            r[col] = f"{Decimal(r[col].replace(',', '')) * 1000:.2f}"
    import_file(write_csv(tmp_path / f"torch_{year}_in_yuan.csv", header, rows))

    # 2. a re-delivery of the tax feed with half its rows missing
    header, rows = read_csv(demo_dir / "tax.csv")
    import_file(write_csv(tmp_path / "tax_partial.csv", header, rows[: len(rows) // 2]))

    # 3. duplicated keys in one delivery (the importer quarantines duplicates within a file, so the
    #    delivery is written to raw the way a faulty loader would: a full copy with one key twice)
    prev = admin("select max(batch_id) from audit.import_batches where feed = 'ip'")[0][0]
    n_prev = admin("select count(*) from raw.ip where _batch_id = %s", (prev,))[0][0]
    with db.connect("admin") as conn:
        bid = conn.execute(
            "insert into audit.import_batches (feed, file_name, content_sha256, rows_read, rows_loaded, "
            "rows_quarantined) values ('ip', 'ip_dup.csv', 'test-dup', %s, %s, 0) returning batch_id",
            (n_prev + 1, n_prev + 1)).fetchone()[0]
        conn.execute("insert into raw.ip select ip_no, uscc, ip_type, application_date, grant_date, status, is_pct, "
                     "%s, _line from raw.ip where _batch_id = %s", (bid, prev))
        conn.execute("insert into raw.ip select ip_no, uscc, ip_type, application_date, grant_date, status, is_pct, "
                     "%s, 999999 from raw.ip where _batch_id = %s order by _line limit 1", (bid, prev))
        conn.commit()

    # the command a data officer runs: a short report and a non-zero exit
    exe = wh.project_root / ".venv" / "bin" / "innopoints"
    r = subprocess.run([str(exe), "validate", "--no-freshness"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 8, r.stdout + r.stderr
    assert "FAILED" in r.stdout and "median_shift" in r.stdout and "innopoints validate" in r.stdout
    run_id, success = admin("select run_id, success from audit.dq_runs order by finished_at desc limit 1")[0]
    assert success is False and run_id in r.stdout
    failed = set(admin("select suite_name, check_name, column_name from audit.dq_results "
                       "where run_id = %s and not success", (run_id,)))
    expected = {
        ("raw_torch", "median_shift", "revenue"),  # the median moved a thousandfold
        ("raw_tax", "row_count_vs_previous", None),
        ("raw_ip", "key_unique_per_batch", None),
    }
    # the biggest enterprises' revenue, a thousand times too large, may also leave the plausible range
    assert expected <= failed <= expected | {("raw_torch", "range", "revenue")}, r.stdout
    observed = admin("select observed_value, unexpected_count from audit.dq_results where run_id = %s "
                     "and check_name = 'median_shift' and not success", (run_id,))
    assert observed == [(1, 1)]  # one delivery (scope) out of line

    n_before = admin("select count(*) from audit.publications")[0][0]
    with pytest.raises(PublicationRefused, match=r"\d+ scoring check\(s\) failed.*median_shift.*innopoints validate"):
        publish_final("LN-2025", year)
    assert admin("select count(*) from audit.publications")[0][0] == n_before
    ok, msg = verify(baseline.publication_id)
    assert ok, msg


def test_committed_gx_json_is_generated_from_the_code(wh: Settings, tmp_path: Path) -> None:
    """gx/ in git says exactly what the suites in code say (regenerating it changes nothing)."""
    import filecmp
    import shutil

    from innopoints.quality import context as gxc
    from innopoints.quality.suites import all_suites

    shutil.copytree(wh.project_root / "gx", tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    gxc.sync(gxc.get_context(tmp_path), all_suites())
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        cmp = filecmp.dircmp(wh.project_root / "gx" / sub, tmp_path / "gx" / sub)
        assert not (cmp.diff_files or cmp.left_only or cmp.right_only), (
            f"gx/{sub} is out of date: run `innopoints gx-sync` and commit gx/ ({cmp.diff_files} "
            f"{cmp.left_only} {cmp.right_only})")
