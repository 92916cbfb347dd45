"""The screening index: identifier lookups, bound persons, incremental changes, rebuild and swap."""

from __future__ import annotations

import csv
from array import array
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.screening import (
    DigestLookupUnavailable,
    EntryDelisted,
    EntryListed,
    IndexHolder,
    RegistryEntry,
    RestrictionLifted,
    ScreeningIndex,
    hmac_key,
)
from keepword.screening import columns
from keepword.screening.columns import KeyTable, RowBlocks, StringColumn, sort_columns
from keepword.screening.identifier_keys import credit_code_key

from screening_fixtures import (
    CONTROLLER_ID,
    HUAXIN_CODE,
    LEGAL_REP_ID,
    NAMESAKE_ID,
    OLD_ID_15,
    OLD_ID_18,
    ON,
    SECRET,
    UNLISTED_CODE,
    ZHANG_SAN_ID,
    registry_entries,
)


def entry_ids(hits) -> list[str]:
    return [hit.entry_id for hit in hits]


def test_exact_id_lookup(index: ScreeningIndex) -> None:
    assert entry_ids(index.find_person(ZHANG_SAN_ID, ON)) == ["E1"]
    assert index.find_person(NAMESAKE_ID, ON) == []


def test_fifteen_digit_registry_number_is_found_by_its_eighteen_digit_form() -> None:
    index = ScreeningIndex.build([RegistryEntry("OLD", "person", "王五", OLD_ID_15)])
    assert entry_ids(index.find_person(OLD_ID_18, ON)) == ["OLD"]


def test_credit_code_lookup(index: ScreeningIndex) -> None:
    assert entry_ids(index.find_organization(HUAXIN_CODE, ON)) == ["E3"]
    assert index.find_organization(UNLISTED_CODE, ON) == []


def test_bound_persons_are_found_through_their_own_id_numbers(index: ScreeningIndex) -> None:
    [legal_rep] = index.find_person(LEGAL_REP_ID, ON)
    [controller] = index.find_person(CONTROLLER_ID, ON)
    assert (legal_rep.entry_id, legal_rep.role) == ("E3", "legal_representative")
    assert (controller.entry_id, controller.role) == ("E3", "actual_controller")


def test_dates_in_force(index: ScreeningIndex) -> None:
    e5_id = registry_entries()[4].identifier
    assert entry_ids(index.find_person(e5_id, date(2021, 6, 1))) == ["E5"]
    assert index.find_person(e5_id, date(2019, 12, 31)) == []
    assert index.find_person(e5_id, ON) == []


def test_delisting_removes_the_entry_from_every_lookup(index: ScreeningIndex) -> None:
    assert index.apply(EntryDelisted("E3")) is True
    assert index.find_organization(HUAXIN_CODE, ON) == []
    assert index.find_person(LEGAL_REP_ID, ON) == []
    assert index.apply(EntryDelisted("E3")) is False  # idempotent
    assert index.apply(EntryDelisted("no-such-entry")) is False


def test_lifting_one_category_keeps_the_others(index: ScreeningIndex) -> None:
    assert index.apply(RestrictionLifted("E4", "exit_restricted")) is True
    assert entry_ids(index.find_person(OLD_ID_18, ON)) == ["E4"]
    assert index.apply(RestrictionLifted("E4", "consumption_restricted")) is True
    assert index.find_person(OLD_ID_18, ON) == []


def test_listing_after_build_and_replacing_an_entry(index: ScreeningIndex) -> None:
    index.apply(EntryListed(RegistryEntry("E9", "person", "李四", NAMESAKE_ID)))
    assert entry_ids(index.find_person(NAMESAKE_ID, ON)) == ["E9"]
    index.apply(EntryListed(RegistryEntry("E9", "person", "李四", LEGAL_REP_ID)))  # corrected number
    assert index.find_person(NAMESAKE_ID, ON) == []
    assert sorted(entry_ids(index.find_person(LEGAL_REP_ID, ON))) == ["E3", "E9"]


def test_same_person_on_several_entries() -> None:
    index = ScreeningIndex.build([RegistryEntry("A", "person", "张三", ZHANG_SAN_ID),
                                  RegistryEntry("B", "person", "张三", ZHANG_SAN_ID)])
    assert sorted(entry_ids(index.find_person(ZHANG_SAN_ID, ON))) == ["A", "B"]
    index.apply(EntryDelisted("A"))
    assert entry_ids(index.find_person(ZHANG_SAN_ID, ON)) == ["B"]


def test_invalid_registry_identifiers_are_counted_not_indexed() -> None:
    bad = ZHANG_SAN_ID[:17] + ("0" if ZHANG_SAN_ID[17] != "0" else "1")
    index = ScreeningIndex.build([RegistryEntry("BAD", "person", "张三", bad), {"entry_id": "", "kind": "person"},
                                  {"entry_id": "X", "kind": "person", "birth_date": "1990-13-01"}])
    assert index.stats.rejected_identifiers == 1
    assert index.stats.skipped_rows == 2
    assert len(index) == 1 and not index.is_keyed(0)


def test_keyed_digest_lookup(index: ScreeningIndex) -> None:
    assert entry_ids(index.find_by_digest(hmac_key(SECRET, ZHANG_SAN_ID), ON)) == ["E1"]
    assert entry_ids(index.find_by_digest(hmac_key(SECRET, HUAXIN_CODE.lower()), ON)) == ["E3"]
    assert entry_ids(index.find_by_digest(hmac_key(SECRET, LEGAL_REP_ID), ON)) == ["E3"]
    assert index.find_by_digest(hmac_key(SECRET, NAMESAKE_ID), ON) == []
    assert index.find_by_digest(hmac_key("another secret", ZHANG_SAN_ID), ON) == []


def test_hmac_key_normalises_the_fifteen_digit_form() -> None:
    assert hmac_key(SECRET, OLD_ID_15) == hmac_key(SECRET, OLD_ID_18) == hmac_key(SECRET.encode(), f" {OLD_ID_18} ")


def test_digest_lookup_needs_the_secret() -> None:
    index = ScreeningIndex.build(registry_entries())
    with pytest.raises(DigestLookupUnavailable):
        index.find_by_digest(hmac_key(SECRET, ZHANG_SAN_ID), ON)


def test_from_csv_with_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "REGISTRY.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["entry_id", "kind", "name", "id_number", "birth_date", "categories", "legal_representative"])
        writer.writerow(["E1", "person", "张三", ZHANG_SAN_ID, "1980-05-17", "", ""])
        writer.writerow(["E3", "organization", "华信", HUAXIN_CODE, "", "dishonest_debtor;consumption_restricted", LEGAL_REP_ID])
    index = ScreeningIndex.from_csv(path)
    assert entry_ids(index.find_person(LEGAL_REP_ID, ON)) == ["E3"]
    assert index.birth_date(0) == date(1980, 5, 17)


def test_holder_swaps_and_replays_changes_made_during_the_rebuild(index: ScreeningIndex) -> None:
    holder = IndexHolder(index)
    holder.begin_rebuild()
    rebuilt = ScreeningIndex.build(registry_entries())
    holder.apply(EntryDelisted("E1"))  # arrives while the rebuild runs
    old = holder.current
    record = holder.swap(rebuilt)
    assert holder.current is rebuilt and old is index
    assert record.generation == 1 and record.replayed_events == 1
    assert rebuilt.find_person(ZHANG_SAN_ID, ON) == []


# --- the columnar building blocks ----------------------------------------------------------------


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=300))
def test_sort_columns_sorts_keys_and_carries_payloads(keys: list[int]) -> None:
    payload = array("I", range(len(keys)))
    sorted_keys, sorted_payload = sort_columns(array("q", keys), payload)
    assert list(sorted_keys) == sorted(keys)
    assert [keys[i] for i in sorted_payload] == list(sorted_keys)


def test_sort_columns_in_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns, "_SORT_BUCKET", 64)
    keys = [(i * 7919) % 5003 - 2500 for i in range(5000)]
    sorted_keys, order = sort_columns(array("q", keys), array("I", range(5000)))
    assert list(sorted_keys) == sorted(keys)
    assert [keys[i] for i in order] == list(sorted_keys)
    assert list(sort_columns(array("q", keys))[0]) == sorted(keys)  # keys alone


def test_key_table_tags_and_overlay() -> None:
    table = KeyTable.build(array("q", [5, 5, 3]), array("H", [1, 2, 0]), array("I", [10, 20, 30]))
    assert table.find(5, 1) == [10] and table.find(5, 2) == [20] and table.find(5, 3) == []
    table.add(5, 1, 11)
    assert table.find(5, 1) == [10, 11]


def test_row_blocks() -> None:
    pairs = [(7, 1), (3, 2), (7, 3), (2**32 - 1, 4)]
    blocks = RowBlocks.build(array("Q", [RowBlocks.pack(b, r) for b, r in pairs]))
    assert sorted(blocks.rows(7)) == [1, 3] and blocks.rows(3) == [2] and blocks.rows(2**32 - 1) == [4]
    assert blocks.rows(8) == []


def test_string_column() -> None:
    column = StringColumn()
    for text in ["张三", "", "zhangsan"]:
        column.append(text)
    assert [column[i] for i in range(3)] == ["张三", "", "zhangsan"]


def test_credit_code_keys_differ_by_authority_and_type() -> None:
    from keepword.domain.identifiers import make_credit_code

    a = make_credit_code("9", "1", "110108", "MA01ABCD")
    b = make_credit_code("Y", "1", "110108", "MA01ABCD")
    assert credit_code_key(a)[0] == credit_code_key(b)[0] and credit_code_key(a) != credit_code_key(b)
    index = ScreeningIndex.build([RegistryEntry("A", "organization", "a", a)])
    assert index.find_organization(b, ON) == []


def test_an_entry_refused_for_too_many_categories_leaves_no_trace() -> None:
    many = [RegistryEntry(f"C{i}", "person", "张三", "", categories=(f"category_{i}",)) for i in range(17)]
    index = ScreeningIndex.build(many)
    assert len(index) == 16 and index.stats.skipped_rows == 1
    index.apply(EntryDelisted("C0"))  # columns still line up
    assert index.entry_id(15) == "C15"
