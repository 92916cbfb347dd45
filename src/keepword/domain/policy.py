"""Jurisdiction policies: the rules of listing as data, validated when loaded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from keepword.domain.calendar import WorkingDayCalendar, load_calendar
from keepword.domain.errors import PolicyInvalid

DELETION_CONDITIONS = (
    "full_performance",
    "settlement_performed",
    "creditor_request",
    "fruitless_after_searches",
    "suspended",
    "not_enforced",
    "terminated",
    "term_expired",
)


@dataclass(frozen=True)
class Ground:
    number: int
    key: str
    title: str
    fixed_term: bool
    bars: tuple[str, ...] = ()
    extension_allowed: bool = False


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    calendar_name: str
    timezone: str
    currency: str
    in_force_from: date
    minimum_age: int
    warning_required: bool
    decision_signer_roles: tuple[str, ...]
    default_term_months: int
    extension_min_months: int
    extension_max_months: int
    grace_max_months: int
    relisting_block_months: int
    grounds: dict[int, Ground]
    deletion_working_days: int
    revocation_working_days: int
    correction_working_days: int
    objection_review_days: int
    appeal_days: int
    appeal_decision_days: int
    minimum_asset_searches: int
    deletion_conditions: dict[str, str]
    published_person_fields: tuple[str, ...]
    published_organization_fields: tuple[str, ...]
    mask_check_character: bool
    restriction_categories: tuple[str, ...]
    restrict_every_listed_debtor: bool
    one_off_reasons: tuple[str, ...]
    lift_reasons: tuple[str, ...]
    deleted_listing_retention_years: int
    closed_case_retention_years: int

    @property
    def calendar(self) -> WorkingDayCalendar:
        return load_calendar(self.calendar_name)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ground(self, number: int) -> Ground:
        try:
            return self.grounds[number]
        except KeyError:
            raise PolicyInvalid(f"grounds: {number} is not a listing ground of {self.id}", field="grounds") from None


def _need(table: dict, key: str, kind: type | tuple[type, ...], where: str):
    if key not in table:
        raise PolicyInvalid(f"{where}.{key}: missing", field=f"{where}.{key}")
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PolicyInvalid(f"{where}.{key}: expected {getattr(kind, '__name__', kind)}, got {value!r}", field=f"{where}.{key}")
    return value


def _non_negative(table: dict, key: str, where: str) -> int:
    value = _need(table, key, int, where)
    if value < 0:
        raise PolicyInvalid(f"{where}.{key}: must not be negative", field=f"{where}.{key}")
    return value


def _optional_non_negative(table: dict, key: str, default: int, where: str) -> int:
    return _non_negative(table, key, where) if key in table else default


def parse_policy(data: dict) -> Policy:
    """Build a Policy from parsed TOML, naming the first field that is wrong."""
    listing = _need(data, "listing", dict, "policy")
    deadlines = _need(data, "deadlines", dict, "policy")
    publication = _need(data, "publication", dict, "policy")
    restrictions = _need(data, "restrictions", dict, "policy")
    retention = data.get("retention", {})
    if not isinstance(retention, dict):
        raise PolicyInvalid(f"policy.retention: expected table, got {retention!r}", field="policy.retention")
    tz = _need(data, "timezone", str, "policy")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyInvalid(f"policy.timezone: unknown time zone {tz!r}", field="policy.timezone") from None
    calendar_name = _need(data, "calendar", str, "policy")
    try:
        load_calendar(calendar_name)
    except Exception as exc:  # the calendar's own error names the problem
        raise PolicyInvalid(f"policy.calendar: {exc}", field="policy.calendar") from None
    grounds: dict[int, Ground] = {}
    for i, raw in enumerate(_need(data, "grounds", list, "policy")):
        where = f"grounds[{i}]"
        if not isinstance(raw, dict):
            raise PolicyInvalid(f"{where}: expected a table, got {raw!r}", field=where)
        number = _need(raw, "number", int, where)
        if number in grounds:
            raise PolicyInvalid(f"{where}.number: ground {number} defined twice", field=f"{where}.number")
        grounds[number] = Ground(
            number=number,
            key=_need(raw, "key", str, where),
            title=_need(raw, "title", str, where),
            fixed_term=_need(raw, "fixed_term", bool, where),
            bars=tuple(raw.get("bars", ())),
            extension_allowed=bool(raw.get("extension_allowed", False)),
        )
    if not grounds:
        raise PolicyInvalid("grounds: at least one listing ground is needed", field="grounds")
    conditions = _need(data, "deletion_conditions", dict, "policy")
    unknown = set(conditions) - set(DELETION_CONDITIONS)
    if unknown:
        raise PolicyInvalid(f"deletion_conditions: unknown condition(s) {sorted(unknown)}", field="deletion_conditions")
    ext_min = _non_negative(listing, "extension_min_months", "listing")
    ext_max = _non_negative(listing, "extension_max_months", "listing")
    if ext_min > ext_max:
        raise PolicyInvalid("listing.extension_min_months: greater than extension_max_months", field="listing.extension_min_months")
    in_force = data.get("in_force_from", date(1970, 1, 1))
    if not isinstance(in_force, date):
        raise PolicyInvalid("policy.in_force_from: expected a date", field="policy.in_force_from")
    return Policy(
        id=_need(data, "id", str, "policy"),
        name=_need(data, "name", str, "policy"),
        calendar_name=calendar_name,
        timezone=tz,
        currency=_need(data, "currency", str, "policy"),
        in_force_from=in_force,
        minimum_age=_non_negative(listing, "minimum_age", "listing"),
        warning_required=_need(listing, "warning_required", bool, "listing"),
        decision_signer_roles=tuple(_need(listing, "decision_signer_roles", list, "listing")),
        default_term_months=_non_negative(listing, "default_term_months", "listing"),
        extension_min_months=ext_min,
        extension_max_months=ext_max,
        grace_max_months=_non_negative(listing, "grace_max_months", "listing"),
        relisting_block_months=_non_negative(listing, "relisting_block_months", "listing"),
        grounds=grounds,
        deletion_working_days=_non_negative(deadlines, "deletion_working_days", "deadlines"),
        revocation_working_days=_non_negative(deadlines, "revocation_working_days", "deadlines"),
        correction_working_days=_non_negative(deadlines, "correction_working_days", "deadlines"),
        objection_review_days=_non_negative(deadlines, "objection_review_days", "deadlines"),
        appeal_days=_non_negative(deadlines, "appeal_days", "deadlines"),
        appeal_decision_days=_non_negative(deadlines, "appeal_decision_days", "deadlines"),
        minimum_asset_searches=_non_negative(deadlines, "minimum_asset_searches", "deadlines"),
        deletion_conditions=dict(conditions),
        published_person_fields=tuple(_need(publication, "person", list, "publication")),
        published_organization_fields=tuple(_need(publication, "organization", list, "publication")),
        mask_check_character=bool(publication.get("mask_check_character", True)),
        restriction_categories=tuple(_need(restrictions, "categories", list, "restrictions")),
        restrict_every_listed_debtor=bool(restrictions.get("restrict_every_listed_debtor", False)),
        one_off_reasons=tuple(restrictions.get("one_off_reasons", ())),
        lift_reasons=tuple(restrictions.get("lift_reasons", ())),
        deleted_listing_retention_years=_optional_non_negative(retention, "deleted_listing_years", 5, "retention"),
        closed_case_retention_years=_optional_non_negative(retention, "closed_case_years", 10, "retention"),
    )


def load_policy_file(path: Path) -> Policy:
    """Load and validate a policy file; errors name the file and the field."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_policy(data)
    except PolicyInvalid as exc:
        raise PolicyInvalid(f"{Path(path).name}: {exc.message}", **exc.details) from None


@lru_cache(maxsize=16)
def load_policy(policy_id: str = "cn-spc") -> Policy:
    """A bundled policy by id (cn-spc, de-zpo, gb-ewrjof) or a path to a policy file."""
    candidate = Path(policy_id)
    if candidate.suffix == ".toml" and candidate.exists():
        return load_policy_file(candidate)
    bundled = resources.files("keepword.policies").joinpath(f"{policy_id}.toml")
    if not bundled.is_file():
        raise PolicyInvalid(f"policy: no policy named {policy_id!r}", field="policy")
    with resources.as_file(bundled) as path:
        return load_policy_file(path)
