"""Shared fixtures. Every test session works in databases of its own on the project's server:

- the *built* warehouse (``built_warehouse``): the generated demo province imported and built with
  dbt, shared read-only by the modules that ask for it (modules that change data clone it);
- a *sandbox* per module that asks for ``warehouse`` but not for the built warehouse, so tests that
  import odd files never leak into the demo province.

``INNOPOINTS_DB_NAME`` always names the database of the module that is running, so the library's
own functions (import, dbt, publish …) act on the right one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from innopoints import cluster, db
from innopoints.config import Settings, get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SESSION_DB = f"innopoints_test_{uuid.uuid4().hex[:10]}"


def _use(name: str | None) -> None:
    if name is None:
        os.environ.pop("INNOPOINTS_DB_NAME", None)
    else:
        os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()


def _drop(name: str) -> None:
    if os.environ.get("INNOPOINTS_KEEP_TEST_DB"):
        print(f"kept test database {name}")
    else:
        db.drop_database(name)


@pytest.fixture(scope="session")
def _server() -> Iterator[None]:
    """The project's PostgreSQL, started if needed; the caller's database selection restored after."""
    old = os.environ.get("INNOPOINTS_DB_NAME")
    cluster.start()
    yield
    _use(old)


@pytest.fixture(scope="module", autouse=True)
def _module_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """A fresh sandbox database for a module that uses ``warehouse`` without the built warehouse."""
    items = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    wants = {name for i in items for name in getattr(i, "fixturenames", ())}
    if "warehouse" not in wants or "built_warehouse" in wants:
        yield
        return
    request.getfixturevalue("_server")
    old = os.environ.get("INNOPOINTS_DB_NAME")
    name = f"{SESSION_DB}_{request.module.__name__.rsplit('.', 1)[-1][:20]}"
    _use(name)
    db.ensure_database()
    try:
        yield
    finally:
        _use(old)
        _drop(name)


@pytest.fixture()
def warehouse(_server: None) -> Settings:
    """The bootstrapped database of the running module (its sandbox, or the built warehouse)."""
    if "INNOPOINTS_DB_NAME" not in os.environ:
        _use(SESSION_DB)
    db.ensure_database()
    return get_settings()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated province (same seed every run)."""
    from innopoints.generator import generate

    out = tmp_path_factory.mktemp("demo")
    generate(out_dir=out, enterprises=400, years=(2022, 2024), seed=7)
    return out


@pytest.fixture(scope="session")
def built_warehouse(_server: None, demo_dir: Path) -> Iterator[Settings]:
    """The generated province imported and built with dbt (seeds, snapshots, models and their tests)."""
    from innopoints.importer import import_path
    from innopoints.warehouse import build

    old = os.environ.get("INNOPOINTS_DB_NAME")
    _use(SESSION_DB)
    db.ensure_database()
    report = import_path(demo_dir)
    assert report.files_refused == 0, report.summary()
    build()
    settings = get_settings()
    try:
        yield settings
    finally:
        _use(old)
        _drop(SESSION_DB)


@pytest.fixture()
def admin_conn(warehouse: Settings):
    with db.connect("admin", warehouse, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def superset_site(built_warehouse: Settings) -> Iterator[Any]:
    """Superset provisioned once per session against the built demo warehouse (shared across modules)."""
    from innopoints.superset.testing import provision_site

    yield from provision_site(built_warehouse)


def publish_final(scheme: str, year: int) -> Any:
    """The cycle as the tests need it: a publicity list whose five-day period closed ten days ago (the
    same list again while the scores are unchanged), then the final list resting on it."""
    from datetime import timedelta

    from innopoints.publication.publish import publicize, publish, today_beijing

    publicize(scheme, year, 5, today_beijing() - timedelta(days=10))
    return publish(scheme, year)


@pytest.fixture(scope="session")
def cycle_records(built_warehouse: Settings, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The evaluation cycle on the session's built warehouse, once, for the 公示与异议 dashboard (its
    figure test and the browser test): LN-2025 of the *earliest* evaluation year (the other modules
    publish the latest year, on private copies), a publicity list whose period closed, four objections
    from two cities (阜新 and one other): one accepted with a re-delivered tax feed, one with a recorded
    adjustment of the torch feed, two rejected; rebuild and validate; the final list with its change
    report; then a second publicity list of the same year, still open, with one objection not decided.
    Returns the ids; the figures are read back from the audit tables by the tests."""
    from datetime import timedelta
    from decimal import Decimal

    from innopoints.publication import objections as obj
    from innopoints.publication.publish import publicize, publish, today_beijing
    from innopoints.quality.runner import validate
    from innopoints.warehouse import build

    from .test_quality_support import admin, import_file, read_csv, write_csv

    scheme, fuxin = "LN-2025", "210900"
    year = admin("select min(eval_year) from marts.fct_enterprise_scores where scheme_code = %s", (scheme,))[0][0]
    validate()
    today = today_beijing()
    p = publicize(scheme, year, 5, today - timedelta(days=20))
    pick = ("select s.uscc from audit.publication_scores as s where s.publication_id = %s and not s.is_vetoed "
            "and s.city_code {} %s and exists (select from raw.tax as t where t.uscc = s.uscc and t.year = %s) "
            "and exists (select from raw.torch as t where t.uscc = s.uscc and t.year = %s) "
            "order by s.total_points desc, s.uscc limit 2")
    a, b = (r[0] for r in admin(pick.format("="), (p.publication_id, fuxin, year, year)))
    other = admin("select city_code from audit.publication_scores where publication_id = %s and city_code <> %s "
                  "group by city_code order by count(*) desc, city_code limit 1", (p.publication_id, fuxin))[0][0]
    c, d = (r[0] for r in admin(pick.format("="), (p.publication_id, other, year, year)))
    day = p.opens_on + timedelta(days=1)
    o_redelivery = obj.record(p.publication_id, c, obj.Subject.parse("tax.rd_super_deduction"),
                              "研发费用加计扣除额漏报", "D-001", day)
    o_adjust = obj.record(p.publication_id, a, obj.Subject.parse("torch.tech_contract_amount"),
                          "技术合同成交额未计入", "D-002", day)
    o_reject_a = obj.record(p.publication_id, b, obj.Subject.parse("T05"), "有效发明专利应为5件", "D-003",
                            day + timedelta(days=1))
    o_reject_b = obj.record(p.publication_id, d, obj.Subject.parse("T07"), "技术合同成交额偏低", "D-004",
                            p.closes_on)
    # the corrected full tax delivery: the enterprise's super deduction of the year raised by a half
    header, rows = read_csv(demo_dir / "tax.csv")
    for r in rows:
        if r[0] == c and r[1] == str(year):
            r[3] = str((Decimal(r[3] or "100") * Decimal("1.5")).quantize(Decimal("0.01")))
    out = tmp_path_factory.mktemp("cycle")
    import_file(write_csv(out / "tax_corrected.csv", header, rows))
    batch = admin("select max(batch_id) from audit.import_batches where feed = 'tax'")[0][0]
    obj.accept_redelivery(o_redelivery, "经核对更正凭证，予以采纳", p.closes_on + timedelta(days=1), batch)
    old = admin("select tech_contract_amount from intermediate.int_feeds__torch where uscc = %s and year = %s",
                (a, year))[0][0]
    obj.accept_adjustment(o_adjust, "合同已登记，予以采纳", p.closes_on + timedelta(days=3), "torch",
                          "tech_contract_amount", {"year": str(year)}, str((old or 0) + 5_000_000),
                          "市科技局 复核组", "D-002")
    obj.reject(o_reject_a, "专利已失效，不予采纳", p.closes_on + timedelta(days=2))
    obj.reject(o_reject_b, "与登记数据一致，不予采纳", p.closes_on + timedelta(days=6))
    build()
    assert validate().scoring_success
    final = publish(scheme, year)
    assert final.created and final.n_changes > 0, final
    # a second publicity list of the year, still open, with an objection not yet decided
    again = publicize(scheme, year, 10, today - timedelta(days=2))
    o_open = obj.record(again.publication_id, b, obj.Subject.parse("T05"), "再次提出：有效发明专利应为5件",
                        "D-005", today)
    build(["source:quality+", "source:publications+"])  # as `innopoints run` refreshes after publishing
    return {"scheme": scheme, "year": year, "publicity": p.publication_id, "final": final.publication_id,
            "second_publicity": again.publication_id, "open": o_open, "cities": (fuxin, other)}
