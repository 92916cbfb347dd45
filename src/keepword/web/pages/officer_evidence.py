"""An officer reviews a debtor's proof of payment: accept (the payment is recorded) or say why not.

The review is one more action (form, confirmation, step, what followed), built for the one proof.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from keepword.domain.errors import KeepwordError, NotFound
from keepword.domain.money import Money
from keepword.services import evidence as evidence_services
from keepword.services.access import CLERK, OFFICER, Principal
from keepword.web.i18n import N_
from keepword.web.pages.access import gate, viewer
from keepword.web.pages.actions import Action, Field, _date, _done, _money, _one
from keepword.web.pages.officer import load_case, not_found
from keepword.web.pages.officer_actions import add_action_routes, case_target
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()
REVIEWERS = (CLERK, OFFICER)


def review_action(p: Portal, evidence) -> Action:
    def fields(case, _, today):
        amount = min(evidence.amount.amount, case.outstanding.amount)
        return [Field("decision", _("Decision"), "select",
                      [("accept", _("Accept: record the payment")), ("reject", _("Do not accept"))]),
                Field("amount", _("Amount to record"), value=f"{amount:.2f}",
                      hint=_("The debtor says %(amount)s; outstanding %(outstanding)s.",
                             amount=_money(evidence.amount), outstanding=_money(case.outstanding))),
                Field("paid_on", _("Paid on"), "date", value=evidence.paid_on.isoformat()),
                Field("note", _("Note (the debtor reads it if you do not accept)"), "textarea")]

    def parse(case, form, _):
        errors: dict[str, str] = {}
        decision = _one(form, "decision")
        if decision not in ("accept", "reject"):
            errors["decision"] = _("Choose one of the options.")
        values = {"decision": decision, "note": _one(form, "note"), "amount": None, "paid_on": None}
        if decision == "accept":
            try:
                money = Money.parse(_one(form, "amount"), case.obligation.currency)
                if not money.is_positive() or money.amount > case.outstanding.amount:
                    errors["amount"] = _("Between 0.01 and the outstanding %(amount)s.", amount=_money(case.outstanding))
                values["amount"] = money.as_string()
            except KeepwordError:
                errors["amount"] = _("Enter an amount such as 1234.50.")
            values["paid_on"] = _date(form, "paid_on", errors, _)
        elif decision == "reject" and not values["note"]:
            errors["note"] = _("Say why the proof is not accepted.")
        return _done(errors, values)

    def describe(case, v, policy, today, _):
        if v["decision"] == "reject":
            return [_("Mark the proof %(reference)s as not accepted; the debtor reads your note.",
                      reference=evidence.reference)]
        after = case.outstanding.amount - Money.parse(v["amount"]).amount
        lines = [_("Record a payment of %(amount)s %(currency)s paid on %(day)s, from the proof %(reference)s.",
                   amount=v["amount"], currency=case.obligation.currency, day=v["paid_on"].isoformat(),
                   reference=evidence.reference)]
        if after == 0:
            lines.append(_("The obligation is then fully performed: the case closes as fulfilled."))
            if any(l.in_force for l in case.listings):
                lines.append(_("Every listing of this case is deleted, and every partner is told."))
        return lines

    def perform_review(portal_, case, v, principal):
        if v["decision"] == "reject":
            evidence_services.reject_evidence(p.ctx, p.evidence_for, evidence.id, by=principal.actor, note=v["note"])
        else:
            evidence_services.accept_evidence(p.ctx, p.evidence_for, evidence.id, amount=v["amount"],
                                              paid_on=v["paid_on"], by=principal.actor, note=v["note"])

    return Action("evidence", N_("Review a proof of payment"), REVIEWERS, lambda case: True, fields, parse, describe,
                  perform_review)


def _load(p: Portal, me: Principal, evidence_id: str):
    with p.read() as uow:
        evidence = p.evidence_for(uow).get(evidence_id)
    case, court = load_case(p, me, evidence.case_id)
    return evidence, case, court


async def _prepare(request, p, me, evidence_id):
    if (denied := gate(request, me, *REVIEWERS)) is not None:
        return denied, None
    try:
        evidence, case, court = await run_in_threadpool(_load, p, me, evidence_id)
    except NotFound:
        return not_found(request), None
    return None, case_target(case, court, review_action(p, evidence), f"/officer/evidence/{evidence_id}/review")


@router.get("/officer/evidence/{evidence_id}/file", include_in_schema=False)
def evidence_file(evidence_id: str, request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, *REVIEWERS)) is not None:
        return denied
    try:
        evidence, _case, _court = _load(p, me, evidence_id)
    except NotFound:
        return not_found(request)
    if not evidence.content:
        return not_found(request)
    return Response(evidence.content, media_type=evidence.content_type or "application/octet-stream",
                    headers={"Content-Disposition": "attachment", "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})


add_action_routes(router, "/officer/evidence/{evidence_id}/review", _prepare)
