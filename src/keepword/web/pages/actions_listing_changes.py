"""Changes a court makes to a listing in force: extend its fixed term, revoke it, correct its details.

Three more officer actions, with the roles the API gives them (keepword.web.access_rules): a judge
extends and revokes, an officer or a judge corrects. Each needs its reason in writing.
"""

from __future__ import annotations

from keepword.domain.dates import add_months
from keepword.services import listings as listing_services
from keepword.services.access import JUDGE, OFFICER
from keepword.web.i18n import N_
from keepword.web.pages.actions import Action, Field, _choice, _done, _listing_options, _listings, _one

#: The longest reason or correction accepted, as the API's (keepword.web.schemas.listings).
MAX_TEXT = 4000


def _written(form, name: str, errors: dict, missing: str, _) -> str:
    text = _one(form, name)
    if not text:
        errors[name] = missing
    elif len(text) > MAX_TEXT:
        errors[name] = _("At most %(count)s characters.", count=MAX_TEXT)
    return text


def _debtor_name(case, listing) -> str:
    return case.debtor(listing.debtor_id).party.name


# ---- extend the fixed term (judge) --------------------------------------------------------------
def _with_term(case) -> list:
    return [l for l in _listings(case, "published") if l.expires_on is not None]


def _extend_fields(case, _, today):
    names = {p.party.id: p.party.name for p in case.debtors}
    options = [(l.id, _("%(name)s: term ends %(day)s", name=names.get(l.debtor_id, ""), day=l.expires_on.isoformat()))
               for l in _with_term(case)]
    return [Field("listing_id", _("Listing"), "select", options),
            Field("months", _("Extend by (months)")),
            Field("reason", _("Reason (violence or threats, or several dishonest acts)"), "textarea")]


def _extend_parse(case, form, _):
    errors: dict[str, str] = {}
    listing = _choice(form, "listing_id", {l.id for l in _with_term(case)}, errors, _)
    raw = _one(form, "months")
    months = int(raw) if raw.isdecimal() and len(raw) <= 4 else None
    if not months:
        errors["months"] = _("Enter a whole number of months, such as 12.")
    reason = _written(form, "reason", errors, _("An extension needs a reason."), _)
    return _done(errors, {"listing_id": listing, "months": months, "reason": reason})


def _extend_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    months = v["months"]
    lines = [_("Extend the fixed term of the listing of %(name)s by %(months)s months: it then ends on %(new)s "
               "instead of %(old)s.", name=_debtor_name(case, listing), months=months,
               new=add_months(listing.expires_on, months).isoformat(), old=listing.expires_on.isoformat()),
             _("Credit bureaus, banks and government bodies are told the new end of the term.")]
    if not policy.extension_min_months <= months <= policy.extension_max_months:
        lines.append(_("Note: an extension is %(low)s to %(high)s months; this will be refused.",
                       low=policy.extension_min_months, high=policy.extension_max_months))
    if not (len(listing.grounds) > 1 or any(policy.ground(n).extension_allowed for n in listing.grounds)):
        lines.append(_("Note: only violence or threats, or several dishonest acts, allow an extension; "
                       "this will be refused."))
    return lines


def _extend_perform(portal, case, v, principal):
    listing_services.extend_term(portal.ctx, v["listing_id"], months=v["months"], reason=v["reason"],
                                 by=principal.actor)


# ---- revoke a wrongful listing (judge) ----------------------------------------------------------
_IN_FORCE = ("decided", "served", "published")


def _has_listing_in_force(case) -> bool:
    return any(l.in_force for l in case.listings)


def _in_force_listing_and(name: str, missing: str):
    """The parse of a form naming a listing in force and one written text, ``name`` (``missing`` says it is wanted)."""
    def parse(case, form, _):
        errors: dict[str, str] = {}
        listing = _choice(form, "listing_id", {l.id for l in case.listings if l.in_force}, errors, _)
        text = _written(form, name, errors, _(missing), _)
        return _done(errors, {"listing_id": listing, name: text})
    return parse


def _revoke_fields(case, _, today):
    return [Field("listing_id", _("Listing"), "select", _listing_options(case, _IN_FORCE, _)),
            Field("reason", _("Why the listing is wrong (written into the record)"), "textarea")]


def _revoke_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    lines = [_("Revoke the listing of %(name)s as wrongful.", name=_debtor_name(case, listing)),
             _("The entry is no longer public; every partner holding it is told."),
             _("The law requires a wrongful listing to be revoked within %(days)s working days.",
               days=policy.revocation_working_days)]
    if any(r.active and r.debtor_id == listing.debtor_id for r in case.restrictions):
        lines.append(_("The restriction of high consumption on this debtor stays: lift it as its own step if it "
                       "rested on this listing alone."))
    return lines


def _revoke_perform(portal, case, v, principal):
    listing_services.revoke_listing(portal.ctx, v["listing_id"], reason=v["reason"], by=principal.actor)


# ---- correct wrong details (officer, judge) -----------------------------------------------------
def _correct_fields(case, _, today):
    return [Field("listing_id", _("Listing"), "select", _listing_options(case, _IN_FORCE, _)),
            Field("correction", _("The corrected details"), "textarea",
                  hint=_("Partners receive this text as written: only the published details, never private data."))]


def _correct_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    return [_("Correct the details of the listing of %(name)s: “%(correction)s”.", name=_debtor_name(case, listing),
              correction=v["correction"]),
            _("The listing stays in force; credit bureaus, banks and government bodies receive the correction."),
            _("The law requires wrong details to be corrected within %(days)s working days.",
              days=policy.correction_working_days)]


def _correct_perform(portal, case, v, principal):
    listing_services.correct_listing(portal.ctx, v["listing_id"], correction=v["correction"], by=principal.actor)


EXTEND = Action("extend", N_("Extend the term"), (JUDGE,), lambda case: bool(_with_term(case)),
                _extend_fields, _extend_parse, _extend_describe, _extend_perform)
REVOKE = Action("revoke", N_("Revoke a wrongful listing"), (JUDGE,), _has_listing_in_force,
                _revoke_fields, _in_force_listing_and("reason", N_("A revocation needs a reason.")),
                _revoke_describe, _revoke_perform)
CORRECT = Action("correct", N_("Correct the details"), (OFFICER, JUDGE), _has_listing_in_force,
                 _correct_fields, _in_force_listing_and("correction", N_("Write the corrected details.")),
                 _correct_describe, _correct_perform)
LISTING_CHANGES = (EXTEND, REVOKE, CORRECT)
