"""An independent implementation of ../shared/spec/scoring.md in plain Python (exact fractions).

It reads only the staged feeds and the seeds (never the dbt intermediate models) and recomputes
every score, so the warehouse can be compared with it to the cent. Written from the text of the
spec, separately from the SQL.
"""

from __future__ import annotations

import bisect
import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import psycopg

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

RATIO_INDICATORS = {"T02", "T04", "T08", "G02", "G03", "G04"}


def q6(x: Fraction) -> Fraction:
    """Round to 6 decimal places, half away from zero."""
    sign = -1 if x < 0 else 1
    scaled = abs(x) * 10**6
    n = int(scaled)
    if scaled - n >= Fraction(1, 2):
        n += 1
    return Fraction(sign * n, 10**6)


def round2(x: Fraction) -> Decimal:
    """round(x, 2), half away from zero, exact."""
    sign = -1 if x < 0 else 1
    scaled = abs(x) * 100
    n = int(scaled)
    if scaled - n >= Fraction(1, 2):
        n += 1
    return (Decimal(sign * n) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _read(name: str) -> list[dict[str, str]]:
    path = next(SEEDS.rglob(f"{name}.csv"))
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _frac(v: Any) -> Fraction | None:
    if v is None:
        return None
    return Fraction(Decimal(str(v)))


@dataclass
class Result:
    totals: dict[tuple[str, int, str], dict[str, Any]] = field(default_factory=dict)
    points: dict[tuple[str, int, str, str], dict[str, Any]] = field(default_factory=dict)


def _rows(conn: psycopg.Connection, query: str) -> list[dict[str, Any]]:
    cur = conn.execute(query)
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def compute(conn: psycopg.Connection) -> Result:
    schemes = _read("schemes")
    weights: dict[tuple[str, str], dict[str, Fraction]] = defaultdict(dict)
    for w in _read("scheme_weights"):
        weights[(w["scheme_code"], w["stage"])][w["indicator_code"]] = Fraction(Decimal(w["weight"]))
    indicators = {i["indicator_code"]: i for i in _read("indicators")}
    bands: dict[str, list[tuple[Fraction, Fraction]]] = defaultdict(list)
    for b in _read("bands"):
        bands[b["indicator_code"]].append((Fraction(Decimal(b["min_value"])), Fraction(Decimal(b["ratio"]))))
    grades = [(g["grade"], Fraction(Decimal(g["min_share_of_max"]))) for g in _read("grade_bands")
              if g["min_share_of_max"] not in ("", None)]
    ladder = {r["ladder_name"]: int(r["tier"]) for r in _read("ladder_tiers")}

    registry = {r["uscc"]: r for r in _rows(conn, "select * from staging.stg_registry__enterprises")}
    torch = {(r["uscc"], r["year"]): r for r in _rows(conn, "select * from staging.stg_torch__statistics")}
    credit = {(r["uscc"], r["year"]): r for r in _rows(conn, "select * from staging.stg_credit__records")}
    tax = {(r["uscc"], r["year"]): r for r in _rows(conn, "select * from staging.stg_tax__records")}
    tsme = {(r["uscc"], r["year"]) for r in _rows(conn, "select uscc, year from staging.stg_tsme__registrations")}
    hte = defaultdict(list)
    for r in _rows(conn, "select * from staging.stg_hte__certificates"):
        hte[r["uscc"]].append(r)
    ip = defaultdict(list)
    for r in _rows(conn, "select * from staging.stg_ip__rights"):
        ip[r["uscc"]].append(r)
    sci = defaultdict(list)
    for r in _rows(conn, "select * from staging.stg_sci_records__records"):
        sci[r["uscc"]].append(r)
    torch_years = {y for (_, y) in torch}

    def value(code: str, u: str, y: int) -> Fraction | None:
        t = torch.get((u, y))
        tp = torch.get((u, y - 1))
        end, start3 = date(y, 12, 31), date(y - 2, 1, 1)

        def f(row: dict[str, Any] | None, k: str) -> Fraction | None:
            return None if row is None else _frac(row.get(k))

        def ratio(a: Fraction | None, b: Fraction | None) -> Fraction | None:
            if a is None or b is None or b <= 0:
                return None
            return a / b

        def growth(k: str) -> Fraction | None:
            cur, prev = f(t, k), f(tp, k)
            if cur is None or prev is None or prev <= 0:
                return None
            return (cur - prev) / prev

        def sci_count(rtype: str, window: bool, levels: tuple[str, ...] | None = None) -> int:
            n = 0
            for r in sci[u]:
                if r["record_type"] != rtype or (levels and r["level"] not in levels):
                    continue
                if window:
                    ok = y - 2 <= r["year"] <= y
                else:
                    ok = r["year"] <= y and (r["end_year"] is None or r["end_year"] >= y)
                n += ok
            return n

        nat_prov = ("national", "provincial")
        match code:
            case "T01":
                return f(t, "rd_expense")
            case "T02":
                return ratio(f(t, "rd_expense"), f(t, "revenue"))
            case "T03":
                return f(t, "rd_staff")
            case "T04":
                return ratio(f(t, "rd_staff"), f(t, "employees"))
            case "T05":
                return Fraction(sum(1 for r in ip[u] if r["ip_type"] == "invention" and r["status"] == "valid"
                                    and r["grant_date"] is not None and r["grant_date"] <= end))
            case "T06":
                return Fraction(sum(1 for r in ip[u] if r["grant_date"] is not None
                                    and start3 <= r["grant_date"] <= end))
            case "T07":
                return f(t, "tech_contract_amount")
            case "T08":
                return ratio(f(t, "hitech_product_revenue"), f(t, "revenue"))
            case "T09":
                return Fraction(sci_count("standard", True))
            case "G01":
                return f(t, "revenue")
            case "G02":
                return growth("revenue")
            case "G03":
                return ratio(f(t, "net_profit"), f(t, "revenue"))
            case "G04":
                return growth("rd_expense")
            case "G05":
                total = Fraction(0)
                for yy in (y - 2, y - 1, y):
                    v = f(torch.get((u, yy)), "equity_financing")
                    total += v or 0
                return total
            case "G06":
                return f(tax.get((u, y)), "taxes_paid")
            case "A01":
                return Fraction(sci_count("project", True, nat_prov))
            case "A02":
                return Fraction(sci_count("platform", False, nat_prov))
            case "A03":
                if any(h["certified_date"] <= end <= h["expiry_date"] for h in hte[u]):
                    return Fraction(2)
                return Fraction(1 if (u, y) in tsme else 0)
            case "L01":
                return Fraction(sci_count("cooperation", True))
            case "L02":
                return f(t, "tech_contract_absorbed_local")
            case "L03":
                return Fraction(sci_count("transformation", True))
            case "L04":
                tiers = [ladder.get(r["name"], 0) for r in sci[u] if r["record_type"] == "ladder"
                         and r["year"] <= y and (r["end_year"] is None or r["end_year"] >= y)]
                return Fraction(max(tiers)) if tiers else None
            case "L05":
                return Fraction(sci_count("digital", False, nat_prov))
            case "L06":
                return Fraction(sci_count("first_set", True))
            case "L07":
                return Fraction(sci_count("talent", False))
            case "L08":
                return f(tax.get((u, y)), "rd_super_deduction")
            case "L09":
                return Fraction(sum(1 for r in ip[u] if r["is_pct"] and start3 <= r["application_date"] <= end))
            case "L10":
                c = credit.get((u, y))
                if c is None:
                    return Fraction(1)
                if c["admin_penalties"] is None:
                    return None
                return Fraction(1 if c["admin_penalties"] == 0 else 0)
        raise KeyError(code)

    result = Result()
    for sc in schemes:
        code, region = sc["scheme_code"], sc["region_code"]
        max_points = Fraction(Decimal(sc["max_points"]))
        min_size = int(sc["min_cohort_size"])
        first = int(sc["first_year"])
        last = int(sc["last_year"]) if sc["last_year"] else 9999
        for y in sorted(yy for yy in torch_years if first <= yy <= last):
            end = date(y, 12, 31)
            evaluated = []
            for u, r in registry.items():
                in_region = region == "210000" or r["city_code"] == region
                exists = r["established_date"] <= end and (r["deregistered_date"] is None
                                                           or r["deregistered_date"] > end)
                if in_region and exists and (u, y) in torch:
                    evaluated.append(u)
            info: dict[str, dict[str, Any]] = {}
            for u in evaluated:
                r, t = registry[u], torch[(u, y)]
                est = r["established_date"]
                age = y - est.year  # whole years to Y-12-31: the anniversary has always passed
                rev = _frac(t["revenue"]) or Fraction(0)
                if age < 3 or rev < 5_000_000:
                    stage = "startup"
                elif age >= 8 and rev >= 100_000_000:
                    stage = "mature"
                else:
                    stage = "growth"
                vetoes = []
                rd = _frac(t["rd_expense"])
                if rd is None or rd <= 0:
                    vetoes.append("V01")
                c = credit.get((u, y))
                if c is not None and c["dishonest_listed"]:
                    vetoes.append("V02")
                cohort_region = region if sc["cohort_level"] == "province" else r["city_code"]
                info[u] = {"stage": stage, "vetoes": vetoes, "cohort_region": cohort_region}
            scored = [u for u in evaluated if not info[u]["vetoes"]]
            # values, rounded as the spec says
            codes = sorted({c for (s_, _), ws in weights.items() if s_ == code for c in ws})
            vals: dict[tuple[str, str], Fraction | None] = {}
            for u in scored:
                for c in codes:
                    v = value(c, u, y)
                    if v is not None and c in RATIO_INDICATORS:
                        v = q6(v)
                    vals[(u, c)] = v
            groups: dict[tuple[str, str], list[str]] = defaultdict(list)
            regions_: dict[str, list[str]] = defaultdict(list)
            for u in scored:
                groups[(info[u]["cohort_region"], info[u]["stage"])].append(u)
                regions_[info[u]["cohort_region"]].append(u)
            for u in scored:
                cohort = groups[(info[u]["cohort_region"], info[u]["stage"])]
                if len(cohort) < min_size:
                    cohort = regions_[info[u]["cohort_region"]]
                ws = weights[(code, info[u]["stage"])]
                total = Decimal("0.00")
                for c, w in ws.items():
                    v = vals[(u, c)]
                    if indicators[c]["method"] == "percentile":
                        if v is None or v <= 0:
                            ratio = Fraction(0)
                        else:
                            ratio = Fraction(sum(1 for m in cohort if (vals[(m, c)] or 0) <= v), len(cohort))
                    else:
                        applicable = [rt for mv, rt in bands[c] if v is not None and mv <= v]
                        ratio = max(applicable) if applicable else Fraction(0)
                    pts = round2(w * ratio)
                    total += pts
                    result.points[(code, y, u, c)] = {"points": pts, "ratio": ratio, "value": v,
                                                      "method": indicators[c]["method"],
                                                      "cohort_size": len(cohort)}
                info[u]["total"] = total
            for u in evaluated:
                i = info[u]
                if i["vetoes"]:
                    i["total"] = Decimal("0.00")
                    i["grade"] = "V"
                else:
                    share = Fraction(i["total"]) / max_points
                    i["grade"] = next(g for g, m in grades if m <= share)
            by_region: dict[str, list[str]] = defaultdict(list)
            for u in evaluated:
                by_region[info[u]["cohort_region"]].append(u)
            for members in by_region.values():
                ok = [u for u in members if not info[u]["vetoes"]]
                ascending = sorted(info[u]["total"] for u in ok)
                for u in ok:  # competition rank: 1 + how many scored strictly more
                    info[u]["rank"] = 1 + len(ascending) - bisect.bisect_right(ascending, info[u]["total"])
                for u in members:
                    if info[u]["vetoes"]:
                        info[u]["rank"] = len(ok) + 1
                    info[u]["n"] = len(members)
            for u in evaluated:
                i = info[u]
                result.totals[(code, y, u)] = {
                    "total_points": i["total"], "grade": i["grade"], "stage": i["stage"],
                    "veto_codes": i["vetoes"], "rank_in_region": i["rank"], "evaluated_in_region": i["n"],
                }
    return result
