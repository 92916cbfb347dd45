"""Working-day calendars for legal deadlines.

A calendar knows, for each day of the years its data covers, whether courts work that day:
weekends are days off, listed holidays are days off, and listed make-up working days (in
China, the 调休 Saturdays and Sundays) are working days even though they fall on a weekend.

The data lives in TOML files in :mod:`keepword.domain.calendars` (one per jurisdiction) and is
validated when loaded; a malformed file raises :class:`~keepword.domain.errors.PolicyInvalid`.
Asking about a day outside the years a calendar covers raises :class:`CalendarOutOfRange`
rather than guessing: a wrong deadline is worse than none.

Deadline arithmetic follows the PRC Civil Procedure Law, art. 85: the day a period starts is
not counted, and a period whose last day is a statutory holiday (weekends included) ends on the
first working day after it.

Pure Python, standard library only.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from keepword.domain.errors import DomainError, NotFound, PolicyInvalid

__all__ = [
    "CalendarOutOfRange",
    "WorkingDayCalendar",
    "available_calendars",
    "load_calendar",
    "load_calendar_file",
]

_PACKAGE = "keepword.domain.calendars"
_ONE_DAY = timedelta(days=1)
_NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_YEAR_RE = re.compile(r"[0-9]{4}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOP_KEYS = frozenset({"name", "description", "weekend", "years"})
_YEAR_KEYS = frozenset({"source", "holidays", "working_days"})
_REQUIRED_YEAR_KEYS = ("source", "holidays", "working_days")
_MIN_YEAR, _MAX_YEAR = 1900, 2999
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarOutOfRange(DomainError):
    """The calendar has no data for the year of the day asked about."""

    code = "calendar_out_of_range"

    def __init__(self, calendar: str, day: date, first_year: int, last_year: int) -> None:
        super().__init__(
            f"the {calendar!r} working-day calendar covers {first_year}-{last_year} only; "
            f"{day.isoformat()} is outside it",
            calendar=calendar,
            day=day.isoformat(),
            first_year=first_year,
            last_year=last_year,
        )


def _as_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date (not a datetime), got {type(value).__name__}")
    return value


def _non_negative(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got bool")
    number = operator.index(value)  # TypeError for floats and other non-integers
    if number < 0:
        raise DomainError(f"{what} must not be negative (got {number})", field=what, value=number)
    return number


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Working days of one jurisdiction for the years ``first_year``..``last_year`` inclusive.

    Build one with :func:`load_calendar` or :func:`load_calendar_file`, which validate the data.
    """

    name: str
    first_year: int
    last_year: int
    weekend: frozenset[int]
    holidays: frozenset[date] = field(repr=False)
    working_days: frozenset[date] = field(repr=False)
    description: str = ""
    sources: Mapping[int, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.first_year > self.last_year:
            raise PolicyInvalid(f"calendar {self.name!r}: first_year {self.first_year} is after last_year {self.last_year}")
        overlap = self.holidays & self.working_days
        if overlap:
            listed = ", ".join(sorted(d.isoformat() for d in overlap))
            raise PolicyInvalid(f"calendar {self.name!r}: days both holiday and working day: {listed}")
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        # Every answer for the covered years, worked out once: each step of a case asks for working days
        # (a demo or an import, for thousands of cases), and the dictionary look-up costs a fraction of the
        # range check, the two set look-ups and the weekday. Days outside the years, and anything not a
        # date, are not in the tables and take the checking path below, which raises.
        working: dict[date, bool] = {}
        day, last = date(self.first_year, 1, 1), date(self.last_year, 12, 31)
        while day <= last:
            working[day] = day in self.working_days or (day not in self.holidays
                                                        and day.weekday() not in self.weekend)
            day += _ONE_DAY
        next_working: dict[date, date] = {}
        following = None  # the first working day on or after the day, once one is known
        for day in reversed(working):
            if working[day]:
                following = day
            if following is not None:
                next_working[day] = following
        object.__setattr__(self, "_working", working)
        object.__setattr__(self, "_next_working", next_working)

    # -- the questions -------------------------------------------------------------------------

    def covers(self, day: date) -> bool:
        """Whether the calendar has data for ``day``'s year."""
        return self.first_year <= _as_date(day, "day").year <= self.last_year

    def is_working_day(self, day: date) -> bool:
        """Whether courts work on ``day``; raises :class:`CalendarOutOfRange` outside the data."""
        known = self._working.get(day)
        if known is not None:
            return known
        if not self.covers(day):
            raise CalendarOutOfRange(self.name, day, self.first_year, self.last_year)
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        known = self._next_working.get(day)
        if known is not None:
            return known
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        The result is always a working day; ``days=0`` gives :meth:`next_working_day` of ``start``.
        """
        _as_date(start, "start")
        remaining = _non_negative(days, "days")
        if remaining == 0:
            return self.next_working_day(start)
        day = start
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        _as_date(start, "start")
        _as_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def add_calendar_days_then_roll(self, start: date, days: int) -> date:
        """Last day of a period of ``days`` calendar days starting on ``start`` ("within 15 days").

        ``start`` is not counted; if ``start + days`` is not a working day the period ends on the
        next working day (PRC Civil Procedure Law art. 85).
        """
        _as_date(start, "start")
        return self.next_working_day(start + timedelta(days=_non_negative(days, "days")))

    def add_months_then_roll(self, start: date, months: int) -> date:
        """Last day of a period of ``months`` months starting on ``start``.

        The period ends on the same day-of-month ``months`` later, or on that month's last day if
        it is shorter (31 January + 1 month = 28/29 February), rolled forward to a working day.
        """
        _as_date(start, "start")
        count = _non_negative(months, "months")
        year, month_index = divmod(start.month - 1 + count, 12)
        year += start.year
        month = month_index + 1
        day = min(start.day, _days_in_month(year, month))
        return self.next_working_day(date(year, month, day))

    def source(self, year: int) -> str:
        """Where the data for ``year`` comes from (the announcement, or how it was derived)."""
        try:
            return self.sources[year]
        except KeyError:
            raise CalendarOutOfRange(self.name, date(year, 1, 1), self.first_year, self.last_year) from None


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - _ONE_DAY).day


# -- loading ---------------------------------------------------------------------------------


class _Problem(Exception):
    """Internal: one thing wrong with a calendar file, turned into PolicyInvalid with its origin."""


def _parse_date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        raise _Problem(f"{where}: {value!r} has a time of day; give a plain date")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise _Problem(f"{where}: {value!r} is not a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Problem(f"{where}: {value!r} is not a valid date") from None


def _parse_weekend(value: object) -> frozenset[int]:
    if not isinstance(value, list):
        raise _Problem("weekend: must be a list of weekday numbers (Monday=0 .. Sunday=6)")
    days: set[int] = set()
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
            raise _Problem(f"weekend[{i}]: {item!r} is not a weekday number 0..6 (Monday=0)")
        if item in days:
            raise _Problem(f"weekend[{i}]: {item} is listed twice")
        days.add(item)
    if len(days) == 7:
        raise _Problem("weekend: every day of the week cannot be a weekend day")
    return frozenset(days)


def _parse(data: dict[str, object]) -> WorkingDayCalendar:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _Problem(f"unknown top-level key(s): {', '.join(unknown)} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise _Problem(f"name: {name!r} is not a calendar name (lower-case letters, digits and '-')")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise _Problem("description: must be a string")
    if "weekend" not in data:
        raise _Problem("weekend: missing (a list of weekday numbers, Monday=0)")
    weekend = _parse_weekend(data["weekend"])
    years_table = data.get("years")
    if not isinstance(years_table, dict) or not years_table:
        raise _Problem("years: missing or empty; give a [years.YYYY] table for every year covered")

    holidays: dict[date, str] = {}
    working_days: dict[date, str] = {}
    sources: dict[int, str] = {}
    for key, entry in years_table.items():
        if not _YEAR_RE.fullmatch(key) or not _MIN_YEAR <= int(key) <= _MAX_YEAR:
            raise _Problem(f"years.{key}: not a year between {_MIN_YEAR} and {_MAX_YEAR}")
        year = int(key)
        where = f"years.{key}"
        if not isinstance(entry, dict):
            raise _Problem(f"{where}: must be a table with source, holidays and working_days")
        unknown = sorted(set(entry) - _YEAR_KEYS)
        if unknown:
            raise _Problem(f"{where}: unknown key(s): {', '.join(unknown)} (allowed: {', '.join(_REQUIRED_YEAR_KEYS)})")
        for required in _REQUIRED_YEAR_KEYS:
            if required not in entry:
                raise _Problem(f"{where}: missing {required!r}")
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise _Problem(f"{where}.source: must be a non-empty string naming where the dates come from")
        sources[year] = source
        for list_key, target in (("holidays", holidays), ("working_days", working_days)):
            items = entry[list_key]
            if not isinstance(items, list):
                raise _Problem(f"{where}.{list_key}: must be a list of dates")
            for i, item in enumerate(items):
                item_where = f"{where}.{list_key}[{i}]"
                day = _parse_date(item, item_where)
                if not (day.year == year or (day.year == year - 1 and day.month == 12)):
                    raise _Problem(
                        f"{item_where}: {day.isoformat()} is not in {year} "
                        f"(only December {year - 1} may be listed under {year}, for New Year arrangements)"
                    )
                if day in holidays or day in working_days:
                    first = holidays.get(day) or working_days[day]
                    raise _Problem(f"{item_where}: {day.isoformat()} is already listed at {first}")
                if list_key == "working_days" and day.weekday() not in weekend:
                    raise _Problem(
                        f"{item_where}: {day.isoformat()} is a {_WEEKDAY_NAMES[day.weekday()]}, "
                        "already a working day; only weekend days can be make-up working days"
                    )
                target[day] = item_where

    first_year, last_year = min(sources), max(sources)
    missing = [str(y) for y in range(first_year, last_year + 1) if y not in sources]
    if missing:
        raise _Problem(f"years: {', '.join(missing)} missing between {first_year} and {last_year}")
    return WorkingDayCalendar(
        name=name,
        description=description,
        first_year=first_year,
        last_year=last_year,
        weekend=weekend,
        holidays=frozenset(holidays),
        working_days=frozenset(working_days),
        sources=sources,
    )


def _load_bytes(raw: bytes, origin: str) -> WorkingDayCalendar:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyInvalid(f"calendar file {origin}: not UTF-8 text: {exc}", file=origin) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid(f"calendar file {origin}: not valid TOML: {exc}", file=origin) from None
    try:
        return _parse(data)
    except _Problem as exc:
        raise PolicyInvalid(f"calendar file {origin}: {exc}", file=origin, problem=str(exc)) from None


def load_calendar_file(path: str | os.PathLike[str]) -> WorkingDayCalendar:
    """Load and validate a calendar TOML file from anywhere (not cached)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"calendar file {file} does not exist", file=str(file)) from None
    except OSError as exc:
        raise PolicyInvalid(f"calendar file {file}: cannot be read: {exc}", file=str(file)) from None
    return _load_bytes(raw, str(file))


def available_calendars() -> tuple[str, ...]:
    """Names of the calendars shipped with keepword, e.g. ``("cn", "de", "gb-ew")``."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in resources.files(_PACKAGE).iterdir()
            if entry.name.endswith(".toml") and entry.is_file()
        )
    )


@functools.lru_cache(maxsize=None)
def load_calendar(name: str) -> WorkingDayCalendar:
    """The shipped calendar ``name`` ("cn", "gb-ew", "de"), validated on first use and cached."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise NotFound(f"no working-day calendar named {name!r}", calendar=repr(name))
    resource = resources.files(_PACKAGE).joinpath(f"{name}.toml")
    if not resource.is_file():
        raise NotFound(
            f"no working-day calendar named {name!r}; available: {', '.join(available_calendars())}",
            calendar=name,
        )
    origin = f"{_PACKAGE}/{name}.toml"
    calendar = _load_bytes(resource.read_bytes(), origin)
    if calendar.name != name:
        raise PolicyInvalid(f"calendar file {origin}: name is {calendar.name!r}, expected {name!r}", file=origin)
    return calendar
