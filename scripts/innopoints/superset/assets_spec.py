"""The six dashboards as data: datasets (mart tables only), saved metrics, charts, layout, filters.

Edit here and run `innopoints superset author` to rewrite superset/assets/, then `innopoints superset
setup` to import. Every dataset is a physical table in schema `marts`; charts only aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Metric:
    name: str
    sql: str
    label: str
    d3format: str | None = None


@dataclass(frozen=True)
class Dataset:
    table: str
    columns: dict[str, tuple[str, str]]  # name -> (SQL type, Chinese label)
    metrics: tuple[Metric, ...] = ()
    description: str | None = None
    main_dttm: str | None = None


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
    bins: int = 20
    x_title: str = ""
    height: int = 50
    description: str | None = None
    ignore_filters: tuple[str, ...] = ()  # native filter columns that must not apply to this chart


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


# -- common columns ---------------------------------------------------------------------------
YEAR = {"eval_year": ("INTEGER", "评价年度")}
SCHEME = {"scheme_code": ("VARCHAR", "积分方案")}
CITY = {"city_code": ("VARCHAR", "城市")}

N_ENT = Metric("enterprises", "COUNT(DISTINCT uscc)", "企业数", ",d")

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "fct_enterprise_scores",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), "enterprise_name": ("VARCHAR", "企业名称"),
         **CITY, "industry_section": ("VARCHAR", "行业门类"), "stage": ("VARCHAR", "发展阶段"),
         "is_vetoed": ("BOOLEAN", "一票否决"), "veto_codes": ("VARCHAR", "否决原因"),
         "total_points": ("NUMERIC", "创新积分"), "max_points": ("NUMERIC", "满分"), "grade": ("VARCHAR", "等级"),
         "rank_in_region": ("INTEGER", "区域排名"), "evaluated_in_region": ("INTEGER", "区域参评企业数"),
         "top_share": ("NUMERIC", "排名百分位"), "points_to_next_grade": ("NUMERIC", "距下一等级分数")},
        (N_ENT,
         Metric("avg_points", "AVG(total_points)", "平均积分", ".1f"),
         Metric("median_points", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total_points)", "积分中位数", ".1f"),
         Metric("max_points_won", "MAX(total_points)", "最高积分", ".1f"),
         Metric("vetoed", "SUM(CASE WHEN is_vetoed THEN 1 ELSE 0 END)", "否决企业数", ",d"),
         Metric("total_points_sum", "SUM(total_points)", "积分", ".1f"),
         Metric("best_rank", "MIN(rank_in_region)", "区域排名", ",d"),
         Metric("gap_next_grade", "MIN(points_to_next_grade)", "距下一等级", ".1f")),
        "Scores per (scheme, year, enterprise) — 企业创新积分",
    ),
    Dataset(
        "fct_indicator_scores",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), "indicator_code": ("VARCHAR", "指标"),
         "category_code": ("VARCHAR", "指标类别"), "indicator_value": ("NUMERIC", "指标值"),
         "cohort_size": ("INTEGER", "比较组规模"), "ratio": ("NUMERIC", "比值"), "weight": ("NUMERIC", "权重"),
         "points": ("NUMERIC", "得分"), "points_lost": ("NUMERIC", "失分")},
        (Metric("points_won", "SUM(points)", "得分", ".1f"),
         Metric("points_available", "SUM(weight)", "可得分", ".1f"),
         Metric("points_lost_sum", "SUM(points_lost)", "失分", ".1f"),
         Metric("avg_points_ind", "AVG(points)", "平均得分", ".2f"),
         Metric("weight_max", "MAX(weight)", "权重", ".1f"),
         Metric("value_max", "MAX(indicator_value)", "指标值", ".2f"),
         N_ENT),
        "Points per indicator — 指标得分",
    ),
    Dataset(
        "fct_score_coverage",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), "is_evaluated": ("BOOLEAN", "是否参评"),
         "reason": ("VARCHAR", "未参评原因")},
        (N_ENT,),
        "Evaluated vs not, with reasons — 参评覆盖",
    ),
)

# -- charts -----------------------------------------------------------------------------------
CHARTS: tuple[Chart, ...] = (
    # 领导驾驶舱
    Chart("lc_enterprises", "参评企业数", "fct_enterprise_scores", "big_number_total", ["enterprises"],
          height=30),
    Chart("lc_avg", "平均创新积分", "fct_enterprise_scores", "big_number_total", ["avg_points"], height=30,
          number_format=".1f"),
    Chart("lc_median", "创新积分中位数", "fct_enterprise_scores", "big_number_total", ["median_points"],
          height=30, number_format=".1f"),
    Chart("lc_vetoed", "一票否决企业数", "fct_enterprise_scores", "big_number_total", ["vetoed"], height=30),
    Chart("lc_grade_mix", "等级分布", "fct_enterprise_scores", "pie", ["enterprises"], ["grade"]),
    Chart("lc_city_table", "各市创新积分", "fct_enterprise_scores", "table",
          ["enterprises", "avg_points", "median_points", "vetoed"], ["city_code"], row_limit=50),
    # 积分分布
    Chart("sd_hist", "创新积分分布", "fct_enterprise_scores", "histogram_v2", [], ["total_points"], bins=25,
          x_title="创新积分"),
    Chart("sd_by_city", "各市平均积分", "fct_enterprise_scores", "echarts_timeseries_bar", ["avg_points"],
          x_axis="city_code", sort_by_metric=True, number_format=".1f"),
    Chart("sd_by_industry", "各行业平均积分", "fct_enterprise_scores", "echarts_timeseries_bar", ["avg_points"],
          x_axis="industry_section", number_format=".1f"),
    Chart("sd_by_stage", "各阶段企业等级", "fct_enterprise_scores", "echarts_timeseries_bar", ["enterprises"],
          ["grade"], x_axis="stage", stacked=True),
    Chart("sd_indicator", "各指标得分与可得分（失分在哪里）", "fct_indicator_scores", "echarts_timeseries_bar",
          ["points_won", "points_lost_sum"], x_axis="indicator_code", stacked=True),
    Chart("sd_veto", "一票否决原因", "fct_enterprise_scores", "pie", ["enterprises"], ["veto_codes"]),
    Chart("sd_coverage", "参评覆盖（未参评原因）", "fct_score_coverage", "pie", ["enterprises"], ["reason"]),
    Chart("sd_scheme_compare", "不同积分方案平均积分对比", "fct_enterprise_scores", "echarts_timeseries_bar",
          ["avg_points"], ["scheme_code"], x_axis="city_code", number_format=".1f", ignore_filters=("scheme_code",)),
    # 企业积分画像
    Chart("ep_list", "企业积分与等级", "fct_enterprise_scores", "table", [],
          ["uscc", "enterprise_name", "city_code", "eval_year", "total_points", "grade", "rank_in_region",
           "evaluated_in_region", "points_to_next_grade"], order_by="total_points", row_limit=200),
    Chart("ep_breakdown", "分指标得分（对照权重）", "fct_indicator_scores", "table",
          ["points_won", "points_available", "points_lost_sum", "value_max"], ["indicator_code", "category_code"],
          order_by="points_lost_sum", row_limit=100),
    Chart("ep_history", "历年积分", "fct_enterprise_scores", "echarts_timeseries_bar", ["avg_points"],
          ["scheme_code"], x_axis="eval_year", number_format=".1f", ignore_filters=("eval_year", "scheme_code")),
)

DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("leadership-cockpit", "领导驾驶舱", [
        [("lc_enterprises", 3), ("lc_avg", 3), ("lc_median", 3), ("lc_vetoed", 3)],
        [("lc_grade_mix", 4), ("lc_city_table", 8)],
    ], "Headline figures for the chosen year and scheme"),
    Dashboard("score-distribution", "积分分布", [
        [("sd_hist", 6), ("sd_by_city", 6)],
        [("sd_by_industry", 6), ("sd_by_stage", 6)],
        [("sd_indicator", 12)],
        [("sd_veto", 4), ("sd_coverage", 4), ("sd_scheme_compare", 4)],
    ], "Score distribution, lost points, vetoes, coverage"),
    Dashboard("enterprise-profile", "企业积分画像", [
        [("ep_list", 12)],
        [("ep_breakdown", 7), ("ep_history", 5)],
    ], "One enterprise: score, grade, rank, breakdown, history, gap to the next grade"),
)

NATIVE_FILTERS: tuple[NativeFilter, ...] = (
    NativeFilter("eval_year", "年度", "fct_enterprise_scores", first_item=True, required=True),
    NativeFilter("scheme_code", "积分方案", "fct_enterprise_scores", default="LN-2025", required=True),
    NativeFilter("city_code", "城市", "fct_enterprise_scores", multi=True),
)
