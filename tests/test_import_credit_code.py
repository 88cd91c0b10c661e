"""统一社会信用代码 (GB 32100-2015): property-based tests of the check the import applies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsyf_geo.credit_code import CHARSET, credit_code_check_char, is_valid_credit_code
from gsyf_geo.importing.validate import CellError, parse_credit_code

bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@given(bodies)
def test_valid_codes_from_random_bodies_always_pass(body):
    code = body + credit_code_check_char(body)
    assert is_valid_credit_code(code)
    assert parse_credit_code(code) == code
    assert parse_credit_code(" " + code.lower() + " ") == code  # spaces, lower case tolerated


@given(bodies, st.integers(0, 17), st.integers(1, 30))
@settings(max_examples=300)
def test_any_single_character_change_fails(body, position, shift):
    """Changing one character to another of the charset breaks the check (weights 3^i mod 31
    are never 0 and 31 is prime, so every substitution changes the sum mod 31)."""
    code = body + credit_code_check_char(body)
    new = CHARSET[(CHARSET.index(code[position]) + shift) % 31]
    changed = code[:position] + new + code[position + 1 :]
    assert changed != code
    assert not is_valid_credit_code(changed)
    with pytest.raises(CellError, match="校验位"):
        parse_credit_code(changed)


@given(bodies, st.integers(0, 17), st.sampled_from("IOZSV"))
def test_letters_outside_the_charset_are_named(body, position, letter):
    code = body + credit_code_check_char(body)
    bad = code[:position] + letter + code[position + 1 :]
    with pytest.raises(CellError, match=f"不允许的字符：{letter}"):
        parse_credit_code(bad)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91320412MA1P3G5Q4", "应为 18 位（现为 17 位）"),
        ("9.13204E+17", "科学计数法"),
        (9.13204021234568e17, "被存成了数字"),
    ],
)
def test_typical_spreadsheet_damage_is_explained(value, message):
    with pytest.raises(CellError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_credit_code(value)


@pytest.mark.parametrize(
    "code", ["9144030071526726XG", "91330100716105852F", "914403001922038216", "91110000802100433B"]
)
def test_codes_printed_on_real_business_licences_pass(code):
    """Codes of well-known companies, as published: an independent check of the formula."""
    assert parse_credit_code(code) == code
    with pytest.raises(CellError):
        parse_credit_code(code[:17] + ("0" if code[17] != "0" else "1"))
