"""A judge of a higher court decides the appeals against objections dismissed by the courts below
(RULES.md section 1 rule 11, Arts. 11-12: appeal within 10 days, decided within 15).

Never the court that dismissed the objection: a judge sees, and may decide, only appeals from cases
of courts strictly below their own (their court's subtree without the court itself), as the API's
``decide_appeal`` allows. Any other appeal is "not found", whether or not it exists.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from keepword.domain.errors import NotFound
from keepword.services import listings as listing_services
from keepword.services.access import JUDGE, Principal
from keepword.store import portal_queries as q
from keepword.web.i18n import N_
from keepword.web.pages import labels as L
from keepword.web.pages.access import gate, viewer
from keepword.web.pages.actions import Action, Field, _choice, _done, _one
from keepword.web.pages.actions_listing_changes import MAX_TEXT
from keepword.web.pages.actions_objections import upheld_consequence
from keepword.web.pages.officer import courts_below, today_of
from keepword.web.pages.officer_actions import Target, add_action_routes, done_page
from keepword.web.pages.rendering import format_day, gettext_for, render
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()

APPEALS = "/officer/appeals"
BACK = N_("Back to the appeals")


@router.get(APPEALS, include_in_schema=False)
def appeals(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    """The appeals pending from the courts below, the soonest deadline first; overdue ones marked."""
    if (denied := gate(request, me, JUDGE)) is not None:
        return denied
    below = courts_below(p, me)
    with p.session() as session:
        pending = q.pending_appeals(session, sorted(below)) if below else []
    return render(request, "officer/appeals.html", {"appeals": pending, "today": today_of(p),
                                                    "has_courts_below": bool(below),
                                                    "decision_days": p.ctx.policy.appeal_decision_days})


def _load(p: Portal, me: Principal, objection_id: str):
    """The case and court of an appeal a court below heard, and the (listing, objection) appealed."""
    below = courts_below(p, me)
    with p.session() as session:
        place = q.objection_case(session, objection_id)
    if place is None or place["court_id"] not in below:
        raise NotFound(f"appeal {objection_id} not found", objection_id=objection_id)
    with p.read() as uow:
        case = uow.cases.get(place["case_id"])
        court = uow.courts.find(case.court_id)
    listing = case.listing(place["listing_id"])
    return case, court, listing, listing.objection(objection_id)


def _not_found(request: Request):
    _ = gettext_for(request)
    return render(request, "error.html", {"title": _("Not found"),
                                          "message": _("No such appeal from the courts below yours.")},
                  status_code=404)


def _target(request: Request, p: Portal, case, court, listing, objection) -> Target:
    base = f"{APPEALS}/{objection.id}"
    return Target(case, court, decide_appeal_action(listing, objection), f"{base}/decide", done=f"{base}/done",
                  back=APPEALS, back_title=BACK, facts=_facts(request, p, case, court, listing, objection))


def _facts(request: Request, p: Portal, case, court, listing, objection) -> tuple[tuple[str, str], ...]:
    """What the judge decides on: whose listing, which court dismissed what, and by when."""
    _ = gettext_for(request)
    due = format_day(request, objection.appeal_due)
    if objection.appeal_due and today_of(p) > objection.appeal_due:
        due = _("%(day)s (overdue)", day=due)
    return ((_("Debtor"), case.debtor(listing.debtor_id).party.name),
            (_("Listing court"), court.name if court else case.court_id),
            (_("Objection"), f"{L.label(L.OBJECTION_KINDS, objection.kind, _)}: “{objection.statement}”"),
            (_("Reasons for the dismissal"), objection.decision_note or "—"),
            (_("Appeal filed on"), format_day(request, objection.appealed_on)),
            (_("Decide by"), due))


async def _prepare(request: Request, p: Portal, me: Principal, objection_id: str):
    if (denied := gate(request, me, JUDGE)) is not None:
        return denied, None
    try:
        case, court, listing, objection = await run_in_threadpool(_load, p, me, objection_id)
    except NotFound:
        return _not_found(request), None
    if objection.appealed_on is None or objection.appeal_decided_on is not None:
        return _not_found(request), None
    return None, _target(request, p, case, court, listing, objection)


@router.get(APPEALS + "/{objection_id}/done", include_in_schema=False)
def appeal_done(objection_id: str, request: Request, after: int = 0, p: Portal = Depends(portal),
                me: Principal = Depends(viewer)):
    """What followed the decision on the appeal (the events it wrote and the partners they reach)."""
    if (denied := gate(request, me, JUDGE)) is not None:
        return denied
    try:
        case, court, listing, objection = _load(p, me, objection_id)
    except NotFound:
        return _not_found(request)
    return done_page(request, p, _target(request, p, case, court, listing, objection), after)


# ---- the decision: one action, built for the appeal ----------------------------------------------
def decide_appeal_action(listing, objection) -> Action:
    def fields(case, _, today):
        out = [Field("decision", _("Decision on the appeal"), "select",
                     [("dismiss", _("Dismiss the appeal: the dismissal stands")),
                      ("uphold", _("Uphold the appeal: the objection is upheld"))]),
               Field("reason", _("Reasons (written into the case record)"), "textarea")]
        if objection.kind == "wrong_details":
            out.append(Field("correction", _("The corrected details, if you uphold the appeal"), "textarea",
                             hint=_("Left empty, the debtor's statement is sent as the correction.")))
        return out

    def parse(case, form, _):
        errors: dict[str, str] = {}
        decision = _choice(form, "decision", {"dismiss", "uphold"}, errors, _)
        reason = _one(form, "reason")
        if not reason:
            errors["reason"] = _("A decision gives its reasons.")
        correction = _one(form, "correction") if objection.kind == "wrong_details" else ""
        for name, text in (("reason", reason), ("correction", correction)):
            if len(text) > MAX_TEXT:
                errors[name] = _("At most %(count)s characters.", count=MAX_TEXT)
        return _done(errors, {"decision": decision, "reason": reason, "correction": correction})

    def describe(case, v, policy, today, _):
        name = case.debtor(listing.debtor_id).party.name
        if v["decision"] == "dismiss":
            lines = [_("Dismiss the appeal of %(name)s: the dismissal of the objection stands.", name=name),
                     _("The listing stays as it is.")]
        else:
            lines = [_("Uphold the appeal of %(name)s: the objection is upheld.", name=name)]
            if not listing.in_force:
                lines.append(_("The listing is no longer in force: nothing else changes."))
            else:
                lines.append(upheld_consequence(objection.kind, _))
                if objection.kind == "wrong_details":
                    lines.append(_("The corrected details: “%(correction)s”.",
                                   correction=v["correction"] or objection.statement))
        lines.append(_("Your reasons are written into the case record: “%(reason)s”.", reason=v["reason"]))
        if objection.appeal_due and today > objection.appeal_due:
            lines.append(_("The decision was due by %(day)s: it is overdue.", day=objection.appeal_due.isoformat()))
        return [line for line in lines if line]

    def perform(portal_, case, v, principal):
        listing_services.decide_appeal(portal_.ctx, listing.id, objection.id, upheld=v["decision"] == "uphold",
                                       by=principal.actor, correction=v["correction"], reason=v["reason"])

    return Action("appeal", N_("Decide an appeal"), (JUDGE,), lambda case: True, fields, parse, describe, perform)


add_action_routes(router, APPEALS + "/{objection_id}/decide", _prepare)

