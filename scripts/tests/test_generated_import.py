"""The generator and the importer together: broken rows that the generator documents are exactly the
rows the importer quarantines, and nothing valid is lost."""

from __future__ import annotations

import json
from pathlib import Path

from innopoints import db
from innopoints.config import Settings


def test_quarantine_matches_the_documented_bad_rows(warehouse: Settings, tmp_path: Path) -> None:
    from innopoints.generator import generate
    from innopoints.importer import import_path

    out = tmp_path / "bad"
    generate(out_dir=out, enterprises=150, years=(2023, 2024), seed=11, bad_rows=0.02)
    ledger = [json.loads(line) for line in (out / "bad_rows.jsonl").read_text().splitlines() if line.strip()]
    assert ledger, "the generator documented no bad rows"
    # A fresh database of its own: the session warehouse is shared with other tests.
    with db.connect("admin", warehouse, autocommit=True) as conn:
        before = conn.execute("select coalesce(max(batch_id), 0) from audit.import_batches").fetchone()[0]
    report = import_path(out)
    assert report.files_refused == 0, report.summary()
    with db.connect("admin", warehouse) as conn:
        quarantined = {
            (Path(f).name, line)
            for f, line in conn.execute(
                "select distinct file_name, line from audit.quarantine where batch_id > %s", (before,)
            )
        }
        batches = conn.execute(
            "select file_name, rows_read, rows_loaded, rows_quarantined from audit.import_batches where batch_id > %s",
            (before,),
        ).fetchall()
    expected = {(Path(r["file"]).name, r["line"]) for r in ledger}
    assert quarantined == expected
    manifest = json.loads((out / "manifest.json").read_text())
    rows_by_file = {Path(f["file"] if "file" in f else f["path"]).name: f["rows"] for f in manifest["files"]}
    for name, read, loaded, quarantined_n in batches:
        assert read == loaded + quarantined_n
        assert read == rows_by_file[Path(name).name], name
