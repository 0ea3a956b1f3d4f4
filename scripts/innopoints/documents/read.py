"""What the documents print, read from a frozen publication (``audit.publication*``) and the seeds,
as the publisher role (the one that may read publications). Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg.rows import dict_row

from innopoints.errors import NotFound

Row = dict[str, Any]
KIND_ZH = {"publicity": "公示名单", "final": "正式发布"}


@dataclass(frozen=True)
class Grade:
    grade: str
    label_zh: str
    min_share_of_max: float | None


@dataclass(frozen=True)
class Publication:
    publication_id: int
    scheme_code: str
    scheme_name_zh: str
    eval_year: int
    max_points: Decimal
    published_at: datetime
    content_sha256: str
    kind: str
    opens_on: date | None
    closes_on: date | None
    n_enterprises: int
    grades: tuple[Grade, ...]
    cohort_region_code: str | None = None
    cohort_region_name_zh: str | None = None

    @property
    def kind_zh(self) -> str:
        return KIND_ZH.get(self.kind, self.kind)

    def next_grade(self, grade: str) -> Grade | None:
        """The grade above ``grade`` (None for the top grade, a veto or an unknown grade)."""
        ranked = [g for g in self.grades if g.min_share_of_max is not None]
        ranked.sort(key=lambda g: g.min_share_of_max or 0.0, reverse=True)
        codes = [g.grade for g in ranked]
        if grade not in codes:
            return None
        i = codes.index(grade)
        return ranked[i - 1] if i > 0 else None


@dataclass(frozen=True)
class Office:
    region_code: str
    office_name_zh: str
    address_zh: str
    contact_zh: str


@dataclass(frozen=True)
class Reference:
    """Seeds the documents need: veto reasons, indicator units, regions, where to object."""

    veto_reasons: dict[str, str]
    units: dict[str, str]
    regions: dict[str, tuple[str, str]]  # region_code -> (name, level)
    offices: dict[str, Office]
    ranked_lists: tuple[tuple[str, float, float], ...] = ()  # (name, from top share, to top share), in order

    def ranked_lists_note(self) -> str:
        """"领跑榜（前 5%）、竞跑榜（前 5%–10%）…", from the ranking_bands seed."""
        return "、".join(f"{name}（前 {hi:.0%}）" if lo == 0 else f"{name}（前 {lo:.0%}–{hi:.0%}）"
                        for name, lo, hi in self.ranked_lists)


@dataclass
class EnterpriseData:
    score: Row
    indicators: list[Row] = field(default_factory=list)


def _rows(conn: Any, sql: str, params: Any = None) -> list[Row]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def publication(conn: Any, publication_id: int) -> Publication:
    rows = _rows(conn, """
        select p.*, r.region_code as cohort_region_code, r.region_name_zh as cohort_region_name_zh
        from audit.publications as p
        left join seeds.schemes as s on s.scheme_code = p.scheme_code
        left join seeds.regions as r on r.region_code = s.region_code::text
        where p.publication_id = %s""", (publication_id,))
    if not rows:
        raise NotFound(f"没有编号为 {publication_id} 的发布 (no publication {publication_id})："
                         "已有的发布见 innopoints publish --list")
    p = rows[0]
    grades = tuple(Grade(g["grade"], g.get("label_zh") or "", g.get("min_share_of_max"))
                   for g in (p["grade_bands"] or []))
    return Publication(
        publication_id=p["publication_id"], scheme_code=p["scheme_code"],
        scheme_name_zh=p["scheme_name_zh"] or p["scheme_code"], eval_year=p["eval_year"],
        max_points=p["max_points"], published_at=p["published_at"], content_sha256=p["content_sha256"],
        kind=p["kind"], opens_on=p["opens_on"], closes_on=p["closes_on"], n_enterprises=p["n_enterprises"],
        grades=grades, cohort_region_code=p["cohort_region_code"], cohort_region_name_zh=p["cohort_region_name_zh"])


def reference(conn: Any) -> Reference:
    veto = {r["veto_code"]: r["description_zh"] for r in _rows(conn, "select veto_code, description_zh "
                                                                     "from seeds.veto_rules")}
    units = {r["indicator_code"]: r["unit"] for r in _rows(conn, "select indicator_code, unit from seeds.indicators")}
    regions = {str(r["region_code"]): (r["region_name_zh"], r["level"])
               for r in _rows(conn, "select region_code, region_name_zh, level from seeds.regions")}
    offices = {str(r["region_code"]): Office(str(r["region_code"]), r["office_name_zh"] or "", r["address_zh"] or "",
                                             r["contact_zh"] or "")
               for r in _rows(conn, "select * from seeds.ref_objection_offices")}
    bands = tuple((r["band_name_zh"], float(r["min_top_share"]), float(r["max_top_share"])) for r in _rows(
        conn, "select band_name_zh, min_top_share, max_top_share from seeds.ranking_bands order by band_order"))
    return Reference(veto, units, regions, offices, bands)


def enterprises(conn: Any, publication_id: int, uscc: str | None = None) -> list[tuple[str, str]]:
    """(uscc, city_name_zh) of every enterprise of the publication (or the one asked for), by city and uscc."""
    rows = conn.execute(
        "select uscc, coalesce(city_name_zh, city_code, '未知地市') from audit.publication_scores "
        "where publication_id = %s and (%s::text is null or uscc = %s) order by 2, 1",
        (publication_id, uscc, uscc)).fetchall()
    return [(u, c) for u, c in rows]


def enterprise_data(conn: Any, publication_id: int, usccs: Sequence[str]) -> list[EnterpriseData]:
    """Score and indicator rows of the given enterprises, in the order given."""
    scores = {r["uscc"]: EnterpriseData(r) for r in _rows(
        conn, "select * from audit.publication_scores where publication_id = %s and uscc = any(%s)",
        (publication_id, list(usccs)))}
    for r in _rows(conn, """
            select uscc, indicator_code, indicator_name_zh, category_code, category_name_zh, display_order,
                indicator_value, weight, points
            from audit.publication_indicator_points
            where publication_id = audit.indicator_rows_id(%s) and uscc = any(%s)
            order by uscc, display_order, indicator_code""", (publication_id, list(usccs))):
        scores[r["uscc"]].indicators.append(r)
    return [scores[u] for u in usccs if u in scores]


LISTED_SQL = """
    select uscc, enterprise_name, city_code, city_name_zh, stage_name_zh, is_vetoed, total_points,
        grade, grade_label_zh, rank_in_region, evaluated_in_region, rank_in_stage, ranked_in_stage,
        band_name_zh
    from audit.publication_scores
    where publication_id = %s and (%s::text is null or city_code = %s)
    order by is_vetoed, rank_in_region nulls last, enterprise_name, uscc"""
LISTED_CHUNK = 5_000


def listed(conn: Any, publication_id: int, city_code: str | None = None) -> list[Row]:
    """The rows of a published list (the province's, or one city's): ranked enterprises by rank, then
    the vetoed ones by name. All in memory: for a long list use ``iter_listed``."""
    return _rows(conn, LISTED_SQL, (publication_id, city_code, city_code))


def iter_listed(conn: Any, publication_id: int, city_code: str | None = None,
                chunk: int = LISTED_CHUNK) -> Iterator[Row]:
    """The rows of ``listed``, in its order, streamed through a server-side (named) cursor ``chunk`` rows
    at a time, so a national list (900,000 rows) never sits in memory. Runs in a transaction of its own
    on ``conn`` (a named cursor lives in one); ``conn`` must not be in a transaction already."""
    with conn.transaction(), conn.cursor(name="listed", row_factory=dict_row) as cur:
        cur.itersize = chunk
        cur.execute(LISTED_SQL, (publication_id, city_code, city_code))
        yield from cur


def counts(conn: Any, publication_id: int) -> dict[str | None, int]:
    """Enterprises of the publication per city code, and under None all of them."""
    out: dict[str | None, int] = {c: int(n) for c, n in conn.execute(
        "select city_code, count(*) from audit.publication_scores where publication_id = %s "
        "and city_code is not null group by city_code", (publication_id,)).fetchall()}
    out[None] = int(conn.execute("select count(*) from audit.publication_scores where publication_id = %s",
                                 (publication_id,)).fetchone()[0])
    return out


def cities(conn: Any, publication_id: int) -> list[tuple[str, str]]:
    """(city_code, city_name_zh) of the cities that have enterprises in the publication."""
    return [(c, n) for c, n in conn.execute(
        "select city_code, max(coalesce(city_name_zh, city_code)) from audit.publication_scores "
        "where publication_id = %s and city_code is not null group by city_code order by city_code",
        (publication_id,)).fetchall()]
