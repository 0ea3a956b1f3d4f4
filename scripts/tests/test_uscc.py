"""USCC check characters (GB 32100-2015) and organisation-code check characters (GB 11714)."""

from __future__ import annotations

import pytest
from innopoints.uscc import (
    USCC_CHARSET,
    is_valid_uscc,
    make_uscc,
    org_code_check_char,
    uscc_check_digit,
)

# Published codes of well-known enterprises and the standard's example.
REAL = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_digit(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize("code", REAL)
def test_every_other_check_character_is_refused(code: str) -> None:
    wrong = [c for c in USCC_CHARSET if c != code[17]]
    assert len(wrong) == 30
    assert not any(is_valid_uscc(code[:17] + c) for c in wrong)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "91350100m000100Y43",  # lower case
        "91350100M0001O0Y43",  # the letter O is not in the character set
        "91350100M000100Y4I",  # I is not either
        None,
        914403001922038216,
    ],
)
def test_malformed_codes_are_invalid(code: object) -> None:
    assert not is_valid_uscc(code)


def test_check_digit_explains_a_bad_character() -> None:
    with pytest.raises(ValueError, match="position 11"):
        uscc_check_digit("91350100M0O0100Y4")
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_digit("9135")


def test_check_value_31_maps_to_zero() -> None:
    # find a body whose weighted sum is a multiple of 31: its check character must be '0'
    for n in range(10_000):
        body = f"91210100{n:08d}"
        code = make_uscc("210100", f"{n:08d}")
        if code[17] == "0":
            assert is_valid_uscc(code)
            assert body[:8] == code[:8]
            return
    pytest.fail("no code with check character 0 among 10,000 bodies")


def test_make_uscc_builds_valid_codes_and_checks_its_input() -> None:
    code = make_uscc("210900", "MA0Y1234")
    assert len(code) == 18 and code.startswith("91210900MA0Y1234")
    assert is_valid_uscc(code)
    with pytest.raises(ValueError, match="6 digits"):
        make_uscc("2109", "MA0Y1234")


def _variants() -> list[str]:
    """Valid codes and every kind of corruption the raw feeds could bring, for the SQL twin."""
    bodies = [make_uscc(f"21{d:02d}00", f"MA{n:05d}X") for d in range(1, 15) for n in range(0, 700, 7)]
    codes = REAL + bodies
    out = list(codes)
    for code in codes[:40]:
        out += [code[:17] + c for c in USCC_CHARSET if c != code[17]]  # every wrong check character
        for i in range(18):
            for bad in ("I", "O", "S", "V", "Z", "a", "\\", "é", "中", ":", "@", " "):
                out.append(code[:i] + bad + code[i + 1:])
        out += [code.lower(), code[:17], code + "0", "\\x" + code[2:], code[:16] + "é",  # 18 bytes, 17 chars
                code[:15] + "中"]  # 18 bytes, 16 characters
    return [*out, "", "\\", "\\\\x41"]


def test_the_sql_check_agrees_with_python(admin_conn) -> None:
    """audit.uscc_is_valid (the gate's check over every raw row, computed from the code's bytes) gives
    the verdict of innopoints.uscc on valid codes and on each corruption; null stays null."""
    codes = _variants()
    got = dict(admin_conn.execute(
        "select v, audit.uscc_is_valid(v) from unnest(%s::text[]) as v", (codes,)).fetchall())
    wrong = {c: got[c] for c in codes if got[c] is not is_valid_uscc(c)}
    assert not wrong, list(wrong.items())[:10]
    assert sum(got.values()) == len(REAL) + 14 * 100  # every valid code, and none of the corruptions
    assert admin_conn.execute("select audit.uscc_is_valid(null)").fetchone()[0] is None
