"""Resident Identity Card numbers (GB 11643-1999) and Unified Social Credit Codes (GB 32100-2015)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.domain.errors import InvalidIdentifier, ValidationFailed
from keepword.domain.identifiers import (
    CREDIT_CODE_ALPHABET,
    MIN_BIRTH_DATE,
    CreditCode,
    ResidentId,
    age_on,
    convert_15_to_18,
    credit_code_check_char,
    id_number_check_char,
    is_valid_credit_code,
    is_valid_id_number,
    make_credit_code,
    make_id_number,
    mask_id_number,
    organization_code_check_char,
    parse_credit_code,
    parse_id_number,
)

TODAY = date(2025, 6, 1)
REGIONS = ["110101", "310101", "330102", "440305", "510104", "420102", "320102"]
KNOWN_ID = "11010519491231002X"
KNOWN_USCC = "91110000600037341L"

# Reference implementations written straight from the standards, to check the fast ones.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ref_id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def ref_uscc_check(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def with_check(first17: str) -> str:
    """Append the right check character, so a test reaches the date or region check."""
    return first17 + ref_id_check(first17)


def rejected(fn, raw: str, reason: str, field: str, **kwargs) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        fn(raw, field, **kwargs)
    err = info.value
    assert err.reason == reason, str(err)
    assert err.field == field
    assert str(err).startswith(f"{field}: "), str(err)
    assert err.detail in str(err)
    return err


# --- ID numbers: accepted -----------------------------------------------------------------------


def test_known_valid_id_number() -> None:
    rid = parse_id_number(KNOWN_ID, today=TODAY)
    assert rid == ResidentId(number=KNOWN_ID, region="110105", birth_date=date(1949, 12, 31), sex="F")
    assert is_valid_id_number(KNOWN_ID)


def test_decodes_region_birth_date_and_sex() -> None:
    number = with_check("11010119900307123")
    rid = parse_id_number(number, today=TODAY)
    assert rid.region == "110101"
    assert rid.birth_date == date(1990, 3, 7)
    assert rid.sex == "M"  # sequence 123 is odd


def test_lower_case_x_is_normalised() -> None:
    rid = parse_id_number("11010519491231002x", today=TODAY)
    assert rid.number == "11010519491231002X"


def test_spaces_and_full_width_characters_are_normalised() -> None:
    assert parse_id_number(" 110105 19491231 002X ", today=TODAY).number == KNOWN_ID
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).number == KNOWN_ID
    assert parse_id_number("110105\u300019491231002X", today=TODAY).number == KNOWN_ID  # ideographic space


def test_15_digit_number_is_converted_to_18() -> None:
    assert convert_15_to_18("110105491231002") == KNOWN_ID
    rid = parse_id_number("110105491231002", today=TODAY)
    assert rid.number == KNOWN_ID
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"


def test_region_created_after_birth_is_accepted() -> None:
    # 510104 (Chengdu Jinjiang) exists since 1990; someone born in 1975 got the code on issue.
    rid = parse_id_number(with_check("51010419750307123"), today=TODAY)
    assert rid.region == "510104"
    # The same for the old 15-digit form, issued in the 1980s/90s.
    assert parse_id_number("330102750307123", today=TODAY).birth_date == date(1975, 3, 7)


def test_region_abolished_after_birth_is_accepted() -> None:
    # 110103 (Beijing Chongwen) was merged into Dongcheng in 2010.
    assert parse_id_number(with_check("11010319800101001"), today=TODAY).region == "110103"
    assert parse_id_number(with_check("11010320100101001"), today=TODAY).region == "110103"


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_hong_kong_macao_taiwan_residence_permit_regions(region: str) -> None:
    # Residence permits (since 2018) use the same format; holders were born long before.
    assert parse_id_number(with_check(f"{region}19800101001"), today=TODAY).region == region


def test_born_today_is_accepted() -> None:
    number = make_id_number("440305", TODAY, 2)
    assert parse_id_number(number, today=TODAY).birth_date == TODAY


# --- ID numbers: every rejection reason -----------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "1101051949123100", "11010519491231002X1", "11010549123100", "1101054912310021"])
def test_id_rejects_wrong_length(raw: str) -> None:
    err = rejected(parse_id_number, raw, "length", "id_number")
    assert f"got {len(raw)}" in err.detail


def test_id_rejects_letters_in_the_body() -> None:
    err = rejected(parse_id_number, "1101051949A231002X", "characters", "id_number")
    assert "character 11 is 'A'" in err.detail


def test_id_rejects_bad_last_character() -> None:
    err = rejected(parse_id_number, "11010519491231002Y", "characters", "id_number")
    assert "'Y'" in err.detail


def test_id_rejects_x_in_the_old_form() -> None:
    err = rejected(parse_id_number, "11010549123100X", "characters", "id_number")
    assert "character 15 is 'X'" in err.detail


def test_id_rejects_non_ascii_digits() -> None:
    rejected(parse_id_number, "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "characters", "id_number")


def test_id_rejects_wrong_check_character() -> None:
    err = rejected(parse_id_number, "110105194912310025", "checksum", "id_number")
    assert err.detail == "check character should be 'X', not '5'"
    assert str(err) == "id_number: check character should be 'X', not '5'"


def test_error_names_the_field_given() -> None:
    err = rejected(parse_id_number, "110105194912310025", "checksum", "debtor.id_number")
    assert str(err) == "debtor.id_number: check character should be 'X', not '5'"
    assert isinstance(err, ValidationFailed)
    assert err.code == "invalid_identifier"


@pytest.mark.parametrize(
    ("first17", "shown"),
    [
        ("11010519901332123", "19901332"),  # month 13
        ("11010519900230123", "19900230"),  # 30 February
        ("11010519890229123", "19890229"),  # 29 February in a common year
        ("11010519900000123", "19900000"),
    ],
)
def test_id_rejects_impossible_birth_date(first17: str, shown: str) -> None:
    err = rejected(parse_id_number, with_check(first17), "date", "id_number", today=TODAY)
    assert err.detail == f"birth date {shown} is not a real date (YYYYMMDD)"


def test_id_accepts_29_february_in_a_leap_year() -> None:
    assert parse_id_number(with_check("11010120000229123"), today=TODAY).birth_date == date(2000, 2, 29)


def test_id_rejects_future_birth_date() -> None:
    tomorrow = TODAY + timedelta(days=1)
    number = with_check(f"110101{tomorrow:%Y%m%d}123")
    err = rejected(parse_id_number, number, "date", "id_number", today=TODAY)
    assert err.detail == f"birth date {tomorrow.isoformat()} is in the future"
    # ... and by default against today's date in China.
    assert not is_valid_id_number(with_check("11010120991231123"))


def test_id_rejects_15_digit_with_bad_date() -> None:
    err = rejected(parse_id_number, "110105491331002", "date", "id_number", today=TODAY)
    assert "19491331" in err.detail


def test_id_rejects_implausibly_old_birth_date() -> None:
    err = rejected(parse_id_number, with_check("11010518000101123"), "date", "id_number", today=TODAY)
    assert MIN_BIRTH_DATE.isoformat() in err.detail


@pytest.mark.parametrize("region", ["999999", "119999", "000000"])
def test_id_rejects_unknown_region(region: str) -> None:
    # 119999: province known, county unknown (stdnum.cn.ric 2.2 raises KeyError there).
    err = rejected(parse_id_number, with_check(f"{region}19900307123"), "region", "id_number", today=TODAY)
    assert err.detail == f"region code {region} is not a known administrative division"
    assert not is_valid_id_number(with_check(f"{region}19900307123"))


def test_id_rejects_region_abolished_before_birth() -> None:
    # 110103 (Chongwen) was abolished in 2010: nobody born in 2012 can carry it.
    err = rejected(parse_id_number, with_check("11010320120101001"), "region", "id_number", today=TODAY)
    assert "110103" in err.detail
    assert "2010" in err.detail
    assert "2012" in err.detail


def test_id_rejects_non_text() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_id_number(110105194912310020)  # type: ignore[arg-type]
    assert info.value.reason == "format"
    assert not is_valid_id_number(None)  # type: ignore[arg-type]


# --- ID numbers: helpers --------------------------------------------------------------------------


def test_check_char_matches_known_number() -> None:
    assert id_number_check_char(KNOWN_ID[:17]) == "X"
    assert id_number_check_char("11010119900307123") == ref_id_check("11010119900307123")


@pytest.mark.parametrize(("raw", "reason"), [("1234", "length"), ("1101011990030712A", "characters")])
def test_check_char_rejects_bad_input(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        id_number_check_char(raw)
    assert info.value.reason == reason


def test_convert_15_to_18_rejects_bad_input() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        convert_15_to_18("11010549123100")
    assert info.value.reason == "length"
    with pytest.raises(InvalidIdentifier) as info:
        convert_15_to_18("1101054912310A2")
    assert info.value.reason == "characters"


def test_make_id_number_rejects_bad_parts() -> None:
    for region, birth, seq, reason in [
        ("11010", date(1990, 1, 1), 1, "format"),
        ("110101", date(1990, 1, 1), 1000, "format"),
        ("110101", date(1990, 1, 1), -1, "format"),
        ("999999", date(1990, 1, 1), 1, "region"),
    ]:
        with pytest.raises(InvalidIdentifier) as info:
            make_id_number(region, birth, seq)
        assert info.value.reason == reason


def test_masking() -> None:
    assert mask_id_number("110101199003071234") == "1101011990****123*"
    assert mask_id_number("11010519491231002x") == "1101051949****002*"
    assert mask_id_number("110105491231002") == "1101051949****002*"  # old form converted first
    assert parse_id_number(KNOWN_ID, today=TODAY).masked() == "1101051949****002*"
    with pytest.raises(InvalidIdentifier) as info:
        mask_id_number("1101011990")
    assert info.value.reason == "length"


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(1990, 3, 7), date(2025, 3, 6), 34),
        (date(1990, 3, 7), date(2025, 3, 7), 35),
        (date(1990, 3, 7), date(1990, 3, 7), 0),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_on_before_birth_raises() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


def test_resident_id_age_on() -> None:
    rid = parse_id_number(make_id_number("320102", date(2007, 6, 2), 11), today=TODAY)
    assert rid.age_on(TODAY) == 17
    assert rid.age_on(date(2025, 6, 2)) == 18


# --- ID numbers: properties -----------------------------------------------------------------------

births = st.dates(min_value=MIN_BIRTH_DATE, max_value=TODAY)


@given(region=st.sampled_from(REGIONS), birth=births, sequence=st.integers(0, 999))
def test_make_then_parse_round_trip(region: str, birth: date, sequence: int) -> None:
    number = make_id_number(region, birth, sequence)
    rid = parse_id_number(number, today=TODAY)
    assert rid.number == number
    assert rid.region == region
    assert rid.birth_date == birth
    assert rid.sex == ("M" if sequence % 2 else "F")
    assert is_valid_id_number(number)
    assert rid.masked() == f"{region}{birth.year}****{sequence:03d}*"


@given(region=st.sampled_from(REGIONS), birth=births, sequence=st.integers(0, 999), data=st.data())
def test_any_single_character_change_breaks_the_checksum(region: str, birth: date, sequence: int, data: st.DataObject) -> None:
    number = make_id_number(region, birth, sequence)
    pos = data.draw(st.integers(0, 17))
    choices = "0123456789X" if pos == 17 else "0123456789"
    new = data.draw(st.sampled_from([c for c in choices if c != number[pos]]))
    changed = number[:pos] + new + number[pos + 1 :]
    with pytest.raises(InvalidIdentifier) as info:
        parse_id_number(changed, today=TODAY)
    assert info.value.reason == "checksum"


@given(region=st.sampled_from(REGIONS), birth=births, sequence=st.integers(0, 999), data=st.data())
def test_swapping_adjacent_digits_is_caught(region: str, birth: date, sequence: int, data: st.DataObject) -> None:
    number = make_id_number(region, birth, sequence)
    pos = data.draw(st.integers(0, 16))
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if swapped != number:
        assert not is_valid_id_number(swapped)


@given(st.text(st.characters(codec="utf-8"), max_size=25))
def test_is_valid_id_number_never_raises(raw: str) -> None:
    assert is_valid_id_number(raw) in (True, False)


@given(st.text("0123456789Xx ", min_size=15, max_size=19))
def test_is_valid_id_number_never_raises_on_digit_soup(raw: str) -> None:
    assert is_valid_id_number(raw) in (True, False)


@given(st.text("0123456789", min_size=17, max_size=17))
def test_fast_check_char_matches_the_weighted_sum(first17: str) -> None:
    assert id_number_check_char(first17) == ref_id_check(first17)


@settings(max_examples=50)
@given(region=st.sampled_from(REGIONS), birth=st.dates(date(1900, 1, 1), date(1999, 12, 31)), sequence=st.integers(0, 999))
def test_15_digit_round_trip(region: str, birth: date, sequence: int) -> None:
    old = f"{region}{birth:%y%m%d}{sequence:03d}"
    assert convert_15_to_18(old) == make_id_number(region, birth, sequence)
    assert parse_id_number(old, today=TODAY).birth_date == birth


# --- Credit codes: accepted -----------------------------------------------------------------------


def test_known_valid_credit_code() -> None:
    cc = parse_credit_code(KNOWN_USCC)
    assert cc == CreditCode(code=KNOWN_USCC, authority="9", entity_type="1", region="110000", organization_code="600037341")
    assert is_valid_credit_code(KNOWN_USCC)
    assert make_credit_code("9", "1", "110000", "60003734") == KNOWN_USCC


def test_credit_code_is_normalised() -> None:
    assert parse_credit_code(" 9111 0000 6000 3734 1l ").code == KNOWN_USCC


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_letter_authority_codes_are_accepted(authority: str) -> None:
    code = make_credit_code(authority, "1", "510104", "MA6CA4T0")
    assert code[0] == authority
    cc = parse_credit_code(code)
    assert cc.authority == authority
    assert cc.region == "510104"
    assert cc.organization_code[:8] == "MA6CA4T0"


def test_letters_in_organisation_code_are_valued_from_ten() -> None:
    # GB 11714: A=10 ... ; 'MA6CA4T0' -> 22*3 + 10*7 + 6*9 + 12*10 + 10*5 + 4*8 + 29*4 + 0*2 = 508
    assert organization_code_check_char("MA6CA4T0") == str(11 - 508 % 11)
    assert organization_code_check_char("60003734") == "1"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("00000001", "9"),  # sum 2 -> 11 - 2
        ("00000005", "1"),  # sum 10 -> 11 - 10
        ("00000000", "0"),  # sum 0 -> 11 -> '0'
        ("01000002", "0"),  # sum 7 + 4 = 11 -> 11 -> '0'
        ("40000000", "X"),  # sum 12, 12 mod 11 = 1 -> 10 -> 'X'
    ],
)
def test_organisation_check_char_edge_values(body: str, check: str) -> None:
    assert organization_code_check_char(body) == check


# --- Credit codes: every rejection reason --------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "9111000060003734", "91110000600037341LL"])
def test_credit_code_rejects_wrong_length(raw: str) -> None:
    err = rejected(parse_credit_code, raw, "length", "credit_code")
    assert err.detail == f"must be 18 characters, got {len(raw)}"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "*"])
def test_credit_code_rejects_excluded_characters(bad: str) -> None:
    raw = KNOWN_USCC[:10] + bad + KNOWN_USCC[11:]
    err = rejected(parse_credit_code, raw, "characters", "credit_code")
    assert f"character 11 is {bad!r}" in err.detail


def test_credit_code_rejects_letters_in_region() -> None:
    first17 = "9111A000600037341"
    err = rejected(parse_credit_code, first17 + ref_uscc_check(first17), "format", "credit_code")
    assert "positions 3-8" in err.detail


def test_credit_code_rejects_wrong_check_character() -> None:
    err = rejected(parse_credit_code, "91110000600037341M", "checksum", "credit_code")
    assert err.detail == "check character should be 'L', not 'M'"


def test_credit_code_rejects_wrong_organisation_check() -> None:
    # Organisation code 600037342 (should end in 1), with a correct MOD 31 check character.
    first17 = "91110000600037342"
    raw = first17 + ref_uscc_check(first17)
    err = rejected(parse_credit_code, raw, "checksum", "credit_code")
    assert "organisation code 600037342" in err.detail
    assert "should be '1'" in err.detail
    assert not is_valid_credit_code(raw)


def test_stdnum_uscc_differs_only_on_letter_authorities() -> None:
    from stdnum.cn import uscc

    assert uscc.is_valid(KNOWN_USCC)
    code = make_credit_code("N", "2", "330102", "60003734")
    assert is_valid_credit_code(code) and not uscc.is_valid(code)


def test_credit_code_rejects_non_text() -> None:
    assert not is_valid_credit_code(None)  # type: ignore[arg-type]


def test_credit_code_helpers_reject_bad_input() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        credit_code_check_char("9111")
    assert info.value.reason == "length"
    with pytest.raises(InvalidIdentifier) as info:
        credit_code_check_char("9111000060003734I")
    assert info.value.reason == "characters"
    with pytest.raises(InvalidIdentifier) as info:
        organization_code_check_char("6000373")
    assert info.value.reason == "length"
    with pytest.raises(InvalidIdentifier) as info:
        organization_code_check_char("6000373a")
    assert info.value.reason == "characters"
    for args in [("I", "1", "110000", "60003734"), ("9", "", "110000", "60003734"), ("9", "1", "11000", "60003734"), ("9", "1", "110000", "6000373O")]:
        with pytest.raises(InvalidIdentifier) as info:
            make_credit_code(*args)
        assert info.value.reason == "format"


# --- Credit codes: properties --------------------------------------------------------------------

uscc_chars = st.sampled_from(CREDIT_CODE_ALPHABET)


@given(
    authority=uscc_chars,
    entity_type=uscc_chars,
    region=st.text("0123456789", min_size=6, max_size=6),
    body=st.text(CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
)
def test_make_then_parse_credit_code(authority: str, entity_type: str, region: str, body: str) -> None:
    code = make_credit_code(authority, entity_type, region, body)
    assert code[17] == credit_code_check_char(code[:17]) == ref_uscc_check(code[:17])
    cc = parse_credit_code(code)
    assert (cc.authority, cc.entity_type, cc.region, cc.organization_code[:8]) == (authority, entity_type, region, body)
    assert cc.organization_code[8] == organization_code_check_char(body)


@given(body=st.text(CREDIT_CODE_ALPHABET, min_size=8, max_size=8), data=st.data())
def test_any_single_character_change_breaks_credit_code(body: str, data: st.DataObject) -> None:
    code = make_credit_code("9", "1", "440305", body)
    pos = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from([c for c in CREDIT_CODE_ALPHABET if c != code[pos] and (not 2 <= pos < 8 or c.isdigit())]))
    changed = code[:pos] + new + code[pos + 1 :]
    with pytest.raises(InvalidIdentifier) as info:
        parse_credit_code(changed)
    assert info.value.reason == "checksum"


@given(st.text(st.characters(codec="utf-8"), max_size=25))
def test_is_valid_credit_code_never_raises(raw: str) -> None:
    assert is_valid_credit_code(raw) in (True, False)
