"""The fast paths of exact-ID checks give the answers of the full ones."""

from __future__ import annotations

from array import array
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.domain.errors import InvalidIdentifier
from keepword.domain.identifiers import id_number_check_char, make_id_number, parse_id_number
from keepword.screening.columns import KeyTable
from keepword.screening.identifier_keys import plain_id_number, remember_valid_id_number

REGIONS = ("110101", "330102", "440305", "999999", "110100")  # 999999 and 110100: not a county, invalid


def full_parse(raw: str):
    try:
        parsed = parse_id_number(raw)
    except InvalidIdentifier:
        return None
    remember_valid_id_number(parsed.number, parsed.birth_date)
    return parsed.number, parsed.birth_date


@settings(max_examples=400, deadline=None)
@given(region=st.sampled_from(REGIONS), birth=st.dates(date(1850, 1, 1), date(2099, 12, 31)),
       sequence=st.integers(0, 999), last=st.sampled_from("0123456789Xx?"), lower=st.booleans())
def test_a_plain_id_number_is_accepted_only_when_the_full_parse_accepts_it(region, birth, sequence, last, lower):
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    raw = first17 + (id_number_check_char(first17) if last == "?" else last)
    raw = raw.lower() if lower else raw
    for _ in range(2):  # before and after the full parse has seen the region and the birth year
        fast = plain_id_number(raw)
        expected = full_parse(raw)
        assert fast is None or fast == expected, (raw, fast, expected)
    if expected is not None:
        assert plain_id_number(raw) == expected, "a valid number seen once takes the fast path"


def test_a_wrong_check_character_never_takes_the_fast_path():
    number = make_id_number("110101", date(1980, 5, 17), 7)
    full_parse(number)
    assert plain_id_number(number) is not None
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert plain_id_number(wrong) is None


@given(st.lists(st.tuples(st.integers(-2**63, 2**63 - 1), st.integers(0, 2**16 - 1)), max_size=300),
       st.integers(-2**63, 2**63 - 1))
def test_the_hashed_key_table_finds_every_ref_stored_under_a_key_and_nothing_else(pairs, probe):
    table = KeyTable.build(array("q", [k for k, _ in pairs]), array("H", [t for _, t in pairs]),
                           array("I", range(len(pairs))))
    for key, tag in [*pairs, (probe, 0)]:
        assert table.find(key, tag) == [i for i, pair in enumerate(pairs) if pair == (key, tag)]
