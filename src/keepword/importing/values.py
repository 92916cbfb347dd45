"""Turning cell values (CSV text or typed XLSX cells) into dates, kinds, amounts and text.

Every failure raises :class:`ValidationFailed` naming the column and saying what is wrong in
words an officer can act on.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from keepword.domain.errors import ValidationFailed
from keepword.domain.parties import ORGANIZATION, PERSON

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?")
_COMPACT_DATE = re.compile(r"\d{8}")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (it counts the 1900 leap day that never was)
_MAX_EXCEL_SERIAL = 2958465  # 9999-12-31

_KINDS = {
    PERSON: ("person", "individual", "natural person", "自然人", "个人", "公民"),
    ORGANIZATION: ("organization", "organisation", "company", "legal person", "legal entity", "法人", "单位",
                   "企业", "组织", "公司", "其他组织", "非法人组织", "法人或其他组织", "法人及其他组织"),
}
_KIND_HINT = "write person (自然人) or organization (法人/其他组织)"
_KIND_OF = {alias.replace(" ", ""): kind for kind, aliases in _KINDS.items() for alias in aliases}
_PHONE_SEPARATORS = re.compile(r"[;；,，、/|\s]+")
# Excel keeps 15 significant digits: a longer number typed into a numeric cell has lost digits.
_EXCEL_DIGITS = 15


def text(value: object) -> str:
    """A cell as stripped text; numbers without a spurious ``.0``."""
    if value.__class__ is str:  # nearly every cell: skip the type checks below
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def required_text(value: object, field: str) -> str:
    result = " ".join(text(value).split())
    if not result:
        raise ValidationFailed(field, "empty")
    return result


def parse_date(value: object, field: str) -> date:
    """``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305`` or a date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value, field)
    raw = text(value)
    if not raw:
        raise ValidationFailed(field, "empty")
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass  # the pattern below names the problem
    match = _DATE.fullmatch(raw)
    if match:
        parts = match.groups()
    elif _COMPACT_DATE.fullmatch(raw):
        parts = (raw[:4], raw[4:6], raw[6:])
    else:
        raise ValidationFailed(field, f"{raw!r} is not a date: write YYYY-MM-DD (2024-03-05) or 2024/3/5")
    try:
        return date(*map(int, parts))
    except ValueError:
        raise ValidationFailed(field, f"{raw!r} is not a real date") from None


def _excel_serial(value: int | float, field: str) -> date:
    if isinstance(value, int) and 10_000_000 <= value <= 99_999_999:  # 20240305 typed into a number cell
        return parse_date(str(value), field)
    if not (1 <= value <= _MAX_EXCEL_SERIAL) or (isinstance(value, float) and not value.is_integer()):
        raise ValidationFailed(field, f"{value!r} is not a date: write YYYY-MM-DD (2024-03-05) or use a date cell")
    return _EXCEL_EPOCH + timedelta(days=int(value))


def parse_kind(value: object, field: str) -> str:
    """``person`` or ``organization``, also in Chinese (自然人, 法人, 其他组织, ...)."""
    raw = text(value)
    if not raw:
        raise ValidationFailed(field, f"empty: {_KIND_HINT}")
    kind = _KIND_OF.get(raw.lower().replace(" ", "").replace("_", ""))
    if kind is None:
        raise ValidationFailed(field, f"{raw!r} is not a party kind: {_KIND_HINT}")
    return kind


def identifier_text(value: object, field: str) -> str:
    """An ID number or credit code; a long number from a numeric Excel cell has lost its last digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = text(value)
        if len(digits) > _EXCEL_DIGITS:
            raise ValidationFailed(field, f"{digits} was stored as a number, so Excel dropped the digits after the "
                                          f"15th: format the column as text and enter the numbers again")
        return digits
    result = text(value)
    if not result:
        raise ValidationFailed(field, "empty")
    return result


def amount_text(value: object) -> str | Decimal:
    """An amount as Money.parse takes it: text without a currency sign, or an exact Decimal."""
    if isinstance(value, float):
        # openpyxl gives numeric cells as floats; repr() is the shortest text that reads back the
        # same double, i.e. what Excel shows ("1234.5"), not 1234.4999999999999.
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raw = text(value)
    if raw.isascii() and "RMB" not in raw and "CNY" not in raw:  # most cells: no currency mark to take off
        return raw
    for mark in _CURRENCY_MARKS:
        raw = raw.replace(mark, "")
    return raw.strip()


_CURRENCY_MARKS = ("¥", "￥", "元", "RMB", "CNY")


def split_phones(value: object) -> list[str]:
    """Phone numbers separated by ``;``, ``；``, ``,``, ``、``, ``/`` or spaces."""
    return [p for p in _PHONE_SEPARATORS.split(text(value)) if p]
