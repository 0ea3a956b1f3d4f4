"""`innopoints explain USCC|NAME --scheme LN-2025 --year 2024`: the score breakdown an officer shows an
enterprise (积分说明), read from the marts as innopoints_reporter.

The enterprise is given by its USCC (checked first: length, characters, GB 32100 check character)
or by part of its name (an ``ilike`` search of marts.dim_enterprise; several matches are listed to
pick from, interactively when stdin is a terminal).

It prints the enterprise, its stage, total / max, grade, rank and top share, then per indicator
the Chinese name, value, cohort size, ratio, weight, points and points lost, and what it needs for
the next grade; for a vetoed enterprise the veto reasons; for one not evaluated, why not.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from psycopg.rows import dict_row

from innopoints.errors import InnopointsError, NeedsChoice, NotFound, UsageError
from innopoints.uscc import USCC_CHARSET, uscc_check_digit

Row = dict[str, Any]

QUALIFICATION = {0: "无", 1: "科技型中小企业", 2: "高新技术企业"}


MAX_CHOICES = 20
_USCC_SHAPED = re.compile(r"[0-9A-Za-z]*[0-9][0-9A-Za-z]*")


# what explain raises: UsageError (a malformed USCC), NotFound (no such enterprise or scores), NeedsChoice
ExplainError = InnopointsError


class AmbiguousName(NeedsChoice):
    """Several enterprises match the name given and no one can pick: the list, and rerun with the USCC."""


@dataclass(frozen=True)
class Match:
    uscc: str
    name: str
    city: str

    def line(self, number: int) -> str:
        return f"{number:>3}. {self.name}  {self.uscc}  {self.city}"


def looks_like_uscc(text: str) -> bool:
    """Latin letters and digits with at least one digit: meant as a USCC (checked), not as a name."""
    return bool(_USCC_SHAPED.fullmatch(text.strip()))


def uscc_problem(code: str) -> str | None:
    """What is wrong with a USCC (normalised: stripped, upper-case), in Chinese and English; None if valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，收到{len(code)}位 (USCC must be 18 characters, got {len(code)}): {code}"
    for pos, ch in enumerate(code, start=1):
        if ch not in USCC_CHARSET:
            return (f"统一社会信用代码第{pos}位的字符 {ch!r} 不合法：只用数字和除 I、O、S、V、Z 以外的大写字母 "
                    f"(character {ch!r} at position {pos} is not allowed in a USCC): {code}")
    expected = uscc_check_digit(code[:17])
    if code[17] != expected:
        return (f"校验位错误：应为 {expected}，收到 {code[17]} (check digit should be {expected}, got {code[17]}); "
                f"请核对前17位是否抄错 (check the first 17 characters): {code}")
    return None


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
            raise NotFound(_not_found(cur, uscc, scheme, year))
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
        select coverage.scheme_code, schemes.scheme_name_zh, coverage.eval_year, coverage.reason,
            coverage.reason_zh
        from marts.fct_score_coverage as coverage
        left join marts.dim_scheme as schemes using (scheme_code)
        where coverage.uscc = %(uscc)s
          and (%(scheme)s::text is null or coverage.scheme_code = %(scheme)s)
          and (%(year)s::int is null or coverage.eval_year = %(year)s)
          and not coverage.is_evaluated
        order by coverage.scheme_code, coverage.eval_year
        """,
        {"uscc": uscc, "scheme": scheme, "year": year},
    )
    reasons = cur.fetchall()
    name = _enterprise_name(cur, uscc)
    who = f"{name} ({uscc})" if name else uscc
    asked = (f" {scheme}" if scheme else "") + (f" {year} 年度" if year else "")
    if reasons:
        listed = "；".join(f"{_scheme_label(r)} {r['eval_year']} 年度：{r['reason_zh']} ({r['reason']})"
                          for r in reasons)
        return f"{who}{asked} 未参评，没有积分 (not evaluated): {listed}。"
    cur.execute("select exists (select from marts.fct_enterprise_scores) as any")
    if not cur.fetchone()["any"]:
        return ("数仓中还没有积分 (the marts hold no scores yet)：请先导入数据 (innopoints import) "
                "并构建 (innopoints build)。")
    if name is None:
        return (f"未找到统一社会信用代码为 {uscc} 的企业 (no such enterprise in the scored regions)："
                "请核对代码，或按企业名称查询：innopoints explain 企业名称")
    scored = _scored_years(cur, uscc)
    if not scored:
        return f"{who} 在任何积分方案中都还没有积分 (no score in any scheme yet)。"
    return (f"{who}{asked} 没有积分 (no score for that scheme/year)。该企业已有积分的方案和年度 "
            f"(schemes and years with scores): {scored}")


def _scheme_label(row: Row) -> str:
    return f"{row['scheme_name_zh']} ({row['scheme_code']})" if row.get("scheme_name_zh") else row["scheme_code"]


def _enterprise_name(cur: Any, uscc: str) -> str | None:
    """The enterprise's current name in the marts, or None when the USCC is unknown there."""
    cur.execute(
        """
        select enterprise_name from marts.dim_enterprise where uscc = %s
        order by is_current desc, valid_from desc limit 1
        """,
        (uscc,),
    )
    row = cur.fetchone()
    if row:
        return row["enterprise_name"]
    cur.execute("select exists (select from marts.fct_score_coverage where uscc = %s) as known", (uscc,))
    return "" if cur.fetchone()["known"] else None


def _scored_years(cur: Any, uscc: str) -> str:
    """Each scheme the enterprise has scores in, with its years: "name (code) 2023、2024 年度; …"."""
    cur.execute(
        """
        select scheme_code, max(scheme_name_zh) as scheme_name_zh,
            string_agg(eval_year::text, '、' order by eval_year) as years
        from marts.fct_enterprise_scores
        where uscc = %s
        group by scheme_code
        order by scheme_code
        """,
        (uscc,),
    )
    return "；".join(f"{_scheme_label(r)} {r['years']} 年度" for r in cur.fetchall())


def find_by_name(conn: Any, text: str) -> list[Match]:
    """Enterprises whose name (current or former) contains ``text``, case-insensitive, by name."""
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text.strip()) + "%"
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            with matched as (
                select distinct uscc from marts.dim_enterprise where enterprise_name ilike %s
            )
            select distinct on (uscc) uscc, enterprise_name, city_name_zh
            from marts.dim_enterprise
            join matched using (uscc)
            order by uscc, is_current desc, valid_from desc
            """,
            (pattern,),
        )
        rows = cur.fetchall()
    return sorted((Match(r["uscc"], r["enterprise_name"], r["city_name_zh"] or "") for r in rows),
                  key=lambda m: (m.name, m.uscc))


def _choice_list(matches: list[Match]) -> str:
    lines = [m.line(i) for i, m in enumerate(matches[:MAX_CHOICES], start=1)]
    if len(matches) > MAX_CHOICES:
        lines.append(f"  … 共 {len(matches)} 家，仅列前 {MAX_CHOICES} 家，请输入更完整的名称 "
                     f"({len(matches)} matches, first {MAX_CHOICES} shown; give more of the name)")
    return "\n".join(lines)


def _ask(matches: list[Match], stdin: TextIO, err: TextIO) -> Match:
    shown = matches[:MAX_CHOICES]
    while True:
        err.write(f"请输入序号 1-{len(shown)}，直接回车取消 (pick a number, Enter to cancel): ")
        err.flush()
        answer = stdin.readline()
        if not answer.strip():
            raise NeedsChoice("已取消 (cancelled)")
        if answer.strip().isdigit() and 1 <= int(answer) <= len(shown):
            return shown[int(answer) - 1]
        err.write(f"无效的序号 (not a number from the list): {answer.strip()}\n")


def resolve_enterprise(conn: Any, text: str, stdin: TextIO | None = None, err: TextIO = sys.stderr) -> str:
    """The USCC meant by ``text``: a checked USCC, or the one enterprise whose name contains it."""
    text = text.strip()
    if looks_like_uscc(text):
        code = text.upper()
        problem = uscc_problem(code)
        if problem:
            raise UsageError(problem)
        return code
    if not text:
        raise UsageError("请给出统一社会信用代码或企业名称 (give a USCC or part of an enterprise name)")
    matches = find_by_name(conn, text)
    if not matches:
        raise NotFound(f"没有名称包含“{text}”的企业 (no enterprise name contains {text!r})；"
                       "请换个写法或用统一社会信用代码查询 (try other words or the USCC)")
    if len(matches) == 1:
        chosen = matches[0]
    else:
        stdin = stdin if stdin is not None else sys.stdin
        heading = f"名称包含“{text}”的企业有 {len(matches)} 家 (several enterprises match):"
        if not stdin.isatty():
            raise AmbiguousName(f"{heading}\n{_choice_list(matches)}\n"
                                "请用统一社会信用代码重新运行 (rerun with the USCC): innopoints explain USCC")
        err.write(f"{heading}\n{_choice_list(matches)}\n")
        chosen = _ask(matches, stdin, err)
    err.write(f"企业 (enterprise): {chosen.name}  {chosen.uscc}  {chosen.city}\n")
    return chosen.uscc


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
    def p(*parts: object) -> None:
        out.write(" ".join(map(str, parts)) + "\n")

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


def explain(enterprise: str, scheme: str | None, year: int | None, as_json: bool = False,
            out: TextIO = sys.stdout, stdin: TextIO | None = None, err: TextIO = sys.stderr) -> int:
    """Print the breakdown of ``enterprise`` (a USCC, or part of its name); ExplainError says what is wrong."""
    from innopoints import db

    if looks_like_uscc(enterprise):  # refuse a malformed code before connecting
        resolve_enterprise(None, enterprise)
    with db.connect(db.REPORTER) as conn:
        uscc = resolve_enterprise(conn, enterprise, stdin, err)
        explanations = fetch(conn, uscc, scheme, year)
    for i, e in enumerate(explanations):
        if i:
            out.write("\n")
        if as_json:
            out.write(e.as_json() + "\n")
        else:
            render(e, out)
    return 0
