"""The one independent, plain-Python implementation of ../shared/spec/scoring.md (tests only).

It reads the scoring feeds as corrected (one row per natural key, the latest delivery with the
corrections of accepted objections: the intermediate int_feeds__* models) and the scoring seeds
(through innopoints.seeds, typed as dbt loads them), never a scoring intermediate model, and computes
every score with exact fractions, so the warehouse's SQL can be compared with it to the cent.
It is written from the specification's words, not from the SQL: stage thresholds, veto conditions
and value derivations are spelled out here again.

Small data only (tests, audits of a sample): it is quadratic in places and holds everything in memory.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from innopoints import seeds

Row = dict[str, Any]

FEED_TABLES = {
    "registry": "int_feeds__registry",
    "torch": "int_feeds__torch",
    "credit": "int_feeds__credit",
    "tax": "int_feeds__tax",
    "ip": "int_feeds__ip",
    "sci": "int_feeds__sci_records",
    "hte": "int_feeds__hte",
    "tsme": "int_feeds__tsme",
}


def round_half_away(x: Fraction | Decimal | int, places: int) -> Decimal:
    """Round half away from zero to `places` decimals, exactly."""
    f = Fraction(x) * 10**places
    sign = -1 if f < 0 else 1
    a = abs(f)
    whole = a.numerator // a.denominator
    if a - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(sign * whole).scaleb(-places)


def _frac(v: Any) -> Fraction | None:
    if v is None:
        return None
    if isinstance(v, float):
        raise TypeError("floats are not exact; pass Decimal or int")
    return Fraction(v)


def read_seeds(project_root: Path) -> dict[str, list[Row]]:
    """The seeds the spec reads, typed (empty cell -> None), from the project at `project_root`."""
    names = ("schemes", "indicators", "scheme_weights", "bands", "grade_bands", "ladder_tiers", "regions")
    return {name: seeds.load(name, project_root) for name in names}


def load_feeds(conn: Any) -> dict[str, list[Row]]:
    """The feeds as corrected (psycopg connection with read access to schema intermediate)."""
    from psycopg.rows import dict_row

    data: dict[str, list[Row]] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        for key, table in FEED_TABLES.items():
            cur.execute(f"select * from intermediate.{table}")
            data[key] = list(cur.fetchall())
    return data


@dataclass
class IndicatorScore:
    indicator_code: str
    value: Fraction | None
    cohort_size: int | None
    ratio: Fraction
    weight: Decimal
    points: Decimal


@dataclass
class EnterpriseScore:
    scheme_code: str
    eval_year: int
    uscc: str
    city_code: str
    cohort_region_code: str
    stage: str
    veto_codes: list[str]
    total_points: Decimal = Decimal(0)
    grade: str = ""
    rank_in_region: int = 0
    evaluated_in_region: int = 0
    indicators: dict[str, IndicatorScore] = field(default_factory=dict)

    @property
    def is_vetoed(self) -> bool:
        return bool(self.veto_codes)


def _ratio6(num: Any, den: Any) -> Fraction | None:
    n, d = _frac(num), _frac(den)
    if n is None or d is None or d == 0:
        return None
    return Fraction(round_half_away(n / d, 6))


class Reference:
    def __init__(self, staged: dict[str, list[Row]], seeds: dict[str, list[Row]]):
        self.s = staged
        self.seeds = seeds
        self.torch = {(r["uscc"], r["year"]): r for r in staged["torch"]}
        self.tax = {(r["uscc"], r["year"]): r for r in staged["tax"]}
        self.credit = {(r["uscc"], r["year"]): r for r in staged["credit"]}
        self.tsme = {(r["uscc"], r["year"]) for r in staged["tsme"]}
        self.ip: dict[str, list[Row]] = defaultdict(list)
        for r in staged["ip"]:
            self.ip[r["uscc"]].append(r)
        self.sci: dict[str, list[Row]] = defaultdict(list)
        for r in staged["sci"]:
            self.sci[r["uscc"]].append(r)
        self.hte: dict[str, list[Row]] = defaultdict(list)
        for r in staged["hte"]:
            self.hte[r["uscc"]].append(r)
        self.tiers = {r["ladder_name"]: int(r["tier"]) for r in seeds["ladder_tiers"]}
        self.indicators = {r["indicator_code"]: r for r in seeds["indicators"]}
        self.bands: dict[str, list[tuple[Fraction, Fraction]]] = defaultdict(list)
        for r in seeds["bands"]:
            self.bands[r["indicator_code"]].append((Fraction(r["min_value"]), Fraction(r["ratio"])))

    # -- the rules of scoring.md -------------------------------------------------------------
    @staticmethod
    def stage(established: date, year: int, revenue: Any) -> str:
        ye = date(year, 12, 31)
        age = ye.year - established.year - ((ye.month, ye.day) < (established.month, established.day))
        rev = Fraction(revenue) if revenue is not None else Fraction(0)
        if age < 3 or rev < 5_000_000:
            return "startup"
        if age >= 8 and rev >= 100_000_000:
            return "mature"
        return "growth"

    def vetoes(self, uscc: str, year: int) -> list[str]:
        out = []
        t = self.torch[(uscc, year)]
        if t["rd_expense"] is None or t["rd_expense"] <= 0:
            out.append("V01")
        c = self.credit.get((uscc, year))
        if c is not None and c["dishonest_listed"] is True:
            out.append("V02")
        return out

    def value(self, source: str, uscc: str, y: int) -> Fraction | None:
        t = self.torch.get((uscc, y)) or {}
        p = self.torch.get((uscc, y - 1))
        start3, end = date(y - 2, 1, 1), date(y, 12, 31)
        sci = self.sci.get(uscc, [])

        def in_force(r: Row) -> bool:
            return r["year"] <= y and (r["end_year"] is None or r["end_year"] >= y)

        def last3(r: Row) -> bool:
            return y - 2 <= r["year"] <= y

        def prov(r: Row) -> bool:
            return r["level"] in ("national", "provincial")

        def sci_count(rtype: str, pred: Any) -> Fraction:
            return Fraction(sum(1 for r in sci if r["record_type"] == rtype and pred(r)))

        rev = t.get("revenue")
        if source == "torch_rd_expense":
            return _frac(t.get("rd_expense"))
        if source == "torch_rd_intensity":
            return _ratio6(t.get("rd_expense"), rev) if rev is not None and rev > 0 else None
        if source == "torch_rd_staff":
            return _frac(t.get("rd_staff"))
        if source == "torch_rd_staff_share":
            emp = t.get("employees")
            return _ratio6(t.get("rd_staff"), emp) if emp is not None and emp > 0 else None
        if source == "ip_valid_invention_patents":
            return Fraction(sum(1 for r in self.ip.get(uscc, []) if r["ip_type"] == "invention"
                                and r["status"] == "valid" and r["grant_date"] is not None
                                and r["grant_date"] <= end))
        if source == "ip_granted_3y":
            return Fraction(sum(1 for r in self.ip.get(uscc, []) if r["grant_date"] is not None
                                and start3 <= r["grant_date"] <= end))
        if source == "torch_tech_contract_amount":
            return _frac(t.get("tech_contract_amount"))
        if source == "torch_hitech_revenue_share":
            return _ratio6(t.get("hitech_product_revenue"), rev) if rev is not None and rev > 0 else None
        if source == "sci_standards_3y":
            return sci_count("standard", last3)
        if source == "torch_revenue":
            return _frac(rev)
        if source in ("torch_revenue_growth", "torch_rd_expense_growth"):
            col = "revenue" if source == "torch_revenue_growth" else "rd_expense"
            if p is None or p[col] is None or p[col] <= 0 or t.get(col) is None:
                return None
            return _ratio6(t[col] - p[col], p[col])
        if source == "torch_net_profit_margin":
            return _ratio6(t.get("net_profit"), rev) if rev is not None and rev > 0 else None
        if source == "torch_equity_financing_3y":
            vals = [self.torch[(uscc, yy)]["equity_financing"] for yy in (y - 2, y - 1, y)
                    if (uscc, yy) in self.torch and self.torch[(uscc, yy)]["equity_financing"] is not None]
            return Fraction(sum(vals)) if vals else None
        if source == "tax_taxes_paid":
            return _frac((self.tax.get((uscc, y)) or {}).get("taxes_paid"))
        if source == "tax_rd_super_deduction":
            return _frac((self.tax.get((uscc, y)) or {}).get("rd_super_deduction"))
        if source == "sci_projects_prov_plus_3y":
            return sci_count("project", lambda r: prov(r) and last3(r))
        if source == "sci_platforms_prov_plus_in_force":
            return sci_count("platform", lambda r: prov(r) and in_force(r))
        if source == "tech_qualification_code":
            if any(h["certified_date"] <= end <= h["expiry_date"] for h in self.hte.get(uscc, [])):
                return Fraction(2)
            return Fraction(1) if (uscc, y) in self.tsme else Fraction(0)
        if source == "sci_cooperation_3y":
            return sci_count("cooperation", last3)
        if source == "torch_tech_contract_absorbed_local":
            return _frac(t.get("tech_contract_absorbed_local"))
        if source == "sci_transformation_3y":
            return sci_count("transformation", last3)
        if source == "sci_ladder_top_tier":
            tiers = [self.tiers[(r["name"] or "").strip()] for r in sci if r["record_type"] == "ladder"
                     and in_force(r) and (r["name"] or "").strip() in self.tiers]
            return Fraction(max(tiers)) if tiers else None
        if source == "sci_digital_prov_plus_in_force":
            return sci_count("digital", lambda r: prov(r) and in_force(r))
        if source == "sci_first_set_3y":
            return sci_count("first_set", last3)
        if source == "sci_talents_in_force":
            return sci_count("talent", in_force)
        if source == "ip_pct_applications_3y":
            return Fraction(sum(1 for r in self.ip.get(uscc, []) if r["is_pct"] is True
                                and start3 <= r["application_date"] <= end))
        if source == "credit_no_admin_penalty_flag":
            c = self.credit.get((uscc, y))
            return Fraction(1) if c is None or c["admin_penalties"] == 0 else Fraction(0)
        raise KeyError(f"unknown value_source {source}")

    # -- the whole computation -------------------------------------------------------------
    def score(self) -> dict[tuple[str, int, str], EnterpriseScore]:
        out: dict[tuple[str, int, str], EnterpriseScore] = {}
        torch_years = sorted({r["year"] for r in self.s["torch"]})
        regions = self.seeds["regions"]
        grades = sorted(((Fraction(g["min_share_of_max"]), g["grade"]) for g in self.seeds["grade_bands"]
                         if g["min_share_of_max"] is not None), reverse=True)
        for sch in self.seeds["schemes"]:
            code, region = sch["scheme_code"], sch["region_code"]
            max_points = Fraction(sch["max_points"])
            min_size = int(sch["min_cohort_size"])
            first, last = int(sch["first_year"]), (int(sch["last_year"]) if sch["last_year"] else None)
            cities = {r["region_code"] for r in regions if r["level"] == "city"
                      and (r["region_code"] == region or r["parent_code"] == region)}
            weights: dict[tuple[str, str], Fraction] = {}
            for w in self.seeds["scheme_weights"]:
                if w["scheme_code"] == code:
                    weights[(w["stage"], w["indicator_code"])] = Fraction(w["weight"])
            scheme_inds = sorted({ind for (_, ind) in weights})
            for y in (yy for yy in torch_years if yy >= first and (last is None or yy <= last)):
                ye = date(y, 12, 31)
                ents: list[EnterpriseScore] = []
                for reg in self.s["registry"]:
                    if reg["city_code"] not in cities:
                        continue
                    if not (reg["established_date"] <= ye and (reg["deregistered_date"] is None
                                                              or reg["deregistered_date"] > ye)):
                        continue
                    if (reg["uscc"], y) not in self.torch:
                        continue
                    u = reg["uscc"]
                    cohort_region = reg["city_code"] if sch["cohort_level"] == "city" else region
                    ents.append(EnterpriseScore(
                        code, y, u, reg["city_code"], cohort_region,
                        self.stage(reg["established_date"], y, self.torch[(u, y)]["revenue"]),
                        self.vetoes(u, y)))
                scored = [e for e in ents if not e.is_vetoed]
                values = {(e.uscc, ind): self.value(self.indicators[ind]["value_source"], e.uscc, y)
                          for e in scored for ind in scheme_inds}
                sorted_cache: dict[tuple[str, str, str], list[Fraction]] = {}
                by_cohort: dict[tuple[str, str], list[EnterpriseScore]] = defaultdict(list)
                for m in scored:
                    by_cohort[(m.cohort_region_code, m.stage)].append(m)
                    by_cohort[(m.cohort_region_code, "*")].append(m)
                for e in scored:
                    ckey = (e.cohort_region_code, e.stage)
                    if len(by_cohort[ckey]) < min_size:
                        ckey = (e.cohort_region_code, "*")
                    cohort = by_cohort[ckey]
                    total = Decimal(0)
                    for ind in scheme_inds:
                        if (e.stage, ind) not in weights:
                            continue
                        w = weights[(e.stage, ind)]
                        v = values[(e.uscc, ind)]
                        size: int | None = None
                        if self.indicators[ind]["method"] == "percentile":
                            size = len(cohort)
                            if v is None or v <= 0:
                                ratio = Fraction(0)
                            else:
                                skey = (*ckey, ind)
                                if skey not in sorted_cache:
                                    sorted_cache[skey] = sorted(values[(m.uscc, ind)] or Fraction(0) for m in cohort)
                                le = bisect_right(sorted_cache[skey], v)
                                ratio = Fraction(le, size)
                        else:
                            reached = [r for (mv, r) in self.bands[ind] if v is not None and mv <= v]
                            ratio = max(reached) if reached else Fraction(0)
                        pts = round_half_away(w * ratio, 2)
                        total += pts
                        e.indicators[ind] = IndicatorScore(ind, v, size, ratio, Decimal(w.numerator) / w.denominator,
                                                           pts)
                    e.total_points = total
                    share = Fraction(total) / max_points
                    e.grade = next((g for (t, g) in grades if t <= share), "")
                for e in ents:
                    if e.is_vetoed:
                        e.total_points, e.grade = Decimal(0), "V"
                regions_of: dict[str, list[EnterpriseScore]] = defaultdict(list)
                for e in ents:
                    regions_of[e.cohort_region_code].append(e)
                for members in regions_of.values():
                    keys = sorted((1 if m.is_vetoed else 0, -m.total_points) for m in members)
                    for e in members:
                        e.evaluated_in_region = len(members)
                        e.rank_in_region = 1 + bisect_left(keys, (1 if e.is_vetoed else 0, -e.total_points))
                        out[(code, y, e.uscc)] = e
        return out
