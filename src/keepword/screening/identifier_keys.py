"""Identifiers as compact integer keys, and keyed digests for the privacy mode.

* An ID number is valid only with the right check character, so its first 17 digits say it
  all: the key is ``int(number[:17])`` (below 10**17, fits a signed 64-bit int). An old
  15-digit number is converted to 18 first, so both forms find the same entry.
* A credit code carries more than 64 bits: the key is the region and the organisation-code
  body (``int(region) * 31**8 + body``, below 10**18) and a 16-bit tag holds the authority and
  entity-type characters. The two check characters follow from the rest.
* Privacy mode: a partner sends ``HMAC-SHA256(shared secret, normalised identifier)`` instead
  of the identifier; the index keeps 80 bits of each digest (64-bit key + 16-bit tag).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from keepword.domain.errors import InvalidIdentifier
from keepword.domain.identifiers import (
    CREDIT_CODE_ALPHABET,
    ID_CHECK_CHARS,
    MIN_BIRTH_DATE,
    china_today,
    id_number_check_char,
    normalize_identifier,
    parse_credit_code,
    parse_id_number,
)

_USCC_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_BODY_SPAN = 31**8
_DIGITS = frozenset("0123456789")
# What full parses found valid: region code and birth year ("1101011980"), birth dates ("19800517").
_VALID_REGION_YEARS: set[str] = set()
_BIRTH_DATES: dict[str, date] = {}
_MAX_REMEMBERED = 1 << 20
# Birth dates up to the day before this module was loaded are in the past for good.
_FAST_BIRTH_LIMIT = china_today() - timedelta(days=1)


def id_number_key(number18: str) -> int:
    """Integer key of a normalised, valid 18-character ID number."""
    return int(number18[:17])


def credit_code_key(code: str) -> tuple[int, int]:
    """``(key, tag)`` of a normalised, valid credit code."""
    body = 0
    for char in code[8:16]:
        body = body * 31 + _USCC_VALUE[char]
    return int(code[2:8]) * _BODY_SPAN + body, _USCC_VALUE[code[0]] * 31 + _USCC_VALUE[code[1]]


def registry_id_number(raw: str) -> str:
    """Normalise a registry ID number; raise :class:`InvalidIdentifier` when it cannot be one.

    The registry is the authority, so a number with a correct check character is taken as it
    is (the fast path for millions of rows); anything else (15 digits, full-width digits) goes
    through the full :func:`parse_id_number`. A record is always fully validated before lookup.
    """
    if len(raw) == 18 and _DIGITS.issuperset(raw[:17]):
        last = raw[17].upper()
        if id_number_check_char(raw[:17]) == last:
            return raw[:17] + last
    return parse_id_number(raw).number


def plain_id_number(raw: str) -> tuple[str, date] | None:
    """``(number, birth date)`` of a valid ID number written plainly (18 ASCII characters), fast.

    ``None`` means "take the full :func:`parse_id_number`", which gives the reasons a number is
    invalid: this path only accepts what that one would, and leaves it everything else. The
    region check depends on the region code and the birth year alone, so their pair is taken as
    valid once a full parse has passed it (:func:`remember_valid_id_number`); a birth date is
    checked here, by the full parse's rules, and remembered.
    """
    if len(raw) != 18 or not raw.isascii():
        return None
    first17, last = raw[:17], raw[17]
    if not first17.isdigit():
        return None
    if last == "x":
        last = "X"
    # id_number_check_char(first17), inlined: 2 * int(first17, 13) is the weighted sum mod 11
    if ID_CHECK_CHARS[2 * int(first17, 13) % 11] != last or raw[:10] not in _VALID_REGION_YEARS:
        return None
    birth = _BIRTH_DATES.get(raw[6:14]) or _birth_date(raw[6:14])
    if birth is None:
        return None
    return first17 + last, birth


def _birth_date(digits: str) -> date | None:
    """The birth date ``YYYYMMDD`` if the full parse takes it as it is (a real date, not before
    ``MIN_BIRTH_DATE``, surely in the past), remembered; ``None`` otherwise."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    if birth < MIN_BIRTH_DATE or birth > _FAST_BIRTH_LIMIT:
        return None
    if len(_BIRTH_DATES) >= _MAX_REMEMBERED:
        _BIRTH_DATES.clear()
    _BIRTH_DATES[digits] = birth
    return birth


def known_region_years() -> set[str]:
    """The region-code-and-birth-year prefixes (``"1101011980"``) full parses found valid so
    far: what :func:`plain_id_number` accepts without one (the live set, not a copy)."""
    return _VALID_REGION_YEARS


def fast_birth_limit() -> date:
    """The latest birth date :func:`plain_id_number` accepts without a full parse."""
    return _FAST_BIRTH_LIMIT


def remember_valid_id_number(number18: str, birth: date) -> None:
    """Note what a full parse found valid, for :func:`plain_id_number` (bounded memory)."""
    if birth > _FAST_BIRTH_LIMIT:  # a birth date near today is checked against the day, every time
        return
    if len(_VALID_REGION_YEARS) >= _MAX_REMEMBERED:
        _VALID_REGION_YEARS.clear()
    _VALID_REGION_YEARS.add(number18[:10])
    if len(_BIRTH_DATES) >= _MAX_REMEMBERED:
        _BIRTH_DATES.clear()
    _BIRTH_DATES[number18[6:14]] = birth


def hmac_key(secret: bytes | str, identifier: str) -> str:
    """HMAC-SHA256 (hex) of a normalised identifier, for lookups without sending the number.

    The identifier is validated and normalised first (a 15-digit ID number becomes its
    18-digit form; letters upper-case), so both sides compute the same digest. Raises
    :class:`InvalidIdentifier` for something that is neither an ID number nor a credit code.
    """
    return hmac.new(_secret_bytes(secret), normalized_identifier(identifier).encode(), hashlib.sha256).hexdigest()


def normalized_identifier(identifier: str) -> str:
    """The canonical text of an ID number or credit code (raises if it is neither)."""
    try:
        return parse_id_number(identifier).number
    except InvalidIdentifier as id_error:
        try:
            return parse_credit_code(identifier).code
        except InvalidIdentifier:
            text = normalize_identifier(identifier)
            if text[:17].isdigit():
                raise id_error from None
            raise


def digest_key(secret: bytes, normalized: str) -> tuple[int, int]:
    """``(key, tag)`` for the digest table from an already normalised identifier."""
    return digest_hex_key(hmac.new(secret, normalized.encode(), hashlib.sha256).hexdigest())


def digest_hex_key(digest_hex: str) -> tuple[int, int]:
    """``(key, tag)`` from a 64-character hex digest; raises ``ValueError`` if malformed."""
    text = digest_hex.strip().lower()
    if len(text) != 64:
        raise ValueError("a keyed digest has 64 hexadecimal characters")
    raw = bytes.fromhex(text)
    return int.from_bytes(raw[:8], "big", signed=True), int.from_bytes(raw[8:10], "big")


def _secret_bytes(secret: bytes | str) -> bytes:
    if not secret:
        raise ValueError("the privacy mode needs a non-empty shared secret")
    return secret.encode() if isinstance(secret, str) else secret
