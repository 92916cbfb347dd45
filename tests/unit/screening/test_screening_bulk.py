"""Screening whole files, end to end on temporary files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from screening_fixtures import HUAXIN_CODE, LEGAL_REP_ID, NAMESAKE_ID, ON, ZHANG_SAN_ID

from keepword.domain.errors import NotFound
from keepword.screening import IndexHolder, ScreeningIndex, run_screen, screen_file
from keepword.screening.bulk import RESULT_COLUMNS

REGISTRY = [
    ["entry_id", "kind", "name", "id_number", "birth_date", "legal_representative"],
    ["E1", "person", "张三", ZHANG_SAN_ID, "1980-05-17", ""],
    ["E3", "organization", "北京华信科技有限责任公司", HUAXIN_CODE, "", LEGAL_REP_ID],
]
RECORDS = [
    ["record_id", "kind", "name", "id_number", "birth_date"],
    ["r1", "person", "ZHANG San", ZHANG_SAN_ID, ""],
    ["r2", "", "張三", "", "1980-05-17"],
    ["r3", "", "张三", "", "1981-01-01"],
    ["r4", "", "张三", "", ""],
    ["r5", "person", "张三", ZHANG_SAN_ID[:16], ""],
    ["r6", "person", "李四", NAMESAKE_ID, "1980-05-17"],
    ["r7", "organization", "北京华信科技有限公司", "", ""],
    ["r8", "", "某人", LEGAL_REP_ID, ""],
    ["r9", "", "张三", "", "not a date"],
    ["r10", "", "", "", ""],
]
EXPECTED = {"r1": "match", "r2": "review", "r3": "no_match", "r4": "no_match", "r5": "invalid", "r6": "no_match",
            "r7": "review", "r8": "match", "r9": "invalid", "r10": "invalid"}


def write_csv(path: Path, rows: list[list[str]], bom: bool = False) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def read_results(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as results:
        reader = csv.DictReader(results)
        assert tuple(reader.fieldnames or ()) == RESULT_COLUMNS
        return {row["record_id"]: row for row in reader}


def test_screen_file_end_to_end(tmp_path: Path) -> None:
    registry = write_csv(tmp_path / "REGISTRY.csv", REGISTRY)
    records = write_csv(tmp_path / "RECORDS.csv", RECORDS, bom=True)
    calls: list[tuple[int, int, int]] = []
    summary = screen_file(registry, records, tmp_path / "RESULTS.csv", progress=lambda *a: calls.append(a), on=ON)
    results = read_results(tmp_path / "RESULTS.csv")
    assert {rid: row["decision"] for rid, row in results.items()} == EXPECTED
    assert results["r1"]["entry_id"] == "E1" and results["r1"]["score"] == "100.0"
    assert results["r8"]["entry_id"] == "E3"
    assert all(row["reason"] for row in results.values())
    assert summary.records == len(RECORDS) - 1 and summary.decisions["match"] == 2
    assert calls[-1][0] == summary.records and calls[-1][1] == calls[-1][2]


def test_screen_file_with_a_built_index(tmp_path: Path) -> None:
    index = ScreeningIndex.from_csv(write_csv(tmp_path / "REGISTRY.csv", REGISTRY))
    records = write_csv(tmp_path / "RECORDS.csv", RECORDS[:2])
    screen_file(index, records, tmp_path / "RESULTS.csv", on=ON)
    assert read_results(tmp_path / "RESULTS.csv")["r1"]["decision"] == "match"


def test_run_screen_with_the_live_index(tmp_path: Path) -> None:
    records = write_csv(tmp_path / "RECORDS.csv", RECORDS[:2])
    with pytest.raises(NotFound):
        run_screen(None, records, tmp_path / "RESULTS.csv", progress=False, holder=IndexHolder())
    holder = IndexHolder()
    holder.swap(ScreeningIndex.from_csv(write_csv(tmp_path / "REGISTRY.csv", REGISTRY)))
    summary = run_screen(None, records, tmp_path / "RESULTS.csv", progress=False, holder=holder)
    assert summary.decisions["match"] == 1


def test_run_screen_with_a_registry_file_and_progress_bar(tmp_path: Path) -> None:
    registry = write_csv(tmp_path / "REGISTRY.csv", REGISTRY)
    records = write_csv(tmp_path / "RECORDS.csv", RECORDS)
    summary = run_screen(registry, records, tmp_path / "RESULTS.csv", progress=True)
    assert summary.records == len(RECORDS) - 1
