"""Importing a court's batch into a real database (SQLite and PostgreSQL): all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

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
