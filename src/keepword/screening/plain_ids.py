"""A batch of records' plain ID numbers screened at once, with numpy: which are valid and not listed.

Most records of a file are a person's valid 18-digit ID number that is not on the list, and
their answer is always the same (``ID_NUMBER_NOT_LISTED``). :func:`unlisted_plain_ids` finds
them among a batch of ID-number fields in a few array operations instead of a Python call per
record: the characters (17 ASCII digits, then a digit, ``X`` or ``x``), the ISO 7064 MOD 11-2
check character, the birth date (a real date from ``MIN_BIRTH_DATE`` to the day before the
process started), the region code and birth year (a pair a full parse has passed) and the
17-digit key, looked up in the index's ``KeyTable`` and in what was added to it since: what
:func:`~keepword.screening.identifier_keys.plain_id_number` and ``find_person`` check one at a
time.

It only ever says "valid, not on the list" of a number that the scalar path takes as a valid
number on no entry: everything else (a number on the list, another length, whitespace,
full-width digits, a birth date near today, a region-year pair no full parse has passed yet)
is left to the scalar path, which gives the answer and its reason as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import not_

import numpy as np

from keepword.domain.identifiers import ID_CHECK_CHARS, ID_WEIGHTS, MIN_BIRTH_DATE
from keepword.screening.decide import PLAIN_PERSON_KINDS
from keepword.screening.identifier_keys import fast_birth_limit, known_region_years
from keepword.screening.index import ScreeningIndex
from keepword.screening.record_batches import FieldBatch

_WEIGHTS = np.array(ID_WEIGHTS, dtype=np.int64)
_CHECK_BYTES = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)  # by the weighted sum mod 11
_KEY_POWERS = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # the 17-digit key: below 10**17
_PREFIX_POWERS = 10 ** np.arange(9, -1, -1, dtype=np.int64)  # region code and birth year
_DATE_POWERS = 10 ** np.arange(7, -1, -1, dtype=np.int64)  # YYYYMMDD
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_MAX_KNOWN = 1 << 20
# Region-year prefixes (as integers, sorted) found in ``known_region_years()``: every pair that
# was ever there passed a full parse, so one kept here after the set was cleared stays valid.
_known_prefixes = np.empty(0, dtype=np.int64)


def unlisted_rows(index: ScreeningIndex, batch: FieldBatch, width: int, id_at: int | None, kind_at: int | None,
                  birth_at: int | None, name_at: int | None) -> np.ndarray | None:
    """Which rows of ``batch`` (a bool array; ``None``: none) are answered ``ID_NUMBER_NOT_LISTED``
    for sure: as wide as the header (``width``), kind ``person`` or empty, no birth date, an ID
    number of 18 characters that is valid and on no entry, and, when ``name_at`` is given, no name."""
    count = len(batch)
    if id_at is None or not count:
        return None
    ids = batch.column(id_at, width)
    wanted = np.fromiter(map(len, ids), dtype=np.intp, count=count) == 18
    if kind_at is not None:
        kinds = batch.column(kind_at, width)
        wanted &= np.fromiter(map(PLAIN_PERSON_KINDS.__contains__, kinds), dtype=bool, count=count)
    if birth_at is not None:
        births = batch.column(birth_at, width)
        wanted &= np.fromiter(map(not_, births), dtype=bool, count=count)
    if name_at is not None:
        names = batch.column(name_at, width)
        wanted &= np.fromiter(map(not_, map(str.strip, names)), dtype=bool, count=count)
    positions = np.flatnonzero(wanted)
    if not len(positions):
        return None
    found = unlisted_plain_ids(index, list(map(ids.__getitem__, positions.tolist())))
    unlisted = np.zeros(count, dtype=bool)
    unlisted[positions[found]] = True
    return unlisted


def unlisted_plain_ids(index: ScreeningIndex, ids: Sequence[str]) -> np.ndarray:
    """Which of ``ids``, each of exactly 18 characters, are valid ID numbers on no entry of
    ``index`` (neither in its person key table nor added since): a bool array."""
    if not ids:
        return np.zeros(0, dtype=bool)
    # "replace" keeps one byte per character: a non-ASCII character becomes "?" and fails below.
    raw = np.frombuffer("".join(ids).encode("ascii", "replace"), dtype=np.uint8).reshape(len(ids), 18)
    digits = raw[:, :17] - np.uint8(ord("0"))  # wraps around below "0": then above 9
    last = raw[:, 17]
    ok = (digits <= 9).all(axis=1)
    digits = digits.astype(np.int64)
    expected = _CHECK_BYTES[(digits @ _WEIGHTS) % 11]
    ok &= expected == np.where(last == ord("x"), np.uint8(ord("X")), last)
    ok &= _plausible_birth(digits[:, 6:14] @ _DATE_POWERS)
    ok &= _region_year_known(digits[:, :10] @ _PREFIX_POWERS, ok)
    candidates = np.flatnonzero(ok)
    on_file = index.person_keys_on_file(digits[candidates] @ _KEY_POWERS)
    if on_file is None:  # an index still being built: nothing is decided here
        return np.zeros(len(ids), dtype=bool)
    ok[candidates[on_file]] = False
    return ok


def _day_number(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _plausible_birth(ymd: np.ndarray) -> np.ndarray:
    """Whether each ``YYYYMMDD`` is a real date from ``MIN_BIRTH_DATE`` to ``fast_birth_limit()``."""
    year, month, day = ymd // 10_000, ymd // 100 % 100, ymd % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return ((month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
            & (ymd >= _day_number(MIN_BIRTH_DATE)) & (ymd <= _day_number(fast_birth_limit())))


def _region_year_known(prefixes: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Whether each region-year prefix (where ``asked``) is one a full parse has passed."""
    global _known_prefixes
    known = _known_prefixes
    at = np.searchsorted(known, prefixes)
    hit = known[np.minimum(at, len(known) - 1)] == prefixes if len(known) else np.zeros(len(prefixes), dtype=bool)
    missed = np.flatnonzero(asked & ~hit)
    if len(missed):
        seen = known_region_years()
        texts = [f"{prefix:010d}" for prefix in prefixes[missed].tolist()]
        new = missed[np.fromiter(map(seen.__contains__, texts), dtype=bool, count=len(missed))]
        if len(new):
            hit[new] = True
            _known_prefixes = np.union1d(known if len(known) < _MAX_KNOWN else known[:0], prefixes[new])
    return hit
