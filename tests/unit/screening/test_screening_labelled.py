"""The labelled set (tests/data/screening/labelled.csv, from bench/screening/make_labelled.py).

Each pair is checked against an index holding only its registry entry. The recall floors sit a
little under what was measured (bench/results/screening_names.json) so that a regression, not
noise, fails them.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from keepword.screening import RegistryEntry, ScreeningIndex, ScreeningRecord, check

LABELLED = Path(__file__).resolve().parents[2] / "data" / "screening" / "labelled.csv"
ON = date(2025, 6, 30)
#: Measured 1.0 for every family except the misspelt names (0.75).
RECALL_FLOOR = {"pinyin_typo": 0.7}
DEFAULT_RECALL_FLOOR = 0.97


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[dict[str, str], str]]:
    with open(LABELLED, newline="", encoding="utf-8") as labelled:
        rows = list(csv.DictReader(labelled))
    assert len(rows) >= 300
    results = []
    for row in rows:
        bound = (("legal_representative", row["registry_bound_id"]),) if row["registry_bound_id"] else ()
        entry = RegistryEntry(f"R{row['pair_id']}", row["kind"], row["registry_name"], row["registry_id"],
                              _date(row["registry_birth"]), bound_persons=bound)
        record = ScreeningRecord(row["pair_id"], row["record_kind"], row["record_name"], row["record_id"],
                                 _date(row["record_birth"]))
        results.append((row, check(ScreeningIndex.build([entry]), record, on=ON).decision))
    return results


def test_never_a_match_on_a_name_alone(outcomes) -> None:
    wrong = [row["pair_id"] for row, decision in outcomes if decision == "match" and not row["record_id"]]
    assert wrong == []


def test_never_a_review_of_a_person_without_birth_date_or_identifier(outcomes) -> None:
    wrong = [row["pair_id"] for row, decision in outcomes
             if decision == "review" and not row["record_birth"] and not row["record_id"] and row["kind"] == "person"]
    assert wrong == []


def test_no_false_positive_decisions(outcomes) -> None:
    wrong = [(row["family"], row["pair_id"], decision) for row, decision in outcomes
             if decision in ("match", "review") and row["expected_decision"] not in ("match", "review")]
    assert wrong == []


def test_no_match_where_a_review_is_expected_and_the_reverse(outcomes) -> None:
    swapped = [row["pair_id"] for row, decision in outcomes
               if {decision, row["expected_decision"]} == {"match", "review"}]
    assert swapped == []


def test_recall_per_family(outcomes) -> None:
    found: dict[str, list[bool]] = defaultdict(list)
    for row, decision in outcomes:
        if row["expected_decision"] != "no_match":
            found[row["family"]].append(decision == row["expected_decision"])
    recall = {family: sum(hits) / len(hits) for family, hits in found.items()}
    below = {f: r for f, r in recall.items() if r < RECALL_FLOOR.get(f, DEFAULT_RECALL_FLOOR)}
    assert below == {}
