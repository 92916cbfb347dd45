"""Money: exact Decimal amounts with a currency; amounts come in as strings and go out as strings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keepword.domain.errors import InvalidAmount
from keepword.domain.money import Money


@pytest.mark.parametrize(("raw", "expected"), [
    ("1234.50", "1234.50"),
    ("  7 ", "7.00"),
    ("1,234,567.8", "1234567.80"),
    ("12345678901.23", "12345678901.23"),
    ("0", "0.00"),
    ("0.10", "0.10"),
    (Decimal("99.9"), "99.90"),
    (42, "42.00"),
])
def test_parse_accepts_plain_amounts_and_keeps_cents_exact(raw, expected):
    money = Money.parse(raw)
    assert money.as_string() == expected
    assert money.amount == Decimal(expected)
    assert money.currency == "CNY"


@pytest.mark.parametrize(("raw", "reason"), [
    (12.5, "float not accepted"),
    ("abc", "not a number"),
    ("", "not a number"),
    ("NaN", "not a number"),
    ("Infinity", "not a number"),
    ("-0.01", "negative"),
    ("-5", "negative"),
    ("1.001", "too many decimals"),
    ("0.005", "too many decimals"),
])
def test_parse_rejects_bad_amounts_naming_field_and_reason(raw, reason):
    with pytest.raises(InvalidAmount) as info:
        Money.parse(raw, field="payment.amount")
    assert info.value.field == "payment.amount"
    assert info.value.reason == reason
    assert "payment.amount" in str(info.value)


def test_negative_zero_is_plain_zero():
    assert Money.parse("-0").as_string() == "0.00"
    assert Money.parse("-0.00") == Money.zero()


def test_sums_are_exact_where_floats_are_not():
    total = Money.zero()
    for _ in range(10):
        total = total + Money.parse("0.10")
    assert total == Money.parse("1.00")
    assert (Money.parse("100.00") - Money.parse("0.01")).as_string() == "99.99"


def test_currencies_do_not_mix():
    with pytest.raises(InvalidAmount) as info:
        Money.parse("1", "CNY") + Money.parse("1", "EUR")
    assert info.value.field == "currency"


@pytest.mark.parametrize("code", ["cny", "CN", "YUAN", "C1Y"])
def test_currency_must_be_an_iso_code(code):
    with pytest.raises(InvalidAmount) as info:
        Money.parse("1", code)
    assert info.value.field == "currency"


def test_amount_must_be_decimal_never_float():
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]


def test_display_forms():
    money = Money.parse("5", "EUR")
    assert str(money) == "5.00 EUR"
    assert money.as_string() == "5.00"
    assert money.is_positive() and not Money.zero().is_positive()
