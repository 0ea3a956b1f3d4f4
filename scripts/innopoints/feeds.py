"""The source feeds of sources.md as data: one place that the importer, the generator and the
raw-table DDL all read, so a field is named, typed and labelled once.

Each feed lists its canonical fields (the names of the raw table's columns) with the Chinese
header the exporting system uses, the field's kind, whether it is part of the natural key,
whether it is required, and for coded fields the accepted Chinese labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["uscc", "text", "code", "int", "year", "money", "pct", "date", "bool", "region"]
# What a feed is for: "scoring" feeds are inputs of the scores (a failed check on one blocks a score
# publication); "monitoring" feeds (bank loans, policy delivery, consents) feed the monitoring marts and
# the bank push, never the scores. scripts/tests/test_feeds_lineage.py holds this equal to dbt's lineage.
Purpose = Literal["scoring", "monitoring"]
# How a feed is delivered: "full", every delivery is the whole feed (or the whole of its scope, e.g. a
# year), so a much smaller delivery means rows went missing; "changes", a delivery may carry only new
# and changed rows (sources.md: the newer delivery of a key wins), as banks re-send changed loans.
Delivery = Literal["full", "changes"]

SQL_TYPES: dict[str, str] = {
    "uscc": "text",
    "text": "text",
    "code": "text",
    "region": "text",
    "int": "integer",
    "year": "integer",
    "money": "numeric(20,2)",
    "pct": "numeric(9,4)",
    "date": "date",
    "bool": "boolean",
}


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: Kind
    key: bool = False
    required: bool = False
    allow_negative: bool = False
    codes: dict[str, str] = field(default_factory=dict)  # Chinese label -> canonical code
    aliases: tuple[str, ...] = ()  # other headers seen in exports

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def is_required(self) -> bool:
        return self.key or self.required


@dataclass(frozen=True)
class Feed:
    name: str
    system_zh: str
    fields: tuple[Field, ...]
    # default unit of money fields when the header names none ("yuan"); the torch survey says 千元
    # in its headers, so the header, not this, decides.
    description: str = ""
    purpose: Purpose = "scoring"
    delivery: Delivery = "full"

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.key)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"feed {self.name} has no field {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


YES_NO = {"是": "true", "否": "false"}

IP_TYPES = {
    "发明专利": "invention",
    "实用新型": "utility",
    "外观设计": "design",
    "软件著作权": "software",
    "集成电路布图设计": "ic_layout",
}
IP_STATUS = {"有效": "valid", "失效": "lapsed", "审中": "pending"}
RECORD_TYPES = {
    "科技计划项目": "project",
    "研发平台": "platform",
    "标准": "standard",
    "产学研合作": "cooperation",
    "成果转化": "transformation",
    "梯度培育": "ladder",
    "数字化转型": "digital",
    "首台套首批次": "first_set",
    "高层次人才": "talent",
}
LEVELS = {"国家级": "national", "省级": "provincial", "市级": "municipal"}
DECISIONS = {"批准": "approved", "拒绝": "rejected", "撤回": "withdrawn", "审批中": "pending"}
LOAN_STATUS = {"正常": "normal", "逾期": "overdue", "不良": "default", "结清": "repaid"}
POLICY_TYPES = {
    t: t for t in ("研发后补助", "科技项目立项", "人才引进", "成果转化", "平台建设", "创新大赛")
}

F = Field

FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "registry",
            "市场监管 企业登记",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("name", "企业名称", "text", required=True),
                F("legal_rep", "法定代表人", "text"),
                F("established_date", "成立日期", "date", required=True),
                F("deregistered_date", "注销日期", "date"),
                F("city_code", "所属地市代码", "region", required=True),
                F("industry_code", "国民经济行业代码", "text"),
                F("registered_capital", "注册资本", "money"),
            ),
        ),
        Feed(
            "credit",
            "市场监管 信用信息",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("year", "年度", "year", key=True),
                F("dishonest_listed", "是否列入严重违法失信名单", "bool"),
                F("admin_penalties", "行政处罚次数", "int"),
            ),
        ),
        Feed(
            "torch",
            "火炬统计调查",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("year", "年度", "year", key=True, aliases=("统计年度",)),
                F("revenue", "营业收入", "money"),
                F("net_profit", "净利润", "money", allow_negative=True),
                F("employees", "从业人员期末人数", "int"),
                F("rd_staff", "研发人员数", "int"),
                F("rd_expense", "研发费用", "money"),
                F("hitech_product_revenue", "高新技术产品（服务）收入", "money",
                  aliases=("高新技术产品(服务)收入", "高新技术产品收入")),
                F("tech_contract_amount", "技术合同成交额", "money"),
                F("tech_contract_absorbed_local", "省内技术合同吸纳额", "money"),
                F("equity_financing", "股权融资额", "money"),
            ),
        ),
        Feed(
            "hte",
            "高新技术企业年报",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("certificate_no", "证书编号", "text", key=True),
                F("certified_date", "发证日期", "date", required=True),
                F("expiry_date", "有效期至", "date", required=True),
                F("report_year", "年报年度", "year"),
            ),
        ),
        Feed(
            "tsme",
            "科技型中小企业评价",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("year", "入库年度", "year", key=True),
                F("registration_no", "入库登记编号", "text", required=True),
            ),
        ),
        Feed(
            "ip",
            "知识产权",
            (
                F("ip_no", "申请号", "text", key=True),
                F("uscc", "权利人统一社会信用代码", "uscc", required=True),
                F("ip_type", "类型", "code", required=True, codes=IP_TYPES),
                F("application_date", "申请日", "date", required=True),
                F("grant_date", "授权日", "date"),
                F("status", "法律状态", "code", required=True, codes=IP_STATUS),
                F("is_pct", "是否PCT", "bool"),
            ),
        ),
        Feed(
            "tax",
            "税务",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("year", "年度", "year", key=True, aliases=("纳税年度",)),
                F("taxes_paid", "实缴税费", "money"),
                F("rd_super_deduction", "研发费用加计扣除额", "money"),
            ),
        ),
        Feed(
            "sci_records",
            "科技局业务记录",
            (
                F("record_id", "记录编号", "text", key=True),
                F("uscc", "统一社会信用代码", "uscc", required=True),
                F("record_type", "记录类型", "code", required=True, codes=RECORD_TYPES),
                F("level", "级别", "code", codes=LEVELS),
                F("name", "名称", "text"),
                F("year", "年度", "year", required=True),
                F("end_year", "截止年度", "year"),
            ),
        ),
        Feed(
            "loans",
            "合作银行贷款反馈",
            (
                F("loan_app_id", "申请编号", "text", key=True),
                F("bank_code", "银行代码", "text", required=True),
                F("product_code", "产品代码", "text", required=True),
                F("uscc", "统一社会信用代码", "uscc", required=True),
                F("applied_date", "申请日期", "date", required=True),
                F("amount_requested", "申请金额", "money"),
                F("decision", "审批结果", "code", required=True, codes=DECISIONS),
                F("decision_date", "审批日期", "date"),
                F("amount_approved", "批准金额", "money"),
                F("annual_rate_pct", "年利率%", "pct", aliases=("年利率(%)", "年利率（%）", "年利率")),
                F("term_months", "期限月", "int", aliases=("期限(月)", "期限（月）")),
                F("disbursed_date", "放款日期", "date"),
                F("guarantee_org", "担保机构", "text"),
                F("guarantee_fee_pct", "担保费率%", "pct", aliases=("担保费率(%)", "担保费率（%）", "担保费率")),
                F("status", "状态", "code", codes=LOAN_STATUS),
                F("outstanding_balance", "贷款余额", "money"),
                F("as_of_date", "数据日期", "date"),
            ),
            purpose="monitoring",
            delivery="changes",
        ),
        Feed(
            "policy",
            "政策兑现",
            (
                F("policy_app_id", "政策申请编号", "text", key=True, aliases=("申请编号",)),
                F("uscc", "统一社会信用代码", "uscc", required=True),
                F("policy_type", "政策类型", "code", required=True, codes=POLICY_TYPES),
                F("applied_date", "申请日期", "date", required=True),
                F("approved_date", "批准日期", "date"),
                F("amount_approved", "批准金额", "money"),
                F("disbursed_date", "兑现日期", "date"),
                F("amount_disbursed", "兑现金额", "money"),
            ),
            purpose="monitoring",
            delivery="changes",
        ),
        Feed(
            "consents",
            "企业授权",
            (
                F("uscc", "统一社会信用代码", "uscc", key=True),
                F("bank_code", "银行代码", "text", key=True),
                F("granted_date", "授权日期", "date", required=True),
                F("revoked_date", "撤销日期", "date"),
            ),
            purpose="monitoring",
            delivery="changes",
        ),
    )
}

# Columns every raw table carries besides the feed's own fields.
RAW_META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_batch_id", "bigint not null"),
    ("_line", "integer not null"),
    ("_loaded_at", "timestamptz not null default now()"),
)


def raw_table_ddl(feed: Feed, schema: str = "raw") -> str:
    cols = [f"    {f.name} {f.sql_type}" for f in feed.fields]
    cols += [f"    {name} {typ}" for name, typ in RAW_META_COLUMNS]
    key = ", ".join(feed.key)
    return (
        f"create table if not exists {schema}.{feed.name} (\n"
        + ",\n".join(cols)
        + "\n);\n"
        + f"create index if not exists {feed.name}_key_idx on {schema}.{feed.name} ({key}, _batch_id);\n"
        + f"create index if not exists {feed.name}_batch_idx on {schema}.{feed.name} (_batch_id);\n"
    )
