"""Money: Decimal amounts with a currency, never float. Amounts cross boundaries as strings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from keepword.domain.errors import InvalidAmount

DEFAULT_CURRENCY = "CNY"
_CENT = Decimal("0.01")
# Decimals are immutable: every zero amount can share one instead of parsing "0.00" again (a case's
# outstanding amount starts from it, and a demo or import asks for that thousands of times).
ZERO_AMOUNT = Decimal("0.00")


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise InvalidAmount("currency", "not an ISO 4217 code", f"currency: {self.currency!r} is not an ISO 4217 code")

    @classmethod
    def parse(cls, raw: str | int | Decimal, currency: str = DEFAULT_CURRENCY, field: str = "amount") -> Money:
        """Parse a string such as ``"1234.50"``; rejects floats, negatives and more than 2 decimals."""
        if isinstance(raw, float):
            raise InvalidAmount(field, "float not accepted", f"{field}: send amounts as strings, not floats")
        text = str(raw).strip().replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(field, "not a number", f"{field}: {raw!r} is not a number") from None
        if not value.is_finite():
            raise InvalidAmount(field, "not a number", f"{field}: {raw!r} is not a finite number")
        if value < 0:
            raise InvalidAmount(field, "negative", f"{field}: {raw!r} is negative")
        cents = value.quantize(_CENT)
        if value != cents:
            raise InvalidAmount(field, "too many decimals", f"{field}: {raw!r} has more than 2 decimals")
        return cls(abs(cents), currency)  # abs: "-0" is zero, never "-0.00"

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(ZERO_AMOUNT, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidAmount("currency", "currency mismatch", f"currency: {other.currency} does not match {self.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"

    def as_string(self) -> str:
        return f"{self.amount:.2f}"
