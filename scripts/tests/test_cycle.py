"""The evaluation cycle on the demo, as officers run it, on a private copy of the built warehouse:
publicity → an objection accepted with a re-delivered feed → one accepted with a recorded adjustment →
one rejected → a late one refused → the final list refused while the period runs and while one is
open → the final list, its change report checked against an independent comparison of the two lists
→ a push, which a publicity list never gets. Real imports, dbt builds and GX validation."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from innopoints.config import Settings
from innopoints.errors import UsageError
from innopoints.publication import objections as obj
from innopoints.publication.publish import PublicationRefused, publicize, publish, today_beijing
from innopoints.publication.push import PushError, push
from innopoints.quality.runner import validate

from .test_quality_support import admin, import_file, private_copy, read_csv, rebuild_models, write_csv

SCHEME = "LN-2025"
STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def _year() -> int:
    return admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = %s", (SCHEME,))[0][0]


def _enterprises(pid: int) -> list[str]:
    """Five non-vetoed enterprises with a tax and a torch row of the year, fixed order."""
    return [r[0] for r in admin(
        "select s.uscc from audit.publication_scores as s where s.publication_id = %s and not s.is_vetoed "
        "and exists (select from raw.tax as t where t.uscc = s.uscc and t.year = %s) "
        "and exists (select from raw.torch as t where t.uscc = s.uscc and t.year = %s) "
        "order by s.total_points desc, s.uscc limit 5", (pid, _year(), _year()))]


def test_publicity_list_is_frozen_and_never_pushed(wh: Settings, tmp_path: Path) -> None:
    assert validate().scoring_success
    today = today_beijing()
    # a list still on publicity: no final list before its period ends
    running = publicize("MOST-2024", _year(), 5, today - timedelta(days=2))
    assert running.created and running.kind == "publicity" and running.closes_on == today + timedelta(days=2)
    with pytest.raises(PublicationRefused, match="尚未期满"):
        publish("MOST-2024", _year())
    with pytest.raises(PushError, match="公示名单"):
        push("BOCLN", running.publication_id, tmp_path)
    # the list the cycle below runs on; its period (dated in the past) has closed
    p = publicize(SCHEME, _year(), 5, today - timedelta(days=10))
    assert admin("select kind, opens_on, closes_on from audit.publications where publication_id = %s",
                 (p.publication_id,))[0] == ("publicity", p.opens_on, p.closes_on)
    n = admin("select count(*) from audit.publication_scores where publication_id = %s", (p.publication_id,))[0][0]
    assert n == admin("select count(*) from marts.fct_enterprise_scores where scheme_code = %s and eval_year = %s",
                      (SCHEME, _year()))[0][0]
    # the ranked lists are frozen with it, as the stage ranks give them
    assert admin("select count(*) from audit.publication_scores as s join marts.fct_enterprise_scores as m "
                 "on m.uscc = s.uscc and m.scheme_code = %s and m.eval_year = %s where s.publication_id = %s "
                 "and (s.rank_in_stage, s.band_code) is distinct from (m.rank_in_stage, m.band_code)",
                 (SCHEME, _year(), p.publication_id))[0][0] == 0
    STATE["publicity"] = p
    STATE["who"] = _enterprises(p.publication_id)


def test_objections_are_recorded_and_late_ones_refused(wh: Settings, tmp_path: Path) -> None:
    p = STATE["publicity"]
    a, b, c, d, e = STATE["who"]
    day = p.opens_on + timedelta(days=1)
    STATE["o_redelivery"] = obj.record(p.publication_id, a, obj.Subject.parse("tax.rd_super_deduction"),
                                       "研发费用加计扣除额漏报", "T-001", day)
    STATE["o_adjust"] = obj.record(p.publication_id, b, obj.Subject.parse("torch.tech_contract_amount"),
                                   "技术合同成交额未计入", "T-002", day)
    # the officers' form: one objection per row, all or none
    form = tmp_path / "异议登记表.csv"
    with open(form, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(obj.FORM_COLUMNS.values()))
        w.writerow([c, "T05", "有效发明专利应为5件", "T-003", f"{day:%Y-%m-%d}"])
        w.writerow([d, "T99", "不存在的指标", "T-004", f"{day:%Y-%m-%d}"])
        w.writerow([e, "T07", "日期不对", "T-005", "2024-13-01"])
    before = admin("select count(*) from audit.objections")[0][0]
    with pytest.raises(UsageError) as bad:
        obj.import_form(form, p.publication_id)
    msg = str(bad.value)
    assert f"{form.name}:3: 异议指标或字段" in msg and "T99" in msg, msg
    assert f"{form.name}:4: 收到日期" in msg and "2024-13-01" in msg, msg
    assert admin("select count(*) from audit.objections")[0][0] == before  # nothing of the file was kept
    with open(form, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(obj.FORM_COLUMNS.values()))
        w.writerow([c, "T05", "有效发明专利应为5件", "T-003", f"{day:%Y-%m-%d}"])
    (STATE["o_reject"],) = obj.import_form(form, p.publication_id)
    # received after the period closed: refused by the command and by PostgreSQL
    with pytest.raises(obj.ObjectionRefused, match="晚于公示截止日"):
        obj.record(p.publication_id, d, obj.Subject.parse("T07"), "逾期", "T-006", p.closes_on + timedelta(days=1))
    with pytest.raises(Exception, match="outside the publicity period"):
        admin("insert into audit.objections (publication_id, uscc, indicator_code, claim_zh, evidence_ref, "
              "received_on) values (%s, %s, 'T07', 'x', 'y', %s)",
              (p.publication_id, d, p.closes_on + timedelta(days=1)))
    assert admin("select count(*) from audit.objections where publication_id = %s", (p.publication_id,))[0][0] == 3
    # the final list waits for every decision, in the command and in PostgreSQL
    with pytest.raises(PublicationRefused, match="未复核"):
        publish(SCHEME, _year())
    with pytest.raises(Exception, match="not decided"):
        admin("insert into audit.publications (publication_id, scheme_code, eval_year, max_points, code_version, "
              "dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256, "
              "grade_bands, kind, publicity_publication_id) select 999999, scheme_code, eval_year, max_points, "
              "'t', dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, content_sha256, "
              "grade_bands, 'final', publication_id from audit.publications where publication_id = %s",
              (p.publication_id,))


def test_decisions_and_their_corrections(wh: Settings, demo_dir: Path, tmp_path: Path) -> None:
    p = STATE["publicity"]
    a, b, *_ = STATE["who"]
    year = _year()
    decided = p.closes_on + timedelta(days=1)
    # a corrected full tax delivery: the enterprise's super deduction raised by a half
    header, rows = read_csv(demo_dir / "tax.csv")
    for r in rows:
        if r[0] == a and r[1] == str(year):
            r[3] = str((Decimal(r[3] or "100") * Decimal("1.5")).quantize(Decimal("0.01")))
    import_file(write_csv(tmp_path / "tax_corrected.csv", header, rows))
    batch = admin("select max(batch_id) from audit.import_batches where feed = 'tax'")[0][0]
    with pytest.raises(obj.ObjectionRefused, match="没有导入批次"):
        obj.accept_redelivery(STATE["o_redelivery"], "采纳", decided, 999_999)
    obj.accept_redelivery(STATE["o_redelivery"], "经核对更正凭证，予以采纳", decided, batch)
    with pytest.raises(obj.ObjectionRefused, match="已复核"):
        obj.reject(STATE["o_redelivery"], "again", decided)
    raw_before = admin("select * from raw.torch where uscc = %s and year = %s order by _batch_id", (b, year))
    old = admin("select tech_contract_amount from intermediate.int_feeds__torch where uscc = %s and year = %s",
                (b, year))[0][0]
    with pytest.raises(UsageError, match="not a valid value"):
        obj.accept_adjustment(STATE["o_adjust"], "采纳", decided, "torch", "tech_contract_amount",
                              {"year": str(year)}, "五百万", "科长", "T-002")
    adj = obj.accept_adjustment(STATE["o_adjust"], "合同已登记，予以采纳", decided, "torch", "tech_contract_amount",
                                {"year": str(year)}, "7654321.00", "科长", "T-002")
    assert admin("select old_value, new_value from audit.score_adjustments where adjustment_id = %s", (adj,))[0] == (
        None if old is None else str(old), "7654321.00")
    obj.reject(STATE["o_reject"], "专利证书显示其中3件已失效", decided)
    # decided, but the marts do not carry the corrections yet: no final list
    with pytest.raises(PublicationRefused, match="validate"):
        publish(SCHEME, year)
    # raw is never edited; staging shows the latest delivery, the corrected feed the correction, named
    rebuild_models()
    assert admin("select * from raw.torch where uscc = %s and year = %s order by _batch_id", (b, year)) == raw_before
    assert admin("select tech_contract_amount from staging.stg_torch__statistics where uscc = %s and year = %s",
                 (b, year)) == admin("select tech_contract_amount from raw.torch where uscc = %s and year = %s "
                                     "order by _batch_id desc, _line desc limit 1", (b, year))
    assert admin("select tech_contract_amount, adjustment_ids from intermediate.int_feeds__torch "
                 "where uscc = %s and year = %s", (b, year))[0] == (Decimal("7654321.00"), str(adj))
    with pytest.raises(Exception, match="append-only"):
        admin("update audit.score_adjustments set new_value = '1' where adjustment_id = %s", (adj,))


def test_final_list_rests_on_the_decisions_with_a_change_report(wh: Settings) -> None:
    p = STATE["publicity"]
    a, b, c, *_ = STATE["who"]
    assert validate().scoring_success
    final = publish(SCHEME, _year())
    assert final.created and final.kind == "final" and final.publicity_publication_id == p.publication_id
    # on a new validation (the corrections rebuilt the marts) it copies its own indicator rows
    assert final.indicator_rows_from is None
    # the final list carries the adjusted turnover
    assert admin("select indicator_value from audit.publication_indicator_points where publication_id = %s and "
                 "uscc = %s and indicator_code = 'T07'", (final.publication_id, b))[0][0] == Decimal("7654321.00")
    # the change report against an independent comparison of the two lists
    def ranks(pid: int) -> dict[str, tuple[Any, ...]]:
        return {r[0]: r[1:] for r in admin("select uscc, total_points, grade, rank_in_region from "
                                           "audit.publication_scores where publication_id = %s", (pid,))}

    before, after = ranks(p.publication_id), ranks(final.publication_id)
    differ = {u for u in before.keys() | after.keys() if before.get(u) != after.get(u)}
    report = {r[0]: (r[1], r[2]) for r in admin("select uscc, cause, objection_ids from audit.publication_changes "
                                                "where publication_id = %s", (final.publication_id,))}
    assert set(report) == differ and final.n_changes == len(differ)
    assert report[a] == ("objection", [STATE["o_redelivery"]])
    assert report[b] == ("objection", [STATE["o_adjust"]])
    assert c not in report or report[c][0] == "cohort"  # its objection was rejected
    # the others moved only through their cohort: their own indicator values are as published
    others = differ - {a, b}
    assert others and all(report[u][0] == "cohort" for u in others)
    assert admin("select count(*) from audit.publication_indicator_points as x join "
                 "audit.publication_indicator_points as y using (uscc, indicator_code) where x.publication_id = %s "
                 "and y.publication_id = %s and x.indicator_value is distinct from y.indicator_value "
                 "and x.uscc <> all(%s)", (p.publication_id, final.publication_id, [a, b]))[0][0] == 0
    STATE["final"] = final


def test_push_comes_from_the_final_list(wh: Settings, tmp_path: Path) -> None:
    r = push("BOCLN", STATE["final"].publication_id, tmp_path)
    assert r.publication_id == STATE["final"].publication_id
    with pytest.raises(Exception, match="final"):
        admin("insert into audit.bank_pushes (bank_code, publication_id, push_date, n_enterprises, files, "
              "xlsx_file, xlsx_sha256, csv_file, csv_sha256) values ('BOCLN', %s, current_date, 0, '[]', 'x', "
              "'h', 'x', 'h')", (STATE["publicity"].publication_id,))
