"""Reference data the generator draws from: the project's seeds (banks, products, guarantors, policy
types, ladder tiers, LPR, regions) and a few documented constants (city shares, industries, names).

The seeds are read through innopoints.seeds so that the demo data follows whatever the
officers configure (a new bank product in ``ref_loan_products.csv`` shows up in the loans feed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from innopoints import seeds

# Share of the province's technology enterprises per city (所属地市), in percent. Shenyang and
# Dalian hold about two thirds, as in Liaoning's published high-tech enterprise counts; Fuxin gets
# 5 % (150 of the default 3,000), enough for its own cohorts per stage.
CITY_SHARES_PCT: dict[str, float] = {
    "210100": 34.0,  # 沈阳
    "210200": 29.0,  # 大连
    "210300": 5.0,  # 鞍山
    "210400": 3.0,  # 抚顺
    "210500": 2.0,  # 本溪
    "210600": 3.5,  # 丹东
    "210700": 3.5,  # 锦州
    "210800": 3.5,  # 营口
    "210900": 5.0,  # 阜新
    "211000": 2.5,  # 辽阳
    "211100": 2.5,  # 盘锦
    "211200": 2.0,  # 铁岭
    "211300": 2.0,  # 朝阳
    "211400": 2.5,  # 葫芦岛
}

# Pilot cities of the points programme: extra log-odds that an enterprise there consents to share
# its score with banks (and so applies), and the weight of banks from other cities lending there.
# Fuxin reported 8 banks lending to 48 enterprises (6.29 亿元) in its pilot.
PILOT_CITIES: dict[str, tuple[float, float]] = {"210900": (1.0, 0.3)}

# Suffixes of county-level divisions (区/县/县级市) used in the USCC's division code.
DISTRICT_SUFFIXES: tuple[str, ...] = ("02", "03", "04", "05", "06", "11", "12", "13", "81", "00")

# GB/T 4754-2017 classes (门类字母 + 4-digit class), a share within the section, and a word for names.
INDUSTRIES: tuple[tuple[str, float, str], ...] = (
    # C manufacturing: 62 %
    ("C2614", 3.0, "化工"),
    ("C2710", 3.0, "制药"),
    ("C2761", 3.0, "生物"),
    ("C3130", 2.0, "钢材"),
    ("C3311", 3.0, "钢构"),
    ("C3421", 4.0, "数控"),
    ("C3441", 3.0, "泵业"),
    ("C3484", 4.0, "精工"),
    ("C3511", 3.0, "重工"),
    ("C3562", 3.0, "电气装备"),
    ("C3581", 3.0, "医疗器械"),
    ("C3670", 5.0, "汽车部件"),
    ("C3741", 1.0, "航空"),
    ("C3811", 2.0, "电机"),
    ("C3841", 2.0, "新能源"),
    ("C3921", 2.0, "通信设备"),
    ("C3976", 3.0, "光电"),
    ("C3985", 3.0, "电子材料"),
    ("C4011", 5.0, "自动化"),
    ("C4028", 3.0, "仪器"),
    # I information technology: 20 %
    ("I6511", 2.0, "软件"),
    ("I6513", 7.0, "软件"),
    ("I6520", 2.0, "微电子"),
    ("I6531", 4.0, "信息技术"),
    ("I6550", 2.0, "数据"),
    ("I6560", 3.0, "信息咨询"),
    # M research and technical services: 13 %
    ("M7310", 2.0, "科学研究"),
    ("M7320", 5.0, "工程技术"),
    ("M7340", 2.0, "医学研究"),
    ("M7452", 2.0, "检测"),
    ("M7513", 2.0, "新材料"),
    # others: 5 %
    ("D4415", 1.5, "风电"),
    ("D4416", 1.0, "光伏"),
    ("N7721", 1.5, "环保"),
    ("A0511", 1.0, "农业科技"),
)

BRAND_CHARS = "华信科达创新源宏兴盛泰恒瑞精博远航中天海辽北东方金铁锐智联通鼎越嘉和润德昌明光晟"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志鹏宇浩然博文思雨晨"


@dataclass(frozen=True)
class Bank:
    code: str
    name_zh: str
    region_code: str


@dataclass(frozen=True)
class Product:
    code: str
    bank_code: str
    name_zh: str
    loan_type: str  # credit | guaranteed | pledge
    ordinary_rate_pct: float
    min_grade: str


@dataclass(frozen=True)
class Guarantor:
    name: str
    region_code: str
    fee_pct: float


@dataclass(frozen=True)
class PolicyType:
    name_zh: str
    promised_days: int


@dataclass(frozen=True)
class Reference:
    regions: dict[str, str]  # city code -> Chinese name (cities only, in code order)
    banks: tuple[Bank, ...]
    products: tuple[Product, ...]
    guarantors: tuple[Guarantor, ...]
    policy_types: tuple[PolicyType, ...]
    ladder_names: tuple[tuple[str, int], ...]  # (name, tier)
    lpr: tuple[tuple[date, float], ...]  # (first day in force, 1y LPR %)


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    regions = {
        r["region_code"]: r["region_name_zh"]
        for r in sorted(seeds.load("regions"), key=lambda r: r["region_code"])
        if r["level"] == "city"
    }
    missing = sorted(set(CITY_SHARES_PCT) ^ set(regions))
    if missing:
        raise ValueError(f"seeds/reference/regions.csv and the generator's city shares differ on {missing}")
    banks = tuple(Bank(r["bank_code"], r["bank_name_zh"], r["region_code"]) for r in seeds.load("ref_banks"))
    products = tuple(
        Product(
            r["product_code"],
            r["bank_code"],
            r["product_name_zh"],
            r["loan_type"],
            float(r["ordinary_rate_pct"]),
            r["min_grade"],
        )
        for r in seeds.load("ref_loan_products")
    )
    guarantors = tuple(
        Guarantor(r["guarantor_name"], r["region_code"], float(r["standard_fee_pct"]))
        for r in seeds.load("ref_guarantors")
    )
    policy_types = tuple(
        PolicyType(r["policy_type"], int(r["promised_days"])) for r in seeds.load("ref_policy_types")
    )
    ladder = tuple((r["ladder_name"], int(r["tier"])) for r in seeds.load("ladder_tiers"))
    lpr = tuple(
        (date(int(r["effective_month"][:4]), int(r["effective_month"][5:7]), 1), float(r["lpr_1y_pct"]))
        for r in seeds.load("lpr_1y")
    )
    for bank in banks:
        if not any(p.bank_code == bank.code for p in products):
            raise ValueError(f"bank {bank.code} has no product in ref_loan_products.csv")
    return Reference(regions, banks, products, guarantors, policy_types, ladder, lpr)
