"""Unified social credit codes (统一社会信用代码, USCC) per GB 32100-2015.

A USCC has 18 characters from the 31-character set ``0-9`` and ``ABCDEFGHJKLMNPQRTUWXY`` (no I, O,
S, V, Z):

====  ==========================================================
pos   meaning
====  ==========================================================
1     registration authority (登记管理部门码), ``9`` = market regulation (工商)
2     organisation type (机构类别码), ``1`` = enterprise
3-8   administrative division of the registering authority (登记管理机关行政区划码)
9-17  organisation code (主体标识码, GB 11714: 8 characters + its own check character)
18    check character (校验码) over positions 1-17
====  ==========================================================

The check character: with the characters' values ``v_i`` (their index in the character set) and
the weights ``w_i = 3**(i-1) mod 31``, ``c = 31 - (sum v_i * w_i mod 31)``, and ``c = 0`` when that is
31. Both the importer (to refuse a bad key) and the demo generator (to make valid keys) use this
module.
"""

from __future__ import annotations

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}

# GB 11714 organisation code: 8 body characters (digits or capital letters, value = ord - 55 for
# letters) and a check character over them.
ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_digit(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC.

    Raises ``ValueError`` when ``first17`` is not 17 characters of the USCC character set (say
    which character is wrong, so a caller can tell the user what to fix).
    """
    if len(first17) != 17:
        raise ValueError(f"a USCC body has 17 characters before the check character, got {len(first17)}")
    total = 0
    for pos, (ch, weight) in enumerate(zip(first17, USCC_WEIGHTS, strict=True), start=1):
        value = _VALUE.get(ch)
        if value is None:
            raise ValueError(f"character {ch!r} at position {pos} is not allowed in a USCC")
        total += value * weight
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: object) -> bool:
    """True when ``code`` is an 18-character USCC whose check character is right.

    Leading/trailing spaces are not tolerated here: normalise (strip, upper-case) before calling.
    Only the GB 32100 check character is verified, not the embedded GB 11714 organisation-code
    check, as registries do.
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    try:
        return uscc_check_digit(code[:17]) == code[17]
    except ValueError:
        return False


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character for the 8-character organisation-code body (``X`` for 10)."""
    if len(body8) != 8:
        raise ValueError(f"an organisation code body has 8 characters, got {len(body8)}")
    total = 0
    for ch, weight in zip(body8, ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        else:
            raise ValueError(f"character {ch!r} is not allowed in an organisation code")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(division: str, org_body8: str, authority: str = "9", org_type: str = "1") -> str:
    """Build a valid USCC from a 6-digit division code and an 8-character organisation-code body."""
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"division must be 6 digits, got {division!r}")
    first17 = authority + org_type + division + org_body8 + org_code_check_char(org_body8)
    return first17 + uscc_check_digit(first17)
