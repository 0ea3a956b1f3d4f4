"""The source feeds of sources.md as data: one place that the importer, the generator and the
raw-table DDL all read, so a field is named, typed and labelled once.

Each feed lists its canonical fields (the names of the raw table's columns) with the Chinese
header the exporting system uses, the field's kind, whether it is part of the natural key,
whether it is required, and for coded fields where its code list lives. The code lists themselves
are seeds (ref_feed_codes, ref_policy_types), read through innopoints.seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from innopoints import seeds

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
class CodeList:
    """Where a coded field's codes live: a seed, its code column and its Chinese label column, and
    the values that pick the field's rows of a seed shared by several fields."""

    seed: str
    code: str = "code"
    label: str = "label_zh"
    where: tuple[tuple[str, str], ...] = ()

    def labels(self) -> dict[str, str]:
        """Chinese label -> canonical code, in the seed's order."""
        return {r[self.label]: r[self.code] for r in seeds.load(self.seed)
                if all(r[k] == v for k, v in self.where)}


def feed_codes(feed: str, field: str) -> CodeList:
    """The code list of a feed's field in the ref_feed_codes seed."""
    return CodeList("ref_feed_codes", where=(("feed", feed), ("field", field)))


POLICY_TYPES = CodeList("ref_policy_types", code="policy_type", label="policy_type")


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: Kind
    key: bool = False
    required: bool = False
    allow_negative: bool = False
    code_list: CodeList | None = None
    aliases: tuple[str, ...] = ()  # other headers seen in exports

    @property
    def codes(self) -> dict[str, str]:
        """Chinese label -> canonical code of a coded field (empty for other fields)."""
        return self.code_list.labels() if self.code_list else {}

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
                F("ip_type", "类型", "code", required=True, code_list=feed_codes("ip", "ip_type")),
                F("application_date", "申请日", "date", required=True),
                F("grant_date", "授权日", "date"),
                F("status", "法律状态", "code", required=True, code_list=feed_codes("ip", "status")),
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
                F("record_type", "记录类型", "code", required=True, code_list=feed_codes("sci_records", "record_type")),
                F("level", "级别", "code", code_list=feed_codes("sci_records", "level")),
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
                F("decision", "审批结果", "code", required=True, code_list=feed_codes("loans", "decision")),
                F("decision_date", "审批日期", "date"),
                F("amount_approved", "批准金额", "money"),
                F("annual_rate_pct", "年利率%", "pct", aliases=("年利率(%)", "年利率（%）", "年利率")),
                F("term_months", "期限月", "int", aliases=("期限(月)", "期限（月）")),
                F("disbursed_date", "放款日期", "date"),
                F("guarantee_org", "担保机构", "text"),
                F("guarantee_fee_pct", "担保费率%", "pct", aliases=("担保费率(%)", "担保费率（%）", "担保费率")),
                F("status", "状态", "code", code_list=feed_codes("loans", "status")),
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
                F("policy_type", "政策类型", "code", required=True, code_list=POLICY_TYPES),
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
        # the source freshness dbt reads before every selective build (max(_loaded_at)): one index
        # probe, not a scan of the whole feed
        + f"create index if not exists {feed.name}_loaded_at_idx on {schema}.{feed.name} (_loaded_at);\n"
    )
