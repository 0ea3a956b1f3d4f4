"""The six dashboards as data: datasets (mart tables only), saved metrics, charts, layout, filters.

Edit here and run `innopoints superset author` to rewrite superset/assets/, then `innopoints superset
setup` to import. Every dataset is a physical table in schema `marts`; charts only aggregate.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


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


# -- common columns ---------------------------------------------------------------------------
YEAR = {"eval_year": ("INTEGER", "评价年度")}
SCHEME = {"scheme_code": ("VARCHAR", "积分方案")}
CITY = {"city_code": ("VARCHAR", "城市代码")}

N_ENT = Metric("enterprises", "COUNT(DISTINCT uscc)", "企业数", ",d")

# the pre-counted score marts (fct_score_distribution, fct_score_summary, …) hold an `enterprises`
# count per row: their metrics add the counts up instead of counting one row per enterprise
COUNTED_ENT = Metric("enterprises", "SUM(enterprises)", "企业数", ",d")
COUNTED_AVG = Metric("avg_points", "SUM(points_sum) / NULLIF(SUM(enterprises), 0)", "平均积分", ".1f")
COUNTED_VETOED = Metric("vetoed", "SUM(CASE WHEN is_vetoed THEN enterprises ELSE 0 END)", "否决企业数", ",d")
COUNTED_A_SHARE = Metric("grade_a_share", "SUM(CASE WHEN grade = 'A' THEN enterprises ELSE 0 END) * 1.0 "
                         "/ NULLIF(SUM(enterprises), 0)", "A级占比", ".1%")

INDICATORS_SEED = Path(__file__).resolve().parents[3] / "seeds" / "scoring" / "indicators.csv"


def _seed_label(code_column: str, label_column: str) -> str:
    """A calculated column naming a code from the indicators seed (CASE … ELSE the code), so a table
    as large as fct_indicator_scores need not store the names; re-author after changing the seed."""
    with INDICATORS_SEED.open(encoding="utf-8-sig", newline="") as fh:
        labels = {r[code_column]: r[label_column] for r in csv.DictReader(fh)}
    whens = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in sorted(labels.items()))
    return f"CASE {code_column} {whens} ELSE {code_column} END"


def _ratio(name: str, num: str, den: str, label: str, fmt: str = ".1%") -> Metric:
    return Metric(name, f"SUM({num}) * 1.0 / NULLIF(SUM({den}), 0)", label, fmt)


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "fct_enterprise_scores",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), "enterprise_name": ("VARCHAR", "企业名称"),
         **CITY, "city_name_zh": ("VARCHAR", "城市"), "industry_section": ("VARCHAR", "行业门类代码"),
         "industry_section_name_zh": ("VARCHAR", "行业门类"), "stage": ("VARCHAR", "发展阶段代码"),
         "stage_name_zh": ("VARCHAR", "发展阶段"), "is_vetoed": ("BOOLEAN", "一票否决"),
         "veto_codes": ("VARCHAR", "否决代码"), "veto_reasons_zh": ("VARCHAR", "否决原因"),
         "total_points": ("NUMERIC", "创新积分"), "max_points": ("NUMERIC", "满分"), "grade": ("VARCHAR", "等级"),
         "grade_label_zh": ("VARCHAR", "等级名称"), "rank_in_region": ("INTEGER", "区域排名"),
         "evaluated_in_region": ("INTEGER", "区域参评企业数"), "top_share": ("NUMERIC", "排名百分位"),
         "next_grade": ("VARCHAR", "下一等级"), "points_to_next_grade": ("NUMERIC", "距下一等级分数"),
         "is_latest_eval_year": ("BOOLEAN", "最新评价年度")},
        (N_ENT,
         Metric("avg_points", "AVG(total_points)", "平均积分", ".1f"),
         Metric("median_points", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total_points)", "积分中位数", ".1f"),
         Metric("vetoed", "COUNT(DISTINCT CASE WHEN is_vetoed THEN uscc END)", "否决企业数", ",d"),
         Metric("grade_a_share", "AVG(CASE WHEN grade = 'A' THEN 1.0 ELSE 0 END)", "A级占比", ".1%")),
        "Scores per (scheme, year, enterprise) — 企业创新积分",
    ),
    Dataset(
        "fct_indicator_scores",
        {**SCHEME, **YEAR, "uscc": ("VARCHAR", "统一社会信用代码"), **CITY,
         "indicator_code": ("VARCHAR", "指标代码"), "indicator_name_zh": ("VARCHAR", "指标"),
         "category_code": ("VARCHAR", "类别代码"), "category_name_zh": ("VARCHAR", "指标类别"),
         "indicator_value": ("NUMERIC", "指标值"), "cohort_size": ("INTEGER", "比较组规模"),
         "ratio": ("NUMERIC", "比值"), "weight": ("NUMERIC", "权重"), "points": ("NUMERIC", "得分"),
         "points_lost": ("NUMERIC", "失分")},
        (Metric("points_won", "SUM(points)", "得分", ".1f"),
         Metric("points_available", "SUM(weight)", "可得分", ".1f"),
         Metric("points_lost_sum", "SUM(points_lost)", "失分", ".1f"),
         Metric("value_max", "MAX(indicator_value)", "指标值", ".2f"),
         N_ENT),
        "Points per indicator — 指标得分",
        expressions={"indicator_name_zh": _seed_label("indicator_code", "indicator_name_zh"),
                     "category_name_zh": _seed_label("category_code", "category_name_zh")},
    ),
    Dataset(
        "fct_indicator_score_summary",
        {**SCHEME, **YEAR, **CITY, "city_name_zh": ("VARCHAR", "城市"), "stage": ("VARCHAR", "发展阶段代码"),
         "stage_name_zh": ("VARCHAR", "发展阶段"), "category_code": ("VARCHAR", "类别代码"),
         "category_name_zh": ("VARCHAR", "指标类别"), "indicator_code": ("VARCHAR", "指标代码"),
         "indicator_name_zh": ("VARCHAR", "指标"), "enterprises_scored": ("INTEGER", "计分企业数"),
         "points_sum": ("NUMERIC", "得分合计"), "weight_sum": ("NUMERIC", "可得分合计"),
         "points_lost_sum": ("NUMERIC", "失分合计"), "indicator_value_max": ("NUMERIC", "指标最大值")},
        (Metric("points_won", "SUM(points_sum)", "得分", ".1f"),
         Metric("points_available", "SUM(weight_sum)", "可得分", ".1f"),
         Metric("points_lost_sum", "SUM(points_lost_sum)", "失分", ".1f"),
         Metric("value_max", "MAX(indicator_value_max)", "指标值", ".2f"),
         Metric("enterprises_scored", "SUM(enterprises_scored)", "计分企业数", ",d")),
        "Points per indicator added up by city and stage — 指标得分汇总",
    ),
    Dataset(
        "dim_score_scope",
        {**SCHEME, "scheme_name_zh": ("VARCHAR", "积分方案名称"), **YEAR,
         "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY, "city_name_zh": ("VARCHAR", "城市")},
        (),
        "Schemes, years and cities with evaluated enterprises: the values of the dashboards' filters — 评价范围",
    ),
    Dataset(
        "fct_score_distribution",
        {**SCHEME, **YEAR, "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY,
         "city_name_zh": ("VARCHAR", "城市"), "grade": ("VARCHAR", "等级"), "grade_label_zh": ("VARCHAR", "等级名称"),
         "is_vetoed": ("BOOLEAN", "一票否决"), "total_points": ("NUMERIC", "创新积分"),
         "points_bin": ("INTEGER", "积分区间（下限）"), "enterprises": ("INTEGER", "企业数"),
         "points_sum": ("NUMERIC", "积分合计")},
        (COUNTED_ENT, COUNTED_AVG,
         # exact: the median of the enterprises counted per exact total (equal to PERCENTILE_CONT over them)
         Metric("median_points",
                "marts.percentile_from_counts(ARRAY_AGG(total_points), ARRAY_AGG(enterprises), 0.5)",
                "积分中位数", ".1f"),
         COUNTED_VETOED, COUNTED_A_SHARE),
        "Enterprises per exact total by city and grade — 积分分布",
    ),
    Dataset(
        "fct_score_summary",
        {**SCHEME, **YEAR, "is_latest_eval_year": ("BOOLEAN", "最新评价年度"), **CITY,
         "city_name_zh": ("VARCHAR", "城市"), "industry_section": ("VARCHAR", "行业门类代码"),
         "industry_section_name_zh": ("VARCHAR", "行业门类"), "stage": ("VARCHAR", "发展阶段代码"),
         "stage_name_zh": ("VARCHAR", "发展阶段"), "grade": ("VARCHAR", "等级"),
         "grade_label_zh": ("VARCHAR", "等级名称"), "is_vetoed": ("BOOLEAN", "一票否决"),
         "veto_codes": ("VARCHAR", "否决代码"), "veto_reasons_zh": ("VARCHAR", "否决原因"),
         "enterprises": ("INTEGER", "企业数"), "points_sum": ("NUMERIC", "积分合计"),
         "max_points_sum": ("NUMERIC", "满分合计")},
        (COUNTED_ENT, COUNTED_AVG, COUNTED_VETOED, COUNTED_A_SHARE),
        "Enterprises and points by city, industry, stage, grade and veto — 积分汇总",
    ),
    Dataset(
        "fct_score_coverage_summary",
        {**SCHEME, **YEAR, **CITY, "city_name_zh": ("VARCHAR", "城市"), "is_evaluated": ("BOOLEAN", "是否参评"),
         "reason": ("VARCHAR", "原因代码"), "reason_zh": ("VARCHAR", "参评情况"), "enterprises": ("INTEGER", "企业数")},
        (COUNTED_ENT,
         Metric("evaluated_share", "SUM(CASE WHEN is_evaluated THEN enterprises ELSE 0 END) * 1.0 "
                "/ NULLIF(SUM(enterprises), 0)", "参评率", ".1%")),
        "Enterprises evaluated or not, with reasons, by city — 参评覆盖汇总",
    ),
    Dataset(
        "fct_financing_monthly",
        {"month": ("DATE", "月份"), **YEAR, **SCHEME, **CITY, "bank_code": ("VARCHAR", "银行"),
         "product_code": ("VARCHAR", "产品"), "grade": ("VARCHAR", "申请时等级"),
         "applications_received": ("INTEGER", "受理申请"), "applications_decided": ("INTEGER", "已决申请"),
         "applications_approved": ("INTEGER", "批准申请"), "applications_rejected": ("INTEGER", "拒绝申请"),
         "applications_withdrawn": ("INTEGER", "撤回申请"), "applications_pending": ("INTEGER", "审批中"),
         "enterprises_decided": ("INTEGER", "已决企业"), "enterprises_approved": ("INTEGER", "获批企业"),
         "approval_days_sum": ("NUMERIC", "审批天数合计"), "loans_disbursed": ("INTEGER", "放款笔数"),
         "enterprises_financed": ("INTEGER", "获贷企业"), "amount_disbursed": ("NUMERIC", "放款金额"),
         "amount_with_rate": ("NUMERIC", "有利率金额"), "rate_pct_x_amount": ("NUMERIC", "利率×金额"),
         "all_in_rate_pct_x_amount": ("NUMERIC", "综合成本×金额"), "amount_with_lpr": ("NUMERIC", "有LPR金额"),
         "spread_bp_x_amount": ("NUMERIC", "利差×金额"), "ordinary_rate_pct_x_amount": ("NUMERIC", "普通利率×金额"),
         "saving_pct_points_x_amount": ("NUMERIC", "节省×金额"), "loans_overdue": ("INTEGER", "逾期笔数"),
         "loans_default": ("INTEGER", "不良笔数"), "outstanding_balance": ("NUMERIC", "贷款余额"),
         "default_balance": ("NUMERIC", "不良余额")},
        (Metric("received", "SUM(applications_received)", "受理申请", ",d"),
         Metric("decided", "SUM(applications_decided)", "已决申请", ",d"),
         Metric("approved", "SUM(applications_approved)", "批准申请", ",d"),
         Metric("rejected", "SUM(applications_rejected)", "拒绝申请", ",d"),
         Metric("disbursed", "SUM(loans_disbursed)", "放款笔数", ",d"),
         Metric("amount_yi", "SUM(amount_disbursed) / 1e8", "放款金额（亿元）", ".2f"),
         Metric("financed", "SUM(enterprises_financed)", "获贷企业（月度合计）", ",d"),
         Metric("banks", "COUNT(DISTINCT CASE WHEN loans_disbursed > 0 THEN bank_code END)", "放款银行数", ",d"),
         _ratio("success_rate", "enterprises_approved", "enterprises_decided", "融资成功率（企业）"),
         _ratio("app_success_rate", "applications_approved", "applications_decided", "融资成功率（申请）"),
         _ratio("loan_rate", "rate_pct_x_amount", "amount_with_rate", "贷款成本（年利率%）", ".2f"),
         _ratio("all_in_rate", "all_in_rate_pct_x_amount", "amount_with_rate", "综合融资成本%", ".2f"),
         _ratio("spread_bp", "spread_bp_x_amount", "amount_with_lpr", "较LPR利差（基点）", ".0f"),
         _ratio("saving", "saving_pct_points_x_amount", "ordinary_rate_pct_x_amount", "较普通贷款节省"),
         _ratio("approval_days", "approval_days_sum", "applications_decided", "平均审批天数", ".1f"),
         _ratio("default_rate", "loans_default", "loans_disbursed", "不良率（笔数）", ".2%"),
         _ratio("default_rate_balance", "default_balance", "outstanding_balance", "不良率（余额）", ".2%")),
        "Monthly financing facts by city, bank, product, grade — 融资月度指标",
        main_dttm="month",
    ),
    Dataset(
        "fct_loan_applications",
        {**SCHEME, "loan_app_id": ("VARCHAR", "申请编号"), "uscc": ("VARCHAR", "统一社会信用代码"),
         "enterprise_name": ("VARCHAR", "企业名称"), **CITY, "bank_code": ("VARCHAR", "银行代码"),
         "bank_name_zh": ("VARCHAR", "银行"), "product_name_zh": ("VARCHAR", "产品"),
         "applied_date": ("DATE", "申请日期"), "applied_year": ("INTEGER", "申请年度"),
         "decision": ("VARCHAR", "审批结果"), "approval_days": ("INTEGER", "审批天数"),
         "amount_approved": ("NUMERIC", "批准金额"), "annual_rate_pct": ("NUMERIC", "年利率%"),
         "lpr_1y_pct": ("NUMERIC", "LPR%"), "status": ("VARCHAR", "贷款状态"),
         "grade_at_application": ("VARCHAR", "申请时等级"), "is_approved": ("BOOLEAN", "批准"),
         "is_decided": ("BOOLEAN", "已决"), "is_default": ("BOOLEAN", "不良")},
        (Metric("applications", "COUNT(*)", "申请笔数", ",d"),
         Metric("approval_rate", "AVG(CASE WHEN is_approved THEN 1.0 WHEN is_decided THEN 0 END)", "批准率", ".1%"),
         Metric("default_rate_loans", "AVG(CASE WHEN is_default THEN 1.0 ELSE 0 END) FILTER (WHERE is_approved)",
                "不良率", ".2%"),
         Metric("median_days", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY approval_days)", "审批天数中位数", ".0f"),
         Metric("p90_days", "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY approval_days)", "审批天数P90", ".0f"),
         Metric("avg_rate", "AVG(annual_rate_pct)", "平均年利率%", ".2f"),
         Metric("avg_lpr", "AVG(lpr_1y_pct)", "LPR%", ".2f"),
         Metric("amount_approved_wan", "SUM(amount_approved) / 1e4", "批准金额（万元）", ",.0f")),
        "Loan applications with the grade at application — 贷款申请",
        main_dttm="applied_date",
    ),
    Dataset(
        "fct_policy_delivery",
        {"month": ("DATE", "月份"), **YEAR, **CITY, "policy_type": ("VARCHAR", "政策类型"),
         "applications_received": ("INTEGER", "申请笔数"), "applications_approved": ("INTEGER", "批准笔数"),
         "amount_approved": ("NUMERIC", "批准金额"), "applications_disbursed": ("INTEGER", "兑现笔数"),
         "disbursed_on_time": ("INTEGER", "按时兑现笔数"), "days_to_disbursement_sum": ("INTEGER", "兑现天数合计"),
         "amount_disbursed": ("NUMERIC", "兑现金额"), "amount_approved_of_disbursed": ("NUMERIC", "已兑现申请批准金额"),
         "backlog_count": ("INTEGER", "积压笔数"), "backlog_amount": ("NUMERIC", "积压金额"),
         "backlog_age_days_sum": ("INTEGER", "积压天数合计"), "backlog_age_days_max": ("INTEGER", "最长积压天数"),
         "backlog_past_promise_count": ("INTEGER", "超期积压笔数")},
        (Metric("pd_received", "SUM(applications_received)", "政策申请笔数", ",d"),
         Metric("pd_approved", "SUM(applications_approved)", "批准笔数", ",d"),
         Metric("pd_disbursed", "SUM(applications_disbursed)", "兑现笔数", ",d"),
         Metric("pd_amount_wan", "SUM(amount_disbursed) / 1e4", "兑现金额（万元）", ",.1f"),
         _ratio("pd_on_time", "disbursed_on_time", "applications_disbursed", "按时兑现率"),
         _ratio("pd_mean_days", "days_to_disbursement_sum", "applications_disbursed", "平均兑现天数", ".1f"),
         _ratio("pd_delivery_ratio", "amount_disbursed", "amount_approved_of_disbursed", "兑现比例"),
         Metric("pd_backlog", "SUM(backlog_count)", "积压笔数", ",d"),
         Metric("pd_backlog_wan", "SUM(backlog_amount) / 1e4", "积压金额（万元）", ",.1f"),
         Metric("pd_backlog_overdue", "SUM(backlog_past_promise_count)", "超期积压笔数", ",d"),
         Metric("pd_backlog_age_max", "MAX(backlog_age_days_max)", "最长积压天数", ",d"),
         _ratio("pd_backlog_age_mean", "backlog_age_days_sum", "backlog_count", "平均积压天数", ".0f")),
        "Policy delivery by month, city and policy type — 政策兑现效率",
        main_dttm="month",
    ),
    Dataset(
        "fct_policy_applications",
        {"policy_app_id": ("VARCHAR", "政策申请编号"), "uscc": ("VARCHAR", "统一社会信用代码"),
         "enterprise_name": ("VARCHAR", "企业名称"), **CITY, "policy_type": ("VARCHAR", "政策类型"),
         "promised_days": ("INTEGER", "承诺兑现天数"), "applied_date": ("DATE", "申请日期"),
         "applied_year": ("INTEGER", "申请年度"), "disbursed_year": ("INTEGER", "兑现年度"),
         "delivery_status": ("VARCHAR", "兑现状态"), "is_disbursed": ("BOOLEAN", "已兑现"),
         "is_backlog": ("BOOLEAN", "积压"), "amount_approved": ("NUMERIC", "批准金额"),
         "days_to_disbursement": ("INTEGER", "兑现天数"), "is_on_time": ("BOOLEAN", "按时兑现"),
         "backlog_age_days": ("INTEGER", "积压天数"), "is_backlog_past_promise": ("BOOLEAN", "超期积压"),
         **YEAR},
        (Metric("pa_p50_days", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days_to_disbursement)",
                "兑现天数中位数", ".0f"),
         Metric("pa_p90_days", "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY days_to_disbursement)",
                "兑现天数P90", ".0f"),
         Metric("pa_promised", "AVG(promised_days)", "承诺天数", ".0f"),
         Metric("pa_backlog", "COUNT(*) FILTER (WHERE is_backlog)", "积压笔数", ",d"),
         Metric("pa_applications", "COUNT(*)", "申请笔数", ",d")),
        "Policy applications with days to payment and backlog age — 政策兑现申请明细",
        main_dttm="applied_date",
        # the year filter: year of payment, else of application (as fct_policy_delivery counts them)
        expressions={"eval_year": "COALESCE(disbursed_year, applied_year)"},
    ),
    Dataset(
        "fct_dq_results",
        {"run_id": ("VARCHAR", "校验编号"), "run_started_at": ("TIMESTAMP", "校验开始时间"),
         "run_date": ("DATE", "校验日期"), "run_success": ("BOOLEAN", "本次校验通过"),
         "is_latest_run": ("BOOLEAN", "最新一次校验"), "suite_name": ("VARCHAR", "校验套件"),
         "area": ("VARCHAR", "校验范围"), "asset_name": ("VARCHAR", "校验对象"), "feed": ("VARCHAR", "数据源"),
         "expectation_type": ("VARCHAR", "期望类型"), "check_name": ("VARCHAR", "校验项"),
         "column_name": ("VARCHAR", "字段"), "description": ("VARCHAR", "说明"), "success": ("BOOLEAN", "通过"),
         "failed_count": ("INTEGER", "失败数"), "observed_value_text": ("VARCHAR", "观测值"),
         "unexpected_count": ("INTEGER", "异常行数"), "element_count": ("INTEGER", "检查行数"),
         "run_time": ("TIMESTAMP", "校验时间"), "freshness_status": ("VARCHAR", "新鲜度状态"),
         "age_days": ("NUMERIC", "距最近加载（天）")},
        (Metric("dq_checks", "COUNT(*)", "校验项数", ",d"),
         Metric("dq_failed", "SUM(failed_count)", "未通过项数", ",d"),
         Metric("dq_pass_share", "AVG(CASE WHEN success THEN 1.0 ELSE 0 END)", "通过率", ".1%"),
         Metric("dq_runs", "COUNT(DISTINCT run_id)", "校验次数", ",d"),
         Metric("dq_unexpected", "SUM(unexpected_count)", "异常行数", ",d"),
         Metric("dq_rows", "SUM(element_count)", "检查行数", ",d"),
         Metric("dq_last_run", "TO_CHAR(MAX(run_started_at), 'YYYY-MM-DD HH24:MI')", "最近校验时间")),
        "Every check of every validation run — 数据质量校验结果",
        main_dttm="run_started_at",
        # dbt source freshness keeps status and age in the observed value: read them out for the table
        expressions={
            "freshness_status": "substring(observed_value_text from '\"status\": \"([a-z]+)\"')",
            "age_days": "round(substring(observed_value_text from '\"age_hours\": ([0-9.]+)')::numeric / 24, 1)",
        },
    ),
    Dataset(
        "fct_import_batches",
        {"batch_id": ("INTEGER", "批次号"), "feed": ("VARCHAR", "数据源"), "file_name": ("VARCHAR", "文件名"),
         "loaded_at": ("TIMESTAMP", "导入时间"), "loaded_date": ("DATE", "导入日期"),
         "rows_read": ("INTEGER", "读取行数"), "rows_loaded": ("INTEGER", "入库行数"),
         "rows_quarantined": ("INTEGER", "隔离行数"), "quarantine_share": ("NUMERIC", "隔离比例")},
        (Metric("ib_batches", "COUNT(*)", "导入批次", ",d"),
         Metric("ib_read", "SUM(rows_read)", "读取行数", ",d"),
         Metric("ib_loaded", "SUM(rows_loaded)", "入库行数", ",d"),
         Metric("ib_quarantined", "SUM(rows_quarantined)", "隔离行数", ",d"),
         _ratio("ib_quarantine_share", "rows_quarantined", "rows_read", "隔离比例", ".2%"),
         Metric("ib_last_loaded", "TO_CHAR(MAX(loaded_at), 'YYYY-MM-DD HH24:MI')", "最近导入时间"),
         Metric("ib_days_since", "CURRENT_DATE - MAX(loaded_date)", "距今天数", ",d")),
        "Import batches per feed: freshness and quarantine — 数据导入批次",
        main_dttm="loaded_at",
    ),
    Dataset(
        "fct_quarantine_summary",
        {"batch_id": ("INTEGER", "批次号"), "feed": ("VARCHAR", "数据源"), "reason": ("VARCHAR", "隔离原因"),
         "file_name": ("VARCHAR", "文件名"), "loaded_date": ("DATE", "导入日期"),
         "rows_quarantined": ("INTEGER", "隔离记录数"), "lines_quarantined": ("INTEGER", "隔离行数"),
         "fields": ("VARCHAR", "问题字段")},
        (Metric("qs_lines", "SUM(lines_quarantined)", "隔离行数", ",d"),
         Metric("qs_records", "SUM(rows_quarantined)", "隔离记录数", ",d")),
        "Quarantined rows by batch, feed and reason — 隔离记录汇总",
        main_dttm="loaded_date",
    ),
    Dataset(
        "fct_feed_coverage",
        {**SCHEME, **YEAR, **CITY, "city_name_zh": ("VARCHAR", "城市"), "feed": ("VARCHAR", "数据源"),
         "enterprises_evaluated": ("INTEGER", "参评企业数"), "enterprises_with_rows": ("INTEGER", "有记录企业数"),
         "coverage_share": ("NUMERIC", "覆盖率")},
        (_ratio("fc_share", "enterprises_with_rows", "enterprises_evaluated", "覆盖率"),
         Metric("fc_with_rows", "SUM(enterprises_with_rows)", "有记录企业数", ",d"),
         Metric("fc_evaluated", "SUM(enterprises_evaluated)", "参评企业数", ",d")),
        "Per-feed coverage of the evaluated enterprises — 各数据源覆盖率",
    ),
)

S, IND, IND_SUM, FIN, LOAN = (
    "fct_enterprise_scores", "fct_indicator_scores", "fct_indicator_score_summary", "fct_financing_monthly",
    "fct_loan_applications",
)
# pre-counted score marts: what leadership and distribution charts read instead of one row per enterprise
DIST, SUMM, COV = "fct_score_distribution", "fct_score_summary", "fct_score_coverage_summary"
PD, PA, DQ, IB, QS, FC = (
    "fct_policy_delivery", "fct_policy_applications", "fct_dq_results", "fct_import_batches",
    "fct_quarantine_summary", "fct_feed_coverage",
)

# -- charts -----------------------------------------------------------------------------------
CHARTS: tuple[Chart, ...] = (
    # 领导驾驶舱
    Chart("lc_enterprises", "参评企业数", DIST, "big_number_total", ["enterprises"], height=25),
    Chart("lc_avg", "平均创新积分", DIST, "big_number_total", ["avg_points"], height=25, number_format=".1f"),
    Chart("lc_median", "创新积分中位数", DIST, "big_number_total", ["median_points"], height=25, number_format=".1f"),
    Chart("lc_amount", "放款金额（亿元）", FIN, "big_number_total", ["amount_yi"], height=25, number_format=".2f"),
    Chart("lc_success", "融资成功率", FIN, "big_number_total", ["success_rate"], height=25, number_format=".1%"),
    Chart("lc_cost", "贷款成本（年利率%）", FIN, "big_number_total", ["loan_rate"], height=25, number_format=".2f"),
    Chart("lc_grade_mix", "等级分布", DIST, "pie", ["enterprises"], ["grade_label_zh"]),
    Chart("lc_trend", "月度放款与成功率", FIN, "echarts_timeseries_line", ["amount_yi", "disbursed"],
          x_axis="month", time_grain="P1M"),
    Chart("lc_city_fin", "各市融资", FIN, "table",
          ["amount_yi", "disbursed", "banks", "success_rate", "loan_rate", "saving", "approval_days"],
          ["city_code"], row_limit=50),
    Chart("lc_city_table", "各市创新积分", DIST, "table",
          ["enterprises", "avg_points", "median_points", "grade_a_share", "vetoed"], ["city_name_zh", "city_code"],
          row_limit=50),
    # 积分分布
    Chart("sd_hist", "创新积分分布", DIST, "echarts_timeseries_bar", ["enterprises"], x_axis="points_bin",
          number_format=",d", x_title="创新积分（区间下限）",
          description="每根柱为一个积分区间（下限；宽度见 dbt 变量 score_histogram_bin_width）的企业数"),
    Chart("sd_by_city", "各市平均积分", DIST, "echarts_timeseries_bar", ["avg_points"], x_axis="city_name_zh",
          sort_by_metric=True, number_format=".1f"),
    Chart("sd_by_industry", "各行业平均积分", SUMM, "echarts_timeseries_bar", ["avg_points"],
          x_axis="industry_section_name_zh", sort_by_metric=True, number_format=".1f"),
    Chart("sd_by_stage", "各阶段企业等级", SUMM, "echarts_timeseries_bar", ["enterprises"], ["grade"],
          x_axis="stage_name_zh", stacked=True),
    Chart("sd_indicator", "各指标得分与失分（失分在哪里）", IND_SUM, "echarts_timeseries_bar",
          ["points_won", "points_lost_sum"], x_axis="indicator_name_zh", stacked=True),
    Chart("sd_veto", "一票否决原因", SUMM, "table", ["enterprises"], ["veto_reasons_zh"], row_limit=50,
          where="is_vetoed"),
    Chart("sd_coverage", "参评覆盖", COV, "pie", ["enterprises"], ["reason_zh"]),
    Chart("sd_grade_years", "历年等级结构", DIST, "echarts_timeseries_bar", ["enterprises"], ["grade"],
          x_axis="eval_year", stacked=True, ignore_filters=("eval_year",)),
    Chart("sd_scheme_compare", "不同积分方案平均积分对比", DIST, "echarts_timeseries_bar", ["avg_points"],
          ["scheme_code"], x_axis="city_name_zh", number_format=".1f", ignore_filters=("scheme_code",)),
    # 融资监测
    Chart("fm_funnel", "申请漏斗", FIN, "table", ["received", "decided", "approved", "rejected", "disbursed"],
          [], row_limit=10),
    Chart("fm_by_bank", "各银行放款与成功率", FIN, "table",
          ["disbursed", "amount_yi", "success_rate", "app_success_rate", "loan_rate", "spread_bp", "saving"],
          ["bank_code", "product_code"], row_limit=100),
    Chart("fm_rate_lpr", "贷款利率与LPR", FIN, "echarts_timeseries_line", ["loan_rate", "all_in_rate"],
          x_axis="month", time_grain="P1M"),
    Chart("fm_by_grade", "各等级批准率与不良率", LOAN, "table",
          ["applications", "approval_rate", "default_rate_loans"], ["grade_at_application"], row_limit=20,
          order_by="grade_at_application", order_asc=True),
    Chart("fm_days", "审批天数", LOAN, "echarts_timeseries_bar", ["median_days", "p90_days"],
          x_axis="bank_name_zh"),
    Chart("fm_risk", "不良贷款（风险补偿）", FIN, "table", ["disbursed", "default_rate", "default_rate_balance"],
          ["bank_code"], row_limit=50),
    # 政策兑现
    Chart("pd_received", "政策申请笔数", PD, "big_number_total", ["pd_received"], height=25, number_format=",d"),
    Chart("pd_disbursed", "兑现笔数", PD, "big_number_total", ["pd_disbursed"], height=25, number_format=",d"),
    Chart("pd_amount", "兑现金额（万元）", PD, "big_number_total", ["pd_amount_wan"], height=25, number_format=",.1f"),
    Chart("pd_on_time", "按时兑现率", PD, "big_number_total", ["pd_on_time"], height=25, number_format=".1%"),
    Chart("pd_mean_days", "平均兑现天数", PD, "big_number_total", ["pd_mean_days"], height=25, number_format=".1f"),
    Chart("pd_backlog", "积压笔数（已批准未兑现）", PD, "big_number_total", ["pd_backlog"], height=25,
          number_format=",d"),
    Chart("pd_by_type", "各类政策兑现情况", PD, "table",
          ["pd_received", "pd_approved", "pd_disbursed", "pd_amount_wan", "pd_on_time", "pd_mean_days",
           "pd_delivery_ratio", "pd_backlog"], ["policy_type"], row_limit=50),
    Chart("pd_days", "兑现天数与承诺天数（按政策类型）", PA, "echarts_timeseries_bar",
          ["pa_p50_days", "pa_p90_days", "pa_promised"], x_axis="policy_type", number_format=".0f"),
    Chart("pd_trend", "月度申请与兑现", PD, "echarts_timeseries_line", ["pd_received", "pd_disbursed"],
          x_axis="month", time_grain="P1M"),
    Chart("pd_on_time_trend", "月度按时兑现率", PD, "echarts_timeseries_line", ["pd_on_time"], x_axis="month",
          time_grain="P1M", number_format=".0%"),
    Chart("pd_backlog_table", "积压情况（按政策类型）", PD, "table",
          ["pd_backlog", "pd_backlog_wan", "pd_backlog_overdue", "pd_backlog_age_mean", "pd_backlog_age_max"],
          ["policy_type"], row_limit=50, ignore_filters=("eval_year",),
          description="积压按批准月份计入；不随年度筛选，显示统计日的全部积压"),
    Chart("pd_by_city", "各市政策兑现", PD, "table",
          ["pd_received", "pd_disbursed", "pd_on_time", "pd_mean_days", "pd_delivery_ratio", "pd_backlog"],
          ["city_code"], row_limit=50),
    # 数据质量
    Chart("dq_runs", "校验次数", DQ, "big_number_total", ["dq_runs"], height=25, number_format=",d"),
    Chart("dq_pass", "最近一次校验通过率", DQ, "big_number_total", ["dq_pass_share"], height=25,
          number_format=".1%", where="is_latest_run"),
    Chart("dq_failed_n", "最近一次未通过校验项", DQ, "big_number_total", ["dq_failed"], height=25,
          number_format=",d", where="is_latest_run"),
    Chart("dq_quarantined_n", "隔离行数（全部批次）", IB, "big_number_total", ["ib_quarantined"], height=25,
          number_format=",d"),
    Chart("dq_trend", "各校验套件通过率（历次校验）", DQ, "echarts_timeseries_line", ["dq_pass_share"],
          ["suite_name"], x_axis="run_started_at", time_grain="PT1M", number_format=".0%"),
    Chart("dq_by_suite", "最近一次校验结果（按套件）", DQ, "table",
          ["dq_checks", "dq_failed", "dq_pass_share", "dq_unexpected", "dq_rows", "dq_last_run"],
          ["area", "suite_name"], row_limit=200, order_by="dq_failed", where="is_latest_run"),
    Chart("dq_failures", "未通过的校验（明细）", DQ, "table", [],
          ["run_date", "suite_name", "check_name", "column_name", "unexpected_count", "observed_value_text",
           "description"], row_limit=200, order_by="run_date", where="NOT success", may_be_empty=True,
          description="历次校验中未通过的检查；校验全部通过时为空"),
    Chart("dq_source_freshness", "数据源新鲜度（dbt source freshness，最近一次）", DQ, "table", [],
          ["feed", "asset_name", "freshness_status", "age_days", "success"], row_limit=100, order_by="asset_name",
          order_asc=True, where="area = 'freshness' AND is_latest_run"),
    Chart("dq_freshness", "各数据源导入情况", IB, "table",
          ["ib_last_loaded", "ib_days_since", "ib_batches", "ib_read", "ib_loaded", "ib_quarantined",
           "ib_quarantine_share"], ["feed"], row_limit=50, order_by="ib_days_since"),
    Chart("dq_quarantine", "隔离行数（按数据源与原因）", QS, "echarts_timeseries_bar", ["qs_lines"], ["reason"],
          x_axis="feed", stacked=True, number_format=",d", may_be_empty=True,
          description="导入时未通过行级检查而隔离的行；干净的数据没有隔离行"),
    Chart("dq_coverage_city", "参评覆盖率（各市）", COV, "echarts_timeseries_bar", ["evaluated_share"],
          x_axis="city_name_zh", sort_by_metric=True, number_format=".0%"),
    Chart("dq_coverage_reason", "未参评原因", COV, "table", ["enterprises"], ["reason_zh"], row_limit=20),
    Chart("dq_feed_coverage", "各数据源对参评企业的覆盖率", FC, "table", ["fc_share", "fc_with_rows", "fc_evaluated"],
          ["feed"], row_limit=20, order_by="fc_share", order_asc=True),
    # 企业积分画像
    Chart("ep_list", "企业积分与等级", S, "table", [],
          ["uscc", "enterprise_name", "city_name_zh", "eval_year", "total_points", "grade", "rank_in_region",
           "evaluated_in_region", "next_grade", "points_to_next_grade"], order_by="total_points", row_limit=200),
    Chart("ep_breakdown", "分指标得分（对照权重）", IND, "table",
          ["points_won", "points_available", "points_lost_sum", "value_max"],
          ["category_name_zh", "indicator_name_zh"], order_by="points_lost_sum", row_limit=100),
    Chart("ep_history", "历年积分", S, "echarts_timeseries_bar", ["avg_points"], ["scheme_code"], x_axis="eval_year",
          number_format=".1f", ignore_filters=("eval_year", "scheme_code")),
)

DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("leadership-cockpit", "领导驾驶舱", [
        [("lc_enterprises", 2), ("lc_avg", 2), ("lc_median", 2), ("lc_amount", 2), ("lc_success", 2),
         ("lc_cost", 2)],
        [("lc_grade_mix", 4), ("lc_trend", 8)],
        [("lc_city_table", 6), ("lc_city_fin", 6)],
    ], "Headline figures for the chosen year and scheme"),
    Dashboard("score-distribution", "积分分布", [
        [("sd_hist", 6), ("sd_by_city", 6)],
        [("sd_by_industry", 6), ("sd_by_stage", 6)],
        [("sd_indicator", 12)],
        [("sd_veto", 4), ("sd_coverage", 4), ("sd_grade_years", 4)],
        [("sd_scheme_compare", 12)],
    ], "Score distribution, lost points, vetoes, coverage, grade movement, schemes compared"),
    Dashboard("financing-monitor", "融资监测", [
        [("fm_funnel", 12)],
        [("fm_by_bank", 12)],
        [("fm_rate_lpr", 6), ("fm_by_grade", 6)],
        [("fm_days", 6), ("fm_risk", 6)],
    ], "Funnel, banks and products, rate vs LPR, approval and default by grade"),
    Dashboard("policy-delivery", "政策兑现", [
        [("pd_received", 2), ("pd_disbursed", 2), ("pd_amount", 2), ("pd_on_time", 2), ("pd_mean_days", 2),
         ("pd_backlog", 2)],
        [("pd_by_type", 12)],
        [("pd_days", 6), ("pd_backlog_table", 6)],
        [("pd_trend", 6), ("pd_on_time_trend", 6)],
        [("pd_by_city", 12)],
    ], "Policy delivery by type: days to payment against the promise, on-time share, backlog"),
    Dashboard("data-quality", "数据质量", [
        [("dq_runs", 3), ("dq_pass", 3), ("dq_failed_n", 3), ("dq_quarantined_n", 3)],
        [("dq_trend", 7), ("dq_by_suite", 5)],
        [("dq_failures", 12)],
        [("dq_source_freshness", 6), ("dq_freshness", 6)],
        [("dq_quarantine", 5), ("dq_coverage_city", 4), ("dq_coverage_reason", 3)],
        [("dq_feed_coverage", 12)],
    ], "Validation results per suite over time, quarantined rows, source freshness, coverage"),
    Dashboard("enterprise-profile", "企业积分画像", [
        [("ep_list", 12)],
        [("ep_breakdown", 7), ("ep_history", 5)],
    ], "One enterprise: score, grade, rank, breakdown, history, gap to the next grade"),
)

DEFAULT_SCHEME = "LN-2025"

# the year, scheme and city filters list the values of dim_score_scope (a few hundred rows that every data
# role may read), not of a table with one row per enterprise
SCOPE = "dim_score_scope"

NATIVE_FILTERS: tuple[NativeFilter, ...] = (
    NativeFilter("eval_year", "年度", SCOPE, first_item=True, required=True),
    NativeFilter("scheme_code", "积分方案", SCOPE, default=DEFAULT_SCHEME, required=True),
    NativeFilter("city_code", "城市", SCOPE, multi=True),
    # the profile opens on one enterprise: the first the user may see among those scored in the year and
    # scheme it opens on, so its breakdown reads a few rows by the uscc index instead of summing every
    # enterprise's indicator rows. (A cascade from the year and scheme filters picks its first value
    # only after the charts have loaded with another.)
    NativeFilter("uscc", "企业（统一社会信用代码）", "fct_enterprise_scores", first_item=True, required=True,
                 search_all=True, prefilter=f"is_latest_eval_year AND scheme_code = '{DEFAULT_SCHEME}'",
                 dashboards=("enterprise-profile",)),
)
