"""The debtor appeals to the higher court against the dismissal of their objection (RULES.md section 1
rule 11: within 10 days of the dismissal, decided within 15 days; the listing stays in force meanwhile).

The page shows each dismissed objection with its time limit; a late appeal is refused with the day
the limit ended. Only the debtor's own objections, in the case they signed in with, can be appealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Form, Request

from keepword.domain.errors import DeadlinePassed, KeepwordError
from keepword.domain.listings import Listing, Objection
from keepword.services import listings as listing_services
from keepword.services.access import DEBTOR, Principal
from keepword.web.pages.access import gate, viewer
from keepword.web.pages.debtor import LOGIN
from keepword.web.pages.labels import ERRORS
from keepword.web.pages.rendering import format_day, gettext_for, render, see_other
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()


@dataclass(frozen=True)
class Appealable:
    """A dismissed objection of the debtor's, not yet appealed, and whether its time limit has passed."""

    listing: Listing
    objection: Objection
    late: bool


def appealable(p: Portal, me: Principal) -> tuple[date, list[Appealable]]:
    """Today, and the dismissed objections against the debtor's own listings in force that await an appeal."""
    today = p.ctx.clock.now().astimezone(p.ctx.policy.zone).date()
    with p.read() as uow:
        case = uow.cases.get(me.case_id)
    found = [Appealable(listing, o, o.appeal_until is not None and today > o.appeal_until)
             for listing in case.listings if listing.debtor_id == me.party_id and listing.in_force
             for o in listing.objections if o.decided_on is not None and not o.upheld and o.appealed_on is None]
    return today, found


def _page(request: Request, p: Portal, me: Principal, chosen: str = "", errors: dict | None = None,
          status_code: int = 200):
    today, items = appealable(p, me)
    return render(request, "debtor/appeal.html", {
        "items": items, "open": [i for i in items if not i.late], "today": today, "chosen": chosen,
        "errors": errors or {}, "decision_days": p.ctx.policy.appeal_decision_days}, status_code=status_code)


@router.get("/debtor/appeal", include_in_schema=False)
def appeal_form(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    return _page(request, p, me)


@router.post("/debtor/appeal", include_in_schema=False)
def appeal_submit(request: Request, objection_id: str = Form(""), p: Portal = Depends(portal),
                        me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    _ = gettext_for(request)
    _today, items = appealable(p, me)
    chosen = next((i for i in items if i.objection.id == objection_id), None)
    if chosen is None:
        errors = {"objection_id": _("Choose your dismissed objection.")}
    else:
        try:
            listing_services.appeal_objection(p.ctx, chosen.listing.id, objection_id, by=me.actor)
            return see_other("/debtor?done=appeal")
        except DeadlinePassed:
            errors = {"_": _("The time limit to appeal ended on %(day)s: a late appeal cannot be filed.",
                             day=format_day(request, chosen.objection.appeal_until))}
        except KeepwordError as exc:
            errors = {"_": f"{_(ERRORS.get(exc.code, ERRORS['validation_failed']))}: {exc.message}"}
    return _page(request, p, me, objection_id, errors, 422)
