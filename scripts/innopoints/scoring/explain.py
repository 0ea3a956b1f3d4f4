"""`innopoints explain USCC --scheme LN-2025 --year 2024`: the score breakdown an officer shows an
enterprise (积分说明), read from the marts as innopoints_reporter.

It prints the enterprise, its stage, total / max, grade, rank and top share, then per indicator
the Chinese name, value, cohort size, ratio, weight, points and points lost, and what it needs for
the next grade; for a vetoed enterprise the veto reasons; for one not evaluated, why not.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from psycopg.rows import dict_row

Row = dict[str, Any]

QUALIFICATION = {0: "无", 1: "科技型中小企业", 2: "高新技术企业"}


class ExplainError(RuntimeError):
    """A message for the user: what is missing and what to do next."""


@dataclass
class Explanation:
    score: Row
    indicators: list[Row]

    def as_json(self) -> str:
        def conv(v: Any) -> Any:
            if isinstance(v, Decimal):
                return str(v)
            if hasattr(v, "isoformat"):
                return v.isoformat()
            return v

        return json.dumps({
            "score": {k: conv(v) for k, v in self.score.items()},
            "indicators": [{k: conv(v) for k, v in r.items()} for r in self.indicators],
        }, ensure_ascii=False, indent=2)


def fetch(conn: Any, uscc: str, scheme: str | None, year: int | None) -> list[Explanation]:
    """The explanations of one enterprise: for the scheme (or every scheme it is scored in) and
    the year (or the latest scored year)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            select * from marts.fct_enterprise_scores
            where uscc = %(uscc)s
              and (%(scheme)s::text is null or scheme_code = %(scheme)s)
              and (%(year)s::int is null or eval_year = %(year)s)
            order by scheme_code, eval_year desc
            """,
            {"uscc": uscc, "scheme": scheme, "year": year},
        )
        scores = cur.fetchall()
        if not scores:
            raise ExplainError(_not_found(cur, uscc, scheme, year))
        if year is None:  # the latest year per scheme
            latest: dict[str, int] = {}
            for s in scores:
                latest.setdefault(s["scheme_code"], s["eval_year"])
            scores = [s for s in scores if s["eval_year"] == latest[s["scheme_code"]]]
        out = []
        for s in scores:
            cur.execute(
                """
                select scores.*, indicators.category_name_zh, indicators.indicator_name_zh,
                    indicators.display_order, indicators.unit
                from marts.fct_indicator_scores as scores
                left join marts.dim_indicator as indicators using (indicator_code)
                where scores.scheme_code = %s and scores.eval_year = %s and scores.uscc = %s
                order by indicators.display_order, scores.indicator_code
                """,
                (s["scheme_code"], s["eval_year"], uscc),
            )
            out.append(Explanation(s, cur.fetchall()))
        return out


def _not_found(cur: Any, uscc: str, scheme: str | None, year: int | None) -> str:
    cur.execute(
        """
        select scheme_code, eval_year, is_evaluated, reason, reason_zh
        from marts.fct_score_coverage
        where uscc = %(uscc)s
          and (%(scheme)s::text is null or scheme_code = %(scheme)s)
          and (%(year)s::int is null or eval_year = %(year)s)
        order by scheme_code, eval_year
        """,
        {"uscc": uscc, "scheme": scheme, "year": year},
    )
    rows = cur.fetchall()
    what = f"{uscc}" + (f" in scheme {scheme}" if scheme else "") + (f" for {year}" if year else "")
    if rows:
        reasons = "; ".join(f"{r['scheme_code']} {r['eval_year']}: {r['reason_zh']} ({r['reason']})" for r in rows)
        return f"{what} has no score — not evaluated: {reasons}."
    cur.execute("select scheme_code, min(eval_year), max(eval_year) from marts.fct_enterprise_scores "
                "group by scheme_code order by scheme_code")
    available = ", ".join(f"{r['scheme_code']} {r['min']}-{r['max']}" for r in cur.fetchall())
    if not available:
        return "the marts hold no scores yet: import data and run `innopoints build` first."
    cur.execute("select count(*) as n from marts.fct_score_coverage where uscc = %s", (uscc,))
    if cur.fetchone()["n"] == 0:
        return (f"{what}: no such enterprise in the scored regions (check the 18-character USCC). "
                f"Scores exist for: {available}.")
    return f"{what}: no score. Scores exist for: {available}."


def _fmt_money(v: Decimal) -> str:
    if abs(v) >= 10_000:
        return f"{v / 10_000:,.2f} 万元"
    return f"{v:,.2f} 元"


def format_value(row: Row) -> str:
    v = row["indicator_value"]
    if v is None:
        return "无数据"
    unit = row.get("unit")
    if unit == "CNY":
        return _fmt_money(v)
    if unit == "ratio":
        return f"{v * 100:.2f}%"
    if unit == "persons":
        return f"{int(v)} 人"
    if unit == "count":
        return f"{int(v)} 项"
    if unit == "code" and row["indicator_code"] == "A03":
        return QUALIFICATION.get(int(v), str(v))
    if unit == "code":
        return f"{int(v)} 级" if v else "无"
    if unit == "flag":
        return "是" if v else "否"
    return str(v)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - _width(s))
    return fill + s if right else s + fill


def render(e: Explanation, out: TextIO = sys.stdout) -> None:
    s = e.score
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"企业创新积分说明  {s['scheme_name_zh']} ({s['scheme_code']})  {s['eval_year']} 年度")
    p("=" * 78)
    p(f"企业        {s['enterprise_name']}  ({s['uscc']})")
    p(f"所属地市    {s['city_name_zh'] or ''} ({s['city_code']})    "
      f"行业  {s['industry_section'] or ''} {s['industry_section_name_zh'] or ''} ({s['industry_code'] or '—'})")
    p(f"发展阶段    {s['stage_name_zh']} ({s['stage']}, 成立 {s['age_years']} 年)")
    if s["is_vetoed"]:
        p(f"总分        0 / {s['max_points']:g}    等级  V {s['grade_label_zh']}")
        p(f"一票否决    {s['veto_reasons_zh']} ({s['veto_codes']})")
        p(f"排名        第 {s['rank_in_region']} 名 / {s['cohort_region_name_zh']} "
          f"{s['evaluated_in_region']} 家参评企业 (被否决企业排在最后)")
        p("被一票否决的企业不计指标得分。消除否决原因后，下一年度可重新参评。")
        return
    p(f"总分        {s['total_points']} / {s['max_points']:g}  (得分率 {s['share_of_max'] * 100:.2f}%)")
    p(f"等级        {s['grade']} {s['grade_label_zh']}")
    p(f"排名        第 {s['rank_in_region']} 名 / {s['cohort_region_name_zh']} {s['evaluated_in_region']} 家参评企业"
      f"  (前 {s['top_share'] * 100:.2f}%)")
    if s["points_to_next_grade"] is not None:
        p(f"距 {s['next_grade']} 级    还需 {s['points_to_next_grade']} 分")
    else:
        p("下一等级    已是最高等级")
    p("")
    headers = ["指标", "指标值", "比较组", "得分比例", "权重", "得分", "失分"]
    rows = []
    category = None
    for r in e.indicators:
        if r["category_code"] != category:
            category = r["category_code"]
            rows.append([f"【{r['category_name_zh']}】", "", "", "", "", "", ""])
        cohort = f"{r['cohort_size']} 家" if r["cohort_size"] is not None else "分档"
        if r["cohort_basis"] == "all_stages":
            cohort += "*"
        rows.append([f"{r['indicator_code']} {r['indicator_name_zh']}", format_value(r), cohort,
                     f"{r['ratio'] * 100:.2f}%", f"{r['weight']:g}", f"{r['points']:.2f}", f"{r['points_lost']:.2f}"])
    total_w = sum((r["weight"] for r in e.indicators), Decimal(0))
    total_p = sum((r["points"] for r in e.indicators), Decimal(0))
    rows.append(["合计", "", "", "", f"{total_w:g}", f"{total_p:.2f}", f"{total_w - total_p:.2f}"])
    widths = [max(_width(str(x[i])) for x in [headers, *rows]) for i in range(len(headers))]
    p("  ".join(_pad(h, widths[i], right=i > 0) for i, h in enumerate(headers)))
    p("  ".join("-" * w for w in widths))
    for r in rows:
        p("  ".join(_pad(str(c), widths[i], right=i > 0) for i, c in enumerate(r)))
    if any(r["cohort_basis"] == "all_stages" for r in e.indicators):
        p("* 同阶段参评企业不足最小比较组规模，与本地区全部阶段的参评企业比较。")
    lost = sorted((r for r in e.indicators if r["points_lost"] > 0), key=lambda r: -r["points_lost"])[:3]
    if lost:
        p("")
        p("失分最多的指标: " + "；".join(f"{r['indicator_name_zh']} 失 {r['points_lost']:.2f} 分" for r in lost))


def explain(uscc: str, scheme: str | None, year: int | None, as_json: bool = False,
            out: TextIO = sys.stdout) -> int:
    from innopoints import db

    uscc = uscc.strip().upper()
    with db.connect(db.REPORTER) as conn:
        explanations = fetch(conn, uscc, scheme, year)
    for i, e in enumerate(explanations):
        if i:
            print("", file=out)
        if as_json:
            print(e.as_json(), file=out)
        else:
            render(e, out)
    return 0
