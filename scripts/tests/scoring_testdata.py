"""Small, hand-made source data for checking the scoring engine (tests, scratch databases).

- ``paper_case()``: four enterprises in Fuxin that can be checked on paper (ties, a null, a
  negative growth rate, a veto, every stage cohort below min_cohort_size) plus one enterprise in
  Shenyang whose every percentile value is the unique cohort maximum and every band is at its top
  (it must score exactly max_points in the province schemes).
- ``random_province(n, seed)``: a random small province with many ties, nulls, vetoes, enterprises
  that do not exist in a year or have no torch row, repeated deliveries, and every record type.

Rows use the canonical field names of feeds.py; ``insert_raw`` writes them into raw.* as a batch
(admin connection), so staging sees them exactly as it sees imported files.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from innopoints.feeds import FEEDS
from innopoints.uscc import make_uscc

Rows = dict[str, list[dict[str, Any]]]

FUXIN, SHENYANG = "210900", "210100"
CITIES = ("210100", "210200", "210300", "210400", "210500", "210600", "210700", "210800", "210900",
          "211000", "211100", "211200", "211300", "211400")


def uscc_for(i: int, division: str = "210900") -> str:
    body = f"{i:08d}"
    return make_uscc(division, body)


def _empty() -> Rows:
    return {name: [] for name in FEEDS}


def _torch(uscc: str, year: int, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {f: None for f in FEEDS["torch"].names}
    row.update(uscc=uscc, year=year)
    for k, v in kw.items():
        row[k] = Decimal(v) if isinstance(v, (int, str)) and k not in ("employees", "rd_staff") else v
    return row


def _sci(rows: Rows, uscc: str, rtype: str, year: int, level: str | None = "provincial",
         name: str | None = None, end_year: int | None = None) -> None:
    rows["sci_records"].append({
        "record_id": f"R{len(rows['sci_records']) + 1:06d}", "uscc": uscc, "record_type": rtype,
        "level": level, "name": name or f"{rtype} record", "year": year, "end_year": end_year,
    })


def _ip(rows: Rows, uscc: str, ip_type: str, applied: date, granted: date | None, status: str = "valid",
        pct: bool = False) -> None:
    rows["ip"].append({
        "ip_no": f"CN{len(rows['ip']) + 1:09d}", "uscc": uscc, "ip_type": ip_type, "application_date": applied,
        "grant_date": granted, "status": status, "is_pct": pct,
    })


def _registry(uscc: str, name: str, established: date, city: str, industry: str = "C3985",
              legal_rep: str = "张三", deregistered: date | None = None) -> dict[str, Any]:
    return {"uscc": uscc, "name": name, "legal_rep": legal_rep, "established_date": established,
            "deregistered_date": deregistered, "city_code": city, "industry_code": industry,
            "registered_capital": Decimal("1000000.00")}


# The paper case. Evaluation year 2024; 2023 torch rows are the base of growth rates (and 2023 is
# scored too). In Fuxin (FX-2025: only these four), the non-vetoed cohort is E1 (growth), E2
# (startup), E3 (mature): every stage cohort has 1 member < min_cohort_size 5, so each falls back
# to all three.
E1, E2, E3, E4 = (uscc_for(i) for i in (1, 2, 3, 4))
E5 = uscc_for(5, SHENYANG)


def paper_case() -> Rows:
    rows = _empty()
    reg = rows["registry"]
    reg.append(_registry(E1, "阜新甲科技有限公司", date(2015, 6, 1), FUXIN, "C3985", "张三丰"))
    reg.append(_registry(E2, "阜新乙软件有限公司", date(2022, 3, 1), FUXIN, "I6513", "李四"))
    reg.append(_registry(E3, "阜新丙重工股份有限公司", date(2010, 1, 1), FUXIN, "C3511", "王五"))
    reg.append(_registry(E4, "阜新丁材料有限公司", date(2018, 5, 20), FUXIN, "C2651", "赵六"))
    reg.append(_registry(E5, "沈阳满分智能装备有限公司", date(2005, 1, 1), SHENYANG, "C3491", "钱七"))
    t = rows["torch"]
    # E1 growth (age 9, revenue 8,000,000 < 100,000,000): revenue fell 20% (negative growth)
    t.append(_torch(E1, 2023, revenue="10000000", rd_expense="800000", employees=40, rd_staff=8,
                    net_profit="500000", equity_financing="1000000"))
    t.append(_torch(E1, 2024, revenue="8000000", rd_expense="1000000", employees=40, rd_staff=10,
                    net_profit="400000", hitech_product_revenue="4000000", tech_contract_amount="200000",
                    equity_financing="500000", tech_contract_absorbed_local="100000"))
    # E2 startup (age 2): R&D expense ties with E1; R&D staff unknown (null)
    t.append(_torch(E2, 2023, revenue="2000000", rd_expense="500000", employees=15, rd_staff=5))
    t.append(_torch(E2, 2024, revenue="3000000", rd_expense="1000000", employees=20, rd_staff=None,
                    net_profit="-300000", hitech_product_revenue="2000000"))
    # E3 mature (age 14, revenue 200,000,000): no 2023 row, so growth rates are null; R&D staff
    # ties with E1
    t.append(_torch(E3, 2024, revenue="200000000", rd_expense="3000000", employees=100, rd_staff=10,
                    net_profit="10000000", hitech_product_revenue="20000000", tech_contract_amount="200000",
                    equity_financing="0"))
    # E4 vetoed twice: no R&D expense (V01) and on the dishonesty list (V02)
    t.append(_torch(E4, 2024, revenue="6000000", rd_expense="0", employees=30, rd_staff=3))
    rows["credit"].append({"uscc": E4, "year": 2024, "dishonest_listed": True, "admin_penalties": 2})
    rows["credit"].append({"uscc": E1, "year": 2024, "dishonest_listed": False, "admin_penalties": 0})
    rows["credit"].append({"uscc": E2, "year": 2024, "dishonest_listed": False, "admin_penalties": 1})
    rows["tax"].append({"uscc": E1, "year": 2024, "taxes_paid": Decimal("300000"), "rd_super_deduction": None})
    rows["tax"].append({"uscc": E3, "year": 2024, "taxes_paid": Decimal("9000000"),
                        "rd_super_deduction": Decimal("2000000")})
    # qualifications: E1 high-tech certificate valid on 2024-12-31 (A03 = 2), E2 tech SME of 2024 (1)
    rows["hte"].append({"uscc": E1, "certificate_no": "GR202221000001", "certified_date": date(2022, 1, 1),
                        "expiry_date": date(2025, 1, 1), "report_year": 2023})
    rows["tsme"].append({"uscc": E2, "year": 2024, "registration_no": "2024210900000002"})
    # standards (T09 bands 1/2/3 -> 0.4/0.7/1.0): E1 exactly 3 in 2022-2024 (the top band's
    # boundary), E3 2 in the window and one in 2021 outside it (0.7)
    for y in (2022, 2023, 2024):
        _sci(rows, E1, "standard", y, "national")
    for y in (2021, 2023, 2024):
        _sci(rows, E3, "standard", y, "national")
    # E1: one valid invention patent granted 2020; E3: two, one of them lapsed
    _ip(rows, E1, "invention", date(2018, 3, 1), date(2020, 5, 1))
    _ip(rows, E3, "invention", date(2019, 3, 1), date(2023, 5, 1))
    _ip(rows, E3, "invention", date(2015, 3, 1), date(2017, 5, 1), status="lapsed")

    # E5: the maximum (mature, Shenyang). Every percentile value strictly above E1-E3's.
    t.append(_torch(E5, 2023, revenue="250000000", rd_expense="50000000", employees=500, rd_staff=400,
                    net_profit="50000000", equity_financing="100000000"))
    t.append(_torch(E5, 2024, revenue="500000000", rd_expense="200000000", employees=600, rd_staff=500,
                    net_profit="200000000", hitech_product_revenue="450000000",
                    tech_contract_amount="90000000", equity_financing="100000000",
                    tech_contract_absorbed_local="50000000"))
    rows["tax"].append({"uscc": E5, "year": 2024, "taxes_paid": Decimal("60000000"),
                        "rd_super_deduction": Decimal("150000000")})
    for i in range(3):
        _ip(rows, E5, "invention", date(2022, 1, 10 + i), date(2023, 6, 1 + i), pct=True)
    rows["hte"].append({"uscc": E5, "certificate_no": "GR202321000005", "certified_date": date(2023, 10, 1),
                        "expiry_date": date(2026, 10, 1), "report_year": 2024})
    for rtype, n, level in (("standard", 3, "national"), ("project", 2, "national"), ("cooperation", 3, None),
                            ("transformation", 2, None), ("first_set", 1, "provincial")):
        for i in range(n):
            _sci(rows, E5, rtype, 2023 + (i % 2), level)
    for rtype, n in (("platform", 2), ("digital", 1), ("talent", 2)):
        for _ in range(n):
            _sci(rows, E5, rtype, 2020, "provincial", end_year=None)
    _sci(rows, E5, "ladder", 2022, "national", name="专精特新小巨人企业", end_year=2025)
    _sci(rows, E5, "ladder", 2019, "provincial", name="瞪羚企业", end_year=2021)
    return rows


def random_province(n: int = 150, seed: int = 11, years: tuple[int, ...] = (2022, 2023, 2024)) -> Rows:
    """A random province: coarse value grids (many ties), nulls, negative growth, vetoes, records."""
    rng = random.Random(seed)
    rows = _empty()
    grid = [Decimal(x) for x in ("0", "100000", "500000", "1000000", "1000000", "2500000", "8000000",
                                 "50000000", "120000000", "600000000")]
    ladder = ["雏鹰企业", "瞪羚企业", "省级专精特新中小企业", "独角兽企业", "专精特新小巨人企业", "未知称号"]
    for i in range(n):
        city = FUXIN if i % 4 == 0 else rng.choice(CITIES)
        u = uscc_for(1000 + i, city)
        est = date(rng.choice([1999, 2012, 2016, 2017, 2021, 2022, 2023, 2024, 2025]), rng.randint(1, 12), 1)
        dereg = date(2023, 6, 30) if rng.random() < 0.05 else None
        rows["registry"].append(_registry(u, f"企业{i:04d}", est, city, rng.choice(
            ["C3985", "I6513", "M7320", "C2651", "F5191", "c3511", None]), rng.choice(["张三", "欧阳娜娜", None]),
            deregistered=dereg))
        for y in years:
            if rng.random() < 0.1:
                continue  # no torch row this year
            rev = rng.choice([*grid, None])
            rd = rng.choice([*grid[:6], None, Decimal(0)])
            emp = rng.choice([0, 10, 40, 40, 200, None])
            staff = rng.choice([0, 2, 10, 10, None]) if emp is not None else None
            rows["torch"].append(_torch(
                u, y, revenue=rev, rd_expense=rd, employees=emp, rd_staff=staff,
                net_profit=rng.choice([Decimal("-500000"), Decimal(0), Decimal("300000"), Decimal("300000"), None]),
                hitech_product_revenue=rng.choice([*grid[:5], None]),
                tech_contract_amount=rng.choice([*grid[:4], None]),
                tech_contract_absorbed_local=rng.choice([*grid[:3], None]),
                equity_financing=rng.choice([None, Decimal(0), Decimal("1000000"), Decimal("1000000")])))
            if rng.random() < 0.7:
                rows["tax"].append({"uscc": u, "year": y, "taxes_paid": rng.choice(grid[:5]),
                                    "rd_super_deduction": rng.choice([*grid[:4], None])})
            if rng.random() < 0.6:
                rows["credit"].append({"uscc": u, "year": y, "dishonest_listed": rng.random() < 0.06,
                                       "admin_penalties": rng.choice([0, 0, 0, 1, None])})
            if rng.random() < 0.3:
                rows["tsme"].append({"uscc": u, "year": y, "registration_no": f"T{i}{y}"})
        if rng.random() < 0.3:
            cy = rng.choice([2019, 2021, 2022, 2024])
            rows["hte"].append({"uscc": u, "certificate_no": f"GR{i:06d}", "certified_date": date(cy, 11, 1),
                                "expiry_date": date(cy + 3, 10, 31), "report_year": cy})
        for _ in range(rng.choice([0, 0, 1, 3, 6])):
            applied = date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))
            granted = None if rng.random() < 0.3 else date(min(applied.year + rng.randint(0, 3), 2025), 6, 1)
            _ip(rows, u, rng.choice(["invention", "utility", "design", "software"]), applied, granted,
                rng.choice(["valid", "valid", "lapsed", "pending"]), rng.random() < 0.2)
        for _ in range(rng.choice([0, 1, 2, 5, 8])):
            rtype = rng.choice(["project", "platform", "standard", "cooperation", "transformation", "ladder",
                                "digital", "first_set", "talent"])
            y0 = rng.randint(2018, 2024)
            _sci(rows, u, rtype, y0, rng.choice(["national", "provincial", "municipal", None]),
                 name=rng.choice(ladder) if rtype == "ladder" else None,
                 end_year=rng.choice([None, y0, y0 + 1, y0 + 3]))
    return rows


def insert_raw(conn: Any, rows: Rows, batch_id: int = 1) -> None:
    """Append the rows to raw.<feed> as one batch per feed (`batch_id`, `_line` 2, 3, ...)."""
    with conn.cursor() as cur:
        for feed, feed_rows in rows.items():
            if not feed_rows:
                continue
            names = list(FEEDS[feed].names)
            cols = ", ".join([*names, "_batch_id", "_line"])
            ph = ", ".join(["%s"] * (len(names) + 2))
            cur.executemany(
                f"insert into raw.{feed} ({cols}) values ({ph})",
                [[r.get(n) for n in names] + [batch_id, line] for line, r in enumerate(feed_rows, start=2)],
            )
