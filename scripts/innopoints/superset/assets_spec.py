"""The dashboards as data: datasets (mart tables only), saved metrics, charts, layout, filters.

The one master of the BI site: `innopoints superset author` writes superset/assets/ (and dbt's
exposures) from it, `innopoints superset setup` imports them. A dashboard edited in the UI and saved
with `innopoints superset export` is a proposal: its differences are read and carried here by hand.

Every dataset is a physical table in schema `marts`; every figure is a mart column whose definition is
in the dbt docs. A metric only sums mart columns, picks one (MAX of a value that repeats) or divides
two sums of additive mart columns (numerator and denominator documented next to the rate they give),
so a figure over several cities or banks is the mart's figure for them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from innopoints import seeds


@dataclass(frozen=True)
class Metric:
    name: str
    sql: str
    label: str
    d3format: str | None = None
    description: str | None = None  # the mart column(s) it gives, as the dbt docs define them


@dataclass(frozen=True)
class Dataset:
    table: str
    columns: dict[str, tuple[str, str]]  # name -> (SQL type, Chinese label)
    metrics: tuple[Metric, ...] = ()
    description: str | None = None
    main_dttm: str | None = None
    # calculated columns: name -> SQL over the table's own columns (e.g. a year for the year filter)
    expressions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    dataset: str
    viz: str
    metrics: list[str] = field(default_factory=list)
    groupby: list[str] = field(default_factory=list)
    x_axis: str | None = None
    time_grain: str | None = None
    row_limit: int = 1000
    order_by: str | None = None
    order_asc: bool = False
    stacked: bool = False
    sort_by_metric: bool = False
    number_format: str = "SMART_NUMBER"
    subheader: str = ""
    x_title: str = ""
    height: int = 50
    description: str | None = None
    ignore_filters: tuple[str, ...] = ()  # native filter columns that must not apply to this chart
    # True only where clean demo data legitimately has no row (e.g. no quarantined row); the API test
    # still requires the query to succeed
    may_be_empty: bool = False
    where: str = ""  # a fixed, simple WHERE on the mart's own columns (e.g. "is_latest_run")
    metrics_b: list[str] = field(default_factory=list)  # mixed_timeseries: the series on the right axis
    number_format_b: str = "SMART_NUMBER"
    series_type: str = "bar"
    series_type_b: str = "line"
    horizontal: bool = False  # bars along the y axis: long category names stay readable
    x_label_rotation: int = 0
    pivot_columns: list[str] = field(default_factory=list)  # pivot_table_v2: the column headers
    search: bool = False  # a search box over the table's rows


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    rows: list[list[tuple[str, int]]]  # rows of (chart key, width out of 12)
    description: str | None = None


@dataclass(frozen=True)
class NativeFilter:
    column: str
    label: str
    source_dataset: str
    default: str | int | None = None
    first_item: bool = False
    multi: bool = False
    required: bool = False
    search_all: bool = False  # search every value in the database, not only the first 1,000 loaded
    prefilter: str | None = None  # SQL over the source dataset's columns limiting the values offered
    dashboards: tuple[str, ...] = ()  # slugs it is on; empty = every dashboard with the column
    parent: str | None = None  # the column of a filter on the same dashboard that narrows this one's values


# -- common columns ---------------------------------------------------------------------------
YEAR = {"eval_year": ("INTEGER", "年度")}
SCHEME = {"scheme_code": ("VARCHAR", "积分方案")}
# cities and banks: the name is what a person reads and filters on; the code is a second column
CITY = {"city_name_zh": ("VARCHAR", "城市"), "city_code": ("VARCHAR", "城市代码")}
BANK = {"bank_name_zh": ("VARCHAR", "银行"), "bank_code": ("VARCHAR", "银行代码")}
GRADE = {"grade_display_zh": ("VARCHAR", "等级"), "grade": ("VARCHAR", "等级代码")}

def _seed_label(code_column: str, label_column: str) -> str:
    """A calculated column naming a code from the indicators seed (CASE … ELSE the code), so a table
    as large as fct_indicator_scores need not store the names; re-author after changing the seed."""
    labels = {r[code_column]: r[label_column] for r in seeds.load("indicators")}
    whens = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in sorted(labels.items()))
    return f"CASE {code_column} {whens} ELSE {code_column} END"


# how an indicator value reads, by the unit the indicators seed gives it (a ratio as %, yuan in 万元)
_UNIT_FORMATS = {
    "CNY": "to_char(indicator_value / 1e4, 'FM999G999G990D00') || ' 万元'",
    "ratio": "to_char(indicator_value * 100, 'FM999G990D00') || '%'",
    "count": "to_char(indicator_value, 'FM999G999G990')",
    "persons": "to_char(indicator_value, 'FM999G999G990') || ' 人'",
    "flag": "CASE WHEN indicator_value = 1 THEN '是' ELSE '否' END",
    "code": "to_char(indicator_value, 'FM999G990')",
}


def _value_display() -> str:
    """A calculated column writing an indicator's value in its unit (indicators seed), '—' when none."""
    units = {r["indicator_code"]: r["unit"] for r in seeds.load("indicators")}
    whens = " ".join(f"WHEN '{code}' THEN {_UNIT_FORMATS[unit]}" for code, unit in sorted(units.items()))
    return f"COALESCE(CASE indicator_code {whens} END, '—')"


def _sum(name: str, column: str, label: str, fmt: str = ",d", scale: str = "") -> Metric:
    return Metric(name, f"SUM({column}){scale}", label, fmt, f"Σ {column}{scale}")


def _ratio(name: str, num: str, den: str, label: str, fmt: str = ".1%", of: str = "") -> Metric:
    """Σ numerator / Σ denominator of additive mart columns: over one row it is the mart's rate `of`."""
    return Metric(name, f"SUM({num}) * 1.0 / NULLIF(SUM({den}), 0)", label, fmt,
                  f"Σ {num} / Σ {den}" + (f" (= {of})" if of else ""))


def _pick(name: str, column: str, label: str, fmt: str) -> Metric:
    """A value the mart repeats on every row of the group (or holds once): the chart picks it."""
    return Metric(name, f"MAX({column})", label, fmt, f"{column}, picked")


# the pre-counted score marts (fct_score_distribution, fct_score_summary, …) hold an `enterprises`
# count per row: their metrics add the counts up instead of counting one row per enterprise
COUNTED_ENT = _sum("enterprises", "enterprises", "企业数")
COUNTED_AVG = _ratio("avg_points", "points_sum", "enterprises", "平均创新积分（含否决企业，计0分）", ".1f")
COUNTED_AVG_SCORED = Metric(
    "avg_points_scored", "SUM(CASE WHEN NOT is_vetoed THEN points_sum END) * 1.0 "
    "/ NULLIF(SUM(CASE WHEN NOT is_vetoed THEN enterprises END), 0)", "平均创新积分（不含否决企业）", ".1f",
    "Σ points_sum / Σ enterprises over the rows not vetoed")
COUNTED_VETOED = Metric("vetoed", "SUM(CASE WHEN is_vetoed THEN enterprises ELSE 0 END)", "否决企业数", ",d",
                        "Σ enterprises over the vetoed rows")
COUNTED_A_SHARE = Metric("grade_a_share", "SUM(CASE WHEN grade = 'A' THEN enterprises ELSE 0 END) * 1.0 "
                         "/ NULLIF(SUM(enterprises), 0)", "A级占比", ".1%", "Σ enterprises of grade A / Σ enterprises")

YI, WAN = " / 1e8", " / 1e4"  # yuan to 亿元 and 万元

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "fct_leadership_headline",
        {**SCHEME, **YEAR, **CITY, "region_level": ("VARCHAR", "地区层级"), "region_name_zh": ("VARCHAR", "地区"),
         "enterprises_evaluated": ("INTEGER", "参评企业数"), "enterprises_scored": ("INTEGER", "计分企业数"),
         "enterprises_vetoed": ("INTEGER", "否决企业数"), "points_sum_scored": ("NUMERIC", "积分合计（不含否决）"),
         "grade_a_enterprises": ("INTEGER", "A级企业数"), "amount_disbursed": ("NUMERIC", "放款金额"),
         "enterprises_financed": ("INTEGER", "获贷企业数"), "enterprises_decided": ("INTEGER", "已决企业数"),
         "enterprises_approved": ("INTEGER", "获批企业数"), "amount_with_rate": ("NUMERIC", "有利率放款金额"),
         "rate_pct_x_amount": ("NUMERIC", "利率×金额"), "ordinary_rate_pct_x_amount": ("NUMERIC", "普通利率×金额"),
         "saving_pct_points_x_amount": ("NUMERIC", "节省×金额"),
         "policy_amount_disbursed": ("NUMERIC", "政策兑现金额"),
         "policy_applications_disbursed": ("INTEGER", "政策兑现笔数"),
         "policy_disbursed_on_time": ("INTEGER", "按时兑现笔数"), "policy_days_sum": ("INTEGER", "兑现天数合计")},
        (_sum("lh_enterprises", "enterprises_evaluated", "参评企业数"),
         _ratio("lh_mean_points", "points_sum_scored", "enterprises_scored", "平均创新积分（不含否决企业）", ".1f",
                "mean_points"),
         _sum("lh_vetoed", "enterprises_vetoed", "一票否决企业数"),
         _sum("lh_grade_a", "grade_a_enterprises", "A级企业数"),
         _sum("lh_amount_yi", "amount_disbursed", "放款金额（亿元）", ",.2f", YI),
         _sum("lh_financed", "enterprises_financed", "获贷企业数"),
         _ratio("lh_success", "enterprises_approved", "enterprises_decided", "融资成功率（企业）", ".1%",
                "enterprise_success_rate"),
         _ratio("lh_rate", "rate_pct_x_amount", "amount_with_rate", "贷款加权平均年利率（%）", ".2f",
                "weighted_rate_pct"),
         _ratio("lh_saving", "saving_pct_points_x_amount", "ordinary_rate_pct_x_amount", "较普通贷款节省", ".1%",
                "saving_share"),
         _sum("lh_policy_wan", "policy_amount_disbursed", "政策兑现金额（万元）", ",.1f", WAN),
         _ratio("lh_policy_on_time", "policy_disbursed_on_time", "policy_applications_disbursed", "政策按时兑现率",
                ".1%", "policy_on_time_share"),
         _ratio("lh_policy_days", "policy_days_sum", "policy_applications_disbursed", "政策平均兑现天数", ".1f",
                "policy_days_mean")),
        "Leadership headline per scheme, year and region; charts add up the city rows — 领导驾驶舱指标",
    ),
    Dataset(
        "fct_leadership_yoy",
        {**SCHEME, **YEAR, **CITY, "region_level": ("VARCHAR", "地区层级"), "figure_order": ("INTEGER", "序号"),
         "figure_zh": ("VARCHAR", "指标"), "numerator_this_year": ("NUMERIC", "本年分子"),
         "denominator_this_year": ("NUMERIC", "本年分母"), "numerator_last_year": ("NUMERIC", "上年分子"),
         "denominator_last_year": ("NUMERIC", "上年分母")},
        (Metric("yoy_order", "MIN(figure_order)", "序号", ",d", "figure_order"),
         Metric("yoy_this", "SUM(numerator_this_year) / NULLIF(COALESCE(SUM(denominator_this_year), 1), 0)",
                "本年", ",.2~f", "Σ numerator_this_year / Σ denominator_this_year (= value_this_year)"),
         Metric("yoy_last", "SUM(numerator_last_year) / NULLIF(COALESCE(SUM(denominator_last_year), 1), 0)",
                "上年", ",.2~f", "Σ numerator_last_year / Σ denominator_last_year (= value_last_year)"),
         Metric("yoy_change",
                "(SUM(numerator_this_year) / NULLIF(COALESCE(SUM(denominator_this_year), 1), 0)) "
                "/ NULLIF(SUM(numerator_last_year) / NULLIF(COALESCE(SUM(denominator_last_year), 1), 0), 0) - 1",
                "同比", "+.1%", "本年 / 上年 − 1 (= yoy_change)")),
        "This year against last year per scheme, region and figure — 同比",
    ),
    Dataset(
        "dim_score_scope",
        {**SCHEME, "scheme_name_zh": ("VARCHAR", "积分方案名称"), **YEAR,
         "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY},
        (),
        "Schemes, years and cities with evaluated enterprises: the values of the dashboards' filters — 评价范围",
    ),
    Dataset(
        "fct_score_distribution",
        {**SCHEME, **YEAR, "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY, **GRADE,
         "is_vetoed": ("BOOLEAN", "一票否决"), "total_points": ("NUMERIC", "创新积分"),
         "points_bin": ("INTEGER", "积分区间（下限）"), "enterprises": ("INTEGER", "企业数"),
         "points_sum": ("NUMERIC", "积分合计")},
        (COUNTED_ENT, COUNTED_AVG, COUNTED_AVG_SCORED,
         # exact: the median of the enterprises counted per exact total (equal to PERCENTILE_CONT over them)
         Metric("median_points",
                "marts.percentile_from_counts(ARRAY_AGG(total_points) FILTER (WHERE NOT is_vetoed), "
                "ARRAY_AGG(enterprises) FILTER (WHERE NOT is_vetoed), 0.5)",
                "创新积分中位数（不含否决企业）", ".1f",
                "median of total_points over the enterprises not vetoed (= fct_leadership_headline.median_points)"),
         COUNTED_VETOED, COUNTED_A_SHARE),
        "Enterprises per exact total by city and grade — 积分分布",
    ),
    Dataset(
        "fct_score_summary",
        {**SCHEME, **YEAR, "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY,
         "industry_section_name_zh": ("VARCHAR", "行业门类"), "industry_section": ("VARCHAR", "行业门类代码"),
         "stage_name_zh": ("VARCHAR", "发展阶段"), "stage": ("VARCHAR", "发展阶段代码"), **GRADE,
         "is_vetoed": ("BOOLEAN", "一票否决"), "veto_reasons_zh": ("VARCHAR", "否决原因"),
         "enterprises": ("INTEGER", "企业数"), "points_sum": ("NUMERIC", "积分合计")},
        (COUNTED_ENT, COUNTED_AVG, COUNTED_AVG_SCORED, COUNTED_VETOED, COUNTED_A_SHARE),
        "Enterprises and points by city, industry, stage, grade and veto — 积分汇总",
    ),
    Dataset(
        "fct_indicator_score_summary",
        {**SCHEME, **YEAR, **CITY, "stage_name_zh": ("VARCHAR", "发展阶段"),
         "category_name_zh": ("VARCHAR", "指标类别"),
         "indicator_name_zh": ("VARCHAR", "指标"), "indicator_code": ("VARCHAR", "指标代码"),
         "enterprises_scored": ("INTEGER", "计分企业数"), "points_sum": ("NUMERIC", "得分合计"),
         "weight_sum": ("NUMERIC", "可得分合计"), "points_lost_sum": ("NUMERIC", "失分合计")},
        (_ratio("avg_won", "points_sum", "enterprises_scored", "平均得分", ".2f"),
         _ratio("avg_lost", "points_lost_sum", "enterprises_scored", "平均失分", ".2f"),
         _ratio("won_share", "points_sum", "weight_sum", "得分率", ".1%")),
        "Points per indicator added up by city and stage — 指标得分汇总",
    ),
    Dataset(
        "fct_score_coverage_summary",
        {**SCHEME, **YEAR, **CITY, "is_evaluated": ("BOOLEAN", "是否参评"), "reason_zh": ("VARCHAR", "参评情况"),
         "enterprises": ("INTEGER", "企业数")},
        (COUNTED_ENT,
         Metric("evaluated_share", "SUM(CASE WHEN is_evaluated THEN enterprises ELSE 0 END) * 1.0 "
                "/ NULLIF(SUM(enterprises), 0)", "参评率", ".1%", "Σ enterprises evaluated / Σ enterprises")),
        "Enterprises evaluated or not, with reasons, by city — 参评覆盖汇总",
    ),
    Dataset(
        "fct_grade_outcomes",
        {**SCHEME, **YEAR, **CITY, **BANK, **GRADE, "grade_order": ("INTEGER", "等级顺序"),
         "applications_decided": ("INTEGER", "已决申请"), "applications_approved": ("INTEGER", "批准申请"),
         "loans_disbursed": ("INTEGER", "放款笔数"), "loans_default": ("INTEGER", "不良笔数"),
         "loans_with_outcome": ("INTEGER", "有结果贷款")},
        (_sum("go_decided", "applications_decided", "已决申请"),
         _ratio("go_approval", "applications_approved", "applications_decided", "批准率（申请）", ".1%",
                "approval_rate"),
         _sum("go_disbursed", "loans_disbursed", "放款笔数"),
         _ratio("go_default", "loans_default", "loans_disbursed", "不良率（笔数）", ".1%", "default_rate_by_count")),
        "Approval and default by the grade at application, per application year — 等级与审批、不良",
    ),
    Dataset(
        "fct_score_auc",
        {**SCHEME, **YEAR, **CITY, **BANK, "region_name_zh": ("VARCHAR", "地区"),
         "loans_with_outcome": ("INTEGER", "有结果贷款"), "loans_default": ("INTEGER", "不良笔数"),
         "auc": ("NUMERIC", "AUC")},
        (_pick("auc_value", "auc", "积分区分度（AUC）", ".3f"),
         _sum("auc_loans", "loans_with_outcome", "有结果贷款笔数"),
         _sum("auc_defaults", "loans_default", "其中不良")),
        "AUC of the score at application against default — 积分区分度",
    ),
    Dataset(
        "fct_grade_migration",
        {**SCHEME, **YEAR, **CITY, "from_grade_display_zh": ("VARCHAR", "上年等级"),
         "to_grade_display_zh": ("VARCHAR", "本年等级"), "movement": ("VARCHAR", "变动"),
         "enterprises": ("INTEGER", "企业数")},
        (_sum("gm_enterprises", "enterprises", "企业数"),),
        "Enterprises by grade last year and this year — 等级迁移",
    ),
    Dataset(
        "fct_financing_monthly",
        {"month": ("DATE", "月份"), **YEAR, **SCHEME, **CITY, **BANK, "product_name_zh": ("VARCHAR", "产品"),
         "product_code": ("VARCHAR", "产品代码"), **GRADE,
         "applications_decided": ("INTEGER", "已决申请"), "applications_approved": ("INTEGER", "批准申请"),
         "amount_disbursed": ("NUMERIC", "放款金额"), "loans_disbursed": ("INTEGER", "放款笔数"),
         "amount_with_rate": ("NUMERIC", "有利率金额"), "rate_pct_x_amount": ("NUMERIC", "利率×金额"),
         "amount_with_lpr": ("NUMERIC", "有LPR金额"), "spread_bp_x_amount": ("NUMERIC", "利差×金额"),
         "lpr_1y_pct": ("NUMERIC", "一年期LPR%"), "approval_days_sum": ("NUMERIC", "审批天数合计"),
         "ordinary_rate_pct_x_amount": ("NUMERIC", "普通利率×金额"),
         "saving_pct_points_x_amount": ("NUMERIC", "节省×金额")},
        (_sum("fm_amount_yi", "amount_disbursed", "放款金额（亿元）", ",.2f", YI),
         _sum("fm_disbursed", "loans_disbursed", "放款笔数"),
         _ratio("fm_app_success", "applications_approved", "applications_decided", "融资成功率（申请）", ".1%",
                "application_success_rate"),
         _ratio("fm_rate", "rate_pct_x_amount", "amount_with_rate", "加权平均年利率（%）", ".2f", "weighted_rate_pct"),
         _pick("fm_lpr", "lpr_1y_pct", "一年期LPR（%）", ".2f"),
         _ratio("fm_spread", "spread_bp_x_amount", "amount_with_lpr", "较LPR利差（基点）", ",.0f",
                "weighted_spread_bp"),
         _ratio("fm_days", "approval_days_sum", "applications_decided", "平均审批天数", ".1f", "approval_days_mean"),
         _ratio("fm_saving", "saving_pct_points_x_amount", "ordinary_rate_pct_x_amount", "较普通贷款节省", ".1%",
                "saving_share"),
         _sum("fm_decided", "applications_decided", "已决申请")),
        "Monthly financing facts by city, bank, product, grade — 融资月度指标",
        main_dttm="month",
    ),
    Dataset(
        "fct_financing_yearly",
        {**SCHEME, **YEAR, **CITY, **BANK, "applications_received": ("INTEGER", "受理申请"),
         "applications_decided": ("INTEGER", "已决申请"), "applications_approved": ("INTEGER", "批准申请"),
         "enterprises_decided": ("INTEGER", "已决企业"), "enterprises_approved": ("INTEGER", "获批企业"),
         "approval_days_sum": ("NUMERIC", "审批天数合计"), "loans_disbursed": ("INTEGER", "放款笔数"),
         "enterprises_financed": ("INTEGER", "获贷企业"), "amount_disbursed": ("NUMERIC", "放款金额"),
         "amount_with_rate": ("NUMERIC", "有利率金额"), "rate_pct_x_amount": ("NUMERIC", "利率×金额"),
         "amount_with_lpr": ("NUMERIC", "有LPR金额"), "spread_bp_x_amount": ("NUMERIC", "利差×金额"),
         "ordinary_rate_pct_x_amount": ("NUMERIC", "普通利率×金额"),
         "saving_pct_points_x_amount": ("NUMERIC", "节省×金额"), "loans_default": ("INTEGER", "不良笔数"),
         "outstanding_balance": ("NUMERIC", "贷款余额"), "default_balance": ("NUMERIC", "不良余额")},
        (_sum("fy_disbursed", "loans_disbursed", "放款笔数"),
         _sum("fy_amount_yi", "amount_disbursed", "放款金额（亿元）", ",.2f", YI),
         _sum("fy_financed", "enterprises_financed", "获贷企业数（各行合计）"),
         _ratio("fy_success", "enterprises_approved", "enterprises_decided", "融资成功率（企业）", ".1%",
                "enterprise_success_rate"),
         _ratio("fy_app_success", "applications_approved", "applications_decided", "融资成功率（申请）", ".1%",
                "application_success_rate"),
         _ratio("fy_rate", "rate_pct_x_amount", "amount_with_rate", "加权平均年利率（%）", ".2f", "weighted_rate_pct"),
         _ratio("fy_spread", "spread_bp_x_amount", "amount_with_lpr", "较LPR利差（基点）", ",.0f",
                "weighted_spread_bp"),
         _ratio("fy_saving", "saving_pct_points_x_amount", "ordinary_rate_pct_x_amount", "较普通贷款节省", ".1%",
                "saving_share"),
         _ratio("fy_days", "approval_days_sum", "applications_decided", "平均审批天数", ".1f", "approval_days_mean"),
         _ratio("fy_default", "loans_default", "loans_disbursed", "不良率（笔数）", ".2%", "default_rate_by_count"),
         _ratio("fy_default_balance", "default_balance", "outstanding_balance", "不良率（余额）", ".2%",
                "default_rate_by_balance")),
        "Yearly financing facts by city and bank — 融资年度指标",
    ),
    Dataset(
        "fct_financing_funnel",
        {**SCHEME, **YEAR, **CITY, **BANK, "stage_order": ("INTEGER", "环节顺序"), "stage_zh": ("VARCHAR", "环节"),
         "applications": ("INTEGER", "申请笔数")},
        (_sum("ff_applications", "applications", "申请笔数"),),
        "The applications of a year followed through decision, approval and disbursement — 申请漏斗",
    ),
    Dataset(
        "fct_risk_pool",
        {"pool_name_zh": ("VARCHAR", "风险补偿资金池"), "pool_code": ("VARCHAR", "资金池代码"), **CITY, **BANK,
         "loans_default": ("INTEGER", "不良笔数"), "exposure_yuan": ("NUMERIC", "补偿敞口"),
         "pool_size_yuan": ("NUMERIC", "资金池规模")},
        (_sum("rp_exposure_wan", "exposure_yuan", "补偿敞口（万元）", ",.1f", WAN),
         Metric("rp_size_wan", "MAX(pool_size_yuan) / 1e4", "资金池规模（万元）", ",.1f",
                "pool_size_yuan (repeated on each row of a pool), picked"),
         _sum("rp_defaults", "loans_default", "不良笔数")),
        "Risk-pool exposure of defaulted loans against the pool size — 风险补偿资金池",
    ),
    Dataset(
        "fct_policy_yearly",
        {**YEAR, **CITY, "policy_type_name_zh": ("VARCHAR", "政策类型"), "policy_type": ("VARCHAR", "政策类型代码"),
         "applications_received": ("INTEGER", "受理笔数"), "applications_approved": ("INTEGER", "批准笔数"),
         "applications_disbursed": ("INTEGER", "兑现笔数"), "amount_disbursed": ("NUMERIC", "兑现金额"),
         "disbursed_on_time": ("INTEGER", "按时兑现笔数"), "days_to_disbursement_sum": ("INTEGER", "兑现天数合计"),
         "backlog": ("INTEGER", "积压笔数"), "backlog_amount": ("NUMERIC", "积压金额"),
         "backlog_overdue": ("INTEGER", "超期积压笔数"), "promised_days": ("INTEGER", "承诺兑现天数")},
        (_sum("py_received", "applications_received", "受理笔数"),
         _sum("py_approved", "applications_approved", "其中批准"),
         _sum("py_disbursed", "applications_disbursed", "其中已兑现"),
         _sum("py_amount_wan", "amount_disbursed", "兑现金额（万元）", ",.1f", WAN),
         _ratio("py_on_time", "disbursed_on_time", "applications_disbursed", "按时兑现率", ".1%", "on_time_share"),
         _ratio("py_days", "days_to_disbursement_sum", "applications_disbursed", "平均兑现天数", ".1f", "days_mean"),
         _sum("py_backlog", "backlog", "积压笔数（截至统计日）"),
         _sum("py_backlog_wan", "backlog_amount", "积压金额（万元）", ",.1f", WAN),
         _sum("py_backlog_overdue", "backlog_overdue", "其中超过承诺天数"),
         _pick("py_promised", "promised_days", "承诺兑现天数", ",d")),
        "Policy applications of a year followed to payment, by city and type — 政策兑现年度队列",
    ),
    Dataset(
        "fct_policy_delivery",
        {"month": ("DATE", "月份"), **YEAR, **CITY, "policy_type_name_zh": ("VARCHAR", "政策类型"),
         "applications_received": ("INTEGER", "受理笔数"), "applications_disbursed": ("INTEGER", "兑现笔数"),
         "disbursed_on_time": ("INTEGER", "按时兑现笔数")},
        (_sum("pd_received", "applications_received", "受理笔数（按申请月）"),
         _sum("pd_disbursed", "applications_disbursed", "兑现笔数（按兑现月）"),
         _ratio("pd_on_time", "disbursed_on_time", "applications_disbursed", "按时兑现率（按兑现月）", ".1%")),
        "Policy delivery by month of each event — 政策兑现月度",
        main_dttm="month",
    ),
    Dataset(
        "fct_enterprise_scores",
        {**SCHEME, **YEAR, "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"),
         **CITY, "industry_section_name_zh": ("VARCHAR", "行业门类"), "stage_name_zh": ("VARCHAR", "发展阶段"),
         "is_vetoed": ("BOOLEAN", "一票否决"), "veto_reasons_zh": ("VARCHAR", "否决原因"),
         "total_points": ("NUMERIC", "创新积分"), "max_points": ("NUMERIC", "满分"), **GRADE,
         "rank_in_region": ("INTEGER", "全省排名"), "evaluated_in_region": ("INTEGER", "参评企业数"),
         "rank_in_stage": ("INTEGER", "阶段内排名"), "ranked_in_stage": ("INTEGER", "阶段内计分企业数"),
         "band_name_zh": ("VARCHAR", "榜单"), "band_order": ("INTEGER", "榜单顺序"),
         "next_grade_display_zh": ("VARCHAR", "下一等级"), "points_to_next_grade": ("NUMERIC", "距下一等级（分）"),
         "is_latest_eval_year": ("BOOLEAN", "最新评价年度")},
        (_sum("es_points", "total_points", "创新积分", ".2f"),
         Metric("es_enterprises", "COUNT(*)", "企业数", ",d", "rows (one per enterprise, scheme and year)")),
        "Scores per (scheme, year, enterprise) — 企业创新积分",
    ),
    Dataset(
        "fct_indicator_scores",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), "city_code": ("VARCHAR", "城市代码"),
         "indicator_code": ("VARCHAR", "指标代码"), "indicator_name_zh": ("VARCHAR", "指标"),
         "category_name_zh": ("VARCHAR", "指标类别"), "category_code": ("VARCHAR", "类别代码"),
         "indicator_value": ("NUMERIC", "指标值（原始）"), "indicator_value_display": ("VARCHAR", "指标值"),
         "weight": ("NUMERIC", "权重"), "points": ("NUMERIC", "得分"), "points_lost": ("NUMERIC", "失分")},
        (_sum("is_points", "points", "得分", ".2f"),
         _sum("is_weight", "weight", "权重（满分）", ".2f"),
         _sum("is_lost", "points_lost", "失分", ".2f"),
         _pick("is_value", "indicator_value", "指标值", ",.4~f")),
        "Points per indicator — 指标得分",
        expressions={"indicator_name_zh": _seed_label("indicator_code", "indicator_name_zh"),
                     "category_name_zh": _seed_label("category_code", "category_name_zh"),
                     "indicator_value_display": _value_display()},
    ),
    Dataset(
        "fct_enterprises_near_next_grade",
        {**SCHEME, **YEAR, "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"),
         **CITY, "stage_name_zh": ("VARCHAR", "发展阶段"), "grade_display_zh": ("VARCHAR", "当前等级"),
         "total_points": ("NUMERIC", "创新积分"), "next_grade_display_zh": ("VARCHAR", "下一等级"),
         "points_to_next_grade": ("NUMERIC", "距下一等级（分）"), "largest_gaps_zh": ("VARCHAR", "失分最多的指标")},
        (),
        "Enterprises within reach of the next grade and where they lose points — 距下一等级较近的企业",
    ),
    Dataset(
        "fct_enterprise_rankings",
        {**SCHEME, **YEAR, **CITY, "stage_name_zh": ("VARCHAR", "发展阶段"), "band_name_zh": ("VARCHAR", "榜单"),
         "rank_in_stage": ("INTEGER", "阶段内排名"), "ranked_in_stage": ("INTEGER", "阶段内计分企业数"),
         "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"),
         "total_points": ("NUMERIC", "创新积分"), "grade_display_zh": ("VARCHAR", "等级")},
        (),
        "The enterprises in a ranked list of their stage — 分阶段榜单",
    ),
    Dataset(
        "fct_enterprise_vetoes",
        {**SCHEME, **YEAR, **CITY, "description_zh": ("VARCHAR", "否决原因"), "veto_code": ("VARCHAR", "否决代码"),
         "uscc": ("VARCHAR", "统一社会信用代码")},
        (Metric("vt_enterprises", "COUNT(*)", "企业数", ",d", "rows (one per vetoed enterprise and rule that holds)"),),
        "Vetoed enterprises per veto rule — 一票否决明细",
    ),
    Dataset(
        "fct_bank_consents_summary",
        {**BANK, **CITY, "consents_in_force": ("INTEGER", "有效授权数"),
         "consents_revoked": ("INTEGER", "已撤销授权数")},
        (_sum("bc_in_force", "consents_in_force", "有效授权企业数"),
         _sum("bc_revoked", "consents_revoked", "已撤销授权数")),
        "Consents to share the score, by bank and city — 授权情况汇总",
    ),
    Dataset(
        "fct_bank_pushes",
        {**SCHEME, **YEAR, **BANK, **CITY, "uscc": ("VARCHAR", "统一社会信用代码"),
         "applied_to_bank_after": ("BOOLEAN", "推送后向该行申请"),
         "financed_by_bank_after": ("BOOLEAN", "推送后获该行贷款"),
         "amount_financed_by_bank_after": ("NUMERIC", "推送后获贷金额")},
        (Metric("bp_pushed", "COUNT(*)", "推送企业数", ",d", "rows (one per push and enterprise)"),
         Metric("bp_applied", "SUM(CASE WHEN applied_to_bank_after THEN 1 ELSE 0 END)", "其中推送后申请", ",d",
                "rows with applied_to_bank_after"),
         Metric("bp_financed", "SUM(CASE WHEN financed_by_bank_after THEN 1 ELSE 0 END)", "其中推送后获贷", ",d",
                "rows with financed_by_bank_after"),
         _sum("bp_amount_wan", "amount_financed_by_bank_after", "推送后获贷金额（万元）", ",.1f", WAN)),
        "Scores pushed to banks and the financing that followed — 积分推送与后续融资",
    ),
    Dataset(
        "fct_bank_enterprises",
        {**BANK, "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"), **CITY,
         **SCHEME, **YEAR, "total_points": ("NUMERIC", "创新积分"), "grade_display_zh": ("VARCHAR", "等级"),
         "rank_in_region": ("INTEGER", "全省排名"), "evaluated_in_region": ("INTEGER", "参评企业数"),
         "band_name_zh": ("VARCHAR", "榜单"), "granted_date": ("DATE", "授权日期")},
        (Metric("be_enterprises", "COUNT(*)", "企业数", ",d", "rows (one per bank, scheme and enterprise)"),),
        "Each bank's consenting enterprises with their latest score — 银行可服务企业名单",
    ),
    Dataset(
        "fct_dq_results",
        {"run_id": ("VARCHAR", "校验编号"), "run_started_at_bj": ("TIMESTAMP", "校验时间（北京时间）"),
         "run_date": ("DATE", "校验日期"), "is_latest_run": ("BOOLEAN", "最新一次校验"),
         "suite_name_zh": ("VARCHAR", "校验套件"), "area_zh": ("VARCHAR", "校验范围"),
         "feed_name_zh": ("VARCHAR", "数据源"), "check_name_zh": ("VARCHAR", "校验项"),
         "column_name": ("VARCHAR", "字段"), "description_zh": ("VARCHAR", "说明"), "status_zh": ("VARCHAR", "结果"),
         "success": ("BOOLEAN", "通过"), "failed_count": ("INTEGER", "未通过项数"),
         "unexpected_count": ("INTEGER", "异常行数"), "element_count": ("INTEGER", "检查行数"),
         "freshness_status_zh": ("VARCHAR", "新鲜度"), "age_days": ("NUMERIC", "距最近加载（天）"),
         "asset_name": ("VARCHAR", "校验对象")},
        (Metric("dq_checks", "COUNT(*)", "校验项数", ",d", "rows (one per check)"),
         _sum("dq_failed", "failed_count", "未通过项数"),
         Metric("dq_pass_share", "1 - SUM(failed_count) * 1.0 / NULLIF(COUNT(*), 0)", "通过率", ".1%",
                "1 − Σ failed_count / checks"),
         Metric("dq_runs", "COUNT(DISTINCT run_id)", "校验次数", ",d", "distinct run_id"),
         _sum("dq_unexpected", "unexpected_count", "异常行数"),
         _sum("dq_rows", "element_count", "检查行数"),
         Metric("dq_last_run", "TO_CHAR(MAX(run_started_at_bj), 'YYYY-MM-DD HH24:MI')", "最近校验（北京时间）",
                None, "run_started_at_bj, the latest")),
        "Every check of every validation run — 数据质量校验结果",
        main_dttm="run_started_at_bj",
    ),
    Dataset(
        "fct_import_batches",
        {"batch_id": ("INTEGER", "批次号"), "feed_name_zh": ("VARCHAR", "数据源"), "file_name": ("VARCHAR", "文件名"),
         "loaded_at_bj": ("TIMESTAMP", "导入时间（北京时间）"), "rows_read": ("INTEGER", "读取行数"),
         "rows_loaded": ("INTEGER", "入库行数"), "rows_quarantined": ("INTEGER", "隔离行数")},
        (Metric("ib_batches", "COUNT(*)", "导入批次", ",d", "rows (one per batch)"),
         _sum("ib_read", "rows_read", "读取行数"),
         _sum("ib_loaded", "rows_loaded", "入库行数"),
         _sum("ib_quarantined", "rows_quarantined", "隔离行数"),
         _ratio("ib_quarantine_share", "rows_quarantined", "rows_read", "隔离比例", ".2%", "quarantine_share"),
         Metric("ib_last_loaded", "TO_CHAR(MAX(loaded_at_bj), 'YYYY-MM-DD HH24:MI')", "最近导入（北京时间）", None,
                "loaded_at_bj, the latest")),
        "Import batches per feed: freshness and quarantine — 数据导入批次",
        main_dttm="loaded_at_bj",
    ),
    Dataset(
        "fct_import_refusals",
        {"refused_date": ("DATE", "拒收日期"), "feed_name_zh": ("VARCHAR", "数据源"),
         "reason_name_zh": ("VARCHAR", "拒收原因"), "remedy_zh": ("VARCHAR", "处理建议"),
         "files_refused": ("INTEGER", "拒收文件数"), "file_names": ("VARCHAR", "文件名")},
        (_sum("ir_files", "files_refused", "拒收文件数"),),
        "Files refused whole at import, per day, feed and reason — 拒收文件",
    ),
    Dataset(
        "fct_quarantine_summary",
        {"batch_id": ("INTEGER", "批次号"), "feed_name_zh": ("VARCHAR", "数据源"), "reason_zh": ("VARCHAR", "隔离原因"),
         "file_name": ("VARCHAR", "文件名"), "lines_quarantined": ("INTEGER", "隔离行数"),
         "rows_quarantined": ("INTEGER", "隔离记录数")},
        (_sum("qs_lines", "lines_quarantined", "隔离行数"),),
        "Quarantined rows by batch, feed and reason — 隔离记录汇总",
    ),
    # 公示与异议: the evaluation cycle (objections, decisions, changes between publicity and final list)
    Dataset(
        "fct_objections",
        {**SCHEME, **YEAR, **CITY, "objection_id": ("INTEGER", "异议编号"),
         "publication_id": ("INTEGER", "公示名单编号"),
         "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"),
         "subject_name_zh": ("VARCHAR", "异议指标或字段"), "subject_code": ("VARCHAR", "异议对象代码"),
         "claim_zh": ("VARCHAR", "异议内容"), "evidence_ref": ("VARCHAR", "证明材料编号"),
         "received_on": ("DATE", "收到日期"), "status_zh": ("VARCHAR", "复核状态"),
         "status_order": ("INTEGER", "状态顺序"),
         "decided_on": ("DATE", "复核日期"), "decision_reason_zh": ("VARCHAR", "复核意见"),
         "correction_zh": ("VARCHAR", "更正方式"), "objections": ("INTEGER", "异议数"),
         "is_open": ("INTEGER", "待复核"),
         "is_accepted": ("INTEGER", "予以采纳"), "is_rejected": ("INTEGER", "不予采纳"),
         "is_decided": ("INTEGER", "已复核"), "days_to_decide": ("INTEGER", "复核天数"),
         "received_date": ("VARCHAR", "收到日期"), "decided_date": ("VARCHAR", "复核日期"),
         "correction_display": ("VARCHAR", "更正方式"), "reason_display": ("VARCHAR", "复核意见")},
        (_sum("ob_count", "objections", "异议数"),
         _sum("ob_open", "is_open", "待复核"),
         _sum("ob_accepted", "is_accepted", "予以采纳"),
         _sum("ob_rejected", "is_rejected", "不予采纳"),
         _sum("ob_decided", "is_decided", "已复核异议数"),
         _ratio("ob_days_mean", "days_to_decide", "is_decided", "平均复核天数", ".1f"),
         Metric("ob_days_max", "MAX(days_to_decide)", "最长复核天数", ",d", "days_to_decide, the largest")),
        "Objections to publicity lists with their decisions — 异议明细",
        # how the list reads them: a date without a time, '—' where there is none yet (or no correction)
        expressions={"received_date": "TO_CHAR(received_on, 'YYYY-MM-DD')",
                     "decided_date": "COALESCE(TO_CHAR(decided_on, 'YYYY-MM-DD'), '—')",
                     "correction_display": "COALESCE(correction_zh, '—')",
                     "reason_display": "COALESCE(decision_reason_zh, '—')"},
    ),
    Dataset(
        "fct_publication_changes",
        {**SCHEME, **YEAR, **CITY, "publication_id": ("INTEGER", "正式发布编号"),
         "publicity_publication_id": ("INTEGER", "公示名单编号"), "is_latest_final": ("BOOLEAN", "现行正式名单"),
         "enterprise_name": ("VARCHAR", "企业名称"), "uscc": ("VARCHAR", "统一社会信用代码"),
         "total_before": ("NUMERIC", "公示总积分"), "total_after": ("NUMERIC", "正式总积分"),
         "total_change": ("NUMERIC", "积分变动"), "grade_before_display_zh": ("VARCHAR", "公示等级"),
         "grade_after_display_zh": ("VARCHAR", "正式等级"), "rank_before": ("INTEGER", "公示排名"),
         "rank_after": ("INTEGER", "正式排名"), "cause_zh": ("VARCHAR", "变动原因"),
         "cause_order": ("INTEGER", "原因顺序"),
         "objection_ids_text": ("VARCHAR", "相关异议编号"), "explanation_zh": ("VARCHAR", "变动说明"),
         "enterprises": ("INTEGER", "企业数")},
        (_sum("pc_enterprises", "enterprises", "结果变动企业数"),),
        "Enterprises whose result changed between publicity and final list — 公示后结果变动",
    ),
    Dataset(
        "fct_publicity_lists",
        {**SCHEME, "scheme_name_zh": ("VARCHAR", "积分方案名称"), **YEAR, **CITY,
         "publication_id": ("INTEGER", "公示名单编号"), "period_zh": ("VARCHAR", "公示期"),
         "enterprises_listed": ("INTEGER", "公示企业数"), "objections": ("INTEGER", "异议数"),
         "objections_accepted": ("INTEGER", "予以采纳"), "objections_rejected": ("INTEGER", "不予采纳"),
         "objections_open": ("INTEGER", "待复核"), "final_status_zh": ("VARCHAR", "正式发布"),
         "final_publication_id": ("INTEGER", "正式发布编号")},
        (_sum("pl_listed", "enterprises_listed", "公示企业数"),
         _sum("pl_objections", "objections", "异议数"),
         _sum("pl_accepted", "objections_accepted", "予以采纳"),
         _sum("pl_rejected", "objections_rejected", "不予采纳"),
         _sum("pl_open", "objections_open", "待复核")),
        "Publicity lists per city: period, enterprises listed, objections, the final list — 公示名单",
    ),
    Dataset(
        "fct_feed_coverage",
        {**SCHEME, **YEAR, **CITY, "feed_name_zh": ("VARCHAR", "数据源"),
         "enterprises_evaluated": ("INTEGER", "参评企业数"), "enterprises_with_rows": ("INTEGER", "有记录企业数")},
        (_ratio("fc_share", "enterprises_with_rows", "enterprises_evaluated", "覆盖率", ".1%", "coverage_share"),
         _sum("fc_with_rows", "enterprises_with_rows", "有记录企业数"),
         _sum("fc_evaluated", "enterprises_evaluated", "参评企业数")),
        "Per-feed coverage of the evaluated enterprises — 各数据源覆盖率",
    ),
)

LH, YOY, DIST, SUMM, IND_SUM, COV = (
    "fct_leadership_headline", "fct_leadership_yoy", "fct_score_distribution", "fct_score_summary",
    "fct_indicator_score_summary", "fct_score_coverage_summary",
)
GO, AUC, MIG, FIN, FY, FUN, RP = (
    "fct_grade_outcomes", "fct_score_auc", "fct_grade_migration", "fct_financing_monthly", "fct_financing_yearly",
    "fct_financing_funnel", "fct_risk_pool",
)
PY, PD, S, IND, NEAR, BE = (
    "fct_policy_yearly", "fct_policy_delivery", "fct_enterprise_scores", "fct_indicator_scores",
    "fct_enterprises_near_next_grade", "fct_bank_enterprises",
)
RK, VT, BC, BP = "fct_enterprise_rankings", "fct_enterprise_vetoes", "fct_bank_consents_summary", "fct_bank_pushes"
DQ, IB, QS, FC = "fct_dq_results", "fct_import_batches", "fct_quarantine_summary", "fct_feed_coverage"
IR = "fct_import_refusals"
OBJ, PCH, PUB = "fct_objections", "fct_publication_changes", "fct_publicity_lists"
LATEST_FINAL = "is_latest_final"  # the rows of the final list in force of each (scheme, year)
CITY_ROWS = "region_level = 'city'"  # the headline's city rows: added up, they give the province's figures
ALL_BANKS = "bank_code = 'ALL'"  # fct_score_auc's rows of all banks together (monitoring_all_banks())
NOT_ALL_BANKS = "bank_code <> 'ALL'"


def _big(key: str, title: str, ds: str, metric: str, fmt: str, description: str, **kw) -> Chart:
    return Chart(key, title, ds, "big_number_total", [metric], height=22, number_format=fmt,
                 description=description, **kw)


# -- charts -----------------------------------------------------------------------------------
CHARTS: tuple[Chart, ...] = (
    # 领导驾驶舱: the headline mart's figures for the chosen cities (none chosen: the province)
    _big("lc_enterprises", "参评企业数", LH, "lh_enterprises", ",d", "评价年度参评企业数（含一票否决企业）",
         where=CITY_ROWS),
    _big("lc_avg", "平均创新积分", LH, "lh_mean_points", ".1f",
         "未被一票否决企业的平均总分；否决企业计0分不计入", where=CITY_ROWS, subheader="不含一票否决企业"),
    _big("lc_median", "创新积分中位数", DIST, "median_points", ".1f", "未被一票否决企业总分的中位数",
         subheader="不含一票否决企业"),
    _big("lc_grade_a", "A级企业数", LH, "lh_grade_a", ",d", "等级为A（总分不低于满分45%）的企业数",
         where=CITY_ROWS),
    _big("lc_vetoed", "一票否决企业数", LH, "lh_vetoed", ",d", "因研发投入等否决规则被一票否决的企业数",
         where=CITY_ROWS),
    _big("lc_success", "融资成功率", LH, "lh_success", ".1%",
         "本年有获批申请的企业 ÷ 本年有已决（批准或拒绝）申请的企业", where=CITY_ROWS, subheader="企业口径"),
    _big("lc_amount", "放款金额", LH, "lh_amount_yi", ",.2f", "本年放款的贷款批准金额合计", where=CITY_ROWS,
         subheader="亿元"),
    _big("lc_financed", "获贷企业数", LH, "lh_financed", ",d", "本年至少获得一笔放款的企业数", where=CITY_ROWS),
    _big("lc_cost", "贷款利率", LH, "lh_rate", ".2f", "本年放款按金额加权的平均年利率", where=CITY_ROWS,
         subheader="加权平均年利率，%"),
    _big("lc_saving", "利率节省", LH, "lh_saving", ".1%", "积分贷利率较本行普通贷款利率节省的比例（按金额加权）",
         where=CITY_ROWS, subheader="较普通贷款"),
    _big("lc_policy_amount", "政策兑现金额", LH, "lh_policy_wan", ",.1f", "本年兑现（付款）的政策资金合计",
         where=CITY_ROWS, subheader="万元"),
    _big("lc_policy_on_time", "按时兑现率", LH, "lh_policy_on_time", ".1%",
         "本年兑现的申请中，在承诺天数内兑现的比例", where=CITY_ROWS, subheader="政策兑现"),
    Chart("lc_yoy", "本年与上年（同比）", YOY, "table", ["yoy_this", "yoy_last", "yoy_change"], ["figure_zh"],
          order_by="yoy_order", order_asc=True, row_limit=20, height=50,
          description="所选城市（未选为全省）本年与上年的主要指标；同比 = 本年 ÷ 上年 − 1",
          where=CITY_ROWS),
    Chart("lc_grade_mix", "等级分布", DIST, "pie", ["enterprises"], ["grade_display_zh"], height=50,
          description="参评企业按等级的分布（V 为一票否决）"),
    Chart("lc_trend", "月度放款金额与融资成功率", FIN, "mixed_timeseries", ["fm_amount_yi"], x_axis="month",
          time_grain="P1M", metrics_b=["fm_app_success"], number_format=",.2f", number_format_b=".0%",
          series_type="bar", series_type_b="line", x_label_rotation=45, height=60,
          description="左轴：当月放款金额（亿元）；右轴：当月已决申请中获批的比例（申请口径）"),
    Chart("lc_city_table", "各市积分与融资", LH, "table",
          ["lh_enterprises", "lh_mean_points", "lh_grade_a", "lh_amount_yi", "lh_success", "lh_rate",
           "lh_policy_on_time"], ["city_name_zh"], row_limit=50, order_by="lh_enterprises", where=CITY_ROWS,
          height=60, description="各市本年的积分与融资主要指标，口径同上方指标卡"),
    # 积分分布
    Chart("sd_hist", "创新积分分布", DIST, "echarts_timeseries_bar", ["enterprises"], x_axis="points_bin",
          number_format=",d", x_title="创新积分（区间下限）", x_label_rotation=45,
          description="每根柱为一个积分区间（下限，宽度见 dbt 变量 score_histogram_bin_width）的企业数"),
    Chart("sd_by_city", "各市平均创新积分", DIST, "echarts_timeseries_bar", ["avg_points_scored"],
          x_axis="city_name_zh", sort_by_metric=True, number_format=".1f", x_label_rotation=45,
          description="各市未被否决企业的平均总分"),
    Chart("sd_by_industry", "各行业平均创新积分", SUMM, "echarts_timeseries_bar", ["avg_points_scored"],
          x_axis="industry_section_name_zh", sort_by_metric=True, number_format=".1f", horizontal=True, height=70,
          description="各行业门类未被否决企业的平均总分"),
    Chart("sd_by_stage", "各阶段企业等级", SUMM, "echarts_timeseries_bar", ["enterprises"], ["grade_display_zh"],
          x_axis="stage_name_zh", stacked=True, height=70, description="初创、成长、成熟期企业按等级的企业数"),
    Chart("sd_indicator", "各指标平均得分与失分（失分在哪里）", IND_SUM, "echarts_timeseries_bar",
          ["avg_won", "avg_lost"], x_axis="indicator_name_zh", stacked=True, horizontal=True, height=120,
          number_format=".2f", description="每家计分企业在各指标上的平均得分与平均失分（失分 = 权重 − 得分）"),
    Chart("sd_veto", "一票否决原因", VT, "table", ["vt_enterprises"], ["description_zh"], row_limit=50,
          description="触发各否决规则的企业数（一家企业可触发多条）"),
    Chart("sd_coverage", "参评覆盖", COV, "pie", ["enterprises"], ["reason_zh"],
          description="在册企业中参评与未参评（及原因）的企业数"),
    Chart("sd_grade_years", "历年等级结构", DIST, "echarts_timeseries_bar", ["enterprises"], ["grade_display_zh"],
          x_axis="eval_year", stacked=True, ignore_filters=("eval_year",),
          description="各评价年度企业按等级的分布；不随年度筛选"),
    Chart("sd_scheme_compare", "不同积分方案平均积分对比", DIST, "echarts_timeseries_bar", ["avg_points_scored"],
          ["scheme_code"], x_axis="city_name_zh", number_format=".1f", ignore_filters=("scheme_code",),
          x_label_rotation=45, description="同一年度各方案下未被否决企业的平均总分；不随方案筛选"),
    Chart("sd_migration", "等级迁移（上年→本年）", MIG, "pivot_table_v2", ["gm_enterprises"],
          ["from_grade_display_zh"], pivot_columns=["to_grade_display_zh"], number_format=",d", height=60,
          description="行：上年等级；列：本年等级；单元格为企业数（未评价＝当年未参评）"),
    Chart("sd_auc", "积分区分度（AUC，申请年度）", AUC, "table", ["auc_value", "auc_loans", "auc_defaults"],
          ["eval_year", "region_name_zh"], row_limit=60, order_by="auc_value", where=ALL_BANKS,
          ignore_filters=("eval_year",), height=60,
          description="有结果的贷款中，未违约贷款申请时积分高于违约贷款的概率（0.5＝无区分力）；按申请年度，不随年度筛选"),
    Chart("sd_grade_outcomes", "各等级批准率与不良率（申请年度）", GO, "table",
          ["go_decided", "go_approval", "go_disbursed", "go_default"], ["grade_display_zh"], row_limit=20,
          order_by="go_decided", height=60,
          description="按申请时等级（申请前最近一次公布或上一评价年度的等级）统计，年度为申请年度"),
    # 融资监测
    Chart("fm_funnel", "申请漏斗（申请年度）", FUN, "funnel", ["ff_applications"], ["stage_zh"], number_format=",d",
          height=60, description="本年提交的申请中完成审批、获得批准和实际放款的笔数"),
    Chart("fm_trend", "月度放款金额与融资成功率", FIN, "mixed_timeseries", ["fm_amount_yi"], x_axis="month",
          time_grain="P1M", metrics_b=["fm_app_success"], number_format=",.2f", number_format_b=".0%",
          x_label_rotation=45, height=60,
          description="左轴：当月放款金额（亿元）；右轴：当月已决申请中获批的比例（申请口径）"),
    Chart("fm_by_bank", "各银行融资情况", FY, "table",
          ["fy_disbursed", "fy_amount_yi", "fy_success", "fy_app_success", "fy_rate", "fy_spread", "fy_saving",
           "fy_days"], ["bank_name_zh"], row_limit=50, order_by="fy_amount_yi", height=50,
          description="融资成功率（企业）：有获批申请的企业 ÷ 有已决申请的企业；（申请）：批准笔数 ÷ 已决笔数"),
    Chart("fm_by_product", "各产品融资情况", FIN, "table",
          ["fm_disbursed", "fm_amount_yi", "fm_app_success", "fm_rate", "fm_saving"],
          ["bank_name_zh", "product_name_zh"],
          row_limit=100, order_by="fm_amount_yi", height=50,
          description="按贷款产品；成功率为申请口径（批准笔数 ÷ 已决笔数）"),
    Chart("fm_rate_lpr", "贷款利率与LPR", FIN, "mixed_timeseries", ["fm_rate", "fm_lpr"], x_axis="month",
          time_grain="P1M", metrics_b=["fm_spread"], series_type="line", series_type_b="bar",
          number_format=".2f", number_format_b=",.0f", x_label_rotation=45, height=60,
          description="左轴：当月放款加权平均年利率与当月一年期LPR（%）；右轴：较LPR利差（基点）"),
    Chart("fm_by_grade", "各等级批准率与不良率（申请年度）", GO, "table",
          ["go_decided", "go_approval", "go_disbursed", "go_default"], ["grade_display_zh"], row_limit=20,
          order_by="go_decided", height=60,
          description="按申请时等级（申请前最近一次公布或上一评价年度的等级）统计，年度为申请年度"),
    Chart("fm_days", "平均审批天数（各银行）", FY, "echarts_timeseries_bar", ["fy_days"], x_axis="bank_name_zh",
          sort_by_metric=True, number_format=".1f", x_label_rotation=30, height=60,
          description="本年已决申请从申请到审批决定的平均天数"),
    Chart("fm_risk", "风险补偿资金池：补偿敞口与规模", RP, "echarts_timeseries_bar", ["rp_exposure_wan", "rp_size_wan"],
          x_axis="pool_name_zh", number_format=",.1f", height=60,
          description="截至贷款数据统计日，不良贷款按补偿比例（逐笔取整、封顶）计的敞口与资金池规模；不随年度筛选"),
    # 政策兑现: the applications of the chosen year followed to payment; the backlog is a stock
    _big("pd_received", "政策申请受理笔数", PY, "py_received", ",d", "本年受理的政策申请"),
    _big("pd_approved", "其中批准", PY, "py_approved", ",d", "本年受理的申请中已批准的"),
    _big("pd_disbursed", "其中已兑现", PY, "py_disbursed", ",d", "本年受理的申请中已付款的"),
    _big("pd_amount", "兑现金额（万元）", PY, "py_amount_wan", ",.1f", "本年受理的申请已兑现金额"),
    _big("pd_on_time", "按时兑现率", PY, "py_on_time", ".1%", "已兑现申请中在承诺天数内兑现的比例"),
    _big("pd_backlog", "积压笔数（截至统计日）", PY, "py_backlog", ",d",
         "已批准未兑现的申请，截至数据统计日；不随年度筛选", ignore_filters=("eval_year",)),
    Chart("pd_by_type", "各类政策兑现情况（申请年度）", PY, "table",
          ["py_received", "py_approved", "py_disbursed", "py_amount_wan", "py_on_time", "py_days"],
          ["policy_type_name_zh"], row_limit=50, order_by="py_received", height=50,
          description="本年受理的申请按政策类型跟踪至批准与兑现：兑现 ≤ 批准 ≤ 受理"),
    Chart("pd_backlog_table", "积压情况（截至统计日，按政策类型）", PY, "table",
          ["py_backlog", "py_backlog_wan", "py_backlog_overdue"], ["policy_type_name_zh"], row_limit=50,
          order_by="py_backlog", ignore_filters=("eval_year",), height=50,
          description="已批准未兑现的申请，截至数据统计日，含往年受理的；与上方积压笔数同一口径"),
    Chart("pd_days", "平均兑现天数与承诺天数（按政策类型）", PY, "echarts_timeseries_bar", ["py_days", "py_promised"],
          x_axis="policy_type_name_zh", number_format=".0f", x_label_rotation=30, height=55,
          description="本年受理并已兑现的申请从申请到付款的平均天数，对照该类政策承诺的天数"),
    Chart("pd_trend", "月度受理与兑现", PD, "echarts_timeseries_line", ["pd_received", "pd_disbursed"],
          x_axis="month", time_grain="P1M", x_label_rotation=45, height=55,
          description="受理按申请月份、兑现按付款月份计"),
    Chart("pd_on_time_trend", "月度按时兑现率", PD, "echarts_timeseries_line", ["pd_on_time"], x_axis="month",
          time_grain="P1M", number_format=".0%", x_label_rotation=45, height=55,
          description="当月付款的申请中在承诺天数内兑现的比例"),
    Chart("pd_by_city", "各市政策兑现（申请年度）", PY, "table",
          ["py_received", "py_approved", "py_disbursed", "py_amount_wan", "py_on_time", "py_days"],
          ["city_name_zh"], row_limit=50, order_by="py_received", height=50,
          description="本年受理的申请按城市跟踪至批准与兑现"),
    # 数据质量
    _big("dq_runs", "校验次数", DQ, "dq_runs", ",d", "已记录的数据质量校验次数"),
    _big("dq_pass", "最近一次校验通过率", DQ, "dq_pass_share", ".1%", "最近一次校验中通过的检查项比例",
         where="is_latest_run"),
    _big("dq_failed_n", "最近一次未通过校验项", DQ, "dq_failed", ",d", "最近一次校验中未通过的检查项数",
         where="is_latest_run"),
    _big("dq_quarantined_n", "隔离行数（全部批次）", IB, "ib_quarantined", ",d", "导入时因行级问题被隔离的行数"),
    Chart("dq_trend", "校验通过率（历次校验）", DQ, "echarts_timeseries_line", ["dq_pass_share"],
          [], x_axis="run_started_at_bj", time_grain="PT1M", number_format=".0%", height=60,
          x_label_rotation=30, description="每次校验通过的检查项比例（北京时间）；各套件见右表"),
    Chart("dq_by_suite", "最近一次校验结果（按套件）", DQ, "table",
          ["dq_checks", "dq_failed", "dq_pass_share", "dq_last_run"], ["area_zh", "suite_name_zh"], row_limit=200,
          order_by="dq_failed", where="is_latest_run", height=60, description="最近一次校验各套件的检查项与未通过项"),
    Chart("dq_failures", "未通过的校验（明细）", DQ, "table", [],
          ["run_date", "suite_name_zh", "check_name_zh", "status_zh", "column_name", "unexpected_count",
           "description_zh"], row_limit=200, order_by="run_date", where="NOT success", may_be_empty=True,
          description="历次校验中未通过或警告的检查；校验全部通过时为空"),
    Chart("dq_source_freshness", "数据源新鲜度（最近一次）", DQ, "table", [],
          ["feed_name_zh", "freshness_status_zh", "age_days", "status_zh"], row_limit=100, order_by="feed_name_zh",
          order_asc=True, where="area = 'freshness' AND is_latest_run",
          description="各数据源距最近一次加载的天数与新鲜度判定"),
    Chart("dq_freshness", "各数据源导入情况", IB, "table",
          ["ib_last_loaded", "ib_batches", "ib_read", "ib_loaded", "ib_quarantined", "ib_quarantine_share"],
          ["feed_name_zh"], row_limit=50, order_by="ib_batches", description="各数据源的导入批次、行数与隔离比例"),
    Chart("dq_quarantine", "隔离行数（按原因）", QS, "echarts_timeseries_bar", ["qs_lines"], [],
          x_axis="reason_zh", sort_by_metric=True, number_format=",d", may_be_empty=True, horizontal=True, height=60,
          description="导入时未通过行级检查而隔离的行；干净的数据没有隔离行"),
    Chart("dq_coverage_city", "参评覆盖率（各市）", COV, "echarts_timeseries_bar", ["evaluated_share"],
          x_axis="city_name_zh", sort_by_metric=True, number_format=".0%", x_label_rotation=45, height=60,
          description="在册企业中参评企业的比例"),
    Chart("dq_coverage_reason", "未参评原因", COV, "table", ["enterprises"], ["reason_zh"], row_limit=20,
          description="在册企业按参评情况与未参评原因的企业数"),
    Chart("dq_feed_coverage", "各数据源对参评企业的覆盖率", FC, "table", ["fc_share", "fc_with_rows", "fc_evaluated"],
          ["feed_name_zh"], row_limit=20, order_by="fc_share", order_asc=True,
          description="参评企业中在该数据源有记录的比例"),
    # 企业积分画像
    Chart("ep_list", "企业积分与等级", S, "table", [],
          ["enterprise_name", "uscc", "city_name_zh", "eval_year", "total_points", "grade_display_zh",
           "rank_in_region", "evaluated_in_region", "band_name_zh", "next_grade_display_zh", "points_to_next_grade"],
          order_by="total_points", row_limit=200,
          description="所选企业的总分、等级、全省排名、阶段榜单与距下一等级的分差"),
    Chart("ep_breakdown", "分指标得分（对照权重）", IND, "table", ["is_points", "is_weight", "is_lost"],
          ["category_name_zh", "indicator_name_zh", "indicator_value_display"], order_by="is_lost", row_limit=100,
          height=80,
          description="每个指标的指标值、得分、权重（满分）与失分，按失分从多到少"),
    Chart("ep_history", "历年创新积分", S, "echarts_timeseries_bar", ["es_points"], ["scheme_code"],
          x_axis="eval_year", number_format=".1f", ignore_filters=("eval_year", "scheme_code"), height=80,
          description="所选企业各评价年度、各方案下的总分；不随年度与方案筛选"),
    # 企业名单
    Chart("el_search", "企业查询", S, "table", [],
          ["enterprise_name", "uscc", "city_name_zh", "stage_name_zh", "total_points", "grade_display_zh",
           "rank_in_region", "band_name_zh", "points_to_next_grade"], order_by="total_points", row_limit=5000,
          search=True, height=70, description="按企业名称或统一社会信用代码查找（上方筛选或表内搜索）；按总分排序"),
    Chart("el_bands", "分阶段榜单（领跑榜/竞跑榜/进取榜）", RK, "table", [],
          ["stage_name_zh", "band_name_zh", "rank_in_stage", "ranked_in_stage", "enterprise_name", "city_name_zh",
           "total_points", "grade_display_zh"], order_by="stage_name_zh,rank_in_stage", order_asc=True,
          row_limit=2000, search=True, height=80,
          description="各发展阶段全省未否决企业排名前5%为领跑榜、5%–10%为竞跑榜、10%–20%为进取榜（并列同榜）"),
    Chart("el_near", "距下一等级较近的企业", NEAR, "table", [],
          ["enterprise_name", "city_name_zh", "stage_name_zh", "grade_display_zh", "total_points",
           "next_grade_display_zh", "points_to_next_grade", "largest_gaps_zh"], order_by="points_to_next_grade",
          order_asc=True, row_limit=5000, search=True, height=80,
          description="距下一等级不超过 dbt 变量 near_next_grade_points 分的企业，及失分最多的三个指标"),
    Chart("el_vetoed", "一票否决企业及原因", S, "table", [],
          ["enterprise_name", "uscc", "city_name_zh", "stage_name_zh", "veto_reasons_zh"], order_by="enterprise_name",
          order_asc=True, row_limit=500, where="is_vetoed", search=True, height=60,
          description="被一票否决的企业及否决原因", may_be_empty=True),
    # 本行企业名单
    Chart("be_list", "本行可服务企业名单", BE, "table", [],
          ["bank_name_zh", "enterprise_name", "uscc", "city_name_zh", "scheme_code", "eval_year", "total_points",
           "grade_display_zh", "rank_in_region", "band_name_zh", "granted_date"], order_by="total_points",
          row_limit=5000, search=True, height=100,
          description="授权本行查询积分且授权在有效期内的企业及其最新评价年度的积分；可导出为 Excel"),
    Chart("be_consents", "授权情况（截至统计日）", BC, "table", ["bc_in_force", "bc_revoked"], ["bank_name_zh"],
          row_limit=50, order_by="bc_in_force", height=40,
          description="授权本行查询积分的企业：有效授权与已撤销的；截至统计日"),
    Chart("be_pushes", "积分推送与后续融资", BP, "table", ["bp_pushed", "bp_applied", "bp_financed", "bp_amount_wan"],
          ["bank_name_zh"], row_limit=50, order_by="bp_pushed", height=40, may_be_empty=True,
          description="推送给本行的企业中，推送后向本行申请、获本行贷款的企业数与金额"),
    Chart("be_grades", "本行可服务企业等级分布", BE, "pie", ["be_enterprises"], ["grade_display_zh"], height=60,
          description="授权本行的企业按最新等级的分布"),
    # 公示与异议: the publicity lists of the chosen year and scheme, their objections and what changed
    _big("po_objections", "异议数", OBJ, "ob_count", ",d", "所选年度与方案的公示名单收到的异议（含待复核）"),
    _big("po_open", "待复核", OBJ, "ob_open", ",d", "尚未作出复核决定的异议"),
    _big("po_accepted", "予以采纳", OBJ, "ob_accepted", ",d", "复核予以采纳的异议（以重新交付数据或记录更正更正）"),
    _big("po_rejected", "不予采纳", OBJ, "ob_rejected", ",d", "复核不予采纳的异议"),
    _big("po_days", "平均复核天数", OBJ, "ob_days_mean", ".1f", "已复核异议从收到到复核决定的平均天数",
         subheader="收到至复核决定"),
    _big("po_changed", "结果变动企业数", PCH, "pc_enterprises", ",d",
         "正式名单与其公示名单相比总分、等级或区域排名有变动的企业", where=LATEST_FINAL, subheader="公示→正式发布"),
    Chart("po_lists", "公示名单与正式发布", PUB, "table",
          ["pl_listed", "pl_objections", "pl_accepted", "pl_rejected", "pl_open"],
          ["publication_id", "scheme_name_zh", "period_zh", "final_status_zh"], order_by="pl_listed", row_limit=50,
          height=30,
          description="每份公示名单的公示期、公示企业数、收到的异议及其后的正式发布（编号与日期），或尚未正式发布"),
    Chart("po_by_city", "各市异议（按复核状态）", OBJ, "pivot_table_v2", ["ob_count"], ["city_name_zh"],
          pivot_columns=["status_zh"], number_format=",d", height=50,
          description="行：城市；列：待复核、予以采纳、不予采纳；单元格为该市企业提出的异议数"),
    Chart("po_days_city", "各市复核天数", OBJ, "table", ["ob_decided", "ob_days_mean", "ob_days_max"],
          ["city_name_zh"], order_by="ob_decided", row_limit=50, height=50,
          description="已复核异议从收到日期到复核日期的天数：平均与最长"),
    Chart("po_by_subject", "异议指标或字段（按复核状态）", OBJ, "pivot_table_v2", ["ob_count"], ["subject_name_zh"],
          pivot_columns=["status_zh"], number_format=",d", height=50,
          description="行：异议针对的评价指标（指标名称）或数据源字段（数据源：字段名称）；列：复核状态"),
    Chart("po_list", "异议明细", OBJ, "table", [],
          ["objection_id", "enterprise_name", "uscc", "city_name_zh", "subject_name_zh", "claim_zh", "received_date",
           "status_zh", "decided_date", "reason_display", "correction_display"], order_by="objection_id",
          order_asc=True, row_limit=2000, search=True, height=60,
          description="每条异议的企业、异议指标或字段、异议内容、收到日期、复核状态、复核意见与更正方式"),
    Chart("po_change_causes", "结果变动企业（按原因）", PCH, "pivot_table_v2", ["pc_enterprises"], ["city_name_zh"],
          pivot_columns=["cause_zh"], number_format=",d", where=LATEST_FINAL, height=50,
          description="行：城市；列：变动原因（本企业异议更正、公示后数据更新、同组排名变化）；单元格为企业数"),
    Chart("po_changes", "公示后结果变动企业", PCH, "table", [],
          ["enterprise_name", "uscc", "city_name_zh", "total_before", "total_after", "grade_before_display_zh",
           "grade_after_display_zh", "rank_before", "rank_after", "cause_zh", "objection_ids_text", "explanation_zh"],
          order_by="rank_after", order_asc=True, row_limit=2000, where=LATEST_FINAL, search=True,
          height=60,
          description="现行正式名单中与公示名单相比有变动的企业：公示与正式的总分、等级、区域排名，变动原因与说明"),
    # 数据质量: files refused whole at import
    Chart("dq_refusals", "拒收文件（按日期、数据源与原因）", IR, "table", [],
          ["refused_date", "feed_name_zh", "reason_name_zh", "remedy_zh", "files_refused", "file_names"], row_limit=200,
          order_by="refused_date", may_be_empty=True,
          description="整个文件被拒收（空文件、无法识别的数据源或编码、缺少关键列）：未导入任何行，修正后重新报送；无拒收时为空"),
)

DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("leadership-cockpit", "领导驾驶舱", [
        [("lc_enterprises", 2), ("lc_avg", 2), ("lc_median", 2), ("lc_grade_a", 2), ("lc_vetoed", 2),
         ("lc_success", 2)],
        [("lc_amount", 2), ("lc_financed", 2), ("lc_cost", 2), ("lc_saving", 2), ("lc_policy_amount", 2),
         ("lc_policy_on_time", 2)],
        [("lc_yoy", 7), ("lc_grade_mix", 5)],
        [("lc_trend", 12)],
        [("lc_city_table", 12)],
    ], "Headline figures of the chosen year, scheme and cities, against last year; financing and policy delivery"),
    Dashboard("score-distribution", "积分分布", [
        [("sd_hist", 6), ("sd_by_city", 6)],
        [("sd_by_industry", 6), ("sd_by_stage", 6)],
        [("sd_indicator", 12)],
        [("sd_veto", 4), ("sd_coverage", 4), ("sd_grade_years", 4)],
        [("sd_migration", 6), ("sd_grade_outcomes", 6)],
        [("sd_auc", 5), ("sd_scheme_compare", 7)],
    ], "Score distribution, lost points, vetoes, coverage, score health (migration, outcomes by grade, AUC)"),
    Dashboard("financing-monitor", "融资监测", [
        [("fm_funnel", 4), ("fm_trend", 8)],
        [("fm_by_bank", 12)],
        [("fm_rate_lpr", 6), ("fm_by_grade", 6)],
        [("fm_days", 6), ("fm_risk", 6)],
        [("fm_by_product", 12)],
    ], "Funnel, banks and products, rate vs LPR, approval and default by grade, risk pool"),
    Dashboard("policy-delivery", "政策兑现", [
        [("pd_received", 2), ("pd_approved", 2), ("pd_disbursed", 2), ("pd_amount", 2), ("pd_on_time", 2),
         ("pd_backlog", 2)],
        [("pd_by_type", 7), ("pd_backlog_table", 5)],
        [("pd_days", 12)],
        [("pd_trend", 6), ("pd_on_time_trend", 6)],
        [("pd_by_city", 12)],
    ], "Policy applications of the year followed to payment, on-time share, backlog"),
    Dashboard("data-quality", "数据质量", [
        [("dq_runs", 3), ("dq_pass", 3), ("dq_failed_n", 3), ("dq_quarantined_n", 3)],
        [("dq_trend", 7), ("dq_by_suite", 5)],
        [("dq_failures", 12)],
        [("dq_source_freshness", 6), ("dq_freshness", 6)],
        [("dq_quarantine", 6), ("dq_coverage_city", 6)],
        [("dq_refusals", 12)],
        [("dq_coverage_reason", 4), ("dq_feed_coverage", 8)],
    ], "Validation results per suite over time, quarantined rows, refused files, source freshness, coverage"),
    Dashboard("enterprise-profile", "企业积分画像", [
        [("ep_list", 12)],
        [("ep_breakdown", 7), ("ep_history", 5)],
    ], "One enterprise: score, grade, rank, breakdown, history, gap to the next grade"),
    Dashboard("enterprise-lists", "企业名单", [
        [("el_search", 12)],
        [("el_bands", 12)],
        [("el_near", 12)],
        [("el_vetoed", 12)],
    ], "Find an enterprise; ranked lists per stage; enterprises near the next grade; the vetoed"),
    Dashboard("publicity-objections", "公示与异议", [
        [("po_objections", 2), ("po_open", 2), ("po_accepted", 2), ("po_rejected", 2), ("po_days", 2),
         ("po_changed", 2)],
        [("po_lists", 12)],
        [("po_by_city", 7), ("po_days_city", 5)],
        [("po_by_subject", 7), ("po_change_causes", 5)],
        [("po_list", 12)],
        [("po_changes", 12)],
    ], "Publicity lists and their objections: by city, status and indicator, days to decide, what changed"),
    Dashboard("bank-enterprises", "本行企业名单", [
        [("be_consents", 4), ("be_pushes", 4), ("be_grades", 4)],
        [("be_list", 12)],
    ], "A bank's consenting enterprises with grade and score, exportable; consents and pushes"),
)

DEFAULT_SCHEME = "LN-2025"

# the year, scheme and city filters list the values of dim_score_scope (a few hundred rows that every data
# role may read), not of a table with one row per enterprise
SCOPE = "dim_score_scope"
SCORE_DASHBOARDS = ("leadership-cockpit", "score-distribution", "data-quality", "enterprise-profile",
                    "enterprise-lists", "bank-enterprises")

NATIVE_FILTERS: tuple[NativeFilter, ...] = (
    NativeFilter("eval_year", "年度", SCOPE, first_item=True, required=True, dashboards=SCORE_DASHBOARDS),
    # financing and policy years are calendar years of loans and payments, some later than any evaluation
    NativeFilter("eval_year", "年度", FY, first_item=True, required=True, dashboards=("financing-monitor",)),
    NativeFilter("eval_year", "年度", PY, first_item=True, required=True, dashboards=("policy-delivery",)),
    # the years with a publicity list, latest first
    NativeFilter("eval_year", "年度", PUB, first_item=True, required=True, dashboards=("publicity-objections",)),
    NativeFilter("scheme_code", "积分方案", SCOPE, default=DEFAULT_SCHEME, required=True),
    NativeFilter("city_name_zh", "城市", SCOPE, multi=True),
    # banks as each user may see them: those lending in the user's city, a bank officer's own bank
    NativeFilter("bank_name_zh", "银行", FY, multi=True, dashboards=("financing-monitor",)),
    NativeFilter("bank_name_zh", "银行", BE, multi=True, dashboards=("bank-enterprises",)),
    # the stages from the small summary mart (10,203 rows nationally), not a GROUP BY over every score
    NativeFilter("stage_name_zh", "发展阶段", SUMM, multi=True, dashboards=("enterprise-lists",)),
    # find an enterprise by name or USCC on the lists (企业查询), the profile by its USCC
    NativeFilter("enterprise_name", "企业名称", S, multi=True, search_all=True,
                 prefilter=f"is_latest_eval_year AND scheme_code = '{DEFAULT_SCHEME}'",
                 dashboards=("enterprise-lists",)),
    # the profile opens on one enterprise: the first the user may see among those scored in the year and
    # scheme it opens on, so its breakdown reads a few rows by the uscc index instead of summing every
    # enterprise's indicator rows. (A cascade from a name filter re-renders the charts after they painted
    # on a busy machine; the lists find the USCC by name.)
    NativeFilter("uscc", "统一社会信用代码", S, first_item=True, required=True, search_all=True,
                 prefilter=f"is_latest_eval_year AND scheme_code = '{DEFAULT_SCHEME}'",
                 dashboards=("enterprise-profile",)),
    NativeFilter("uscc", "统一社会信用代码", S, multi=True, search_all=True,
                 prefilter=f"is_latest_eval_year AND scheme_code = '{DEFAULT_SCHEME}'",
                 dashboards=("enterprise-lists",)),
)

# the dashboard each kind of user lands on after logging in
LANDING: dict[str, str] = {
    "province": "leadership-cockpit", "leadership": "leadership-cockpit", "analyst": "score-distribution",
    "city": "enterprise-lists", "bank": "bank-enterprises",
}
