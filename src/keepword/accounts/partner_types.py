"""Partner types and the scopes each may hold."""

from __future__ import annotations

from keepword.domain.errors import ValidationFailed

CHECK = "check"                    # ask whether a person or organisation is listed or restricted
LISTINGS_READ = "listings:read"    # read the published list
FEED_READ = "feed:read"            # follow the event feed (listings, deletions)
RINGBACK_READ = "ringback:read"    # carriers: ringback orders for debtors' numbers

PARTNER_SCOPES: dict[str, tuple[str, ...]] = {
    "credit_bureau": (CHECK, LISTINGS_READ, FEED_READ),   # must record the list (RULES.md §1 rule 8)
    "transport": (CHECK, LISTINGS_READ, FEED_READ),        # airlines, railways: restriction checks and feed
    "hotel": (CHECK, FEED_READ),
    "carrier": (LISTINGS_READ, FEED_READ, RINGBACK_READ),
    "bank": (CHECK, LISTINGS_READ, FEED_READ),
    "government": (CHECK, LISTINGS_READ, FEED_READ),
}


def scopes_for(partner_type: str, requested: list[str] | None = None) -> list[str]:
    """The scopes a new partner gets: all its type allows, or the requested subset of them."""
    if partner_type not in PARTNER_SCOPES:
        raise ValidationFailed("type", f"must be one of {', '.join(PARTNER_SCOPES)}")
    allowed = PARTNER_SCOPES[partner_type]
    if not requested:
        return list(allowed)
    extra = [s for s in requested if s not in allowed]
    if extra:
        raise ValidationFailed("scopes", f"a {partner_type} partner may hold only {', '.join(allowed)}; "
                                         f"not {', '.join(extra)}")
    return sorted(set(requested))
