"""Working-day calendars: shipped data facts, deadline arithmetic, properties, file validation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.domain.calendar import (
    CalendarOutOfRange,
    WorkingDayCalendar,
    available_calendars,
    load_calendar,
    load_calendar_file,
)
from keepword.domain.errors import DomainError, NotFound, PolicyInvalid

NAMES = ("cn", "gb-ew", "de")


@pytest.fixture(scope="module")
def cn() -> WorkingDayCalendar:
    return load_calendar("cn")


def span(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# -- shipped calendars -----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_shipped_calendar_loads_and_covers_2017_to_2027(name: str) -> None:
    calendar = load_calendar(name)
    assert calendar.name == name
    assert (calendar.first_year, calendar.last_year) == (2017, 2027)
    assert calendar.weekend == frozenset({5, 6})
    assert all(calendar.source(year) for year in range(2017, 2028))
    assert load_calendar(name) is calendar  # cached


def test_available_calendars_lists_the_shipped_ones() -> None:
    assert set(NAMES) <= set(available_calendars())


def test_shipped_file_loads_the_same_through_load_calendar_file(tmp_path: Path) -> None:
    copy = tmp_path / "cn.toml"
    copy.write_bytes(resources.files("keepword.domain.calendars").joinpath("cn.toml").read_bytes())
    assert load_calendar_file(copy) == load_calendar("cn")


@pytest.mark.parametrize("name", ["xx", "CN", "../cn", "", "cn.toml"])
def test_unknown_calendar_name_is_not_found(name: str) -> None:
    with pytest.raises(NotFound):
        load_calendar(name)


# -- China: facts from the State Council notices ---------------------------------------------


def test_cn_2024_national_day(cn: WorkingDayCalendar) -> None:
    assert not any(cn.is_working_day(d) for d in span("2024-10-01", "2024-10-07"))
    assert cn.is_working_day(date(2024, 9, 29))  # Sunday, make-up working day
    assert cn.is_working_day(date(2024, 10, 12))  # Saturday, make-up working day
    assert cn.is_working_day(date(2024, 9, 30))
    assert cn.is_working_day(date(2024, 10, 8))
    assert not cn.is_working_day(date(2024, 10, 13))  # an ordinary Sunday


def test_cn_2024_spring_festival_and_mid_autumn(cn: WorkingDayCalendar) -> None:
    assert not any(cn.is_working_day(d) for d in span("2024-02-10", "2024-02-17"))
    assert cn.is_working_day(date(2024, 2, 4))
    assert cn.is_working_day(date(2024, 2, 18))
    assert not any(cn.is_working_day(d) for d in span("2024-09-15", "2024-09-17"))
    assert cn.is_working_day(date(2024, 9, 14))


def test_cn_2025_spring_festival_has_the_extra_statutory_day(cn: WorkingDayCalendar) -> None:
    assert cn.is_working_day(date(2025, 1, 26))  # Sunday, make-up
    assert cn.is_working_day(date(2025, 1, 27))
    assert not any(cn.is_working_day(d) for d in span("2025-01-28", "2025-02-04"))  # 8 days
    assert cn.is_working_day(date(2025, 2, 5))
    assert cn.is_working_day(date(2025, 2, 8))  # Saturday, make-up


def test_cn_2025_labour_day_and_national_day(cn: WorkingDayCalendar) -> None:
    assert cn.is_working_day(date(2025, 4, 27))  # Sunday, make-up
    assert not any(cn.is_working_day(d) for d in span("2025-05-01", "2025-05-05"))
    assert not cn.is_working_day(date(2025, 5, 10))  # Saturday: no second make-up day in 2025
    assert not any(cn.is_working_day(d) for d in span("2025-10-01", "2025-10-08"))
    assert cn.is_working_day(date(2025, 9, 28))
    assert cn.is_working_day(date(2025, 10, 11))


def test_cn_2026_as_announced(cn: WorkingDayCalendar) -> None:
    assert not any(cn.is_working_day(d) for d in span("2026-01-01", "2026-01-03"))
    assert cn.is_working_day(date(2026, 1, 4))  # Sunday, make-up
    assert not any(cn.is_working_day(d) for d in span("2026-02-15", "2026-02-23"))  # 9 days
    assert cn.is_working_day(date(2026, 2, 14))
    assert cn.is_working_day(date(2026, 2, 28))
    assert not any(cn.is_working_day(d) for d in span("2026-05-01", "2026-05-05"))
    assert cn.is_working_day(date(2026, 5, 9))
    assert not cn.is_working_day(date(2026, 6, 19))  # Dragon Boat, Friday
    assert not cn.is_working_day(date(2026, 9, 25))  # Mid-Autumn, Friday
    assert not any(cn.is_working_day(d) for d in span("2026-10-01", "2026-10-07"))
    assert cn.is_working_day(date(2026, 9, 20))
    assert cn.is_working_day(date(2026, 10, 10))


def test_cn_earlier_special_cases(cn: WorkingDayCalendar) -> None:
    # 2019 New Year: Monday 2018-12-31 off, Saturday 2018-12-29 worked (announced in the 2019 notice).
    assert not cn.is_working_day(date(2018, 12, 31))
    assert cn.is_working_day(date(2018, 12, 29))
    # 2019 Labour Day as extended in March 2019.
    assert not any(cn.is_working_day(d) for d in span("2019-05-01", "2019-05-04"))
    assert cn.is_working_day(date(2019, 4, 28)) and cn.is_working_day(date(2019, 5, 5))
    # 2020 Spring Festival extended to 2 February; the 1 February make-up day was cancelled.
    assert not any(cn.is_working_day(d) for d in span("2020-01-24", "2020-02-02"))
    assert cn.is_working_day(date(2020, 1, 19))
    assert cn.is_working_day(date(2020, 2, 3))
    # 2023 Qingming: one day only.
    assert not cn.is_working_day(date(2023, 4, 5))
    assert cn.is_working_day(date(2023, 4, 4)) and cn.is_working_day(date(2023, 4, 6))


@pytest.mark.parametrize(("year", "count"), [(2020, 249), (2023, 249), (2024, 251), (2025, 248)])
def test_cn_working_days_per_year(cn: WorkingDayCalendar, year: int, count: int) -> None:
    assert cn.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == count


def test_cn_2027_is_provisional_and_statutory(cn: WorkingDayCalendar) -> None:
    assert "PROVISIONAL" in cn.source(2027)
    assert not any(cn.is_working_day(d) for d in span("2027-02-05", "2027-02-10"))  # Eve + 3 days + in lieu
    assert not cn.is_working_day(date(2027, 4, 5))
    assert not any(cn.is_working_day(d) for d in span("2027-05-03", "2027-05-04"))
    assert not cn.is_working_day(date(2027, 6, 9))
    assert not cn.is_working_day(date(2027, 9, 15))
    assert not any(cn.is_working_day(d) for d in span("2027-10-04", "2027-10-05"))
    assert not any(d.year == 2027 for d in cn.working_days)


# -- other jurisdictions -----------------------------------------------------------------------


def test_gb_ew_bank_holidays() -> None:
    gb = load_calendar("gb-ew")
    assert not gb.is_working_day(date(2022, 9, 19))  # State Funeral of Queen Elizabeth II
    assert not gb.is_working_day(date(2020, 5, 8))  # VE Day, moved early May bank holiday
    assert gb.is_working_day(date(2020, 5, 4))
    assert not gb.is_working_day(date(2023, 5, 8))  # coronation
    assert not gb.is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert not gb.is_working_day(date(2027, 3, 26)) and not gb.is_working_day(date(2027, 3, 29))
    assert gb.working_days == frozenset()


def test_de_nationwide_holidays() -> None:
    de = load_calendar("de")
    assert not de.is_working_day(date(2017, 10, 31))  # Reformationstag, nationwide in 2017 only
    assert de.is_working_day(date(2018, 10, 31))
    assert not de.is_working_day(date(2026, 5, 14))  # Christi Himmelfahrt
    assert not de.is_working_day(date(2027, 5, 17))  # Pfingstmontag
    assert not de.is_working_day(date(2024, 10, 3))
    assert de.is_working_day(date(2024, 11, 1))  # Allerheiligen is regional only


# -- deadline arithmetic -----------------------------------------------------------------------


def test_next_working_day(cn: WorkingDayCalendar) -> None:
    assert cn.next_working_day(date(2024, 10, 1)) == date(2024, 10, 8)
    assert cn.next_working_day(date(2024, 10, 8)) == date(2024, 10, 8)
    assert cn.next_working_day(date(2024, 10, 12)) == date(2024, 10, 12)  # make-up Saturday


def test_add_working_days(cn: WorkingDayCalendar) -> None:
    # 2024-09-30 (Mon) is worked, 1-7 October are off: 8, 9, 10 October are the next three.
    assert cn.add_working_days(date(2024, 9, 30), 3) == date(2024, 10, 10)
    assert cn.add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 29)  # the make-up Sunday
    assert cn.add_working_days(date(2025, 1, 24), 2) == date(2025, 1, 27)
    assert cn.add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert cn.add_working_days(date(2024, 10, 1), 0) == date(2024, 10, 8)
    assert cn.add_working_days(date(2024, 10, 9), 0) == date(2024, 10, 9)


def test_working_days_between(cn: WorkingDayCalendar) -> None:
    assert cn.working_days_between(date(2024, 9, 30), date(2024, 10, 10)) == 3
    assert cn.working_days_between(date(2024, 10, 10), date(2024, 9, 30)) == -3
    assert cn.working_days_between(date(2024, 10, 1), date(2024, 10, 1)) == 0
    assert cn.working_days_between(date(2024, 10, 1), date(2024, 10, 7)) == 0


def test_add_calendar_days_then_roll(cn: WorkingDayCalendar) -> None:
    # 15 days from 16 September 2024 end on 1 October, a holiday: the period ends on 8 October.
    assert cn.add_calendar_days_then_roll(date(2024, 9, 16), 15) == date(2024, 10, 8)
    # Ending on a make-up Saturday: that is a working day, no roll.
    assert cn.add_calendar_days_then_roll(date(2024, 9, 27), 15) == date(2024, 10, 12)
    # Ending in the 2025 Spring Festival.
    assert cn.add_calendar_days_then_roll(date(2025, 1, 13), 15) == date(2025, 2, 5)
    # Ending on an ordinary working day.
    assert cn.add_calendar_days_then_roll(date(2024, 3, 1), 10) == date(2024, 3, 11)
    # Ending on an ordinary Sunday.
    assert cn.add_calendar_days_then_roll(date(2024, 3, 1), 9) == date(2024, 3, 11)


def test_add_months_then_roll(cn: WorkingDayCalendar) -> None:
    assert cn.add_months_then_roll(date(2024, 1, 31), 1) == date(2024, 2, 29)  # leap year clamp
    assert cn.add_months_then_roll(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert cn.add_months_then_roll(date(2024, 7, 1), 3) == date(2024, 10, 8)  # 1 Oct rolled
    assert cn.add_months_then_roll(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert cn.add_months_then_roll(date(2024, 11, 15), 14) == date(2026, 1, 15)
    assert cn.add_months_then_roll(date(2024, 3, 9), 0) == date(2024, 3, 11)  # Saturday rolled
    assert cn.add_months_then_roll(date(2024, 8, 31), 6) == date(2025, 2, 28)


def test_out_of_range_raises_domain_error(cn: WorkingDayCalendar) -> None:
    with pytest.raises(CalendarOutOfRange, match="2017-2027") as info:
        cn.is_working_day(date(2016, 6, 1))
    assert isinstance(info.value, DomainError)
    assert info.value.code == "calendar_out_of_range"
    with pytest.raises(CalendarOutOfRange):
        cn.is_working_day(date(2028, 1, 3))
    with pytest.raises(CalendarOutOfRange):
        cn.add_working_days(date(2027, 12, 29), 5)
    with pytest.raises(CalendarOutOfRange):
        cn.add_calendar_days_then_roll(date(2027, 12, 1), 60)
    with pytest.raises(CalendarOutOfRange):
        cn.source(2030)


def test_bad_arguments(cn: WorkingDayCalendar) -> None:
    with pytest.raises(DomainError):
        cn.add_working_days(date(2024, 1, 2), -1)
    with pytest.raises(DomainError):
        cn.add_calendar_days_then_roll(date(2024, 1, 2), -1)
    with pytest.raises(DomainError):
        cn.add_months_then_roll(date(2024, 1, 2), -1)
    with pytest.raises(TypeError):
        cn.is_working_day(datetime(2024, 10, 1, 9, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cn.add_working_days(date(2024, 1, 2), 1.5)  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------------------

calendars = st.sampled_from(NAMES).map(load_calendar)
# Starts and counts chosen so that every result stays inside 2017-2027.
starts = st.dates(min_value=date(2017, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=200)
@given(calendars, starts, st.integers(min_value=1, max_value=200))
def test_add_working_days_lands_on_a_working_day_n_working_days_later(
    calendar: WorkingDayCalendar, start: date, n: int
) -> None:
    end = calendar.add_working_days(start, n)
    assert end > start
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n
    # and it is the first such day: one day earlier there were n - 1
    assert calendar.working_days_between(start, end - timedelta(days=1)) == n - 1


@given(calendars, starts)
def test_add_zero_working_days_is_next_working_day(calendar: WorkingDayCalendar, start: date) -> None:
    end = calendar.add_working_days(start, 0)
    assert end == calendar.next_working_day(start)
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == (0 if calendar.is_working_day(start) else 1)


@settings(max_examples=200)
@given(calendars, starts, st.integers(min_value=0, max_value=300))
def test_add_calendar_days_then_roll_never_lands_on_a_day_off(
    calendar: WorkingDayCalendar, start: date, days: int
) -> None:
    end = calendar.add_calendar_days_then_roll(start, days)
    target = start + timedelta(days=days)
    assert calendar.is_working_day(end)
    assert end >= target
    if end > target:  # rolled forward only across days off
        assert not calendar.is_working_day(target)
        assert calendar.working_days_between(target, end - timedelta(days=1)) == 0


@given(calendars, starts, st.integers(min_value=0, max_value=11))
def test_add_months_then_roll_lands_on_a_working_day(calendar: WorkingDayCalendar, start: date, months: int) -> None:
    end = calendar.add_months_then_roll(start, months)
    assert calendar.is_working_day(end)
    month_index = start.month - 1 + months
    assert (end.year, end.month) >= (start.year + month_index // 12, month_index % 12 + 1)
    assert end - start <= timedelta(days=31 * months + 31)


@given(calendars, starts, starts, starts)
def test_working_days_between_is_additive_and_antisymmetric(
    calendar: WorkingDayCalendar, a: date, b: date, c: date
) -> None:
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)
    assert calendar.working_days_between(a, b) + calendar.working_days_between(b, c) == calendar.working_days_between(
        a, c
    )


# -- validation of calendar files --------------------------------------------------------------

VALID = """\
name = "test"
description = "a test calendar"
weekend = [5, 6]

[years.2024]
source = "made up"
holidays = ["2024-01-01", "2024-02-10", "2024-02-12"]
working_days = ["2024-02-04"]

[years.2025]
source = "made up"
holidays = ["2024-12-31", "2025-01-01"]
working_days = []
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path) -> None:
    calendar = load_calendar_file(write(tmp_path, VALID))
    assert calendar.name == "test"
    assert (calendar.first_year, calendar.last_year) == (2024, 2025)
    assert not calendar.is_working_day(date(2024, 2, 12))
    assert calendar.is_working_day(date(2024, 2, 4))  # Sunday made a working day
    assert not calendar.is_working_day(date(2024, 12, 31))  # listed under 2025 (December of 2024)
    assert calendar.source(2025) == "made up"


def test_toml_native_dates_are_accepted(tmp_path: Path) -> None:
    calendar = load_calendar_file(write(tmp_path, VALID.replace('"2024-02-12"', "2024-02-12")))
    assert not calendar.is_working_day(date(2024, 2, 12))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('weekend = [5, 6]', 'weekend = [5, 6', "not valid TOML"),
        ('"2024-02-12"', '"2024-02-30"', "not a valid date"),
        ('"2024-02-12"', '"2024/02/12"', "YYYY-MM-DD"),
        ('"2024-02-12"', "2024-02-12T09:00:00", "time of day"),
        ('"2024-02-12"', "20240212", "YYYY-MM-DD"),
        ('working_days = ["2024-02-04"]', 'working_days = ["2024-02-10"]', "already listed"),
        ('"2024-02-12"]', '"2024-02-12", "2024-01-01"]', "already listed"),
        ('working_days = ["2024-02-04"]', 'working_days = ["2024-02-05"]', "only weekend days"),
        ('"2024-02-12"', '"2025-02-12"', "is not in 2024"),
        ('"2024-12-31", ', '"2024-11-30", ', "is not in 2025"),
        ('source = "made up"\nholidays = ["2024-01-01"', 'holidays = ["2024-01-01"', "missing 'source'"),
        ('source = "made up"\nholidays = ["2024-01-01"', 'source = " "\nholidays = ["2024-01-01"', "source"),
        ("working_days = []", "", "missing 'working_days'"),
        ("working_days = []", 'working_days = []\nworkdays = ["2025-01-04"]', "unknown key"),
        ('description = "a test calendar"', 'descripton = "a test calendar"', "unknown top-level"),
        ("weekend = [5, 6]", "weekend = [5, 7]", "weekday number"),
        ("weekend = [5, 6]", "weekend = [5, 5]", "twice"),
        ("weekend = [5, 6]", "", "weekend: missing"),
        ('name = "test"', 'name = "Test Calendar"', "calendar name"),
        ('name = "test"', "name = 1", "calendar name"),
        ("[years.2025]", "[years.25]", "not a year"),
        ('holidays = ["2024-12-31", "2025-01-01"]', 'holidays = "2025-01-01"', "must be a list"),
    ],
)
def test_malformed_file_is_policy_invalid(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(PolicyInvalid, match=message) as info:
        load_calendar_file(path)
    assert str(path) in str(info.value)


def test_gap_in_years_is_policy_invalid(tmp_path: Path) -> None:
    text = VALID + '\n[years.2027]\nsource = "made up"\nholidays = []\nworking_days = []\n'
    with pytest.raises(PolicyInvalid, match="2026 missing between 2024 and 2027"):
        load_calendar_file(write(tmp_path, text))


def test_file_without_years_is_policy_invalid(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid, match="years"):
        load_calendar_file(write(tmp_path, 'name = "x"\nweekend = [5, 6]\n'))


def test_non_utf8_file_is_policy_invalid(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(PolicyInvalid):
        load_calendar_file(path)


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_calendar_file(tmp_path / "absent.toml")
