"""Selective rebuilds by dbt state (``innopoints.rebuild``, `innopoints run`): a monthly loans delivery
rebuilds the monitoring models that read loans and leaves every scoring table as it is; what the
selective build leaves is, table by table, what a full build from the same data gives; a changed
model is rebuilt with what reads it, and a model edited while the process runs is parsed again; a
missing table or a recreated database means a full build. Private copy of the built warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from innopoints import db, rebuild
from innopoints.config import Settings
from innopoints.feeds import FEEDS
from innopoints.generator.monthly import monthly_loans
from innopoints.publication.pipeline import run_pipeline
from innopoints.publication.publish import today_beijing

from .test_quality_support import admin, import_file, private_copy, read_csv, write_csv

SCORING_MARTS = ("fct_enterprise_scores", "fct_indicator_scores", "fct_score_summary", "dim_enterprise")
# rebuilt whole by a loans delivery
LOANS_MARTS = ("fct_financing_monthly", "fct_leadership_headline", "fct_risk_pool")
# rebuilt loan by loan (macros/monitoring/loans_delta.sql)
BY_LOAN = ("intermediate.int_monitoring__loans", "intermediate.int_monitoring__loan_grades",
           "marts.fct_loan_applications")
# the loans a build found changed since the one before: a list of one build, not data
CHANGES = "intermediate.int_monitoring__loan_changes"


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


def _rows_by_loan(table: str) -> dict[str, set[str]]:
    """Each loan's rows in a table by physical identity (where each row version lies and the transaction
    that wrote it): unchanged only if not one of its rows was deleted or written again."""
    out: dict[str, set[str]] = {}
    for loan, ident in admin(f"select loan_app_id, ctid::text || ':' || xmin::text from {table}"):
        out.setdefault(loan, set()).add(ident)
    return out


def _moved_to_another_city(delivery: list[Path]) -> tuple[str, str, str]:
    """One delivered loan re-delivered under an enterprise of another city: (loan, its new enterprise, its
    new city). The loan leaves the schemes of its old city and enters those of the new one."""
    path = delivery[0]
    header, rows = read_csv(path)
    loan_col, uscc_col = _column(header, "loan_app_id"), _column(header, "uscc")
    loan = rows[0][loan_col]
    uscc, city = admin(
        "select r.uscc, r.city_code from intermediate.int_feeds__registry as r "
        "where r.city_code <> (select l.city_code from intermediate.int_monitoring__loans as l "
        "where l.loan_app_id = %s) and r.city_code in (select min(city_code) from "
        "intermediate.int_regions__scheme_cities where is_scheme_region group by scheme_code having count(*) = 1) "
        "order by r.uscc limit 1", (loan,))[0]  # a city with a scheme of its own
    rows[0][uscc_col] = uscc
    write_csv(path, header, rows)
    return loan, uscc, city


def test_a_loans_delivery_rebuilds_only_what_reads_loans_and_equals_a_full_build(
        wh: Settings, demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = rebuild.rebuild()  # a copied database has no record of its own: everything
    assert first.full and "no record" in first.reasons[0]
    again = rebuild.plan()
    assert again.nothing, again.reasons
    # the year's final lists published, as a monthly delivery finds them (not published again by it)
    past = today_beijing() - timedelta(days=10)
    assert run_pipeline(import_dir=None, schemes=None, year=None, push=False, out_dir=tmp_path / "pushes",
                        publicity_opens=past) == 0
    capsys.readouterr()

    before = _oids("marts")
    loans_before = {t: _rows_by_loan(t) for t in BY_LOAN}
    delivery = monthly_loans(demo_dir, tmp_path / "monthly")
    assert delivery
    moved, new_uscc, new_city = _moved_to_another_city(delivery)
    schemes_of = ("select array_agg(scheme_code order by scheme_code) from marts.fct_loan_applications "
                  "where loan_app_id = %s")
    old_schemes = admin(schemes_of, (moved,))[0][0]
    delivered = {x for f in delivery for x in _loan_ids(f)}
    assert run_pipeline(import_dir=tmp_path / "monthly", schemes=None, year=None, push=False,
                        out_dir=tmp_path / "pushes", publicity_opens=past) == 0
    out = capsys.readouterr().out
    assert "部分重建 (selective build)" in out and "合作银行贷款反馈 (loans.loans)" in out, out
    assert "贷款模型只重算变化的贷款" in out, out
    after = _oids("marts")
    # the delivery reached the loans marts, and no scoring table was rebuilt for it
    assert all(after[m] != before[m] for m in LOANS_MARTS), [m for m in LOANS_MARTS if after[m] == before[m]]
    assert all(after[m] == before[m] for m in SCORING_MARTS), [m for m in SCORING_MARTS if after[m] != before[m]]
    assert admin("select count(*) from marts.fct_loan_applications where as_of_date = (select max(as_of_date) "
                 "from staging.stg_loans__applications)")[0][0] > 0
    # the loan models were written loan by loan: the delivered loans' rows anew, not one other row touched
    assert after["fct_loan_applications"] == before["fct_loan_applications"]
    for table, rows in loans_before.items():
        now = _rows_by_loan(table)
        untouched = [x for x in rows if x not in delivered]
        assert untouched and all(now.get(x) == rows[x] for x in untouched), table
        assert all(not (now.get(x, set()) & rows.get(x, set())) for x in delivered), table
    # the re-delivered loan left its old city's schemes for the new city's
    assert {(u, c) for u, c in admin("select distinct uscc, city_code from marts.fct_loan_applications "
                                      "where loan_app_id = %s", (moved,))} == {(new_uscc, new_city)}
    assert admin(schemes_of, (moved,))[0][0] != old_schemes, old_schemes

    selective = _contents()
    assert selective.pop(CHANGES)[0] == len(delivered)  # what this build found changed
    full = rebuild.rebuild(full=True)
    assert full.full
    after_full = _contents()
    assert after_full.pop(CHANGES)[0] == 0  # nothing changed since the delivery's build
    assert after_full == selective


def _column(header: list[str], field: str) -> int:
    """Where a field of the loans feed is in a delivery's header (its Chinese name)."""
    return header.index(FEEDS["loans"].field(field).zh)


def _loan_ids(path: Path) -> list[str]:
    header, rows = read_csv(path)
    i = _column(header, "loan_app_id")
    return [r[i] for r in rows]


def test_a_build_by_hand_of_part_of_the_loan_models_keeps_their_ledger_true(
        wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    """The ledger of built loans records what the three loan models were built from only when all three
    are built with it: a build by hand that leaves one out keeps it as it was, and the ledger built alone
    as a table records no loan as known, so the next delivery computes every loan again."""
    from innopoints.warehouse import build

    rebuild.rebuild()
    assert rebuild.plan().nothing
    ledger = "select count(*), coalesce(sum(loan_row_hash), 0) from intermediate.int_monitoring__built_loans"
    kept = admin(ledger)
    assert monthly_loans(demo_dir, tmp_path / "m1", repaid_share=Decimal("0.20"))
    import_file(tmp_path / "m1")
    build(["path:models/intermediate/monitoring"])  # by hand: fct_loan_applications (a mart) left out
    assert admin(ledger) == kept
    p = rebuild.rebuild()  # the delivery again, loan by loan, into all three
    assert p.loans_delta, p.reasons
    assert admin(f"select count(*) from {CHANGES}")[0][0] > 0

    build(["int_monitoring__built_loans"], full_refresh=True)  # alone, as a table
    assert admin("select count(*) from intermediate.int_monitoring__built_loans where loan_row_hash is not null"
                 )[0][0] == 0
    assert monthly_loans(demo_dir, tmp_path / "m2", repaid_share=Decimal("0.30"))
    import_file(tmp_path / "m2")
    p = rebuild.rebuild()
    assert p.loans_delta, p.reasons
    assert admin(f"select count(*) from {CHANGES}")[0][0] == \
        admin("select count(*) from staging.stg_loans__applications")[0][0]  # every loan computed again
    selective = _contents()
    selective.pop(CHANGES)
    assert rebuild.rebuild(full=True).full
    after_full = _contents()
    after_full.pop(CHANGES)
    assert after_full == selective


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


def test_unit_tests_run_when_code_changed_not_for_new_data(wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    """dbt's unit tests run the models' SQL on the fixed rows of their yml, never on the warehouse's data:
    a build for a delivery leaves them out and runs every data test of what it rebuilds; a build for
    changed code runs them."""
    rebuild.rebuild()
    assert rebuild.plan().nothing
    # not the first test's delivery again (an identical file is not imported twice): more repaid
    assert monthly_loans(demo_dir, tmp_path / "monthly", repaid_share=Decimal("0.10"))
    import_file(tmp_path / "monthly")
    p = rebuild.rebuild()
    assert p.fresher and not p.modified and not p.unit_tests, p.reasons
    assert any("单元测试不运行" in r for r in p.reasons), p.reasons
    assert "fct_loan_applications" in rebuild.built_models()
    assert not rebuild.built_models("unit_test")
    assert len(rebuild.built_models("test")) > 20  # the data tests of the loans models
    record = rebuild.state_dir() / "manifest.json"
    manifest = json.loads(record.read_text())
    node = manifest["nodes"]["model.innopoints.int_monitoring__lpr_periods"]  # as if edited since
    node["raw_code"] += "\n-- an earlier version"
    node["checksum"]["checksum"] = "0" * 64
    record.write_text(json.dumps(manifest))
    p = rebuild.rebuild()
    assert p.modified and p.unit_tests, p.reasons
    assert "loans_lpr_month_spread_and_saving" in rebuild.built_models("unit_test")  # int_monitoring__loans'


def test_a_model_edited_while_the_process_runs_is_parsed_again(wh: Settings) -> None:
    """dbt runs in this process with the project parsed once (innopoints.warehouse): a model file
    edited after that parse is seen by the next plan, as a separate dbt process would see it, and its
    original is the record's again once restored."""
    rebuild.rebuild()
    assert rebuild.plan().nothing  # the project is parsed in this process now
    path = wh.project_root / "models" / "intermediate" / "monitoring" / "int_monitoring__lpr_periods.sql"
    original = path.read_text(encoding="utf-8")
    uid = "model.innopoints.int_monitoring__lpr_periods"
    try:
        path.write_text(original + "\n-- edited while innopoints runs\n", encoding="utf-8")
        p = rebuild.plan()
        assert not p.full and uid in p.modified, p.reasons
    finally:
        path.write_text(original, encoding="utf-8")
    assert rebuild.plan().nothing


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


def test_unlogged_tables_emptied_by_a_crash_recovery_mean_a_full_build(wh: Settings) -> None:
    """A crash (or an immediate stop) empties every unlogged table at recovery, with no change dbt's state
    or a write log could see: the tables are there, with no rows."""
    rebuild.rebuild()
    assert rebuild.plan().nothing
    unlogged = admin("select count(*) from pg_class where relpersistence = 'u' and relkind = 'r' "
                     "and relnamespace in ('intermediate'::regnamespace, 'marts'::regnamespace)")[0][0]
    assert unlogged >= 2
    admin("truncate intermediate.int_scoring__coverage")  # what recovery does to it
    p = rebuild.plan()
    assert p.full and "intermediate.int_scoring__coverage" in p.reasons[0] and "crash" in p.reasons[0], p.reasons
    rebuild.rebuild()
    assert admin("select count(*) from intermediate.int_scoring__coverage")[0][0] > 0
    assert rebuild.plan().nothing


INCREMENTAL = ("intermediate.int_scoring__enterprise_points",)  # by evaluation year


def _physical_rows(table: str) -> dict[int, tuple[int, int]]:
    """Per evaluation year, the rows' physical identity (where each row version lies and the transaction
    that wrote it): equal only if not one row of the year was deleted or written again."""
    return {int(y): (int(n), int(h)) for y, n, h in admin(
        f"select eval_year, count(*), sum(hashtext(ctid::text || ':' || xmin::text)) from {table} group by 1")}


def test_a_new_evaluation_year_is_built_alone_and_equals_a_build_from_scratch(
        wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    from innopoints.importer import import_path

    year = 2024  # the demo's last year: its torch statistics arrive after the others were built
    rebuild.rebuild()
    admin("delete from raw.torch where year = %s", (year,))
    assert rebuild.rebuild(full=True).from_scratch
    assert admin("select count(*) from marts.fct_indicator_scores where eval_year = %s", (year,))[0][0] == 0
    before = {t: _physical_rows(t) for t in INCREMENTAL}
    assert all(rows and year not in rows for rows in before.values()), before  # the earlier years scored
    oid = _oids("intermediate")["int_scoring__enterprise_points"]

    # the year's torch file delivered again (lines in another order: a new file, the same rows)
    lines = (demo_dir / f"torch_{year}.csv").read_bytes().splitlines(keepends=True)
    delivered = tmp_path / f"torch_{year}.csv"
    delivered.write_bytes(lines[0] + b"".join(reversed([x if x.endswith(b"\n") else x + b"\n" for x in lines[1:]])))
    report = import_path(delivered)
    assert report.files_refused == 0, report.summary()

    p = rebuild.rebuild()
    assert not p.full and not p.from_scratch and "source.innopoints.torch.torch" in p.fresher, p.reasons
    assert any("增量模型只计算" in r and "int_scoring__enterprise_points" in r for r in p.reasons), p.reasons
    manifest = json.loads((rebuild.state_dir() / "manifest.json").read_text())
    assert rebuild._incremental_reached(manifest, ["source.innopoints.loans.loans"]) == []  # not said for loans
    for table in INCREMENTAL:
        after = _physical_rows(table)
        # the years built before are untouched, row for row; the new year is there
        assert {y: after[y] for y in before[table]} == before[table], table
        assert after.get(year, (0, 0))[0] > 0, table
    assert _oids("intermediate")["int_scoring__enterprise_points"] == oid  # written in place, not rebuilt

    # a tax delivery restating one enterprise's figures of an earlier year: that year alone again
    earlier = max(before[INCREMENTAL[0]])
    uscc = admin("select min(uscc) from marts.fct_enterprise_scores where eval_year = %s and not is_vetoed",
                 (earlier,))[0][0]
    tax_lines = (demo_dir / "tax.csv").read_bytes().splitlines()
    row = next(x for x in tax_lines[1:] if x.startswith(f"{uscc},{earlier},".encode()))
    fields = row.split(b",")
    fields[2] = str(float(fields[2] or 0) + 123.45).encode()
    (tmp_path / "tax").mkdir()
    (tmp_path / "tax" / "tax_restated.csv").write_bytes(tax_lines[0] + b"\n" + b",".join(fields) + b"\n")
    report = import_path(tmp_path / "tax")
    assert report.files_refused == 0, report.summary()
    built = {t: _physical_rows(t) for t in INCREMENTAL}
    p = rebuild.rebuild()
    assert not p.from_scratch and "source.innopoints.tax.tax" in p.fresher, p.reasons
    for table in INCREMENTAL:
        after = _physical_rows(table)
        assert after[year] == built[table][year], table  # the year not restated: untouched
        assert after[earlier] != built[table][earlier], table  # the restated year: computed again

    selective = _contents()
    assert rebuild.rebuild(full=True).from_scratch
    assert _oids("intermediate")["int_scoring__enterprise_points"] != oid  # from scratch: a new table
    assert _contents() == selective


def test_a_table_built_whole_is_left_to_autovacuum_only_for_dead_rows(wh: Settings) -> None:
    """A table model is written whole by one statement and replaced by the next build: autovacuum's
    insert-count trigger would only read every page and dirty it again in the background (nationally
    fct_indicator_scores' 14 GB beside the gate and the publication, 29 GB of table models in all).
    The table models of staging and intermediate and fct_indicator_scores have that trigger off; the
    other marts keep it (dashboards read them through indexes, which the visibility map lets answer
    alone), as does the incremental model, written in place. No relation has autovacuum itself off
    (dead rows of a written mart, wraparound)."""
    rebuild.rebuild()
    nodes = json.loads((rebuild.state_dir() / "manifest.json").read_text())["nodes"].values()
    models = {f"{n['schema']}.{n['alias']}": n["config"]["materialized"]
              for n in nodes if n["resource_type"] == "model"}
    options = {f"{s}.{r}": o or [] for s, r, o in admin(
        "select n.nspname, c.relname, c.reloptions from pg_class as c join pg_namespace as n "
        "on n.oid = c.relnamespace where c.relkind = 'r' and n.nspname in ('staging', 'intermediate', 'marts')")}
    tables = [name for name, kind in models.items() if kind == "table"]
    assert len(tables) > 50 and set(tables) <= set(options)
    quiet = {t for t in tables if "autovacuum_vacuum_insert_threshold=-1" in options[t]}
    expected = {t for t in tables if not t.startswith("marts.")} | {"marts.fct_indicator_scores"}
    assert quiet == expected
    assert "marts.fct_enterprise_scores" in set(tables) - quiet
    assert [t for t, o in options.items() if any(x.startswith("autovacuum_enabled") for x in o)] == []
    assert INCREMENTAL[0] in models and models[INCREMENTAL[0]] == "incremental"
    assert [o for o in options[INCREMENTAL[0]] if o.startswith("autovacuum")] == []
