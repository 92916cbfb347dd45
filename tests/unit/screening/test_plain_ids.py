"""The batch path for plain ID numbers (numpy) decides as the record-by-record path does."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from screening_fixtures import LEGAL_REP_ID, ON, ZHANG_SAN_ID, registry_entries

from keepword.domain.errors import InvalidIdentifier
from keepword.domain.identifiers import id_number_check_char, make_id_number, parse_id_number
from keepword.screening import ScreeningIndex, screen_file
from keepword.screening import identifier_keys, plain_ids
from keepword.screening.columns import KeyTable
from keepword.screening.decide import ID_NUMBER_NOT_LISTED, ScreeningRecord, check, check_plain_id_number
from keepword.screening.identifier_keys import fast_birth_limit, plain_id_number, remember_valid_id_number
from keepword.screening.registry_entries import EntryDelisted, EntryListed, RegistryEntry

REGIONS = ("110101", "330102", "440305", "320102", "999999", "110100")  # the last two: not a county
ADDED_ID = make_id_number("330102", date(1988, 8, 8), 808)  # listed after the build (the overlay)
DELISTED_ID = make_id_number("440305", date(1977, 7, 7), 707)  # on an entry taken off the list


def _index(unkeyed: bool = True) -> ScreeningIndex:
    entries = [entry for entry in registry_entries() if unkeyed or entry.identifier]
    index = ScreeningIndex.build([*entries, RegistryEntry("E8", "person", "孙七", DELISTED_ID)])
    index.apply(EntryListed(RegistryEntry("E9", "person", "周八", ADDED_ID)))
    index.apply(EntryDelisted("E8"))
    return index


INDEX = _index()  # with a person without an ID number on file: a record's name may still review
KEYED_INDEX = _index(unkeyed=False)
LISTED = (ZHANG_SAN_ID, ZHANG_SAN_ID.lower(), LEGAL_REP_ID, ADDED_ID, DELISTED_ID)


def _learn(raw: str) -> None:
    """A full parse, which lets the region and birth year of a valid number take the fast path."""
    try:
        parsed = parse_id_number(raw)
    except InvalidIdentifier:
        return
    remember_valid_id_number(parsed.number, parsed.birth_date)


LIMIT = fast_birth_limit()
YEARS = (1859, 1860, 1900, 1931, 1980, 2000, 2003, 2004, LIMIT.year)  # 1900 and 2003: no 29 February


def _learn_region_years() -> None:
    for region in REGIONS:
        for year in YEARS:
            first17 = f"{region}{year}0101001"
            _learn(first17 + id_number_check_char(first17))


@st.composite
def id_fields(draw) -> str:
    """ID-number fields of 18 characters: valid, listed, and broken in every way the fast path checks."""
    how = draw(st.sampled_from(["valid", "valid", "listed", "check", "digit", "date", "recent", "space", "wide", "x"]))
    if how == "listed":
        return draw(st.sampled_from(LISTED))
    if how == "recent":
        ymd = f"{LIMIT + timedelta(days=draw(st.integers(-2, 3))):%Y%m%d}"
    elif how == "date":  # the edges of real dates, and impossible ones
        month, day = draw(st.sampled_from((0, 1, 2, 4, 12, 13, 19))), draw(st.sampled_from((0, 1, 28, 29, 30, 31, 32, 39)))
        ymd = f"{draw(st.sampled_from(YEARS))}{month:02d}{day:02d}"
    else:
        ymd = f"{draw(st.sampled_from(YEARS))}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 31)):02d}"
    first17 = f"{draw(st.sampled_from(REGIONS))}{ymd}{draw(st.integers(0, 999)):03d}"
    raw = first17 + id_number_check_char(first17)
    if how == "check":
        raw = first17 + draw(st.sampled_from("0123456789Xx?a"))
    elif how == "digit":
        at = draw(st.integers(0, 17))
        raw = raw[:at] + draw(st.sampled_from("a/:?X０ ")) + raw[at + 1:]
    elif how == "space":
        raw = " " + raw[1:] if draw(st.booleans()) else raw[:17] + " "
    elif how == "wide":
        raw = raw[:5] + chr(ord(raw[5]) + 0xFEE0) + raw[6:]  # a full-width digit
    elif how == "x":
        raw = raw.lower()
    return raw


def _scalar_unlisted(index: ScreeningIndex, raw: str) -> bool:
    """What the record-by-record path answers for a person's ID number alone: not listed?"""
    return check_plain_id_number(index, raw.strip(), "", ON) is ID_NUMBER_NOT_LISTED


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(id_fields(), min_size=1, max_size=40))
def test_a_number_the_batch_takes_as_unlisted_is_unlisted_for_the_record_by_record_path(ids) -> None:
    _learn_region_years()  # else most numbers are left to the scalar path, which has not seen their region yet
    unlisted = plain_ids.unlisted_plain_ids(INDEX, ids)
    assert unlisted.dtype == bool and len(unlisted) == len(ids)
    said = unlisted.tolist()
    for raw, batch_says in zip(ids, said):
        fast = plain_id_number(raw)  # before the full check below, which may learn its region
        if batch_says:
            assert _scalar_unlisted(INDEX, raw), raw
            assert check(INDEX, ScreeningRecord(record_id="r", kind="person", id_number=raw), ON) is ID_NUMBER_NOT_LISTED
        elif fast is not None and not INDEX._person_ids.find(int(fast[0][:17])):
            pytest.fail(f"{raw!r}: valid and unlisted for the fast path, left to it by the batch")


@pytest.mark.parametrize("ymd", ["19000229", "20000229", "20030229", "20040229", "19800230", "19800431", "19800430",
                                 "19801231", "19801301", "19800001", "19800100", "19800132", "18591231", "18600101",
                                 f"{LIMIT:%Y%m%d}", f"{LIMIT + timedelta(days=1):%Y%m%d}"])
def test_the_batch_reads_a_birth_date_as_the_scalar_path_does(ymd) -> None:
    _learn_region_years()
    first17 = f"110101{ymd}001"
    raw = first17 + id_number_check_char(first17)
    assert plain_ids.unlisted_plain_ids(INDEX, [raw]).tolist() == [_scalar_unlisted(INDEX, raw)]


def test_numbers_on_the_list_in_the_overlay_or_delisted_are_left_to_the_scalar_path() -> None:
    for raw in LISTED:
        _learn(raw)
    unlisted = plain_ids.unlisted_plain_ids(INDEX, list(LISTED))
    assert not unlisted.any()
    assert not _scalar_unlisted(INDEX, ADDED_ID)  # the overlay is searched too
    assert _scalar_unlisted(INDEX, DELISTED_ID)  # delisted: "not listed", but by the scalar path


def test_a_region_and_year_are_taken_only_once_a_full_parse_passed_them() -> None:
    raw = make_id_number("110101", date(1931, 3, 3), 5)
    identifier_keys.known_region_years().discard(raw[:10])
    plain_ids._known_prefixes = plain_ids._known_prefixes[plain_ids._known_prefixes != int(raw[:10])]
    assert not plain_ids.unlisted_plain_ids(INDEX, [raw])[0]
    _learn(raw)
    assert plain_ids.unlisted_plain_ids(INDEX, [raw])[0]


@pytest.mark.parametrize("tagged", [False, True])
def test_contains_many_finds_what_find_finds(tagged) -> None:
    rng = random.Random(11)
    keys = [rng.randrange(10**17) for _ in range(3000)] + [7, 7, 7, 10**17 - 1]
    from array import array

    tags = array("H", [0 if tagged is False or i % 3 else 5 for i in range(len(keys))]) if tagged else None
    table = KeyTable.build(array("q", keys), tags, array("I", range(len(keys))))
    table.add(123, 0, 1)
    asked = keys[::7] + [rng.randrange(10**17) for _ in range(3000)] + [123, 124, 8]
    found = table.contains_many(np.array(asked, dtype=np.int64))
    assert found.tolist() == [bool(table.find(key)) for key in asked]
    assert len(table) == len(keys) + 1  # still resizable: no view left behind
    table._keys.append(0)


def _records(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    header = ["record_id", "kind", "name", "id_number", "birth_date"]
    rows = [header]
    for i in range(count):
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(30_000))
        number = make_id_number(rng.choice(REGIONS[:4]), birth, rng.randrange(1000))
        draw = rng.random()
        if draw < 0.6:
            row = [f"R{i}", rng.choice(("person", "", "Person", " person")), rng.choice(("", "张三", "周八")), number, ""]
        elif draw < 0.75:
            row = [f"R{i}", "person", "张三", rng.choice(LISTED), rng.choice(("", "", " ", "1980-05-17"))]
        elif draw < 0.85:
            row = [f"R{i}", "", "", number[:17] + ("1" if number[17] == "0" else "0"), ""]
        elif draw < 0.9:
            row = [f"R{i}", "person", "", f" {number}", ""]
        elif draw < 0.95:
            row = [f"R{i}", "person", "", number[:6] + number[8:17], ""]  # the old 15-digit form
        else:
            row = [f"R{i}", "person", "", number][: rng.randrange(1, 5)]  # a short row
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("columns", ["as_is", "reordered", "repeated"])
@pytest.mark.parametrize("index", [INDEX, KEYED_INDEX], ids=["unkeyed", "keyed"])
def test_a_file_screened_with_and_without_the_batch_path_comes_out_the_same(tmp_path: Path, monkeypatch, seed,
                                                                             columns, index) -> None:
    rows = _records(1500, seed)
    for row in rows[1::2]:  # half the region-year pairs seen before, the others met in the file
        _learn(row[3] if len(row) > 3 else "")
    if columns == "reordered":
        order = [3, 4, 0, 2, 1]
        rows = [[row[i] if i < len(row) else "" for i in order] if len(row) == 5 else row for row in rows]
    elif columns == "repeated":  # a repeated column: the last one counts
        rows = [row[:3] + ["x", *row[4:]] + (row[3:4] if len(row) == 5 else []) if i else row + ["id_number"]
                for i, row in enumerate(rows)]
    records = tmp_path / "RECORDS.csv"
    with open(records, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    for raw in LISTED:
        _learn(raw)
    assert index.unkeyed_persons == (index is INDEX)
    taken, real = [], plain_ids.unlisted_rows

    def unlisted_rows(*args):
        found = real(*args)
        taken.append(0 if found is None else int(found.sum()))
        return found

    monkeypatch.setattr(plain_ids, "unlisted_rows", unlisted_rows)
    batch = screen_file(index, records, tmp_path / "batch.csv", on=ON)
    assert sum(taken) > 100  # many of the valid unlisted numbers took the batch path
    monkeypatch.setattr(plain_ids, "unlisted_rows", lambda *args: None)
    one_by_one = screen_file(index, records, tmp_path / "one_by_one.csv", on=ON)
    assert (tmp_path / "batch.csv").read_bytes() == (tmp_path / "one_by_one.csv").read_bytes()
    assert batch.decisions == one_by_one.decisions and batch.records == len(rows) - 1
