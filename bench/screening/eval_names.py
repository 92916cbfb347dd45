"""Precision and recall of name matching and of decisions, per family of the labelled set.

Every pair is checked against an index holding only its own registry entry. Two levels:

* **name**: does the name comparison call the two names the same (persons: similarity at
  or above the threshold; organisations: equal after normalisation)? Compared with
  ``expected_same_name``.
* **decision**: ``check()`` against ``expected_decision``; a positive is match or review.

Also asserts the safety rules: never ``match`` without an identifier, never ``review`` of a
person without a birth date. Writes bench/results/screening_names.json.

    python bench/screening/eval_names.py [--labelled tests/data/screening/labelled.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from keepword.screening import NAME_MATCH_THRESHOLD, RegistryEntry, ScreeningIndex, ScreeningRecord, check
from keepword.screening.names import normalize_org_name, person_name_keys, person_name_score

ROOT = Path(__file__).resolve().parents[2]
ON = date(2025, 6, 30)
SWEEP = (78, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 92, 94, 96, 98, 100)


def load(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as labelled:
        return list(csv.DictReader(labelled))


def name_score(row: dict[str, str]) -> float:
    if row["kind"] == "organization":
        if row["record_kind"] != "organization":
            return 0.0  # a person's name against a company's: nothing to compare
        return 100.0 if normalize_org_name(row["registry_name"]) == normalize_org_name(row["record_name"]) else 0.0
    return person_name_score(person_name_keys(row["registry_name"]), person_name_keys(row["record_name"]))


def decide(row: dict[str, str], threshold: float) -> str:
    bound = (("legal_representative", row["registry_bound_id"]),) if row["registry_bound_id"] else ()
    entry = RegistryEntry(entry_id=f"R{row['pair_id']}", kind=row["kind"], name=row["registry_name"],
                          identifier=row["registry_id"], birth_date=_date(row["registry_birth"]), bound_persons=bound)
    record = ScreeningRecord(record_id=row["pair_id"], kind=row["record_kind"], name=row["record_name"],
                             id_number=row["record_id"], birth_date=_date(row["record_birth"]))
    return check(ScreeningIndex.build([entry]), record, on=ON, threshold=threshold).decision


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def precision_recall(pairs: list[tuple[bool, bool]]) -> dict[str, float | int | None]:
    """``pairs`` of (expected, predicted) booleans -> counts, precision, recall."""
    tp = sum(e and p for e, p in pairs)
    fp = sum(p and not e for e, p in pairs)
    fn = sum(e and not p for e, p in pairs)
    tn = sum(not e and not p for e, p in pairs)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None}


def evaluate(rows: list[dict[str, str]], threshold: float = NAME_MATCH_THRESHOLD) -> dict:
    """Per-family name and decision metrics, a threshold sweep, and the safety counts."""
    by_family: dict[str, list[dict]] = defaultdict(list)
    violations: list[str] = []
    for row in rows:
        decision = decide(row, threshold)
        score = name_score(row) if row["record_name"] and row["registry_name"] else None
        if decision == "match" and not row["record_id"]:
            violations.append(f"pair {row['pair_id']}: match without an identifier")
        if decision == "review" and not row["record_birth"] and not row["record_id"] and row["kind"] == "person":
            violations.append(f"pair {row['pair_id']}: review of a person without a birth date")
        by_family[row["family"]].append({"row": row, "decision": decision, "score": score})
    families = {}
    for family, items in sorted(by_family.items()):
        named = [i for i in items if i["score"] is not None]
        families[family] = {
            "pairs": len(items),
            "name": precision_recall([(i["row"]["expected_same_name"] == "1", _same(i, threshold)) for i in named]),
            "decision": precision_recall([(i["row"]["expected_decision"] in ("match", "review"),
                                           i["decision"] in ("match", "review")) for i in items]),
            "decision_accuracy": round(sum(i["decision"] == i["row"]["expected_decision"] for i in items) / len(items), 4),
            "decisions": dict(Counter(i["decision"] for i in items)),
            "wrong": [f"{i['row']['pair_id']}: {i['row']['registry_name']} / {i['row']['record_name']} -> {i['decision']} "
                      f"(expected {i['row']['expected_decision']}, score {i['score']})"
                      for i in items if i["decision"] != i["row"]["expected_decision"]][:5],
        }
    person_named = [i for items in by_family.values() for i in items
                    if i["score"] is not None and i["row"]["kind"] == "person"]
    sweep = {str(t): precision_recall([(i["row"]["expected_same_name"] == "1", i["score"] >= t) for i in person_named])
             for t in SWEEP}
    all_items = [i for items in by_family.values() for i in items]
    return {
        "threshold": threshold,
        "pairs": len(rows),
        "overall_decision": precision_recall([(i["row"]["expected_decision"] in ("match", "review"),
                                               i["decision"] in ("match", "review")) for i in all_items]),
        "overall_decision_accuracy": round(sum(i["decision"] == i["row"]["expected_decision"] for i in all_items) / len(all_items), 4),
        "person_name_threshold_sweep": sweep,
        "families": families,
        "safety_violations": violations,
    }


def _same(item: dict, threshold: float) -> bool:
    return item["score"] >= (100.0 if item["row"]["kind"] == "organization" else threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=ROOT / "tests/data/screening/labelled.csv")
    parser.add_argument("--threshold", type=float, default=NAME_MATCH_THRESHOLD)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/screening_names.json")
    args = parser.parse_args()
    result = evaluate(load(args.labelled), args.threshold)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"{'family':28} {'n':>4} {'name P':>7} {'name R':>7} {'dec P':>7} {'dec R':>7} {'dec acc':>8}")
    for family, m in result["families"].items():
        print(f"{family:28} {m['pairs']:4} {_fmt(m['name']['precision'])} {_fmt(m['name']['recall'])} "
              f"{_fmt(m['decision']['precision'])} {_fmt(m['decision']['recall'])} {m['decision_accuracy']:8.3f}")
    print("sweep:", {t: (v["precision"], v["recall"]) for t, v in result["person_name_threshold_sweep"].items()})
    print(f"wrote {args.output}")
    assert not result["safety_violations"], result["safety_violations"]


def _fmt(value: float | None) -> str:
    return f"{value:7.3f}" if value is not None else "     - "


if __name__ == "__main__":
    main()
