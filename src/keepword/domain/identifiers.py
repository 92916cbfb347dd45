"""Chinese identifiers: Resident Identity Card numbers and Unified Social Credit Codes.

* Resident Identity Card number (公民身份号码, GB 11643-1999): 18 characters, a 6-digit
  region code, the birth date ``YYYYMMDD``, a 3-digit sequence (odd for men, even for women)
  and an ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``). The older 15-digit form
  (region, ``YYMMDD`` meaning 19YY, sequence, no check character) is accepted and converted.
* Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from
  ``0123456789ABCDEFGHJKLMNPQRTUWXY``; registering authority, entity type, 6-digit region,
  the 9-character organisation code (GB 11714, with its own MOD 11 check character) and a
  MOD 31 check character.

Every failure raises :class:`~keepword.domain.errors.InvalidIdentifier` with a stable
``reason`` (``"length"``, ``"characters"``, ``"checksum"``, ``"date"``, ``"region"``,
``"format"``) and an English ``detail`` that names the field and says exactly what is wrong.

Region codes are checked against the administrative-division table shipped with
python-stdnum (``stdnum.numdb`` ``cn/loc``). Note the rule used here differs on purpose from
``stdnum.cn.ric``: the region code in a number is the one in force when the number was
*issued*, which can be any time after the birth, so a code is accepted when it was in use in
the birth year *or later* (stdnum demands it in the birth year itself, which rejects e.g. a
Chengdu Jinjiang (510104, created 1990) resident born in 1975). A code abolished before the
birth year cannot appear and is rejected. ``stdnum.cn.ric.is_valid`` 2.2 also raises
``KeyError`` for an unknown county in a known province; this module never calls it.
``stdnum.cn.uscc`` 2.2 rejects the letter authority codes (A, N, Y) in use since 2016, so the
credit-code check is implemented here.

Pure Python: stdlib and python-stdnum only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from operator import mul

from keepword.domain.errors import InvalidIdentifier

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "MIN_BIRTH_DATE",
    "CreditCode",
    "ResidentId",
    "age_on",
    "china_today",
    "convert_15_to_18",
    "credit_code_check_char",
    "id_number_check_char",
    "is_valid_credit_code",
    "is_valid_id_number",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "normalize_identifier",
    "organization_code_check_char",
    "parse_credit_code",
    "parse_id_number",
]

# China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tzdata.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Earliest birth date accepted: anything earlier is a typo, not a person with an ID card.
MIN_BIRTH_DATE = date(1860, 1, 1)

# --- Resident Identity Card (GB 11643-1999) -------------------------------------------------

#: ISO 7064 MOD 11-2 over the first 17 digits: their weights, and the check character by (weighted sum mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")


def _id_check(first17: str) -> str:
    """MOD 11-2 check character of 17 ASCII digits (not re-validated here).

    The weights are 2**(17 - i) mod 11 and 13 = 2 (mod 11), so the weighted sum is
    ``2 * int(first17, 13) (mod 11)``: one C-level int() instead of 17 multiplications. The
    check value c makes (sum + c) = 1 (mod 11). Equivalent to
    ``ID_CHECK_CHARS[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]`` (tested).
    """
    return ID_CHECK_CHARS[(2 * int(first17, 13)) % 11]


# Region codes of the Hong Kong / Macao / Taiwan residents' residence permits, which use the
# same number format; stdnum's table lacks Taiwan's 830000.
_EXTRA_REGIONS: dict[str, int | None] = {"830000": None}

# --- Unified Social Credit Code (GB 32100-2015) and organisation code (GB 11714) ------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_USCC_SET = frozenset(CREDIT_CODE_ALPHABET)
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 11714 body characters: digits keep their value, uppercase letters are A=10 .. Z=35.
_ORG_VALUE = {**{str(d): d for d in range(10)}, **{chr(ord("A") + i): 10 + i for i in range(26)}}
_USCC_ALLOWED = "0-9 and A-Y except I, O, S, V"


def china_today() -> date:
    """Today's date in China (UTC+8), whatever the server's time zone."""
    return datetime.now(CHINA_TZ).date()


_SURELY_PAST = china_today() - timedelta(days=1)


def normalize_identifier(raw: str) -> str:
    """Strip all whitespace, fold full-width forms (NFKC) and upper-case."""
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)
    return "".join(raw.split()).upper()


def _text(raw: object, field: str) -> str:
    if not isinstance(raw, str):
        raise InvalidIdentifier(field, "format", f"expected text, got {type(raw).__name__}")
    return normalize_identifier(raw)


def _first_bad_char(text: str, allowed: frozenset[str] | str | dict[str, int]) -> int:
    for i, c in enumerate(text):
        if c not in allowed:
            return i
    return -1


@dataclass(frozen=True)
class ResidentId:
    """A validated Resident Identity Card number and what it encodes."""

    number: str  # 18 characters, normalised (upper-case 'X')
    region: str  # 6 digits
    birth_date: date
    sex: str  # "M" or "F"

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        return age_on(self.birth_date, day)

    def masked(self) -> str:
        """The number as it may be published: birth month/day and check character hidden."""
        return mask_id_number(self.number)


@dataclass(frozen=True)
class CreditCode:
    """A validated Unified Social Credit Code and its parts."""

    code: str  # 18 characters, normalised
    authority: str  # position 1: registering authority (9 = market regulation, 5 = civil affairs, A, N, Y ...)
    entity_type: str  # position 2
    region: str  # positions 3-8, 6 digits
    organization_code: str  # positions 9-17, GB 11714 (8 body characters + check character)


def age_on(birth: date, day: date) -> int:
    """Completed years between ``birth`` and ``day``.

    The age goes up on the birthday itself; someone born on 29 February turns a year older on
    1 March in common years. Raises ``ValueError`` if ``day`` is before ``birth``.
    """
    if day < birth:
        raise ValueError(f"{day.isoformat()} is before the birth date {birth.isoformat()}")
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_number_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17:
        raise InvalidIdentifier("id_number", "length", f"need the first 17 digits to compute the check character, got {len(first17)} characters")
    if not (first17.isascii() and first17.isdigit()):
        raise InvalidIdentifier("id_number", "characters", f"the first 17 characters must be digits, got {first17!r}")
    return _id_check(first17)


@lru_cache(maxsize=16384)
def _region_last_year(region: str) -> tuple[bool, int | None]:
    """``(known, last_year)``: whether stdnum knows the code, and the last year it was in use
    (``None``: still in use). Cached per region code."""
    if region in _EXTRA_REGIONS:
        return True, _EXTRA_REGIONS[region]
    from stdnum import numdb

    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(region):
        info.update(props)
    county = info.get("county")
    if not county:
        return False, None
    last: int | None = 0
    for entry in county.split(","):
        if not entry.startswith("["):
            return True, None
        _start, _, end = entry[1:].split("]", 1)[0].partition("-")
        if not end:
            return True, None
        last = max(last or 0, int(end))
    return True, last


def _check_region(region: str, birth_year: int, field: str) -> None:
    known, last_year = _region_last_year(region)
    if not known:
        raise InvalidIdentifier(field, "region", f"region code {region} is not a known administrative division")
    if last_year is not None and birth_year > last_year:
        raise InvalidIdentifier(
            field,
            "region",
            f"region code {region} was abolished after {last_year}, so it cannot appear in the number of someone born in {birth_year}",
        )


def _birth_date(digits: str, field: str, today: date | None) -> date:
    """Check the ``YYYYMMDD`` birth date ``digits``."""
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdentifier(field, "date", f"birth date {digits} is not a real date (YYYYMMDD)") from None
    if birth < MIN_BIRTH_DATE:
        raise InvalidIdentifier(field, "date", f"birth date {birth.isoformat()} is before {MIN_BIRTH_DATE.isoformat()}")
    if today is None:
        # Any date up to the day before this module was loaded is in the past for good.
        if birth <= _SURELY_PAST:
            return birth
        today = china_today()
    if birth > today:
        raise InvalidIdentifier(field, "date", f"birth date {birth.isoformat()} is in the future")
    return birth


def _check_15(number: str, field: str) -> None:
    if len(number) != 15:
        raise InvalidIdentifier(field, "length", f"the old form has 15 digits, got {len(number)} characters")
    if not (number.isascii() and number.isdigit()):
        bad = _first_bad_char(number, _DIGITS)
        raise InvalidIdentifier(field, "characters", f"character {bad + 1} is {number[bad]!r}; the old 15-digit form has digits only")


def convert_15_to_18(raw15: str) -> str:
    """Convert an old 15-digit number to 18: insert ``19`` before the year, add the check character.

    Checks only length and characters; :func:`parse_id_number` also checks date and region.
    """
    number = _text(raw15, "id_number")
    _check_15(number, "id_number")
    first17 = number[:6] + "19" + number[6:]
    return first17 + _id_check(first17)


def parse_id_number(raw: str, field: str = "id_number", today: date | None = None) -> ResidentId:
    """Validate a Resident Identity Card number (18 or old 15 digits) and decode it.

    Whitespace is stripped, full-width characters folded and ``x`` upper-cased; a 15-digit
    number comes back converted to 18. ``today`` (default: today in China) bounds the birth
    date. Checks, in order: length, characters, check character, birth date, region code.
    """
    number = _text(raw, field)
    n = len(number)
    if n == 18:
        first17 = number[:17]
        if not (first17.isascii() and first17.isdigit()):
            bad = _first_bad_char(first17, _DIGITS)
            raise InvalidIdentifier(field, "characters", f"character {bad + 1} is {number[bad]!r}; only digits are allowed, and 'X' as the last character")
        last = number[17]
        if last not in ID_CHECK_CHARS:
            raise InvalidIdentifier(field, "characters", f"the last character is {last!r}; it must be a digit or 'X'")
        expected = _id_check(first17)
        if last != expected:
            raise InvalidIdentifier(field, "checksum", f"check character should be {expected!r}, not {last!r}")
    elif n == 15:
        _check_15(number, field)
        first17 = number[:6] + "19" + number[6:]
        number = first17 + _id_check(first17)
    else:
        raise InvalidIdentifier(field, "length", f"must be 18 characters (or 15 digits in the old form), got {n}")
    birth = _birth_date(number[6:14], field, today)
    region = number[:6]
    _check_region(region, birth.year, field)
    return ResidentId(number=number, region=region, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def is_valid_id_number(raw: str) -> bool:
    """Whether ``raw`` is a valid ID number (18 or 15 digits); never raises."""
    try:
        parse_id_number(raw)
    except InvalidIdentifier:
        return False
    return True


def mask_id_number(number: str) -> str:
    """Mask an ID number for publication: ``110101199003071234`` -> ``1101011990****123*``.

    Hides the birth month and day and the check character. A 15-digit number is converted to 18
    first. Anything that is not 18 characters raises rather than being published unmasked.
    """
    text = _text(number, "id_number")
    if len(text) == 15:
        text = convert_15_to_18(text)
    if len(text) != 18:
        raise InvalidIdentifier("id_number", "length", f"cannot mask: must be 18 characters, got {len(text)}")
    return f"{text[:10]}****{text[14:17]}*"


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """Build a valid 18-digit number (demo data, tests). ``sequence`` 0-999: odd for a man.

    Checks that the region code could appear for that birth year; does not check that the birth
    date is in the past.
    """
    if len(region) != 6 or not (region.isascii() and region.isdigit()):
        raise InvalidIdentifier("id_number", "format", f"region code must be 6 digits, got {region!r}")
    if not 0 <= sequence <= 999:
        raise InvalidIdentifier("id_number", "format", f"sequence must be 0-999, got {sequence}")
    if birth.year < 1000:
        raise InvalidIdentifier("id_number", "date", f"birth year must have 4 digits, got {birth.year}")
    _check_region(region, birth.year, "id_number")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


# --- Unified Social Credit Code ---------------------------------------------------------------


def organization_code_check_char(first8: str) -> str:
    """The GB 11714 check character for an 8-character organisation code body.

    MOD 11, weights 3 7 9 10 5 8 4 2; check = 11 - (sum mod 11), 10 -> 'X', 11 -> '0'.
    """
    if len(first8) != 8:
        raise InvalidIdentifier("organization_code", "length", f"need the 8 body characters to compute the check character, got {len(first8)}")
    bad = _first_bad_char(first8, _ORG_VALUE)
    if bad >= 0:
        raise InvalidIdentifier("organization_code", "characters", f"character {bad + 1} is {first8[bad]!r}; only digits and upper-case letters are allowed")
    check = 11 - sum(map(mul, map(_ORG_VALUE.__getitem__, first8), _ORG_WEIGHTS)) % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _uscc_check(first17: str) -> str:
    return CREDIT_CODE_ALPHABET[-sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS)) % 31]


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 MOD 31 check character for the first 17 characters of a credit code."""
    if len(first17) != 17:
        raise InvalidIdentifier("credit_code", "length", f"need the first 17 characters to compute the check character, got {len(first17)}")
    bad = _first_bad_char(first17, _USCC_VALUE)
    if bad >= 0:
        raise InvalidIdentifier("credit_code", "characters", f"character {bad + 1} is {first17[bad]!r}; allowed are {_USCC_ALLOWED}")
    return _uscc_check(first17)


def parse_credit_code(raw: str, field: str = "credit_code") -> CreditCode:
    """Validate a Unified Social Credit Code and split it into its parts.

    Whitespace is stripped and letters upper-cased. Checks, in order: length, characters,
    region digits (positions 3-8), the MOD 31 check character, then the embedded organisation
    code's check character. Letter authority codes (A, N, Y, ...) are accepted.
    """
    code = _text(raw, field)
    if len(code) != 18:
        raise InvalidIdentifier(field, "length", f"must be 18 characters, got {len(code)}")
    if not _USCC_SET.issuperset(code):
        bad = _first_bad_char(code, _USCC_SET)
        raise InvalidIdentifier(field, "characters", f"character {bad + 1} is {code[bad]!r}; allowed are {_USCC_ALLOWED}")
    region = code[2:8]
    if not region.isdigit():
        raise InvalidIdentifier(field, "format", f"the region code (positions 3-8) must be 6 digits, got {region!r}")
    expected = _uscc_check(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(field, "checksum", f"check character should be {expected!r}, not {code[17]!r}")
    org = code[8:17]
    org_expected = organization_code_check_char(org[:8])
    if org[8] != org_expected:
        raise InvalidIdentifier(
            field,
            "checksum",
            f"the organisation code {org} (positions 9-17) has check character {org[8]!r}, should be {org_expected!r}",
        )
    return CreditCode(code=code, authority=code[0], entity_type=code[1], region=region, organization_code=org)


def is_valid_credit_code(raw: str) -> bool:
    """Whether ``raw`` is a valid Unified Social Credit Code; never raises."""
    try:
        parse_credit_code(raw)
    except InvalidIdentifier:
        return False
    return True


def make_credit_code(authority: str, entity_type: str, region: str, org_body8: str) -> str:
    """Build a valid credit code: adds the organisation-code and the MOD 31 check characters."""
    for name, value in (("authority", authority), ("entity_type", entity_type)):
        if len(value) != 1 or value not in _USCC_VALUE:
            raise InvalidIdentifier("credit_code", "format", f"{name} must be one character from {_USCC_ALLOWED}, got {value!r}")
    if len(region) != 6 or not (region.isascii() and region.isdigit()):
        raise InvalidIdentifier("credit_code", "format", f"region code must be 6 digits, got {region!r}")
    if len(org_body8) != 8 or _first_bad_char(org_body8, _USCC_VALUE) >= 0:
        raise InvalidIdentifier("credit_code", "format", f"organisation code body must be 8 characters from {_USCC_ALLOWED}, got {org_body8!r}")
    first17 = authority + entity_type + region + org_body8 + organization_code_check_char(org_body8)
    return first17 + _uscc_check(first17)
