"""Checking an import file's header and rows: what an officer sees for each mistake (no database)."""

from __future__ import annotations

import codecs
from datetime import date, datetime, timezone

import pytest

from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.domain.policy import load_policy
from keepword.importing.columns import column_for, read_header, require_columns
from keepword.importing.readers import decode_text, read_csv_bytes
from keepword.importing.rows import PartyRecord, RowError, parse_row
from keepword.importing.samples import sample_rows
from keepword.importing.values import amount_text, identifier_text, parse_date, parse_kind
from keepword.services.context import ServiceContext
from keepword.services.imports import import_cases
from keepword.services.ports import FakeClock

POLICY = load_policy("cn-spc")
TODAY = date(2024, 3, 4)


def id_ending_in_x() -> str:
    """A valid ID number whose check character is X (so a typo turns it into a digit)."""
    return next(n for seq in range(1, 999) if (n := make_id_number("330102", date(1985, 6, 1), seq)).endswith("X"))


def good_row(**changes) -> dict:
    """A valid row with a person as debtor, changed as given."""
    row = sample_rows(1, seed=5)[0]
    row.update(debtor_kind="person", debtor_name="张三", debtor_id=make_id_number("110101", date(1990, 3, 7), 5),
               debtor_legal_representative="", debtor_legal_representative_id="")
    row.update(changes)
    return row


def errors_of(row: dict, line: int = 734, **kwargs) -> list[str]:
    return [str(e) for e in parse_row(row, line, policy=POLICY, today=TODAY, **kwargs).errors]


# --- header -----------------------------------------------------------------------------------


def test_headers_are_recognised_in_english_and_chinese_whatever_the_spelling():
    assert column_for("Debtor ID") == column_for("debtor_id") == column_for("被执行人证件号码") == "debtor_id"
    assert column_for("身份证号/统一社会信用代码") == "debtor_id"
    assert column_for(" 案号 ") == "case_number" and column_for("标的金额（元）") is None
    assert column_for("法院代码") == "court_id" and column_for("立案日期") == "filed_on"
    assert column_for("\ufeffcourt_id") == "court_id"


def test_a_header_keeps_unknown_columns_aside_and_refuses_two_cells_for_one_column():
    header = read_header(["序号", "案号", "Case Number"][:2] + ["被执行人"], line=1)
    assert header.ignored == ("序号",) and header.columns == {"case_number", "debtor_name"}
    with pytest.raises(ValidationFailed, match="both mean case_number"):
        read_header(["案号", "case_number"], line=1)


def test_missing_required_columns_are_named_with_their_chinese_header():
    with pytest.raises(ValidationFailed) as caught:
        require_columns({"case_number", "court_id"}, court_given=False)
    assert "amount (标的金额)" in caught.value.message and "debtor_id (被执行人证件号码)" in caught.value.message
    missing_court_only = {"case_number", "filed_on", "judgment_date", "effective_date", "amount", "creditor_kind",
                          "creditor_name", "creditor_id", "debtor_kind", "debtor_name", "debtor_id"}
    require_columns(missing_court_only, court_given=True)
    with pytest.raises(ValidationFailed, match="court_id"):
        require_columns(missing_court_only, court_given=False)


# --- encodings and CSV ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("gb18030", "gb18030")])
def test_csv_text_is_decoded_as_utf8_or_as_chinese_excel_writes_it(encoding, expected):
    text, found = decode_text("案号,被执行人\n(2024)浙0102执1号,张三\n".encode(encoding))
    assert found == expected and "张三" in text


def test_a_utf8_bom_is_dropped_and_undecodable_bytes_are_refused():
    text, found = decode_text(codecs.BOM_UTF8 + "案号".encode())
    assert (text, found) == ("案号", "utf-8-sig")
    with pytest.raises(ValidationFailed, match="not UTF-8 or GB18030"):
        decode_text(b"\x81\x20\xff\xff")


def test_csv_rows_carry_the_line_a_spreadsheet_shows_even_below_a_title_and_blank_lines():
    content = ("某某法院执行案件导入表\n\n案号,被执行人,被执行人证件号码,标的金额\n"
               "(2024)浙0102执1号,张三,x,1\n\n(2024)浙0102执2号,李四,y,2\n").encode("gb18030")
    table = read_csv_bytes(content)
    rows = list(table.rows)
    assert table.header.line == 3 and [r["line"] for r in rows] == [4, 6]
    assert rows[1]["debtor_name"] == "李四"


def test_a_file_without_a_recognisable_header_is_refused():
    with pytest.raises(ValidationFailed, match="no header row"):
        read_csv_bytes(b"a,b,c\n1,2,3\n")


# --- cell values ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305",
                                   datetime(2024, 3, 5), date(2024, 3, 5), 45356, "2024-03-05 00:00:00"])
def test_dates_are_read_in_the_forms_courts_write_them(value):
    assert parse_date(value, "filed_on") == date(2024, 3, 5)


@pytest.mark.parametrize("value, reason", [("2024-02-30", "not a real date"), ("03/05/2024", "write YYYY-MM-DD"),
                                           ("", "empty"), ("soon", "write YYYY-MM-DD")])
def test_bad_dates_say_what_is_wrong(value, reason):
    with pytest.raises(ValidationFailed, match=reason) as caught:
        parse_date(value, "filed_on")
    assert caught.value.field == "filed_on"


def test_party_kinds_are_read_in_english_and_chinese():
    assert parse_kind("自然人", "debtor_kind") == parse_kind("Person", "debtor_kind") == "person"
    assert parse_kind("法人", "debtor_kind") == parse_kind("其他组织", "x") == parse_kind("organisation", "x") \
        == "organization"
    with pytest.raises(ValidationFailed, match="'robot' is not a party kind"):
        parse_kind("robot", "debtor_kind")


def test_an_id_number_excel_stored_as_a_number_is_refused_because_digits_were_lost():
    with pytest.raises(ValidationFailed, match="Excel dropped the digits"):
        identifier_text(1.101011990030712e17, "debtor_id")
    assert identifier_text(110101900307123, "debtor_id") == "110101900307123"  # 15 digits survive


def test_amounts_from_excel_cells_and_text_keep_their_exact_value():
    assert amount_text(1234.5) == "1234.5" and amount_text(0.1 + 0.2) == "0.30000000000000004"
    assert amount_text("¥1,234.50") == "1,234.50" and amount_text("1234.50元") == "1234.50"


# --- rows -------------------------------------------------------------------------------------


def test_a_valid_row_gives_checked_parties_with_what_the_id_number_encodes():
    row = parse_row(good_row(debtor_kind="自然人", debtor_id=make_id_number("330102", date(1985, 6, 1), 3)),
                    2, policy=POLICY, today=TODAY)
    assert row.errors == []
    assert row.debtor.birth_date == date(1985, 6, 1) and row.debtor.sex == "M"
    assert row.obligation.currency == "CNY" and row.dates["filed_on"] >= row.dates["effective_date"]


def test_a_wrong_check_character_is_reported_with_line_column_and_the_right_character():
    bad = id_ending_in_x()[:17] + "5"
    assert errors_of(good_row(debtor_id=bad)) == [
        "line 734, debtor_id: check character should be 'X', not '5'"]


@pytest.mark.parametrize("changes, expected", [
    ({"amount": "-100"}, "amount: '-100' is negative"),
    ({"amount": "12.345"}, "amount: '12.345' has more than 2 decimals"),
    ({"amount": ""}, "amount: empty"),
    ({"currency": "EURO"}, "currency: 'EURO' is not an ISO 4217 code"),
    ({"case_number": "  "}, "case_number: empty"),
    ({"case_number": "x" * 101}, "case_number: longer than 100 characters"),
    ({"filed_on": "2023-13-01"}, "filed_on: '2023-13-01' is not a real date"),
    ({"judgment_date": "next week"}, "judgment_date: 'next week' is not a date"),
    ({"filed_on": "2024-03-05"}, "filed_on: 2024-03-05 is in the future"),
    ({"debtor_kind": "robot"}, "debtor_kind: 'robot' is not a party kind"),
    ({"creditor_kind": ""}, "creditor_kind: empty"),
    ({"creditor_name": ""}, "creditor_name: empty"),
    ({"debtor_id": "11010119900307"}, "debtor_id: must be 18 characters (or 15 digits in the old form), got 14"),
    ({"debtor_phones": "12;13800138000"}, "debtor_phones: '12' is not a phone number"),
    ({"court_id": ""}, "court_id: empty"),
])
def test_each_malformed_value_is_named_by_column_and_reason(changes, expected):
    errors = errors_of(good_row(**changes))
    assert len(errors) == 1 and errors[0].startswith(f"line 734, {expected}"), errors


def test_every_bad_column_of_a_row_is_reported_not_just_the_first():
    errors = errors_of(good_row(amount="-1", filed_on="", debtor_kind="机器人", creditor_id="123"))
    assert [e.split(":")[0] for e in errors] == [
        "line 734, filed_on", "line 734, amount", "line 734, creditor_id", "line 734, debtor_kind"]


def test_an_organisation_is_checked_by_credit_code_with_its_legal_representative():
    code = make_credit_code("9", "1", "330102", "MA27XK3Q")
    rep = make_id_number("310101", date(1970, 1, 2), 7)
    organization = {"debtor_kind": "法人", "debtor_id": code, "debtor_name": "杭州某某科技有限公司",
                    "debtor_legal_representative": "王五", "debtor_legal_representative_id": rep}
    row = parse_row(good_row(**organization), 2, policy=POLICY, today=TODAY)
    assert row.errors == [] and row.debtor.identifier == code
    assert row.debtor.legal_representative == ("王五", rep)
    wrong = "0" if code[-1] != "0" else "1"
    assert errors_of(good_row(**{**organization, "debtor_id": code[:-1] + wrong})) == [
        f"line 734, debtor_id: check character should be {code[-1]!r}, not {wrong!r}"]
    wrong = "0" if rep[-1] != "0" else "1"
    assert errors_of(good_row(**{**organization, "debtor_legal_representative_id": rep[:-1] + wrong})) == [
        f"line 734, debtor_legal_representative_id: check character should be {rep[-1]!r}, not {wrong!r}"]


def test_a_person_has_no_legal_representative():
    assert errors_of(good_row(debtor_legal_representative="王五")) == [
        "line 734, debtor_legal_representative: only an organisation has a legal representative"]


def test_rows_of_an_import_for_one_court_may_leave_the_court_out_but_not_name_another():
    assert errors_of(good_row(court_id=""), court_id="330102") == []
    assert errors_of(good_row(court_id="330100"), court_id="330102") == [
        "line 734, court_id: this import is for court 330102, the row says 330100"]


# --- the use case on an in-memory store -------------------------------------------------------


class MemoryStore:
    """The CaseImportStore port in memory: what is registered, and what the import inserted."""

    def __init__(self, courts=("330102",), cases=(), parties=()):
        self.courts, self.cases = set(courts), set(cases)
        self.parties = {p.identifier: p for p in parties}
        self.inserted_cases, self.inserted_parties, self.inserted_events, self.phone_updates = [], [], [], []

    def existing_courts(self, court_ids):
        return self.courts & set(court_ids)

    def registered_case_numbers(self, court_id, numbers):
        return {n for n in numbers if (court_id, n) in self.cases}

    def parties_by_identifier(self, id_numbers, credit_codes):
        wanted = set(id_numbers) | set(credit_codes)
        return {k: PartyRecord(p.kind, p.name, k, phones=list(p.phones), id=p.id)
                for k, p in self.parties.items() if k in wanted}

    def insert(self, parties, cases, *, policy_id, at, warned_on):
        self.inserted_parties += parties
        self.inserted_cases += cases

    def insert_events(self, events):
        self.inserted_events += events

    def written(self):
        pass

    def close(self):
        pass

    def update_phones(self, parties):
        self.phone_updates += [(p.id, list(p.phones)) for p in parties]


class MemoryUnitOfWork:
    def __init__(self):
        self.events, self.committed, self.rolled_back = [], False, False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def record_written(self, events):
        self.events.extend(events)

    def commit(self):
        self.committed = True

    def rollback(self):
        self.rolled_back = True


def run(rows, store=None, **kwargs):
    uow, store = MemoryUnitOfWork(), store or MemoryStore()
    ctx = ServiceContext(uow_factory=lambda: uow, clock=FakeClock(datetime(2024, 3, 4, 2, tzinfo=timezone.utc)),
                         policy=POLICY)
    report = import_cases(ctx, lambda _: store, rows, by="officer:wang", **kwargs)
    return report, uow, store


def test_one_bad_row_means_no_commit_and_the_report_names_it():
    rows = sample_rows(30, seed=1)
    rows[10]["amount"] = "-5"
    report, uow, _ = run(rows, chunk_rows=7)
    assert not uow.committed and uow.rolled_back and not report.committed
    assert (report.rows, report.imported, report.skipped) == (30, 0, 30)
    assert report.errors == [RowError(12, "amount", "'-5' is negative")]


def test_skip_invalid_commits_the_good_rows_with_their_two_events_each():
    rows = sample_rows(30, seed=1)
    rows[10]["amount"] = "-5"
    report, uow, store = run(rows, skip_invalid=True, chunk_rows=7)
    assert uow.committed and report.committed and (report.imported, report.skipped) == (29, 1)
    assert len(store.inserted_cases) == 29
    assert sorted({e.type for e in uow.events}) == ["JudgmentRegistered", "WarningIssued"] and len(uow.events) == 58


def test_a_case_number_twice_in_the_file_or_already_registered_is_refused():
    rows = sample_rows(3, seed=1)
    rows[2]["case_number"] = rows[0]["case_number"]
    store = MemoryStore(cases={("330102", rows[1]["case_number"])})
    report, _, _ = run(rows, store)
    assert [str(e) for e in report.errors] == [
        f"line 3, case_number: {rows[1]['case_number']} is already registered at court 330102",
        f"line 4, case_number: {rows[0]['case_number']} appears twice in the file (first on line 2)"]


def test_the_rules_of_registration_apply_and_name_the_column():
    rows = [good_row(judgment_date="2023-06-01", effective_date="2023-05-01", filed_on="2023-07-01"),
            good_row(case_number="(2023)浙0102执9号", amount="0"),
            good_row(case_number="(2023)浙0102执8号", court_id="999999")]
    rows[0]["case_number"] = "(2023)浙0102执7号"
    same = rows[1]["creditor_id"]
    rows.append(good_row(case_number="(2023)浙0102执6号", debtor_kind=rows[1]["creditor_kind"], debtor_id=same))
    report, _, _ = run(rows)
    assert [str(e) for e in report.errors] == [
        "line 2, effective_date: before the judgment date",
        "line 3, amount: must be greater than zero",
        "line 4, court_id: no court 999999 is registered",
        "line 5, debtor_id: a party cannot be creditor and debtor of the same case"]


def test_a_party_is_written_once_and_a_registered_one_is_reused_with_new_phones_added():
    rows = sample_rows(20, seed=2)
    bank = rows[0]["creditor_id"]
    registered = PartyRecord("organization", "某银行", bank, phones=["057188880000"], id="registered-bank")
    for row in rows:
        row.update(creditor_kind="organization", creditor_id=bank, creditor_name="另一个名字")
    rows[5]["debtor_phones"] = ""
    rows[6].update(debtor_kind=rows[5]["debtor_kind"], debtor_id=rows[5]["debtor_id"], debtor_phones="13900001111",
                   debtor_name=rows[5]["debtor_name"], debtor_legal_representative="",
                   debtor_legal_representative_id="")
    store = MemoryStore(parties=[registered])
    report, _, store = run(rows, store, chunk_rows=6)  # lines 7 and 8 fall in different chunks
    assert report.imported == 20 and report.errors == []
    assert bank not in {p.identifier for p in store.inserted_parties}
    assert {c.creditor_id for c in store.inserted_cases} == {"registered-bank"}
    assert len(store.inserted_parties) == 19  # 20 debtors, one of them twice
    debtor = store.inserted_cases[5].debtor_id
    assert store.inserted_cases[6].debtor_id == debtor
    assert store.phone_updates == [(debtor, ["13900001111"])]


def test_an_import_for_an_unknown_court_stops_before_reading_rows():
    with pytest.raises(NotFound, match="no court 110000"):
        run(sample_rows(2), court_id="110000")
