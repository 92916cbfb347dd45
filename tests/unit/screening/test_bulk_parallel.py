"""Screening a file in several processes gives, byte for byte, what one process gives."""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from screening_fixtures import HUAXIN_CODE, LEGAL_REP_ID, OLD_ID_15, ON, UNLISTED_CODE, ZENG_BIRTH, ZHANG_SAN_ID

from keepword.domain.errors import KeepwordError, ValidationFailed
from keepword.domain.identifiers import make_id_number
from keepword.screening import ScreeningIndex, ScreeningRecord, check, screen_file
from keepword.screening import bulk, plain_ids, record_batches

REGISTRY = [
    ["entry_id", "kind", "name", "id_number", "birth_date", "legal_representative"],
    ["E1", "person", "张三", ZHANG_SAN_ID, "1980-05-17", ""],
    ["E2", "person", "曾小明", "", ZENG_BIRTH.isoformat(), ""],  # no ID number on file
    ["E3", "organization", "北京华信科技有限责任公司", HUAXIN_CODE, "", LEGAL_REP_ID],
]
REGIONS = ("110101", "310104", "440103", "510107", "320102", "110105")
ODD_NAMES = ("Zhang, San", "Line\nBreak", 'He said "hi"', "Carriage\r\nReturn", '"', ",,,", "  曾小明  ", "")


def generated_records(count: int, odd_quoting: bool, seed: int = 7) -> list[list[str]]:
    """A RECORDS.csv mix: listed, unlisted, invalid and 15-digit numbers, credit codes, names
    with and without birth dates, bad kinds and dates, short rows, odd quoting if asked."""
    rng = random.Random(seed)
    rows = [["record_id", "kind", "name", "id_number", "birth_date"]]
    for i in range(count):
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
        unlisted = make_id_number(rng.choice(REGIONS), birth, rng.randrange(1000))
        name = rng.choice(ODD_NAMES) if odd_quoting and rng.random() < 0.3 else rng.choice(("张三", "李四", "曾小明"))
        record_id = f'R{i},"x"' if odd_quoting and i % 97 == 0 else f"R{i}"
        draw = rng.random()
        if draw < 0.5:
            row = [record_id, rng.choice(("person", "", "Person")), name, unlisted, ""]
        elif draw < 0.6:
            row = [record_id, "person", name, rng.choice((ZHANG_SAN_ID, ZHANG_SAN_ID.lower(), LEGAL_REP_ID)), ""]
        elif draw < 0.65:
            row = [record_id, "person", name, unlisted[:17] + ("1" if unlisted[17] == "0" else "0"), ""]
        elif draw < 0.7:
            row = [record_id, "", name, OLD_ID_15, rng.choice(("", "1962-11-30", "1970-01-01"))]
        elif draw < 0.75:
            row = [record_id, "organization", "", rng.choice((HUAXIN_CODE, UNLISTED_CODE)), ""]
        elif draw < 0.9:
            row = [record_id, "person", name, "", rng.choice(("1980-05-17", ZENG_BIRTH.isoformat(), "", "2001-02-03"))]
        elif draw < 0.95:
            row = [record_id, rng.choice(("alien", "person")), name, unlisted, rng.choice(("", "not a date"))]
        else:
            row = [record_id, "person", name][: rng.randrange(1, 4)]  # a short row
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ScreeningIndex:
    return ScreeningIndex.from_csv(write_csv(tmp_path_factory.mktemp("registry") / "REGISTRY.csv", REGISTRY))


@pytest.mark.parametrize("odd_quoting", [True, False])
def test_several_processes_write_the_same_results_in_input_order(tmp_path, index, odd_quoting) -> None:
    rows = generated_records(3000, odd_quoting)
    records = write_csv(tmp_path / "RECORDS.csv", rows)
    one = screen_file(index, records, tmp_path / "one.csv", on=ON, jobs=1)
    calls: list[tuple[int, int, int]] = []
    several = screen_file(index, records, tmp_path / "several.csv", on=ON, jobs=3, progress=lambda *a: calls.append(a))
    assert (tmp_path / "several.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    assert several.records == one.records == len(rows) - 1
    assert several.decisions == one.decisions and several.jobs == 3
    assert calls[-1] == (several.records, records.stat().st_size, records.stat().st_size)
    with open(tmp_path / "several.csv", newline="", encoding="utf-8") as results:
        screened = list(csv.DictReader(results))
    assert [row["record_id"] for row in screened] == [row[0] for row in rows[1:]]
    assert set(one.decisions) == {"match", "review", "no_match", "invalid"}
    by_input = dict(zip((tuple(row + [""] * (5 - len(row))) for row in rows[1:]), screened))  # short rows padded
    bad_kind = next(result for row, result in by_input.items() if row[1] == "alien")
    assert bad_kind["decision"] == "invalid" and "kind" in bad_kind["reason"]
    bad_date = next(result for row, result in by_input.items() if row[1] != "alien" and row[4] == "not a date")
    assert bad_date["decision"] == "invalid" and "birth_date" in bad_date["reason"]


def test_the_default_screens_a_small_file_in_process(tmp_path, index) -> None:
    records = write_csv(tmp_path / "RECORDS.csv", generated_records(50, odd_quoting=True))
    assert screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=None).jobs == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_undecodable_file_leaves_no_output(tmp_path, index, jobs) -> None:
    records = write_csv(tmp_path / "RECORDS.csv", generated_records(2000, odd_quoting=True))
    data = records.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    records.write_bytes(data[:middle] + b"R-bad,person,\xff\xfe,,\n" + data[middle:])
    with pytest.raises(ValidationFailed, match="input file"):
        screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=jobs)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["RECORDS.csv"]


def _records_with_a_fault_halfway(tmp_path, monkeypatch, fault) -> Path:
    """RECORDS.csv of 2,000 records; screening the plain ID number of one in its second half calls ``fault``
    (the patch is inherited by forked workers)."""
    rows = generated_records(2000, odd_quoting=False)
    records = write_csv(tmp_path / "RECORDS.csv", rows)
    faulty_number = next(row[3] for row in rows[len(rows) // 2:] if row[1] == "person" and len(row) > 4
                         and len(row[3]) == 18 and not row[4])
    real, real_batch = bulk.check_plain_id_number, plain_ids.unlisted_plain_ids

    def check_plain_id_number(index, id_number, name, on):
        if id_number == faulty_number:
            fault()
        return real(index, id_number, name, on)

    def unlisted_plain_ids(index, ids):  # a batch's plain ID numbers are screened together first
        if faulty_number in ids:
            fault()
        return real_batch(index, ids)

    monkeypatch.setattr(bulk, "check_plain_id_number", check_plain_id_number)
    monkeypatch.setattr(plain_ids, "unlisted_plain_ids", unlisted_plain_ids)
    return records


def test_a_failing_worker_stops_the_run_and_leaves_no_output(tmp_path, index, monkeypatch) -> None:
    def fail() -> None:
        raise RuntimeError("disk on fire")

    records = _records_with_a_fault_halfway(tmp_path, monkeypatch, fail)
    (tmp_path / "RESULTS.csv").write_text("an older result\n")
    with pytest.raises(KeepwordError, match="worker process failed: RuntimeError: disk on fire"):
        screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=2)
    assert (tmp_path / "RESULTS.csv").read_text() == "an older result\n"  # not replaced by a partial file
    assert sorted(path.name for path in tmp_path.iterdir()) == ["RECORDS.csv", "RESULTS.csv"]


def test_jobs_below_one_are_refused(tmp_path, index) -> None:
    records = write_csv(tmp_path / "RECORDS.csv", generated_records(5, odd_quoting=False))
    with pytest.raises(ValidationFailed, match="jobs"):
        screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=0)


def test_the_bulk_fast_path_gives_the_answers_of_check(tmp_path, index) -> None:
    rows = generated_records(1500, odd_quoting=True, seed=11)
    records = write_csv(tmp_path / "RECORDS.csv", rows)
    screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=1)
    with open(tmp_path / "RESULTS.csv", newline="", encoding="utf-8") as results:
        screened = [(row["decision"], row["entry_id"], row["reason"]) for row in csv.DictReader(results)]
    expected = []
    for row in rows[1:]:
        try:
            decision = check(index, ScreeningRecord.from_row(dict(zip(rows[0], row))), ON)
        except ValidationFailed as problem:
            expected.append(("invalid", "", str(problem)))
            continue
        expected.append((decision.decision, decision.entry_id, decision.reason))
    assert screened == expected


def test_a_worker_that_dies_stops_the_run_and_leaves_no_output(tmp_path, index, monkeypatch) -> None:
    def die() -> None:
        os._exit(9)  # as if killed for lack of memory

    records = _records_with_a_fault_halfway(tmp_path, monkeypatch, die)
    with pytest.raises(KeepwordError, match="worker process died"):
        screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=2)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["RECORDS.csv"]


@pytest.mark.parametrize("chunk_chars", [1, 5, 64, 1 << 15])
def test_results_are_written_as_the_csv_writer_writes_them(tmp_path, index, monkeypatch, chunk_chars) -> None:
    """Rows are read and written a batch at a time, cut anywhere: quoted commas, quotes and
    line breaks, CRLF and LF line ends, blank lines and short rows come out as row by row."""
    rows = generated_records(400, odd_quoting=True, seed=3)
    records = tmp_path / "RECORDS.csv"
    with open(records, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n" if chunk_chars == 5 else "\r\n")
        writer.writerows(rows[:200])
        out.write("\n\r\n")  # blank lines: no row
        writer.writerows(rows[200:])
    monkeypatch.setattr(record_batches, "CHUNK_CHARS", chunk_chars)
    screen_file(index, records, tmp_path / "RESULTS.csv", on=ON, jobs=1)
    expected = io.StringIO(newline="")
    writer = csv.writer(expected)
    writer.writerow(bulk.RESULT_COLUMNS)
    for row in rows[1:]:
        fields = dict(zip(rows[0], row))
        try:
            decision = check(index, ScreeningRecord.from_row(fields), ON)
        except ValidationFailed as problem:
            writer.writerow([fields.get("record_id", ""), "invalid", "", "0.0", str(problem)])
            continue
        score = "100.0" if decision.score == 100.0 else f"{decision.score:.1f}"
        writer.writerow([fields.get("record_id", ""), decision.decision, decision.entry_id, score, decision.reason])
    assert (tmp_path / "RESULTS.csv").read_bytes() == expected.getvalue().encode()
