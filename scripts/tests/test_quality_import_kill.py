"""Killing an import in the middle of a file's COPY leaves no partial batch: the file is in whole or
not at all. The importer has no pause hook, so the test waits until the loader's COPY is seen
running in pg_stat_activity and kills the process there (SIGKILL: no cleanup code runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from innopoints.config import Settings
from innopoints.uscc import make_uscc

from .test_quality_support import admin, private_copy, write_csv

ROWS = 300_000


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _consistent() -> None:
    """Every batch has exactly the rows it says it loaded, and no row is without its batch."""
    bad = admin("""
        select b.batch_id, b.rows_loaded, count(t._batch_id)
        from audit.import_batches as b left join raw.torch as t on t._batch_id = b.batch_id
        where b.feed = 'torch' group by 1, 2 having count(t._batch_id) <> b.rows_loaded
    """)
    assert not bad, bad
    orphans = admin("select count(*) from raw.torch as t where not exists "
                    "(select 1 from audit.import_batches as b where b.batch_id = t._batch_id)")[0][0]
    assert orphans == 0


def test_killing_an_import_during_copy_leaves_no_partial_batch(wh: Settings, tmp_path: Path) -> None:
    header = ["统一社会信用代码", "年度", "营业收入(千元)", "净利润(千元)", "从业人员期末人数", "研发人员数",
              "研发费用(千元)"]
    rows = [[make_uscc("210100", f"{i:08d}"), 2024, f"{1000 + i % 5000}.50", "10.00", 20, 3, "50.00"]
            for i in range(ROWS)]
    big = write_csv(tmp_path / "torch_2024_big.csv", header, rows)
    before_batches = admin("select count(*) from audit.import_batches")[0][0]
    before_rows = admin("select count(*) from raw.torch")[0][0]
    exe = wh.project_root / ".venv" / "bin" / "innopoints"
    proc = subprocess.Popen([str(exe), "import", str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))
    seen = False
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if admin("select count(*) from pg_stat_activity where datname = current_database() "
                     "and application_name = 'innopoints import' and state = 'active' "
                     "and query ilike 'copy raw.%%'")[0][0]:
                seen = True
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen, "the import finished before its COPY could be caught; make the file bigger"
    assert proc.returncode == -signal.SIGKILL
    deadline = time.time() + 30
    while admin("select count(*) from pg_stat_activity where datname = current_database() "
                "and application_name = 'innopoints import'")[0][0] and time.time() < deadline:
        time.sleep(0.2)
    assert admin("select count(*) from audit.import_batches")[0][0] == before_batches
    assert admin("select count(*) from raw.torch")[0][0] == before_rows
    _consistent()
    # and the same file imports whole afterwards
    from innopoints.importer import import_path

    report = import_path(big)
    assert report.files_refused == 0 and report.rows_loaded == ROWS, report.summary()
    _consistent()
