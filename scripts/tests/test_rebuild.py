"""Selective rebuilds by dbt state (``innopoints.rebuild``, `innopoints run`): a monthly loans delivery
rebuilds the monitoring models that read loans and leaves every scoring table as it is; what the
selective build leaves is, table by table, what a full build from the same data gives; a changed
model is rebuilt with what reads it; a missing table or a recreated database means a full build.
Private copy of the built warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from innopoints import db, rebuild
from innopoints.config import Settings
from innopoints.generator.monthly import monthly_loans
from innopoints.publication.pipeline import run_pipeline
from innopoints.publication.publish import today_beijing

from .test_quality_support import admin, private_copy

SCORING_MARTS = ("fct_enterprise_scores", "fct_indicator_scores", "fct_score_summary", "dim_enterprise")
LOANS_MARTS = ("fct_loan_applications", "fct_financing_monthly", "fct_leadership_headline", "fct_risk_pool")


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _oids(schema: str) -> dict[str, int]:
    """Each table's oid: dbt builds a table anew (create, then rename), so a rebuilt table has a new one."""
    return dict(admin("select c.relname, c.oid::bigint from pg_class as c join pg_namespace as n "
                      "on n.oid = c.relnamespace where n.nspname = %s and c.relkind = 'r'", (schema,)))


def _contents(schemas: tuple[str, ...] = ("marts", "intermediate", "staging")) -> dict[str, tuple[int, str]]:
    """Every table's rows as an order-independent hash (count, sum of 60-bit slices of each row's md5)."""
    out = {}
    for schema in schemas:
        for table in sorted(_oids(schema)):
            n, h = admin(f'select count(*), coalesce(sum((\'x\' || substr(md5(t::text), 1, 15))::bit(60)::bigint'
                         f'::numeric), 0)::text from "{schema}"."{table}" as t')[0]
            out[f"{schema}.{table}"] = (int(n), h)
    return out


def test_a_loans_delivery_rebuilds_only_what_reads_loans_and_equals_a_full_build(
        wh: Settings, demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = rebuild.rebuild()  # a copied database has no record of its own: everything
    assert first.full and "no record" in first.reasons[0]
    again = rebuild.plan()
    assert again.nothing, again.reasons

    before = _oids("marts")
    delivery = monthly_loans(demo_dir, tmp_path / "monthly")
    assert delivery
    past = today_beijing() - timedelta(days=10)
    assert run_pipeline(import_dir=tmp_path / "monthly", schemes=None, year=None, push=False,
                        out_dir=tmp_path / "pushes", publicity_opens=past) == 0
    out = capsys.readouterr().out
    assert "部分重建 (selective build)" in out and "合作银行贷款反馈 (loans.loans)" in out, out
    after = _oids("marts")
    # the delivery reached the loans marts, and no scoring table was rebuilt for it
    assert all(after[m] != before[m] for m in LOANS_MARTS), [m for m in LOANS_MARTS if after[m] == before[m]]
    assert all(after[m] == before[m] for m in SCORING_MARTS), [m for m in SCORING_MARTS if after[m] != before[m]]
    assert admin("select count(*) from marts.fct_loan_applications where as_of_date = (select max(as_of_date) "
                 "from staging.stg_loans__applications)")[0][0] > 0

    selective = _contents()
    full = rebuild.rebuild(full=True)
    assert full.full
    assert _contents() == selective


def test_a_changed_model_is_rebuilt_with_what_reads_it(wh: Settings) -> None:
    rebuild.rebuild()
    assert rebuild.plan().nothing
    record = rebuild.state_dir() / "manifest.json"
    manifest = json.loads(record.read_text())
    uid = "model.innopoints.int_monitoring__lpr_periods"
    node = manifest["nodes"][uid]  # as if its SQL had been edited since
    node["raw_code"] += "\n-- an earlier version"
    node["checksum"]["checksum"] = "0" * 64
    record.write_text(json.dumps(manifest))
    before = _oids("marts")
    p = rebuild.rebuild()
    assert not p.full and uid in p.modified and not p.fresher, p.reasons
    built = set(rebuild.built_models())
    assert {"int_monitoring__lpr_periods", "fct_loan_applications", "fct_risk_pool"} <= built, built
    assert not built & set(SCORING_MARTS), built
    after = _oids("marts")
    assert all(after[m] == before[m] for m in SCORING_MARTS)
    assert rebuild.plan().nothing  # recorded: the next build has nothing to do


def test_a_missing_table_or_a_recreated_database_means_a_full_build(wh: Settings) -> None:
    rebuild.rebuild()
    with db.connect("admin", autocommit=True) as conn:
        conn.execute("drop table marts.fct_risk_pool")
    p = rebuild.plan()
    assert p.full and "marts.fct_risk_pool" in p.reasons[0], p.reasons
    rebuild.rebuild()
    assert admin("select to_regclass('marts.fct_risk_pool') is not null")[0][0]
    ident = rebuild.state_dir() / "warehouse.json"
    ident.write_text(json.dumps({**json.loads(ident.read_text()), "oid": 0}))
    p = rebuild.plan()
    assert p.full and "recreated" in p.reasons[0], p.reasons
    assert oct((rebuild.state_dir() / "manifest.json").stat().st_mode & 0o777) == "0o600"
