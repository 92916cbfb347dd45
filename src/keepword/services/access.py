"""Who is acting: a principal with roles, bound to a court (staff), a partner or a party (debtor)."""

from __future__ import annotations

from dataclasses import dataclass, field

CLERK = "clerk"                      # registers cases and payments
OFFICER = "officer"                  # enforcement officer: proposes listings, records service, orders measures
JUDGE = "judge"                      # judge / court president: decides and signs
SUPERVISOR = "supervisor"            # reads statistics for the courts under them
AUDITOR = "auditor"                  # reads the audit log
PARTNER = "partner"                  # a partner system through an API key with scopes
DEBTOR = "debtor"                    # their own record only
PUBLIC = "public"                    # published fields only
ADMIN = "admin"                      # manages accounts and partners

STAFF_ROLES = frozenset({CLERK, OFFICER, JUDGE, SUPERVISOR, AUDITOR, ADMIN})
ROLES = (CLERK, OFFICER, JUDGE, SUPERVISOR, AUDITOR, PARTNER, DEBTOR, PUBLIC, ADMIN)


@dataclass(frozen=True)
class Principal:
    """The authenticated actor of a request or command; its ``actor`` string goes into every record."""

    id: str
    name: str
    roles: frozenset[str]
    court_id: str | None = None          # staff: the court they belong to
    court_ids: frozenset[str] = field(default_factory=frozenset)  # staff: their court's subtree (supervisors)
    partner_id: str | None = None
    partner_type: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    party_id: str | None = None          # debtor: their own party
    case_id: str | None = None           # debtor: the case they signed in with

    @property
    def actor(self) -> str:
        kind = "partner" if self.partner_id else "debtor" if self.party_id else "user"
        return f"{kind}:{self.id}"

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def may_see_court(self, court_id: str) -> bool:
        return court_id == self.court_id or court_id in self.court_ids


ANONYMOUS = Principal(id="anonymous", name="anonymous", roles=frozenset({PUBLIC}))
