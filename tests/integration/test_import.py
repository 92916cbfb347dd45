"""Importing a court's batch into a real database (SQLite and PostgreSQL): all or nothing."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from keepword.bootstrap import unit_of_work
from keepword.domain.errors import AlreadyExists
from keepword.domain.identifiers import make_id_number
from keepword.importing.readers import open_table
from keepword.importing.samples import sample_rows, write_csv, write_xlsx
from keepword.importing.sql_store import case_import_store
from keepword.services.cases import PartyInput, record_payment, register_judgment
from keepword.services.imports import RowError, import_cases
from keepword.store import tables as t

DATA = Path(__file__).parent.parent / "data" / "import"
WRITTEN = (t.cases, t.parties, t.case_parties, t.bound_persons, t.outbox)


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one() for table in WRITTEN}


def import_file(ctx, path, **kwargs):
    return import_cases(ctx, case_import_store, open_table(path).rows, by="officer:wang", **kwargs)


def id_ending_in_x() -> str:
    return next(n for seq in range(1, 999) if (n := make_id_number("330102", date(1985, 6, 1), seq)).endswith("X"))


@pytest.fixture
def batch_with_one_bad_id(tmp_path):
    """1,000 rows; line 734 (the 733rd row) has a debtor ID number with a wrong check character."""
    rows = sample_rows(1000, seed=3)
    rows[732].update(debtor_kind="person", debtor_id=id_ending_in_x()[:17] + "5", debtor_legal_representative="",
                     debtor_legal_representative_id="")
    return write_csv(tmp_path / "batch.csv", rows)


def test_one_bad_id_number_in_1000_rows_writes_nothing(ctx, engine, batch_with_one_bad_id):
    before = counts(engine)
    # Small chunks: the rows before the bad one were already inserted in the transaction, and must go too.
    report = import_file(ctx, batch_with_one_bad_id, chunk_rows=300)
    assert report.errors == [RowError(734, "debtor_id", "check character should be 'X', not '5'")]
    assert str(report.errors[0]) == "line 734, debtor_id: check character should be 'X', not '5'"
    assert (report.rows, report.imported, report.committed) == (1000, 0, False)
    assert counts(engine) == before


def test_skip_invalid_writes_the_999_good_rows_with_their_outbox_events(ctx, engine, batch_with_one_bad_id):
    before = counts(engine)
    report = import_file(ctx, batch_with_one_bad_id, skip_invalid=True, chunk_rows=300)
    assert (report.rows, report.imported, report.skipped, report.committed) == (1000, 999, 1, True)
    after = counts(engine)
    assert after["cases"] - before["cases"] == 999
    assert after["case_parties"] - before["case_parties"] == 2 * 999
    assert after["outbox"] - before["outbox"] == 2 * 999
    with engine.connect() as conn:
        types = dict(conn.execute(select(t.outbox.c.type, func.count()).group_by(t.outbox.c.type)).all())
        numbers = set(conn.scalars(select(t.cases.c.case_number)))
    assert types == {"JudgmentRegistered": 999, "WarningIssued": 999}
    assert "(2023)浙0102执733号" not in numbers and "(2023)浙0102执734号" in numbers


def test_an_imported_case_is_the_same_as_one_registered_by_hand(ctx, engine, tmp_path):
    row = sample_rows(1, seed=4)[0]
    row.update(debtor_kind="person", debtor_id=make_id_number("310101", date(1979, 2, 3), 11), debtor_name="张三",
               debtor_phones="13800138000", debtor_legal_representative="", debtor_legal_representative_id="")
    assert import_file(ctx, write_csv(tmp_path / "one.csv", [row])).imported == 1
    by_hand = register_judgment(
        ctx, court_id="330102", case_number="(2023)浙0102执999号", amount=row["amount"],
        creditors=[PartyInput(row["creditor_kind"], row["creditor_name"], row["creditor_id"])],
        debtors=[PartyInput("person", "李四", make_id_number("310101", date(1979, 2, 3), 13))],
        judgment_date=date.fromisoformat(row["judgment_date"]), filed_on=date.fromisoformat(row["filed_on"]),
        effective_date=date.fromisoformat(row["effective_date"]), by="officer:wang")
    with ctx.uow() as uow:
        imported = uow.cases.by_number("330102", row["case_number"])
        by_hand = uow.cases.get(by_hand.id)
        fields = ("status", "warned_on", "policy_id", "version", "obligation", "created_at", "outcome")
        assert {f: getattr(imported, f) for f in fields} == {f: getattr(by_hand, f) for f in fields}
        assert [(p.role, p.party.kind) for p in imported.parties] == [(p.role, p.party.kind) for p in by_hand.parties]
        debtor = imported.debtors[0].party
        assert (debtor.birth_date, debtor.sex, debtor.phones) == (date(1979, 2, 3), "M", ["13800138000"])
        # The creditor was registered by the import, so registering by hand reused it.
        assert imported.creditors[0].party.id == by_hand.creditors[0].party.id
        imported_id, by_hand_id, debtor_id = imported.id, by_hand.id, debtor.id
    with engine.connect() as conn:
        payloads = {r.type: r.payload for r in conn.execute(select(t.outbox).where(t.outbox.c.case_id == imported_id))}
        by_hand_payloads = {r.type: r.payload for r in conn.execute(
            select(t.outbox).where(t.outbox.c.case_id == by_hand_id))}
    assert {k: set(v) for k, v in payloads.items()} == {k: set(v) for k, v in by_hand_payloads.items()}
    assert payloads["JudgmentRegistered"]["debtor_ids"] == [debtor_id]
    paid = record_payment(ctx, imported_id, amount=row["amount"], paid_on=date(2024, 3, 1), by="officer:wang")
    assert paid.outcome == "fulfilled" and paid.version == 2


def test_the_outbox_rows_of_an_import_are_those_of_its_events(ctx, engine, tmp_path):
    """On SQLite the database makes the outbox rows of the imported registrations: they must be what the
    events themselves give (the unit of work hands the same events to its before-commit hooks)."""
    handed = []
    ctx.uow_factory = partial(unit_of_work, engine, (lambda session, events: handed.extend(events),))
    rows = sample_rows(250, seed=5)
    rows[3]["case_number"] = "（2024）浙0102执\"引号\\\u0007号"  # JSON escapes: quote, backslash, control character
    report = import_file(ctx, write_csv(tmp_path / "b.csv", rows), chunk_rows=100)
    assert report.imported == 250 and len(handed) == 500
    with engine.connect() as conn:
        stored = conn.execute(select(t.outbox).order_by(t.outbox.c.seq)).all()
    assert [(r.type, r.case_id, r.debtor_id, r.actor, r.occurred_at) for r in stored] == [
        (e.type, e.case_id, e.debtor_id, e.actor, e.occurred_at) for e in handed]
    assert [r.payload for r in stored] == [json.loads(json.dumps(e.payload())) for e in handed]
    assert stored[6].payload["case_number"] == rows[3]["case_number"]
    event_ids = [uuid.UUID(r.event_id) for r in stored]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == r.event_id
               for u, r in zip(event_ids, stored))
    assert len(set(event_ids)) == 500


def test_an_import_interrupted_while_a_chunk_is_being_written_leaves_nothing(ctx, engine, tmp_path):
    before = counts(engine)
    seen = []

    def progress(rows, imported):
        seen.append(rows)
        if rows == 600:  # the second chunk was checked and handed to the writer: as if Ctrl-C were pressed now
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(ctx, write_csv(tmp_path / "b.csv", sample_rows(1000, seed=4)), chunk_rows=300, progress=progress)
    assert seen == [300, 600]
    assert counts(engine) == before
    assert not any(thread.name == "keepword-write-behind" and thread.is_alive() for thread in threading.enumerate())
    assert import_file(ctx, write_csv(tmp_path / "b.csv", sample_rows(1000, seed=4))).imported == 1000


def test_each_malformed_row_is_named_with_field_and_reason(ctx, engine, tmp_path):
    registered = sample_rows(1, seed=9)[0]
    register_judgment(
        ctx, court_id="330102", case_number="(2023)浙0102执1号", amount="100.00",
        creditors=[PartyInput(registered["creditor_kind"], registered["creditor_name"], registered["creditor_id"])],
        debtors=[PartyInput("person", "王五", make_id_number("440305", date(1960, 1, 1), 9))],
        judgment_date=date(2023, 1, 1), effective_date=date(2023, 1, 20), filed_on=date(2023, 2, 1), by="clerk")
    rows = sample_rows(10, seed=10)  # case numbers (2023)浙0102执1号 ... 10号, on lines 2 ... 11
    rows[1]["amount"] = "-250.00"
    rows[2]["case_number"] = ""
    rows[3]["filed_on"] = "2023-02-30"
    rows[4]["court_id"] = "999999"
    rows[5]["case_number"] = rows[6]["case_number"]
    rows[7]["debtor_kind"] = "partnership"
    before = counts(engine)
    report = import_file(ctx, write_csv(tmp_path / "bad.csv", rows))
    assert [str(e) for e in report.errors] == [
        "line 2, case_number: (2023)浙0102执1号 is already registered at court 330102",
        "line 3, amount: '-250.00' is negative",
        "line 4, case_number: empty",
        "line 5, filed_on: '2023-02-30' is not a real date",
        "line 6, court_id: no court 999999 is registered",
        "line 8, case_number: (2023)浙0102执7号 appears twice in the file (first on line 7)",
        "line 9, debtor_kind: 'partnership' is not a party kind: write person (自然人) or organization (法人/其他组织)",
    ]
    assert report.bad_rows == 7 and counts(engine) == before


def test_a_registered_party_is_reused_and_gains_the_new_phone_numbers(ctx, engine, tmp_path):
    debtor_id = make_id_number("510104", date(1975, 8, 9), 21)
    register_judgment(
        ctx, court_id="330102", case_number="(2022)浙0102执5号", amount="100.00",
        creditors=[PartyInput("person", "赵六", make_id_number("110101", date(1970, 1, 1), 1))],
        debtors=[PartyInput("person", "钱七", debtor_id, phones=["13700000000"])],
        judgment_date=date(2022, 1, 1), effective_date=date(2022, 1, 20), filed_on=date(2022, 2, 1), by="clerk")
    rows = sample_rows(3, seed=12)
    for row in rows:  # the same debtor in three cases, once with a new phone number
        row.update(debtor_kind="自然人", debtor_id=debtor_id, debtor_name="钱七", debtor_phones="",
                   debtor_legal_representative="", debtor_legal_representative_id="")
    rows[2]["debtor_phones"] = "13700000000；13911112222"
    parties_before = counts(engine)["parties"]
    report = import_file(ctx, write_csv(tmp_path / "same.csv", rows), chunk_rows=2)
    assert report.imported == 3
    creditors = {r["creditor_id"] for r in rows}
    assert counts(engine)["parties"] == parties_before + len(creditors)
    with ctx.uow() as uow:
        debtor = uow.parties.by_identifier(debtor_id)
        assert debtor.name == "钱七" and debtor.phones == ["13700000000", "13911112222"]


@pytest.mark.parametrize("name", ["cases.csv", "cases_gb18030.csv", "cases_utf8_bom.csv", "cases.xlsx"])
def test_the_sample_files_import_in_every_encoding_and_format(ctx, name):
    report = import_file(ctx, DATA / name)
    assert (report.rows, report.imported, report.errors) == (5, 5, [])


def test_a_chinese_excel_workbook_reports_lines_as_excel_numbers_them(ctx, tmp_path):
    rows = sample_rows(4, seed=13)
    rows[2]["debtor_name"] = "   "
    path = write_xlsx(tmp_path / "batch.xlsx", rows, chinese_headers=True, title="杭州市上城区人民法院 执行案件")
    report = import_file(ctx, path)  # title on line 1, header on line 2, rows from line 3
    assert [str(e) for e in report.errors] == ["line 5, debtor_name: empty"]
    assert import_file(ctx, path, skip_invalid=True).imported == 3


# ---- another writer registers the same case while the import runs ------------------------------------------

def register_elsewhere(ctx, row: dict, by: str = "clerk:li") -> None:
    """What another officer's registration of the row's case (same court, same case number) commits."""
    register_judgment(
        ctx, court_id=row["court_id"], case_number=row["case_number"], amount="500.00",
        creditors=[PartyInput("person", "孙八", make_id_number("110101", date(1966, 3, 3), 7))],
        debtors=[PartyInput("person", "周九", make_id_number("110101", date(1971, 4, 4), 9))],
        judgment_date=date(2023, 1, 2), effective_date=date(2023, 1, 20), filed_on=date(2023, 2, 1), by=by)


def checked_before_it_was_taken(taken: dict):
    """The import's store, whose first look-up of registered case numbers ran just before another writer
    committed ``taken``'s case: the import checks the row as free, and its insert then meets the case."""
    looked_up = []

    def store_for(uow):
        store = case_import_store(uow)
        registered = store.registered_case_numbers

        def registered_case_numbers(court_id, numbers):
            found = registered(court_id, numbers)
            if taken["case_number"] not in numbers:
                return found
            looked_up.append(taken["case_number"])
            return found - {taken["case_number"]} if len(looked_up) == 1 else found

        store.registered_case_numbers = registered_case_numbers
        return store

    return store_for, looked_up


def test_a_case_registered_by_someone_else_during_the_import_makes_it_fail_naming_the_row(ctx, engine, tmp_path):
    rows = sample_rows(40, seed=21)
    taken = rows[25]  # line 27
    register_elsewhere(ctx, taken)
    before = counts(engine)
    store_for, looked_up = checked_before_it_was_taken(taken)
    report = import_cases(ctx, store_for, open_table(write_csv(tmp_path / "b.csv", rows)).rows, by="officer:wang",
                          chunk_rows=15)
    # The chunk of line 27 was checked, refused by the database, and checked again.
    assert looked_up == [taken["case_number"]] * 2
    assert [str(e) for e in report.errors] == [
        f"line 27, case_number: {taken['case_number']} is already registered at court 330102"]
    assert (report.rows, report.imported, report.committed) == (40, 0, False)
    assert counts(engine) == before  # the 15 rows written before that chunk are gone too


def test_with_skip_invalid_the_case_taken_during_the_import_is_skipped_and_the_rest_written(ctx, engine, tmp_path):
    rows = sample_rows(40, seed=22)
    taken = rows[25]
    register_elsewhere(ctx, taken)
    before = counts(engine)
    store_for, _ = checked_before_it_was_taken(taken)
    report = import_cases(ctx, store_for, open_table(write_csv(tmp_path / "b.csv", rows)).rows, by="officer:wang",
                          chunk_rows=15, skip_invalid=True)
    assert [str(e) for e in report.errors] == [
        f"line 27, case_number: {taken['case_number']} is already registered at court 330102"]
    assert (report.rows, report.imported, report.skipped, report.committed) == (40, 39, 1, True)
    after = counts(engine)
    assert after["cases"] - before["cases"] == 39 and after["outbox"] - before["outbox"] == 2 * 39
    with ctx.uow() as uow:
        assert uow.cases.by_number("330102", taken["case_number"]).obligation.amount == Decimal("500.00")


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # SQLite: the import holds the write lock
def test_postgresql_a_registration_committed_in_another_transaction_mid_import(ctx, engine, tmp_path):
    rows = sample_rows(40, seed=23)
    taken = rows[30]  # line 32, in the third chunk
    before = counts(engine)

    def store_for(uow):
        store = case_import_store(uow)
        registered = store.registered_case_numbers

        def registered_case_numbers(court_id, numbers):
            found = registered(court_id, numbers)
            if taken["case_number"] in numbers and not found:
                register_elsewhere(ctx, taken)  # commits on its own connection, after the import's check
            return found

        store.registered_case_numbers = registered_case_numbers
        return store

    report = import_cases(ctx, store_for, open_table(write_csv(tmp_path / "b.csv", rows)).rows, by="officer:wang",
                          chunk_rows=15)
    assert [str(e) for e in report.errors] == [
        f"line 32, case_number: {taken['case_number']} is already registered at court 330102"]
    assert report.committed is False
    assert counts(engine)["cases"] == before["cases"] + 1  # the other writer's case, none of the import's


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # PostgreSQL: see the test before
def test_sqlite_another_writer_waits_for_the_import_and_is_then_refused(ctx, engine, tmp_path):
    rows = sample_rows(40, seed=24)
    taken = rows[30]
    outcome: dict = {}

    def other_writer():
        try:
            register_elsewhere(ctx, taken)
        except AlreadyExists as exc:
            outcome["refused"] = exc

    writer = threading.Thread(target=other_writer)

    def store_for(uow):
        store = case_import_store(uow)
        registered = store.registered_case_numbers

        def registered_case_numbers(court_id, numbers):
            found = registered(court_id, numbers)  # the import's transaction has begun: it holds the write lock
            if not writer.is_alive() and "started" not in outcome:
                outcome["started"] = True
                writer.start()  # waits on BEGIN IMMEDIATE until the import commits
            return found

        store.registered_case_numbers = registered_case_numbers
        return store

    report = import_cases(ctx, store_for, open_table(write_csv(tmp_path / "b.csv", rows)).rows, by="officer:wang",
                          chunk_rows=15)
    writer.join(timeout=60)
    assert (report.imported, report.committed, report.errors) == (40, True, [])
    assert outcome["refused"].details["field"] == "case_number"
    with ctx.uow() as uow:
        assert uow.cases.by_number("330102", taken["case_number"]).obligation.amount != Decimal("500.00")


def test_a_party_registered_by_someone_else_during_the_import_is_reused(ctx, engine, tmp_path):
    rows = sample_rows(20, seed=25)
    debtor_id = make_id_number("510104", date(1968, 7, 8), 31)
    rows[12].update(debtor_kind="person", debtor_id=debtor_id, debtor_name="吴十", debtor_legal_representative="",
                    debtor_legal_representative_id="")
    # Another officer registers a case of the same debtor; the import's look-up of parties ran just before.
    other = register_judgment(
        ctx, court_id="330102", case_number="(2022)浙0102执77号", amount="800.00",
        creditors=[PartyInput("person", "郑一", make_id_number("110101", date(1969, 9, 9), 3))],
        debtors=[PartyInput("person", "吴十", debtor_id)],
        judgment_date=date(2022, 1, 2), effective_date=date(2022, 1, 20), filed_on=date(2022, 2, 1), by="clerk:li")
    looked_up = []

    def store_for(uow):
        store = case_import_store(uow)
        parties_by_identifier = store.parties_by_identifier

        def hiding_the_debtor_once(id_numbers, credit_codes):
            found = parties_by_identifier(id_numbers, credit_codes)
            if debtor_id in found:
                looked_up.append(debtor_id)
                if len(looked_up) == 1:
                    del found[debtor_id]
            return found

        store.parties_by_identifier = hiding_the_debtor_once
        return store

    report = import_cases(ctx, store_for, open_table(write_csv(tmp_path / "b.csv", rows)).rows, by="officer:wang",
                          chunk_rows=8)
    assert looked_up == [debtor_id] * 2  # refused by the database as a new party, then found and reused
    assert (report.imported, report.committed, report.errors) == (20, True, [])
    with ctx.uow() as uow:
        imported = uow.cases.by_number("330102", rows[12]["case_number"])
        assert imported.debtors[0].party.id == other.debtors[0].party.id
