"""Per-field converters: raw text in, a PostgreSQL COPY text token out (``\\N`` for null).

A converter is chosen once per column (closures over the field's kind, unit factor and flags) and
called once per cell. It raises :class:`Bad` with a short category and a message that says what is
wrong and how to fix it. The fast path for well-formed values is a regex or ``str`` test; the
slow path (full-width digits, thousands separators, other date spellings) only runs when needed.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from innopoints import seeds
from innopoints.feeds import Feed, Field
from innopoints.uscc import USCC_CHARSET, USCC_WEIGHTS, is_valid_uscc, uscc_check_digit

NULL = "\\N"
Converter = Callable[[str], str]

# Fields whose values may legitimately lie in the future (a certificate's expiry, a project's end).
FUTURE_OK: frozenset[str] = frozenset({"expiry_date", "end_year"})
MIN_YEAR = 1949
MIN_DATE = "1949-01-01"
EXCEL_EPOCH = dt.date(1899, 12, 30)


class Bad(ValueError):
    """A cell that cannot be loaded. ``category`` groups reasons in the summary."""

    def __init__(self, category: str, message: str) -> None:
        super().__init__(message)
        self.category = category
        self.message = message


_ESC = re.compile(r"[\\\t\n\r\x00]")
_ESC_MAP = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def copy_escape(s: str) -> str:
    """Escape a value for COPY text format (backslash, tab, newline, carriage return)."""
    if _ESC.search(s) is None:
        return s
    if "\x00" in s:
        raise Bad("NUL character", "contains a NUL character, which PostgreSQL text cannot hold; remove it")
    return _ESC.sub(lambda m: _ESC_MAP[m.group(0)], s)


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace("\u2212", "-").strip()


# ---------------------------------------------------------------- numbers
_NUM_SLOW_CLEAN = re.compile(r"[,\s_']")
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _parse_decimal(raw: str, what: str) -> Decimal:
    s = _NUM_SLOW_CLEAN.sub("", _nfkc(raw))
    for suffix in ("元", "¥", "￥"):
        s = s.removesuffix(suffix).removeprefix(suffix)
    if s.startswith("+"):
        s = s[1:]
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise Bad(f"not a {what}", f"{raw!r} is not a {what}; write digits only, e.g. 1234.50") from None
    if not d.is_finite():
        raise Bad(f"not a {what}", f"{raw!r} is not a finite {what}")
    return d


def _fmt(d: Decimal) -> str:
    return format(d, "f")


def make_number(f: Field, factor: Decimal, *, max_int_digits: int, scale_hint: str) -> Converter:
    """money (numeric(20,2)) and pct (numeric(9,4)): text digits, factor applied exactly."""
    required = f.is_required
    allow_neg = f.allow_negative
    label = f"{f.zh} ({f.name})"
    one = factor == 1
    # digits allowed before the point in the *file* so the value in yuan still fits the column
    shift = len(str(int(factor))) - 1
    fast_digits = max(1, max_int_digits - shift)
    fast = re.compile(r"-?[0-9]{1," + str(fast_digits) + r"}(?:\.[0-9]{1,8})?").fullmatch
    limit = Decimal(10) ** max_int_digits
    is_pct = f.kind == "pct"

    def slow(s: str) -> str:
        t = s.removesuffix("%").removesuffix("％") if is_pct else s
        d = _parse_decimal(t, "number")
        if d < 0 and not allow_neg:
            raise Bad("negative", f"{label} must not be negative, got {s!r}")
        d = d * factor
        if abs(d) >= limit:
            raise Bad("out of range", f"{label} {s!r} is too large ({scale_hint}); check the unit in the header")
        return _fmt(d)

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if fast(s) is None:
            return slow(s)
        if s[0] == "-" and not allow_neg:
            raise Bad("negative", f"{label} must not be negative, got {s!r}")
        if one:
            return s
        # multiply by 10**shift by moving the decimal point (exact, no Decimal arithmetic)
        i, _, frac = s.partition(".")
        if len(frac) <= shift:
            return i + frac + zeros[len(frac):]
        return i + frac[:shift] + "." + frac[shift:]

    zeros = "0" * shift
    if not one and factor != Decimal(10) ** shift:
        raise ValueError(f"money unit factor must be a power of ten, got {factor}")
    return conv


def make_int(f: Field) -> Converter:
    required = f.is_required
    allow_neg = f.allow_negative
    label = f"{f.zh} ({f.name})"

    def slow(s: str) -> str:
        d = _parse_decimal(s, "whole number")
        if d != d.to_integral_value():
            raise Bad("not a whole number", f"{label} must be a whole number, got {s!r}")
        if d < 0 and not allow_neg:
            raise Bad("negative", f"{label} must not be negative, got {s!r}")
        if abs(d) > 2_000_000_000:
            raise Bad("out of range", f"{label} {s!r} is out of range")
        return str(int(d))

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if s.isascii() and s.isdigit() and len(s) < 10:
            return s
        return slow(s)

    return conv


def make_year(f: Field, today: dt.date) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"
    hi = today.year + (20 if f.name in FUTURE_OK else 0)

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if not (s.isascii() and s.isdigit() and len(s) == 4):
            t = _nfkc(s).removesuffix("年").removesuffix(".0").strip()
            if not (t.isascii() and t.isdigit() and len(t) == 4):
                raise Bad("not a year", f"{label} must be a 4-digit year such as 2024, got {s!r}")
            s = t
        y = int(s)
        if y < MIN_YEAR or y > hi:
            raise Bad("implausible year", f"{label} {y} is outside {MIN_YEAR}..{hi}; check the year")
        return s

    return conv


# ---------------------------------------------------------------- dates
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_YMD = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
).fullmatch
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})").fullmatch
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?").fullmatch


def parse_date(raw: str) -> dt.date:
    """Any of the spellings the systems use; raises Bad for anything else or a date that does not exist."""
    s = _nfkc(raw)
    m = _YMD(s) or _COMPACT(s)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _SERIAL(s)
        if m:
            return EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
    except ValueError as exc:
        raise Bad("not a real date", f"{raw!r} is not a real date ({exc}); correct the day or month") from None
    raise Bad("not a date", f"{raw!r} is not a date; write it as 2024-03-01, 2024/3/1, 2024年3月1日 or 20240301")


def make_date(f: Field, today: dt.date) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"
    future_ok = f.name in FUTURE_OK
    max_iso = "9999-12-31" if future_ok else today.isoformat()
    fromiso = dt.date.fromisoformat

    def check(s: str, iso: str) -> str:
        if iso > max_iso:
            raise Bad("future date", f"{label} {s!r} lies in the future (today is {today.isoformat()}); "
                                     "check the date")
        if iso < MIN_DATE:
            raise Bad("implausible date", f"{label} {s!r} is before {MIN_DATE}; check the date")
        return iso

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if _ISO(s):
            try:
                fromiso(s)
            except ValueError as exc:
                raise Bad("not a real date",
                          f"{label} {s!r} is not a real date ({exc}); correct the day or month") from None
            return check(s, s)
        try:
            d = parse_date(s)
        except Bad as exc:
            raise Bad(exc.category, f"{label}: {exc.message}") from None
        return check(s, d.isoformat())

    return conv


# ---------------------------------------------------------------- codes, booleans, text
BOOLS = {
    "是": "t", "否": "f", "true": "t", "false": "f", "1": "t", "0": "f", "y": "t", "n": "f",
    "yes": "t", "no": "f", "t": "t", "f": "f", "有": "t", "无": "f",
}


def make_bool(f: Field) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        v = BOOLS.get(s) or BOOLS.get(_nfkc(s).lower())
        if v is None:
            raise Bad("not yes/no", f"{label} must be 是 or 否 (or true/false), got {s!r}")
        return v

    return conv


def make_code(f: Field) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"
    table: dict[str, str] = {}
    for zh, code in f.codes.items():
        table[zh] = code
        table[code] = code
        table[code.lower()] = code
    allowed = ", ".join(f"{zh} ({code})" if zh != code else zh for zh, code in f.codes.items())

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        v = table.get(s) or table.get(_nfkc(s).lower())
        if v is None:
            raise Bad("unknown code", f"{label} {s!r} is not one of: {allowed}")
        return v

    return conv


def make_text(f: Field, max_len: int = 10000) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if len(s) > max_len:
            raise Bad("too long", f"{label} is {len(s)} characters long (at most {max_len})")
        return copy_escape(s)

    return conv


def uscc_problem(code: str) -> str:
    if len(code) != 18:
        return f"must have 18 characters, got {len(code)}"
    try:
        expected = uscc_check_digit(code[:17])
    except ValueError as exc:
        return f"{exc} (I, O, S, V, Z are never used)"
    return f"check digit is {code[17]!r} but GB 32100-2015 gives {expected!r}; correct the code"


# A fast exact form of innopoints.uscc.is_valid_uscc built from that module's character set and
# weights: the 18 characters are mapped to their values with one bytes.translate; anything outside
# the set maps to 255. A rejection is confirmed (and explained) through innopoints.uscc itself.
_USCC_VALUE = bytes(USCC_CHARSET.index(chr(b)) if chr(b) in USCC_CHARSET else 255 for b in range(256))
_USCC_CHECK = USCC_CHARSET.encode()


def fast_is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or not code.isascii():
        return False
    b = code.encode()
    if 255 in b.translate(_USCC_VALUE):
        return False
    total = sum(map(operator.mul, b[:17].translate(_USCC_VALUE), USCC_WEIGHTS))
    return _USCC_CHECK[(31 - total % 31) % 31] == b[17]


def make_uscc(f: Field) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        if not fast_is_valid_uscc(s):
            t = _nfkc(s).upper().replace(" ", "")
            if not is_valid_uscc(t):
                cat = "USCC check digit wrong" if len(t) == 18 else "USCC malformed"
                raise Bad(cat, f"{label} {s!r}: {uscc_problem(t)}")
            s = t
        return s

    return conv


def liaoning_cities() -> dict[str, str]:
    """Known city codes (and city names -> code) from the regions seed."""
    out: dict[str, str] = {}
    for r in seeds.load("regions"):
        if r["level"] == "city":
            out[r["region_code"]] = r["region_code"]
            out[r["region_name_zh"]] = r["region_code"]
    return out


def make_region(f: Field) -> Converter:
    required = f.is_required
    label = f"{f.zh} ({f.name})"
    cities = liaoning_cities()

    def conv(s: str) -> str:
        s = s.strip()
        if not s:
            if required:
                raise Bad("missing", f"{label} is required but empty")
            return NULL
        v = cities.get(s) or cities.get(_nfkc(s).removesuffix(".0"))
        if v is None:
            raise Bad("unknown city", f"{label} {s!r} is not a Liaoning city code (210100 .. 211400, "
                                      "see seeds/reference/regions.csv)")
        return v

    return conv


def converter_for(feed: Feed, f: Field, factor: Decimal, today: dt.date) -> Converter:
    k = f.kind
    if k == "money":
        return make_number(f, factor, max_int_digits=18, scale_hint="at most 18 digits in yuan")
    if k == "pct":
        return make_number(f, Decimal(1), max_int_digits=5, scale_hint="a percentage below 100000")
    if k == "int":
        return make_int(f)
    if k == "year":
        return make_year(f, today)
    if k == "date":
        return make_date(f, today)
    if k == "bool":
        return make_bool(f)
    if k == "code":
        return make_code(f)
    if k == "uscc":
        return make_uscc(f)
    if k == "region":
        return make_region(f)
    return make_text(f)
