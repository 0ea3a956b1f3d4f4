"""`innopoints run` as a function: the whole path leaves a publication per scheme and one push per
bank; a refused file stops it at import, a failed validation stops it before anything is published.
Private copy of the built warehouse."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from innopoints.config import Settings
from innopoints.documents import publicity_dir
from innopoints.publication.pipeline import PublicityDocuments, run_pipeline
from innopoints.publication.publish import today_beijing
from openpyxl import load_workbook

from .test_quality_support import admin, private_copy, read_csv, write_csv


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


# a publicity period that closed before the test, so a run goes on to the final list
PAST = today_beijing() - timedelta(days=10)


def _n_publications() -> int:
    return admin("select count(*) from audit.publications")[0][0]


def test_run_publishes_every_scheme_and_pushes_one_file_per_bank(wh: Settings, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = admin("select coalesce(max(publication_id), 0) from audit.publications")[0][0]
    started = time.time()
    assert run_pipeline(import_dir=None, schemes=None, year=None, push=True, out_dir=tmp_path,
                        publicity_opens=PAST) == 0
    out = capsys.readouterr().out
    assert "innopoints run: done" in out
    # each list the run froze has its documents, written beside the next list's publication and waited
    # for before the pushes: the province's XLSX lists every enterprise of the list
    frozen = admin("select publication_id, n_enterprises from audit.publications "
                   "where kind = 'publicity' and publication_id > %s", (before,))
    assert frozen
    for pid, n in frozen:
        assert f"公示文件 (publicity documents) 发布编号 {pid}:" in out
        folder = publicity_dir(pid)  # shared with other copies of the warehouse: this run's files only
        xlsx = [p for p in folder.glob("*.xlsx") if p.stat().st_mtime >= started]
        pdf = [p for p in folder.glob("*.pdf") if p.stat().st_mtime >= started]
        assert xlsx and len(xlsx) == len(pdf), folder
        rows = max(load_workbook(p)["公示名单"].max_row for p in xlsx)
        assert rows == n + 1, (pid, rows, n)
    latest = dict(admin("select scheme_code, max(eval_year) from marts.fct_enterprise_scores group by 1"))
    pubs = dict(admin("select scheme_code, max(eval_year) from audit.publications group by 1"))
    assert pubs == latest
    banks = dict(admin("select bank_code, region_code from seeds.ref_banks"))
    pushed = admin("select p.bank_code, q.scheme_code from audit.bank_pushes as p "
                   "join audit.publications as q using (publication_id)")
    assert sorted(b for b, _ in pushed) == sorted(banks)
    for bank, scheme in pushed:  # a Fuxin bank gets the Fuxin scheme, the others the provincial one
        assert scheme == ("FX-2025" if banks[bank] == "210900" else "LN-2025"), (bank, scheme)
    assert len(list(tmp_path.glob("*.xlsx"))) == len(banks) == len(list(tmp_path.glob("*.csv")))
    # a second run publishes nothing new: the scores are the same
    n = _n_publications()
    assert run_pipeline(import_dir=None, schemes=["LN-2025"], year=None, push=False, out_dir=tmp_path,
                        publicity_opens=PAST) == 0
    assert _n_publications() == n


def test_run_stops_at_a_refused_file(wh: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "mystery.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    n = _n_publications()
    assert run_pipeline(import_dir=tmp_path / "feed", schemes=None, year=None, push=False, out_dir=tmp_path,
                        publicity_opens=PAST) == 8
    assert "stopped at import" in capsys.readouterr().out
    assert _n_publications() == n


def test_run_stops_when_the_gate_fails(wh: Settings, demo_dir: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    year = admin("select max(year) from raw.torch")[0][0]
    header, rows = read_csv(sorted(demo_dir.glob(f"torch_{year}.*"))[0])
    col = next(i for i, h in enumerate(header) if h.startswith("营业收入"))
    for r in rows:
        if r[col]:
            r[col] = f"{Decimal(r[col].replace(',', '')) * 1000:.2f}"
    (tmp_path / "feed").mkdir()
    write_csv(tmp_path / "feed" / f"torch_{year}_yuan.csv", header, rows)
    n = _n_publications()
    assert run_pipeline(import_dir=tmp_path / "feed", schemes=None, year=None, push=True, out_dir=tmp_path,
                        publicity_opens=PAST) == 8
    out = capsys.readouterr().out
    assert "stopped at validate" in out and "median_shift" in out
    assert _n_publications() == n
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_failed_documents_writer_fails_the_run_once_every_writer_has_finished(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The documents of two lists, written in the background: the first list's writer fails, the second's
    still finishes; ``wait`` then raises the first failure (or, while the run stops on another error,
    logs it)."""
    import innopoints.documents as documents

    done: list[int] = []

    def write(publication_id: int, out: Path) -> list[Path]:
        if publication_id == 1:
            raise OSError("disk full")
        done.append(publication_id)
        return [out / "a.xlsx"]

    monkeypatch.setattr(documents, "write_publicity_documents", write)
    monkeypatch.setattr(documents, "publicity_dir", lambda pid: tmp_path / str(pid))
    docs = PublicityDocuments()
    docs.write(1)
    docs.write(2)
    with pytest.raises(OSError, match="disk full"):
        docs.wait()
    assert done == [2]
    quiet = PublicityDocuments()
    quiet.write(1)
    quiet.wait(raise_failure=False)
    assert "disk full" in caplog.text
