"""The synthetic province: enterprises with a hidden innovation quality, and every feed's rows.

One call of :func:`build_chunk` makes the rows of a block of enterprises for every feed, as numpy
arrays in canonical units (yuan, day numbers, canonical codes). Nothing depends on other chunks
except running serial numbers (patent numbers, loan ids …), so memory stays bounded at any size.

The hidden quality ``q ~ N(0, 1)`` raises R&D intensity, R&D staff, patents, high-tech revenue,
technology contracts, science-bureau records, qualifications, growth and margins, and lowers the
odds of penalties and dishonesty. Banks see a noisy version of it: approval and rate improve with
``q``, default falls with it. So a score built from the indicators predicts approval and default
(the AUC metric has something to find), without being a formula of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from innopoints.feeds import FEEDS
from innopoints.uscc import USCC_CHARSET, USCC_WEIGHTS

from .formats import INT_NULL, day_number
from .reference import (
    BRAND_CHARS,
    DISTRICT_SUFFIXES,
    GIVEN_CHARS,
    INDUSTRIES,
    PILOT_CITIES,
    SURNAMES,
    Reference,
)

Table = dict[str, np.ndarray]

STAGE_P = (0.40, 0.44, 0.16)  # startup, growth, mature (target stage in the last year)
SECTIONS = "CIMO"  # manufacturing, information, research services, other
# the code lists, in their seed's order (ref_feed_codes): RECORD_PARAMS and IP_MIX follow that order
RECORD_TYPES = tuple(FEEDS["sci_records"].field("record_type").codes.values())
# expected records per enterprise over the record window, quality slope, share national, provincial
RECORD_PARAMS: dict[str, tuple[float, float, float, float]] = {
    "project": (0.55, 0.7, 0.06, 0.40),
    "platform": (0.22, 0.8, 0.05, 0.45),
    "standard": (0.30, 0.7, 0.15, 0.35),
    "cooperation": (0.50, 0.6, 0.05, 0.35),
    "transformation": (0.40, 0.6, 0.03, 0.30),
    "ladder": (0.35, 0.9, 0.0, 0.0),  # level follows the ladder name
    "digital": (0.20, 0.5, 0.05, 0.45),
    "first_set": (0.06, 0.9, 0.10, 0.90),
    "talent": (0.40, 0.7, 0.10, 0.40),
}
RECORD_NOUN = {
    "project": "关键技术攻关项目",
    "platform": "工程技术研究中心",
    "standard": "技术规范标准",
    "cooperation": "产学研联合攻关项目",
    "transformation": "科技成果转化项目",
    "digital": "数字化转型示范项目",
    "first_set": "首台（套）重大技术装备",
    "talent": "领军人才团队",
}
LEVEL_ZH = {code: zh for zh, code in FEEDS["sci_records"].field("level").codes.items()}
IP_TYPES = tuple(FEEDS["ip"].field("ip_type").codes.values())
# share of each IP type per section (C, I, M, other)
IP_MIX = np.array(
    [
        [0.28, 0.45, 0.10, 0.15, 0.02],
        [0.20, 0.05, 0.03, 0.68, 0.04],
        [0.40, 0.30, 0.05, 0.23, 0.02],
        [0.25, 0.50, 0.10, 0.14, 0.01],
    ]
)
# (median grant lag in days, base grant probability)
IP_GRANT = {0: (700.0, 0.55), 1: (240.0, 0.90), 2: (150.0, 0.93), 3: (45.0, 1.0), 4: (120.0, 0.95)}
POLICY_MIX = (0.35, 0.20, 0.12, 0.12, 0.08, 0.13)  # in ref_policy_types.csv order


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def round_to(x: np.ndarray, step: float) -> np.ndarray:
    return np.round(x / step) * step


@dataclass
class Context:
    """What every chunk shares: parameters, reference data, the city of every enterprise, serials."""

    seed: int
    n_total: int
    y0: int
    y1: int
    cutoff: date
    ref: Reference
    city_index: np.ndarray  # int8 per enterprise: index into city_codes
    city_codes: tuple[str, ...]
    counters: dict[str, int] = field(default_factory=dict)
    old_offset: int = 0
    new_offset: int = 0

    def take(self, name: str, k: int) -> np.ndarray:
        """k consecutive serial numbers of a running counter."""
        start = self.counters.get(name, 1)
        self.counters[name] = start + k
        return np.arange(start, start + k, dtype=np.int64)


def make_context(seed: int, n_total: int, years: tuple[int, int], cutoff: date, ref: Reference) -> Context:
    codes = tuple(ref.regions)
    from .reference import CITY_SHARES_PCT

    shares = np.array([CITY_SHARES_PCT[c] for c in codes], dtype=float)
    exact = shares / shares.sum() * n_total
    counts = np.floor(exact).astype(np.int64)
    # largest remainders get the leftover enterprises (ties by city code order)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n_total - int(counts.sum())]] += 1
    city = np.repeat(np.arange(len(codes), dtype=np.int8), counts)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    rng.shuffle(city)
    return Context(
        seed=seed,
        n_total=n_total,
        y0=years[0],
        y1=years[1],
        cutoff=cutoff,
        ref=ref,
        city_index=city,
        city_codes=codes,
        old_offset=int(rng.integers(0, 10**8)),
        new_offset=int(rng.integers(0, 31**6)),
    )


# ------------------------------------------------------------------------------------------------
# USCC, names


_ASCII_TO_USCC = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(USCC_CHARSET):
    _ASCII_TO_USCC[ord(_c)] = _i
_USCC_CHARS = np.frombuffer(USCC_CHARSET.encode(), dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def make_usccs(ctx: Context, g: np.ndarray, division: np.ndarray, new_style: np.ndarray) -> np.ndarray:
    """Valid, unique USCCs: old-style (8 digits) or post-2015 ('MA' + 6) organisation codes."""
    n = len(g)
    body = np.empty((n, 8), dtype=np.uint8)
    old_num = (g * 48271 + ctx.old_offset) % 10**8
    new_num = (g * 7919 + ctx.new_offset) % 31**6
    for k in range(8):
        body[:, 7 - k] = _DIGITS[(old_num // 10**k) % 10]
    nb = np.empty((n, 6), dtype=np.uint8)
    for k in range(6):
        nb[:, 5 - k] = _USCC_CHARS[(new_num // 31**k) % 31]
    body[new_style, 0] = ord("M")
    body[new_style, 1] = ord("A")
    body[new_style, 2:] = nb[new_style]
    vals = np.where(body >= ord("A"), body.astype(np.int64) - 55, body.astype(np.int64) - 48)
    chk = 11 - (vals * np.array([3, 7, 9, 10, 5, 8, 4, 2])).sum(axis=1) % 11
    org_chk = np.where(chk == 10, ord("X"), np.where(chk == 11, ord("0"), chk + 48)).astype(np.uint8)
    out = np.empty((n, 18), dtype=np.uint8)
    out[:, 0] = ord("9")
    out[:, 1] = ord("1")
    div = np.frombuffer("".join(division.tolist()).encode(), dtype=np.uint8).reshape(n, 6)
    out[:, 2:8] = div
    out[:, 8:16] = body
    out[:, 16] = org_chk
    v = _ASCII_TO_USCC[out[:, :17]]
    check = (31 - (v * np.array(USCC_WEIGHTS)).sum(axis=1) % 31) % 31
    out[:, 17] = _USCC_CHARS[check]
    return out.view("S18").ravel().astype("U18").astype(object)


def _pick_chars(rng: np.random.Generator, chars: str, n: int) -> list[str]:
    idx = rng.integers(0, len(chars), size=n)
    return [chars[i] for i in idx.tolist()]


# ------------------------------------------------------------------------------------------------
# the chunk


def build_chunk(ctx: Context, chunk_index: int, start: int, n: int) -> dict[str, Table]:
    rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 1, chunk_index]))
    ref = ctx.ref
    y0, y1 = ctx.y0, ctx.y1
    years = np.arange(y0, y1 + 1)
    ny = len(years)
    year_end = np.array([day_number(date(int(y), 12, 31)) for y in years])
    end_y1 = int(year_end[-1])
    cutoff = day_number(ctx.cutoff)
    window_start = day_number(date(y0, 1, 1))

    g = np.arange(start, start + n, dtype=np.int64)
    city = ctx.city_index[start : start + n].astype(np.int64)
    city_code = np.array(ctx.city_codes, dtype=object)[city]
    q = rng.standard_normal(n)
    stage = rng.choice(3, size=n, p=STAGE_P)

    # industry and section
    ind_w = np.array([w for _, w, _ in INDUSTRIES])
    ind = rng.choice(len(INDUSTRIES), size=n, p=ind_w / ind_w.sum())
    ind_codes = np.array([c for c, _, _ in INDUSTRIES], dtype=object)
    ind_words = [w for _, _, w in INDUSTRIES]
    sec_of_ind = np.array([min(SECTIONS.index(c[0]) if c[0] in "CIM" else 3, 3) for c, _, _ in INDUSTRIES])
    sec = sec_of_ind[ind]

    # age and establishment
    u = rng.random(n)
    young = (stage == 0) & (rng.random(n) < 0.5)
    age = np.select(
        [stage == 2, stage == 1, young],
        [8.5 + 31.5 * u**1.5, 3.0 + 22.0 * u**1.3, 0.05 + 2.9 * u],
        default=3.0 + 12.0 * u,
    )
    est = end_y1 - np.round(age * 365.25).astype(np.int64)
    # some deregistered (注销) during the window
    dereg_flag = rng.random(n) < 0.03
    lo = np.maximum(est + 365, window_start)
    dereg = np.where(dereg_flag & (lo < cutoff), lo + (rng.random(n) * (cutoff - lo)).astype(np.int64), INT_NULL)
    exists = (est[:, None] <= year_end[None, :]) & ((dereg[:, None] == INT_NULL) | (dereg[:, None] > year_end))

    # revenue (yuan) in the last year by target stage, then backwards with growth rates
    z = rng.standard_normal(n)
    rev_last = np.select(
        [stage == 2, stage == 1, young],
        [
            1.05e8 + np.exp(np.log(2.0e8) + 1.1 * z),
            np.exp(np.log(5.5e6) + np.log(95 / 5.5) * rng.beta(1.3, 2.0, n)),
            np.exp(np.log(2.5e6) + 1.0 * z),
        ],
        default=np.minimum(np.exp(np.log(1.8e6) + 0.7 * z), 4.8e6),
    )
    zero_rev = (stage == 0) & (rng.random(n) < 0.06)
    mu = np.array([0.30, 0.12, 0.05])[stage] + 0.06 * q
    growth = np.clip(mu[:, None] + 0.15 * rng.standard_normal((n, ny)), -0.4, 1.5)
    rev = np.empty((n, ny))
    rev[:, -1] = rev_last
    for j in range(ny - 1, 0, -1):
        rev[:, j - 1] = rev[:, j] / (1.0 + growth[:, j])
    rev[zero_rev] = 0.0
    rev = round_to(rev, 100.0)

    # people
    per_head = np.exp(np.log(5.0e5) + 0.5 * rng.standard_normal(n))
    employees = np.maximum(3, np.round(rev / per_head[:, None])).astype(np.int64)
    employees[zero_rev] = rng.integers(3, 30, size=(int(zero_rev.sum()), 1))
    staff_share = np.clip(
        np.exp(np.log(0.12) + 0.3 * q + 0.3 * rng.standard_normal(n)) * np.where(sec == 1, 1.8, 1.0), 0.01, 0.8
    )
    rd_staff = np.minimum(employees, np.maximum(1, np.round(employees * staff_share[:, None]))).astype(np.int64)

    # R&D
    sec_factor = np.array([1.0, 1.6, 1.8, 0.7])[sec]
    intensity = np.clip(
        np.exp(np.log(0.035) + 0.45 * q + 0.35 * rng.standard_normal(n)) * np.where(stage == 0, 1.4, 1.0) * sec_factor,
        0.003,
        0.6,
    )
    rd = rev * intensity[:, None] * np.exp(0.15 * rng.standard_normal((n, ny)))
    rd_zero_rev = np.exp(np.log(3.0e5) + 0.8 * rng.standard_normal((n, ny)))
    rd = np.where(zero_rev[:, None], rd_zero_rev, rd)
    rd = round_to(rd, 100.0)
    no_rd = rng.random(n) < sigmoid(-3.0 - 0.8 * q)  # vetoed: no R&D expense at all
    rd[no_rd] = np.where(rng.random(int(no_rd.sum())) < 0.5, 0.0, np.nan)[:, None]
    rd_staff[no_rd] = 0
    rd[rng.random((n, ny)) < 0.01] = np.nan

    margin = rng.normal(0.04 + 0.03 * q, 0.07)[:, None] - np.where(stage == 0, 0.05, 0.0)[:, None]
    net_profit = round_to(rev * (margin + 0.02 * rng.standard_normal((n, ny))), 100.0)
    hitech_share = np.where(
        rng.random(n) < sigmoid(-1.0 + 0.8 * q) + 0.3, sigmoid(-0.3 + 1.2 * q + 0.7 * rng.standard_normal(n)), 0.0
    )
    hitech = round_to(rev * hitech_share[:, None], 100.0)
    has_tc = rng.random((n, ny)) < sigmoid(-0.8 + 0.9 * q)[:, None]
    tc = np.where(has_tc, np.maximum(rev, 2.0e6) * np.exp(np.log(0.05) + 0.8 * rng.standard_normal((n, ny))), 0.0)
    has_local = rng.random((n, ny)) < sigmoid(-1.3 + 0.7 * q)[:, None]
    local = np.where(has_local, np.maximum(rev, 2.0e6) * np.exp(np.log(0.02) + 0.8 * rng.standard_normal((n, ny))), 0.0)
    has_eq = rng.random((n, ny)) < sigmoid(-2.8 + 0.8 * q + np.where(stage < 2, 0.8, 0.0))[:, None]
    equity = np.where(has_eq, round_to(np.exp(np.log(1.0e7) + rng.standard_normal((n, ny))), 1.0e4), 0.0)

    # registry
    district = rng.choice(len(DISTRICT_SUFFIXES), size=n)
    division = np.array(
        [c[:4] + DISTRICT_SUFFIXES[d] for c, d in zip(city_code.tolist(), district.tolist(), strict=True)], dtype=object
    )
    uscc = make_usccs(ctx, g, division, est >= day_number(date(2015, 10, 1)))
    city_short = [ref.regions[c].removesuffix("市") for c in city_code.tolist()]
    b1 = _pick_chars(rng, BRAND_CHARS, n)
    b2 = _pick_chars(rng, BRAND_CHARS, n)
    suffix = ("有限公司", "科技有限公司", "股份有限公司", "有限责任公司")
    suf = rng.integers(0, len(suffix), size=n).tolist()
    quirk = rng.random(n)
    names = []
    for i in range(n):
        brand = b1[i] + b2[i]
        word = ind_words[ind[i]]
        if quirk[i] < 0.003:
            names.append(f'{city_short[i]}"{brand}"{word}{suffix[suf[i]]}')
        elif quirk[i] < 0.005:
            names.append(f"{city_short[i]}{brand}{word}{suffix[suf[i]]};{brand}分公司")
        else:
            names.append(f"{city_short[i]}{brand}{word}{suffix[suf[i]]}")
    sn = _pick_chars(rng, SURNAMES, n)
    gv1 = _pick_chars(rng, GIVEN_CHARS, n)
    gv2 = _pick_chars(rng, GIVEN_CHARS, n)
    two = (rng.random(n) < 0.6).tolist()
    legal = [s + a + (b if t else "") for s, a, b, t in zip(sn, gv1, gv2, two, strict=True)]
    cap_wan = np.choose(
        stage,
        [
            rng.choice([10, 50, 100, 200, 300, 500], size=n),
            rng.choice([100, 300, 500, 1000, 2000, 3000], size=n),
            rng.choice([2000, 5000, 10000, 20000, 50000], size=n),
        ],
    ).astype(float)
    registry: Table = {
        "uscc": uscc,
        "name": np.array(names, dtype=object),
        "legal_rep": np.array(legal, dtype=object),
        "established_date": est,
        "deregistered_date": dereg,
        "city_code": city_code,
        "industry_code": ind_codes[ind],
        "registered_capital": cap_wan * 1.0e4,
    }

    def per_year(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i, j = np.nonzero(mask)
        return i, j

    # credit (信用信息)
    dis_ent = rng.random(n) < sigmoid(-4.3 - 0.7 * q)
    ci, cj = per_year(exists & (rng.random((n, ny)) < 0.97))
    listed = (dis_ent[ci] & (rng.random(len(ci)) < 0.8)) | (rng.random(len(ci)) < 0.003)
    penalties = rng.poisson(0.08 * np.exp(-0.6 * q[ci])) + listed.astype(np.int64)
    credit: Table = {
        "uscc": uscc[ci],
        "year": years[cj].astype(np.int64),
        "dishonest_listed": listed.astype(np.int8),
        "admin_penalties": penalties.astype(np.int64),
    }
    dishonest_any = np.zeros(n, dtype=bool)
    dishonest_any[ci[listed]] = True

    # torch (火炬统计): some enterprise-years are missing (not evaluated that year)
    ti, tj = per_year(exists & (rng.random((n, ny)) < 0.92))

    def opt(values: np.ndarray, share: float) -> np.ndarray:
        out = values.astype(float)
        out[rng.random(len(out)) < share] = np.nan
        return out

    torch: Table = {
        "uscc": uscc[ti],
        "year": years[tj].astype(np.int64),
        "revenue": rev[ti, tj],
        "net_profit": opt(net_profit[ti, tj], 0.01),
        "employees": employees[ti, tj],
        "rd_staff": rd_staff[ti, tj],
        "rd_expense": rd[ti, tj],
        "hitech_product_revenue": opt(hitech[ti, tj], 0.02),
        "tech_contract_amount": opt(round_to(tc[ti, tj], 100.0), 0.02),
        "tech_contract_absorbed_local": opt(round_to(local[ti, tj], 100.0), 0.03),
        "equity_financing": opt(equity[ti, tj], 0.02),
    }

    # tax (税务): amounts in 万元 with 2 decimals, so to the 100 yuan
    xi, xj = per_year(exists & (rng.random((n, ny)) < 0.96))
    tax_rate = rng.uniform(0.02, 0.07, size=len(xi))
    taxes = round_to(rev[xi, xj] * tax_rate + rng.uniform(2e3, 5e4, size=len(xi)), 100.0)
    deduct_ratio = np.where((years[xj] >= 2023) | (sec[xi] == 0), 1.0, 0.75)
    claimed = rng.random(len(xi)) < 0.85
    rd_x = np.nan_to_num(rd[xi, xj], nan=0.0)
    deduction = np.where(claimed, round_to(rd_x * deduct_ratio, 100.0), np.nan)
    deduction[claimed & (rd_x <= 0)] = 0.0
    tax: Table = {
        "uscc": uscc[xi],
        "year": years[xj].astype(np.int64),
        "taxes_paid": taxes,
        "rd_super_deduction": deduction,
    }

    # tsme (科技型中小企业): SMEs register year by year
    sme = (employees < 500) & (rev <= 2.0e8)
    si, sj = per_year(exists & sme & (rng.random((n, ny)) < sigmoid(-0.3 + 1.0 * q)[:, None]))
    reg_serial = ctx.take("tsme", len(si))
    tsme: Table = {
        "uscc": uscc[si],
        "year": years[sj].astype(np.int64),
        "registration_no": np.array(
            [
                f"{y}{c}A{s:07d}"
                for y, c, s in zip(years[sj].tolist(), city_code[si].tolist(), reg_serial.tolist(), strict=True)
            ],
            dtype=object,
        ),
    }

    hte = _hte(ctx, rng, n, q, stage, est, dereg, uscc)
    ip = _ip(ctx, rng, n, q, stage, sec, est, rev_last, uscc, cutoff)
    sci = _sci_records(ctx, rng, n, q, stage, est, uscc, ind, ind_words)
    consents, loans = _consents_and_loans(
        ctx, rng, n, q, stage, city, est, dereg, rev_last, dishonest_any, no_rd, uscc, cutoff, window_start
    )
    policy = _policy(ctx, rng, n, q, est, dereg, rd, uscc, cutoff)

    return {
        "registry": registry,
        "credit": credit,
        "torch": torch,
        "hte": hte,
        "tsme": tsme,
        "ip": ip,
        "tax": tax,
        "sci_records": sci,
        "loans": loans,
        "policy": policy,
        "consents": consents,
    }


# ------------------------------------------------------------------------------------------------
# sparse feeds


def _hte(
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    q: np.ndarray,
    stage: np.ndarray,
    est: np.ndarray,
    dereg: np.ndarray,
    uscc: np.ndarray,
) -> Table:
    y0, y1 = ctx.y0, ctx.y1
    flag = rng.random(n) < sigmoid(-1.0 + 1.4 * q + np.where(stage > 0, 0.5, 0.0))
    est_year = est.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    c0 = np.maximum(rng.integers(y0 - 2, y1 + 1, size=n), est_year + 1)
    rows_i, rows_y, rows_off = [], [], []
    alive = flag.copy()
    k = 0
    while True:
        cy = c0 + 3 * k
        ok = alive & (cy <= y1)
        if not ok.any():
            break
        off = rng.integers(0, 76, size=n)
        start = np.array([day_number(date(int(y), 10, 15)) if y <= y1 else 0 for y in cy.tolist()])
        ok &= (dereg == INT_NULL) | (dereg > start + off)
        idx = np.nonzero(ok)[0]
        rows_i.append(idx)
        rows_y.append(cy[idx])
        rows_off.append(off[idx])
        alive &= rng.random(n) < 0.85
        k += 1
    if rows_i:
        i = np.concatenate(rows_i)
        cy = np.concatenate(rows_y)
        off = np.concatenate(rows_off)
    else:
        i = cy = off = np.zeros(0, dtype=np.int64)
    order = np.lexsort((cy, i))
    i, cy, off = i[order], cy[order], off[order]
    certified = np.array([day_number(date(int(y), 10, 15)) for y in cy.tolist()], dtype=np.int64) + off
    expiry = np.array([day_number(date(int(y) + 3, 10, 15)) for y in cy.tolist()], dtype=np.int64) + off - 1
    serial = ctx.take("hte", len(i))
    return {
        "uscc": uscc[i],
        "certificate_no": np.array(
            [f"GR{y}21{s:05d}" for y, s in zip(cy.tolist(), serial.tolist(), strict=True)], dtype=object
        ),
        "certified_date": certified,
        "expiry_date": expiry,
        "report_year": np.minimum(y1, cy + 2).astype(np.int64),
    }


def _patent_check(numbers: np.ndarray) -> list[str]:
    """Check character of a 12-digit Chinese patent application number (weights 2-9, mod 11)."""
    weights = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
    digits = np.stack([(numbers // 10 ** (11 - k)) % 10 for k in range(12)], axis=1)
    r = (digits * weights).sum(axis=1) % 11
    return ["X" if v == 10 else str(v) for v in r.tolist()]


def _ip(
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    q: np.ndarray,
    stage: np.ndarray,
    sec: np.ndarray,
    est: np.ndarray,
    rev_last: np.ndarray,
    uscc: np.ndarray,
    cutoff: int,
) -> Table:
    lam = (
        2.0
        * np.exp(0.9 * q + 0.6 * rng.standard_normal(n))
        * (1.0 + 0.25 * np.log1p(rev_last / 1.0e7))
        * np.where(stage == 0, 0.6, 1.0)
    )
    counts = np.minimum(rng.poisson(lam), 300)
    i = np.repeat(np.arange(n), counts)
    m = len(i)
    lo = np.maximum(est[i], day_number(date(ctx.y0 - 6, 1, 1)))
    app = lo + (rng.random(m) * np.maximum(cutoff - 1 - lo, 0)).astype(np.int64)
    cum = np.cumsum(IP_MIX, axis=1)[sec[i]]
    typ = (rng.random(m)[:, None] > cum).sum(axis=1)
    typ = np.minimum(typ, 4)
    order = np.lexsort((typ, app, i))
    i, app, typ = i[order], app[order], typ[order]
    lag = np.zeros(m)
    p_grant = np.zeros(m)
    for t, (median, p) in IP_GRANT.items():
        sel = typ == t
        lag[sel] = median * np.exp(0.3 * rng.standard_normal(int(sel.sum())))
        p_grant[sel] = p
    p_grant = np.where(typ == 0, np.clip(p_grant + 0.1 * q[i], 0.2, 0.95), p_grant)
    would_grant = rng.random(m) < p_grant
    decided = app + np.round(lag).astype(np.int64)
    granted = would_grant & (decided <= cutoff)
    grant = np.where(granted, decided, INT_NULL)
    lapse = rng.random(m) < np.where(cutoff - decided > 3 * 365, 0.12, 0.03)
    status = np.where(
        granted, np.where(lapse, "lapsed", "valid"), np.where(decided <= cutoff, "lapsed", "pending")
    ).astype(object)
    pct = (typ == 0) & (rng.random(m) < sigmoid(-2.6 + 0.8 * q[i]))
    serial = ctx.take("ip", m)
    app_year = app.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    patent_no = app_year * 10**8 + (typ + 1) * 10**7 + serial % 10**7
    checks = _patent_check(patent_no)
    ip_no = []
    for t, y, s, pn, c in zip(
        typ.tolist(), app_year.tolist(), serial.tolist(), patent_no.tolist(), checks, strict=True
    ):
        if t <= 2:
            ip_no.append(f"{pn}.{c}" if s < 10**7 else f"{y}{t + 1}{s}.{c}")
        elif t == 3:
            ip_no.append(f"{y}SR{s:07d}")
        else:
            ip_no.append(f"BS.{y % 100:02d}5{s:07d}")
    return {
        "ip_no": np.array(ip_no, dtype=object),
        "uscc": uscc[i],
        "ip_type": np.array(IP_TYPES, dtype=object)[typ],
        "application_date": app,
        "grant_date": grant,
        "status": status,
        "is_pct": pct.astype(np.int8),
    }


def _sci_records(
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    q: np.ndarray,
    stage: np.ndarray,
    est: np.ndarray,
    uscc: np.ndarray,
    ind: np.ndarray,
    ind_words: list[str],
) -> Table:
    y0, y1 = ctx.y0, ctx.y1
    est_year = est.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    stage_f = np.array([0.6, 1.0, 1.6])[stage]
    parts_i, parts_t = [], []
    for t, name in enumerate(RECORD_TYPES):
        rate, slope, _, _ = RECORD_PARAMS[name]
        c = rng.poisson(rate * np.exp(slope * q) * stage_f)
        parts_i.append(np.repeat(np.arange(n), c))
        parts_t.append(np.full(int(c.sum()), t))
    i = np.concatenate(parts_i)
    t = np.concatenate(parts_t)
    m = len(i)
    year = np.maximum(rng.integers(y0 - 4, y1 + 1, size=m), est_year[i])
    keep = year <= y1
    i, t, year = i[keep], t[keep], year[keep]
    m = len(i)
    order = np.lexsort((t, year, i))
    i, t, year = i[order], t[order], year[order]
    u = rng.random(m)
    level = np.empty(m, dtype=object)
    names = np.empty(m, dtype=object)
    end_year = np.full(m, INT_NULL, dtype=np.int64)
    ladder = sorted(ctx.ref.ladder_names, key=lambda x: (x[1], x[0]))
    ladder_level = {1: "municipal", 2: "provincial", 3: "national"}
    for k, rtype in enumerate(RECORD_TYPES):
        sel = np.nonzero(t == k)[0]
        if len(sel) == 0:
            continue
        qs = q[i[sel]]
        us = u[sel]
        if rtype == "ladder":
            # higher quality climbs higher: tier 1 most common
            score = us * np.exp(-0.5 * qs)
            tier = np.where(score < 0.08, 3, np.where(score < 0.45, 2, 1))
            for pos, tr in zip(sel.tolist(), tier.tolist(), strict=True):
                choices = [nm for nm, tt in ladder if tt == tr] or [ladder[0][0]]
                names[pos] = choices[(pos + ctx.seed) % len(choices)]
                level[pos] = ladder_level.get(tr, "provincial")
            end_year[sel] = year[sel] + 2
            continue
        _, _, p_nat, p_prov = RECORD_PARAMS[rtype]
        p_nat_q = np.clip(p_nat * np.exp(0.5 * qs), 0.0, 0.5)
        lv = np.where(us < p_nat_q, "national", np.where(us < p_nat_q + p_prov, "provincial", "municipal"))
        level[sel] = lv
        words = [ind_words[x] for x in ind[i[sel]].tolist()]
        noun = RECORD_NOUN[rtype]
        names[sel] = [f"{LEVEL_ZH[lvl][:-1]}{w}{noun}" for lvl, w in zip(lv.tolist(), words, strict=True)]
        v = rng.random(len(sel))
        ys = year[sel]
        if rtype == "project":
            end_year[sel] = ys + 2
        elif rtype == "platform":
            end_year[sel] = np.where(v < 0.3, INT_NULL, ys + 4)
        elif rtype == "cooperation":
            end_year[sel] = np.where(v < 0.5, INT_NULL, ys + 1)
        elif rtype == "digital":
            end_year[sel] = ys + 2
        elif rtype == "talent":
            end_year[sel] = np.where(v < 0.4, INT_NULL, ys + 4)
    serial = ctx.take("sci", m)
    return {
        "record_id": np.array(
            [f"KJ{y}{s:08d}" for y, s in zip(year.tolist(), serial.tolist(), strict=True)], dtype=object
        ),
        "uscc": uscc[i],
        "record_type": np.array(RECORD_TYPES, dtype=object)[t],
        "level": level,
        "name": names,
        "year": year.astype(np.int64),
        "end_year": end_year,
    }


def _month_index(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _consents_and_loans(
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    q: np.ndarray,
    stage: np.ndarray,
    city: np.ndarray,
    est: np.ndarray,
    dereg: np.ndarray,
    rev_last: np.ndarray,
    dishonest: np.ndarray,
    no_rd: np.ndarray,
    uscc: np.ndarray,
    cutoff: int,
    window_start: int,
) -> tuple[Table, Table]:
    ref = ctx.ref
    banks = ref.banks
    nb = len(banks)
    # bank reach per city: provincial branches everywhere, local banks at home, a little elsewhere
    weights = np.zeros((len(ctx.city_codes), nb))
    for ci, code in enumerate(ctx.city_codes):
        for bi, b in enumerate(banks):
            elsewhere = PILOT_CITIES.get(code, (0.0, 0.05))[1]
            weights[ci, bi] = 1.0 if b.region_code == "210000" else (1.5 if b.region_code == code else elsewhere)
    w = weights[city]
    uptake = np.array([PILOT_CITIES.get(code, (0.0, 0.0))[0] for code in ctx.city_codes])[city]

    def pick(wm: np.ndarray) -> np.ndarray:
        cum = np.cumsum(wm, axis=1)
        cum /= cum[:, -1:]
        return np.minimum((rng.random(len(wm))[:, None] > cum).sum(axis=1), nb - 1)

    alive_end = np.where(dereg == INT_NULL, cutoff, np.minimum(dereg, cutoff))
    c_start = np.maximum(est + 30, window_start)
    k1 = (rng.random(n) < sigmoid(-1.1 + 0.5 * q + uptake)) & (c_start < alive_end - 30)
    k2 = k1 & (rng.random(n) < 0.3)
    first = pick(w)
    w2 = w.copy()
    w2[np.arange(n), first] = 0.0
    second = pick(w2)
    ci = np.concatenate([np.nonzero(k1)[0], np.nonzero(k2)[0]])
    cb = np.concatenate([first[k1], second[k2]])
    order = np.lexsort((cb, ci))
    ci, cb = ci[order], cb[order]
    span = np.maximum(alive_end[ci] - 30 - c_start[ci], 1)
    granted = c_start[ci] + (rng.random(len(ci)) * span).astype(np.int64)
    revoke = rng.random(len(ci)) < 0.10
    rspan = cutoff - granted - 30
    revoked = np.where(
        revoke & (rspan > 0), granted + 30 + (rng.random(len(ci)) * np.maximum(rspan, 1)).astype(np.int64), INT_NULL
    )
    bank_codes = np.array([b.code for b in banks], dtype=object)
    consents: Table = {
        "uscc": uscc[ci],
        "bank_code": bank_codes[cb],
        "granted_date": granted,
        "revoked_date": revoked,
    }

    # applications: after the consent (0-2 per consent), plus a few without any consent
    n1 = rng.random(len(ci)) < 0.75
    n2 = n1 & (rng.random(len(ci)) < 0.25)
    gap1 = rng.integers(0, 150, size=len(ci))
    gap2 = gap1 + rng.integers(180, 540, size=len(ci))
    no_consent = (~k1) & (rng.random(n) < 0.02) & (c_start < alive_end - 30)
    nc_i = np.nonzero(no_consent)[0]
    nc_b = pick(w[nc_i]) if len(nc_i) else np.zeros(0, dtype=np.int64)
    nc_day = c_start[nc_i] + (rng.random(len(nc_i)) * np.maximum(alive_end[nc_i] - c_start[nc_i] - 30, 1)).astype(
        np.int64
    )
    li = np.concatenate([ci[n1], ci[n2], nc_i])
    lb = np.concatenate([cb[n1], cb[n2], nc_b])
    applied = np.concatenate([granted[n1] + gap1[n1], granted[n2] + gap2[n2], nc_day])
    keep = applied <= np.minimum(alive_end[li], cutoff - 1)
    li, lb, applied = li[keep], lb[keep], applied[keep]
    order = np.lexsort((lb, applied, li))
    li, lb, applied = li[order], lb[order], applied[order]
    m = len(li)

    # product of the bank
    prods_of = [[p for p in ref.products if p.bank_code == b.code] for b in banks]
    pick_p = rng.random(m)
    prod = [prods_of[b][int(x * len(prods_of[b]))] for b, x in zip(lb.tolist(), pick_p.tolist(), strict=True)]
    loan_type = np.array([p.loan_type for p in prod], dtype=object)
    ordinary = np.array([p.ordinary_rate_pct for p in prod])
    strict = np.array([{"A": -1.0, "B": -0.6, "C": 0.0}.get(p.min_grade, 0.3) for p in prod])
    fast = np.array(["见分即贷" in p.name_zh for p in prod])

    qi = q[li]
    requested = np.clip(
        round_to(np.clip(rev_last[li] * 0.08, 3.0e5, 1.0e7) * np.exp(0.5 * rng.standard_normal(m)), 1.0e4), 1.0e5, 3.0e7
    )
    withdrawn = rng.random(m) < 0.04
    score = (
        0.4
        + 1.5 * qi
        + np.where(stage[li] == 2, 0.4, 0.0)
        - 2.5 * dishonest[li]
        - 0.6 * no_rd[li]
        + strict
        + 0.6 * rng.standard_normal(m)
    )
    approve = score > 0
    median = np.where(loan_type == "credit", 6.0, np.where(loan_type == "guaranteed", 15.0, 20.0))
    median = np.where(fast, 2.0, median) * np.where(approve, 1.0, 1.3)
    delay = np.maximum(1, np.round(median * np.exp(0.6 * rng.standard_normal(m)))).astype(np.int64)
    delay = np.where(withdrawn, rng.integers(1, 20, size=m), delay)
    decided = applied + delay
    pending = decided > cutoff
    decision = np.where(
        pending, "pending", np.where(withdrawn, "withdrawn", np.where(approve, "approved", "rejected"))
    ).astype(object)
    is_app = decision == "approved"
    decision_date = np.where(pending, INT_NULL, decided)

    full = rng.random(m) < 0.6
    approved_amt = np.where(full, requested, round_to(requested * rng.uniform(0.5, 0.95, size=m), 1.0e4))
    approved_amt = np.where(is_app, np.maximum(approved_amt, 1.0e4), np.nan)
    lpr = _lpr_lookup(ctx, _month_index(np.where(pending, applied, decided)))
    discount = np.clip(0.25 + 0.25 * np.clip(qi, -1, 2) + 0.1 * rng.standard_normal(m), 0.0, 1.0)
    rate = np.round(np.maximum(lpr + 0.1, ordinary - discount), 2)
    rate = np.where(is_app, rate, np.nan)
    term = np.where(is_app, rng.choice([6, 12, 12, 12, 24, 36], size=m), INT_NULL).astype(np.int64)
    never = rng.random(m) < 0.03
    disb_day = decided + rng.integers(0, 11, size=m)
    disbursed = is_app & ~never & (disb_day <= cutoff)
    disbursed_date = np.where(disbursed, disb_day, INT_NULL)

    # guarantee: guaranteed products always, some credit loans too; the city's guarantor if any
    guaranteed = is_app & ((loan_type == "guaranteed") | ((loan_type == "credit") & (rng.random(m) < 0.08)))
    gs = ref.guarantors
    prov = [x for x in gs if x.region_code == "210000"]
    city_g = {x.region_code: x for x in gs if x.region_code != "210000"}
    use_city = rng.random(m) < 0.6
    g_org = np.empty(m, dtype=object)
    g_fee = np.full(m, np.nan)
    for k in np.nonzero(guaranteed)[0].tolist():
        code = ctx.city_codes[city[li[k]]]
        chosen = city_g[code] if (code in city_g and use_city[k]) else (prov[0] if prov else gs[0])
        g_org[k] = chosen.name
        g_fee[k] = round(max(0.3, chosen.fee_pct - (0.2 if qi[k] > 1 else 0.0)), 2)

    # outcome at the data date
    term_days = np.round(np.where(term == INT_NULL, 0, term) * 30.44).astype(np.int64)
    maturity = disb_day + term_days
    p_def = sigmoid(-2.1 - 1.5 * qi + 1.8 * dishonest[li] + 0.8 * no_rd[li])
    defaults = rng.random(m) < p_def
    def_day = disb_day + np.round(rng.uniform(0.2, 1.1, size=m) * term_days).astype(np.int64)
    hit = disbursed & defaults & (def_day <= cutoff)
    overdue = hit & (cutoff - def_day < 90)
    bad = hit & ~overdue
    repaid = disbursed & ~hit & (maturity <= cutoff)
    late = disbursed & ~hit & ~repaid & (rng.random(m) < 0.015 * np.exp(-0.5 * qi))
    status = np.full(m, None, dtype=object)
    status[disbursed] = "normal"
    status[repaid] = "repaid"
    status[late | overdue] = "overdue"
    status[bad] = "default"
    elapsed = np.clip((cutoff - disb_day) / np.maximum(term_days, 1), 0.0, 1.0)
    amortising = rng.random(m) < 0.3
    base = np.nan_to_num(approved_amt)
    balance = np.where(amortising, base * (1.0 - elapsed), base)
    balance = np.where(hit, base * rng.uniform(0.5, 1.0, size=m), balance)
    balance = np.where(repaid, 0.0, balance)
    balance = np.where(disbursed, round_to(balance, 100.0), np.nan)
    serial = ctx.take("loan", m)
    app_year = applied.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    loans: Table = {
        "loan_app_id": np.array(
            [
                f"{bank_codes[b]}{y}{s:07d}"
                for b, y, s in zip(lb.tolist(), app_year.tolist(), serial.tolist(), strict=True)
            ],
            dtype=object,
        ),
        "bank_code": bank_codes[lb],
        "product_code": np.array([p.code for p in prod], dtype=object),
        "uscc": uscc[li],
        "applied_date": applied,
        "amount_requested": requested,
        "decision": decision,
        "decision_date": decision_date,
        "amount_approved": approved_amt,
        "annual_rate_pct": rate,
        "term_months": term,
        "disbursed_date": disbursed_date,
        "guarantee_org": g_org,
        "guarantee_fee_pct": g_fee,
        "status": status,
        "outstanding_balance": balance,
        "as_of_date": np.full(m, cutoff, dtype=np.int64),
    }
    return consents, loans


def _lpr_lookup(ctx: Context, months: np.ndarray) -> np.ndarray:
    eff = np.array([(d.year - 1970) * 12 + d.month - 1 for d, _ in ctx.ref.lpr])
    val = np.array([v for _, v in ctx.ref.lpr])
    pos = np.searchsorted(eff, months, side="right") - 1
    return val[np.clip(pos, 0, len(val) - 1)]


def _policy(
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    q: np.ndarray,
    est: np.ndarray,
    dereg: np.ndarray,
    rd: np.ndarray,
    uscc: np.ndarray,
    cutoff: int,
) -> Table:
    types = ctx.ref.policy_types
    y0, y1 = ctx.y0, ctx.y1
    alive_end = np.where(dereg == INT_NULL, cutoff, np.minimum(dereg, cutoff))
    parts_i, parts_d = [], []
    for y in range(y0, y1 + 2):
        start = day_number(date(y, 1, 1))
        end = min(day_number(date(y, 12, 31)), cutoff - 1)
        if end < start:
            break
        frac = (end - start + 1) / 365.0
        c = rng.poisson(np.minimum(0.25 * np.exp(0.5 * q), 1.5) * frac)
        i = np.repeat(np.arange(n), c)
        d = start + (rng.random(len(i)) * (end - start + 1)).astype(np.int64)
        ok = (d > est[i]) & (d < alive_end[i])
        parts_i.append(i[ok])
        parts_d.append(d[ok])
    i = np.concatenate(parts_i) if parts_i else np.zeros(0, dtype=np.int64)
    applied = np.concatenate(parts_d) if parts_d else np.zeros(0, dtype=np.int64)
    m = len(i)
    mix = np.array(POLICY_MIX[: len(types)] + (0.0,) * max(0, len(types) - len(POLICY_MIX)))
    mix = mix / mix.sum()
    typ = rng.choice(len(types), size=m, p=mix)
    order = np.lexsort((typ, applied, i))
    i, applied, typ = i[order], applied[order], typ[order]
    promised = np.array([t.promised_days for t in types])[typ]
    approve = rng.random(m) < sigmoid(0.8 + 0.8 * q[i])
    appr_day = applied + np.maximum(5, np.round(0.3 * promised * np.exp(0.4 * rng.standard_normal(m)))).astype(np.int64)
    approved = approve & (appr_day <= cutoff)
    rd_last = np.nan_to_num(rd[i, -1], nan=0.0)
    ladders = {
        0: None,
        1: [1.0e5, 2.0e5, 3.0e5, 5.0e5, 1.0e6],
        2: [5.0e4, 1.0e5, 2.0e5, 5.0e5],
        3: [1.0e5, 2.0e5, 5.0e5],
        4: [2.0e5, 5.0e5, 1.0e6, 2.0e6],
        5: [2.0e4, 5.0e4, 1.0e5, 2.0e5],
    }
    amount = np.zeros(m)
    for k, choices in ladders.items():
        sel = typ == k
        if not sel.any():
            continue
        if choices is None:
            amount[sel] = np.clip(
                round_to(rd_last[sel] * rng.uniform(0.05, 0.1, size=int(sel.sum())), 1.0e3), 2.0e4, 1.0e6
            )
        else:
            amount[sel] = rng.choice(choices, size=int(sel.sum()))
    amount = np.where(approved, amount, np.nan)
    pay_delay = np.round(promised * np.exp(np.log(0.75) + 0.45 * rng.standard_normal(m))).astype(np.int64)
    disb_day = appr_day + np.maximum(pay_delay, 3)
    paid = approved & (disb_day <= cutoff)
    partial = rng.random(m) < 0.08
    paid_amt = np.where(partial, round_to(amount * rng.uniform(0.5, 0.9, size=m), 100.0), amount)
    serial = ctx.take("policy", m)
    app_year = applied.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return {
        "policy_app_id": np.array(
            [f"ZC{y}{s:07d}" for y, s in zip(app_year.tolist(), serial.tolist(), strict=True)], dtype=object
        ),
        "uscc": uscc[i],
        "policy_type": np.array([t.name_zh for t in types], dtype=object)[typ],
        "applied_date": applied,
        "approved_date": np.where(approved, appr_day, INT_NULL),
        "amount_approved": amount,
        "disbursed_date": np.where(paid, disb_day, INT_NULL),
        "amount_disbursed": np.where(paid, paid_amt, np.nan),
    }
