"""A judge of the listing court decides a debtor's objection: one more officer action.

Only objections awaiting their first decision: an appeal against a dismissal goes to a judge of a
higher court (keepword.web.pages.appeals), never back to the court that dismissed it.
"""

from __future__ import annotations

from keepword.services import listings as listing_services
from keepword.services.access import JUDGE
from keepword.web.i18n import N_
from keepword.web.pages import labels as L
from keepword.web.pages.actions import Action, Field, _choice, _done, _one


def awaiting_decision(case) -> list[tuple[object, object]]:
    """(listing, objection) for each objection of the case the listing court has not decided yet."""
    return [(listing, o) for listing in case.listings for o in listing.objections if o.decided_on is None]


def upheld_consequence(kind: str, _) -> str:
    """What upholding an objection of ``kind`` does to the listing in force."""
    consequence = {"should_not_be_listed": _("The listing is revoked and every partner is told."),
                   "wrong_details": _("The details are corrected and every partner is told."),
                   "should_be_deleted": _("The listing is deleted and every partner is told.")}
    return consequence.get(kind, "")


def _fields(case, _, today):
    names = {p.party.id: p.party.name for p in case.debtors}
    options = [(o.id, f"{names.get(listing.debtor_id, '')}: {L.label(L.OBJECTION_KINDS, o.kind, _)} "
                      f"({o.review_due})") for listing, o in awaiting_decision(case)]
    return [Field("objection_id", _("Objection"), "select", options),
            Field("upheld", _("Decision"), "select", [("no", _("Dismiss the objection")),
                                                       ("yes", _("Uphold the objection"))]),
            Field("note", _("Reasons"), "textarea"),
            Field("correction", _("Correction of the details (if they were wrong)"), "textarea")]


def _parse(case, form, _):
    errors: dict[str, str] = {}
    objection_id = _choice(form, "objection_id", {o.id for _l, o in awaiting_decision(case)}, errors, _)
    upheld = _choice(form, "upheld", {"yes", "no"}, errors, _)
    note = _one(form, "note")
    if not note:
        errors["note"] = _("A decision gives its reasons.")
    return _done(errors, {"objection_id": objection_id, "upheld": upheld == "yes", "note": note,
                          "correction": _one(form, "correction")})


def _find(case, objection_id):
    return next((listing, o) for listing, o in awaiting_decision(case) if o.id == objection_id)


def _describe(case, v, policy, today, _):
    listing, objection = _find(case, v["objection_id"])
    name = case.debtor(listing.debtor_id).party.name
    if not v["upheld"]:
        return [_("Dismiss the objection of %(name)s, with your reasons.", name=name),
                _("The debtor may appeal to the higher court within %(days)s days.", days=policy.appeal_days)]
    lines = [_("Uphold the objection of %(name)s.", name=name), upheld_consequence(objection.kind, _)]
    return [line for line in lines if line]


def _perform(portal, case, v, principal):
    listing, objection = _find(case, v["objection_id"])
    listing_services.decide_objection(portal.ctx, listing.id, objection.id, upheld=v["upheld"], note=v["note"],
                                      by=principal.actor, correction=v["correction"])


DECIDE_OBJECTION = Action("objection", N_("Decide an objection"), (JUDGE,), lambda case: bool(awaiting_decision(case)),
                          _fields, _parse, _describe, _perform)
