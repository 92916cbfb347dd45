"""The series a chart of enforcement statistics shows, independent of how it is drawn (terminal, web)."""

from __future__ import annotations

OUTCOME_LABELS = {
    "open": "open", "fulfilled": "fulfilled", "settled": "settled", "fruitless": "fruitless",
    "suspended": "suspended", "terminated": "terminated", "not_enforced": "not enforced",
}
STATE_LABELS = {
    "proposed": "proposed", "rejected": "rejected", "decided": "decided", "served": "served (grace)",
    "published": "published", "deleted": "deleted", "revoked": "revoked",
}


def outcome_series(stats: dict) -> list[tuple[str, int]]:
    """Cases by where enforcement stands: open first, then each outcome."""
    counts = {"open": stats["open"], **stats["closed_by_outcome"]}
    return [(OUTCOME_LABELS.get(key, key), counts.get(key, 0)) for key in OUTCOME_LABELS]


def listing_series(stats: dict) -> list[tuple[str, int]]:
    """Listings by state, in the order of the procedure."""
    return [(STATE_LABELS[key], stats["listings_by_state"].get(key, 0)) for key in STATE_LABELS]


def court_rate_series(rows: list[dict], limit: int = 15) -> list[tuple[str, float]]:
    """Enforcement rate of the busiest courts."""
    return [(row["court_name"] or row["court_id"], row["enforcement_rate"] or 0.0) for row in rows[:limit]]
