"""Partner views: each partner type receives only the fields it needs, and only the events it acts on.

- credit bureau: the published fields of RULES.md §1 rule 6 (as the policy names them), by listing;
- bank, government body: the same plus the debtor's identifier (they must match their own records);
  government bodies also receive restrictions;
- transport and hotel operators: the identifier (and, for an organisation, the ID numbers of the
  persons the restriction binds), the restriction categories that concern them, and the dates;
- carrier: the phone numbers and the ringback announcement, preceded by the SMS warning.

A view is None when the event does not concern the partner type (an order whose categories a hotel
does not apply, a delisting of a debtor who never had a ringback): such an event is neither
delivered nor listed in the pull feed for that type.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from keepword.domain.events import RELIEF_EVENTS
from keepword.feeds.carrier import announcement_text, sms_warning_text
from keepword.feeds.refs import Refs

CREDIT_BUREAU, TRANSPORT, HOTEL, CARRIER, BANK, GOVERNMENT = (
    "credit_bureau", "transport", "hotel", "carrier", "bank", "government")
PARTNER_TYPES = (CREDIT_BUREAU, TRANSPORT, HOTEL, CARRIER, BANK, GOVERNMENT)
#: The partner scope that lets a partner follow the feed (keepword.accounts.partner_types.FEED_READ).
FEED_SCOPE = "feed:read"

LISTING_EVENTS = frozenset({"DebtorListed", "ListingDeleted", "ListingRevoked", "ListingCorrected",
                            "ListingTermExtended"})
RESTRICTION_EVENTS = frozenset({"RestrictionOrdered", "RestrictionExemptionGranted", "RestrictionLifted"})
RINGBACK_EVENTS = frozenset({"RingbackOrdered", "MeasureEnded", "ListingDeleted", "ListingRevoked"})

#: Event types each partner type can receive (its view may still decline a particular event).
RECEIVES: dict[str, frozenset[str]] = {
    CREDIT_BUREAU: LISTING_EVENTS,
    BANK: LISTING_EVENTS,
    GOVERNMENT: LISTING_EVENTS | RESTRICTION_EVENTS,
    TRANSPORT: RESTRICTION_EVENTS,
    HOTEL: RESTRICTION_EVENTS,
    CARRIER: RINGBACK_EVENTS,
}

#: Restriction categories (policy cn-spc) that transport and hotel operators enforce.
CATEGORIES_APPLIED: dict[str, frozenset[str]] = {
    TRANSPORT: frozenset({"air_and_berth", "high_speed_rail", "travel_holiday"}),
    HOTEL: frozenset({"star_hotel_nightclub_golf", "travel_holiday"}),
}


def follows_feed(scopes) -> bool:
    return FEED_SCOPE in (scopes or ())


def receives(partner_type: str, event_type: str) -> bool:
    return event_type in RECEIVES.get(partner_type, frozenset())


def relief_types(partner_type: str) -> frozenset[str]:
    """The relief events (delisting, revocation, lifted restriction) this type must acknowledge."""
    return RECEIVES.get(partner_type, frozenset()) & RELIEF_EVENTS


def subject_of(event) -> str:
    payload = event.payload or {}
    for key in ("listing_id", "restriction_id", "measure_id"):
        if payload.get(key):
            return payload[key]
    return event.case_id or event.event_id


def concerns(partner_type: str, event, ringbacks: dict[tuple[str, str], list[str]]) -> bool:
    """Whether the event concerns the partner type at all (decided without personal data, for fan-out)."""
    if not receives(partner_type, event.type):
        return False
    payload = event.payload or {}
    applied = CATEGORIES_APPLIED.get(partner_type)
    if event.type == "RestrictionOrdered" and applied is not None:
        return any(c in applied for c in payload.get("categories", ()))
    if event.type == "RestrictionExemptionGranted" and applied is not None:
        return payload.get("category") in applied
    if partner_type == CARRIER:
        if event.type == "MeasureEnded":
            return payload.get("kind") == "ringback_notice"
        if event.type in ("ListingDeleted", "ListingRevoked"):
            return bool(ringbacks.get((event.case_id, event.debtor_id)))
    return True


def view(partner_type: str, event, refs: Refs) -> dict | None:
    """The data a partner of ``partner_type`` receives for one outbox event, or None."""
    if not concerns(partner_type, event, refs.ringbacks):
        return None
    if partner_type in (CREDIT_BUREAU, BANK) or (partner_type == GOVERNMENT and event.type in LISTING_EVENTS):
        return _listing_view(event, refs, with_identifier=partner_type != CREDIT_BUREAU)
    if partner_type in (TRANSPORT, HOTEL, GOVERNMENT):
        return _restriction_view(event, refs, CATEGORIES_APPLIED.get(partner_type))
    if partner_type == CARRIER:
        return _carrier_view(event, refs)
    return None


def _identity(event, refs: Refs) -> dict:
    debtor = refs.debtors.get(event.debtor_id or "")
    if debtor is None:
        return {"identifier": None}
    identity = {"kind": debtor.kind, "identifier": debtor.identifier}
    if debtor.bound_identifiers:
        identity["bound_persons"] = [dict(b) for b in debtor.bound_identifiers]
    return identity


def _listing_view(event, refs: Refs, *, with_identifier: bool) -> dict:
    p = event.payload
    data: dict = {"listing_id": p["listing_id"]}
    if event.type == "DebtorListed":
        data.update(action="list", published=p.get("published", {}), published_on=p.get("published_on"),
                    expires_on=p.get("expires_on"))
    elif event.type == "ListingDeleted":
        data.update(action="delete", deleted_on=p.get("deleted_on"))
    elif event.type == "ListingRevoked":
        data.update(action="revoke", revoked_on=_local_day(event, refs))
    elif event.type == "ListingCorrected":
        data.update(action="correct", correction=p.get("correction"))
    elif event.type == "ListingTermExtended":
        data.update(action="extend", expires_on=p.get("expires_on"))
    if with_identifier:
        data.update(_identity(event, refs))
    return data


def _restriction_view(event, refs: Refs, applied: frozenset[str] | None) -> dict | None:
    p = event.payload
    data: dict = {"restriction_id": p["restriction_id"]}
    if event.type == "RestrictionOrdered":
        categories = [c for c in p.get("categories", []) if applied is None or c in applied]
        data.update(action="restrict", categories=categories, restricted_from=p.get("ordered_on"))
    elif event.type == "RestrictionExemptionGranted":
        # The reason (an illness, a funeral) is private: the operator needs the category and the dates.
        data.update(action="exempt", category=p.get("category"), valid_from=p.get("valid_from"),
                    valid_until=p.get("valid_until"))
    else:  # RestrictionLifted: every lift reaches every operator, whatever it enforced
        data.update(action="lift", lifted_on=p.get("lifted_on"))
    data.update(_identity(event, refs))
    return data


def _carrier_view(event, refs: Refs) -> dict | None:
    p = event.payload
    debtor = refs.debtors.get(event.debtor_id or "")
    phones = list(debtor.phones) if debtor else []
    court = refs.court_of(event.case_id)
    if event.type == "RingbackOrdered":
        name = debtor.name if debtor else ""
        deadline = date.fromisoformat(p["sms_warning_deadline"]) if p.get("sms_warning_deadline") else None
        return {"action": "start", "measure_id": p["measure_id"], "phones": phones,
                "sms_warning": {"text": sms_warning_text(court, name, deadline),
                                "deadline": p.get("sms_warning_deadline")},
                "announcement": announcement_text(court, name), "start_on": p.get("start_on")}
    if event.type == "MeasureEnded":
        return {"action": "stop", "measure_ids": [p["measure_id"]], "phones": phones,
                "stop_on": _local_day(event, refs)}
    # A delisting or revocation: the announcement says the person is listed, so it must stop.
    return {"action": "stop", "measure_ids": refs.ringbacks[(event.case_id, event.debtor_id)], "phones": phones,
            "listing_id": p.get("listing_id"),
            "stop_on": p.get("deleted_on") or _local_day(event, refs)}


def _local_day(event, refs: Refs) -> str:
    court = refs.court_of(event.case_id)
    zone = ZoneInfo(court.timezone if court else "Asia/Shanghai")
    return event.occurred_at.astimezone(zone).date().isoformat()
