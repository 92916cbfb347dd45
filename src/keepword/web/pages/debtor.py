"""Debtor self-service: sign in with case number, ID number and a one-time code; the own record, what ends
the listing, proof of payment, objections, and the deletion followed across partners.

The sign-in pages are public: they never echo the ID number typed in (the code is requested by an
htmx call that leaves the form as it is; without script the debtor types the number again).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from keepword.domain.errors import KeepwordError
from keepword.services import listings as listing_services
from keepword.services.access import DEBTOR, Principal
from keepword.services.evidence import MAX_FILE_BYTES, submit_evidence
from keepword.web.auth import end_session, start_session
from keepword.web.pages.access import gate, viewer
from keepword.web.pages.debtor_record import debtor_record
from keepword.web.pages.labels import ERRORS, OBJECTION_KINDS
from keepword.web.pages.rendering import gettext_for, render, see_other
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()
LOGIN = "/debtor/sign-in"


def _sign_in_page(request, form=None, errors=None, sent=False, status_code=200):
    return render(request, "debtor/sign_in.html", {"form": form or {}, "errors": errors or {}, "sent": sent},
                  status_code=status_code)


@router.get("/debtor/sign-in", include_in_schema=False)
def sign_in_form(request: Request, _v: Principal = Depends(viewer)):
    return _sign_in_page(request)


@router.post("/debtor/code", include_in_schema=False)
def send_code(request: Request, case_number: str = Form(""), identifier: str = Form(""),
              p: Portal = Depends(portal), _v: Principal = Depends(viewer)):
    """Send a code if the details match; the answer is the same whether they match or not."""
    _ = gettext_for(request)
    fragment = request.headers.get("hx-request") == "true"
    try:
        p.debtor_access.request_code(case_number, identifier)
    except KeepwordError as exc:
        errors = {exc.details.get("field", "_") if exc.details.get("field") != "id_number" else "identifier":
                  _("Check the case number and the 18-character ID number.")}
        if fragment:
            return render(request, "debtor/_code_status.html", {"errors": errors, "sent": False}, status_code=422)
        return _sign_in_page(request, {"case_number": case_number}, errors, status_code=422)
    if fragment:
        return render(request, "debtor/_code_status.html", {"errors": {}, "sent": True})
    return _sign_in_page(request, {"case_number": case_number}, sent=True)


@router.post("/debtor/sign-in", include_in_schema=False)
def sign_in(request: Request, case_number: str = Form(""), identifier: str = Form(""), code: str = Form(""),
            p: Portal = Depends(portal), _v: Principal = Depends(viewer)):
    _ = gettext_for(request)
    try:
        debtor = p.debtor_access.sign_in(case_number, identifier, code)
    except KeepwordError as exc:
        field = "code" if exc.code == "authentication_failed" or exc.details.get("field") == "code" else "identifier"
        message = _("The code is wrong or has expired. Request a new code.") if field == "code" else \
            _("Check the case number and the 18-character ID number.")
        return _sign_in_page(request, {"case_number": case_number}, {field: message}, status_code=401)
    principal = Principal(id=debtor.party_id, name=debtor.name, roles=frozenset({DEBTOR}), party_id=debtor.party_id,
                          case_id=debtor.case_id)
    response = see_other("/debtor")
    start_session(response, principal, request)
    return response


@router.post("/debtor/sign-out", include_in_schema=False)
def sign_out(request: Request, _v: Principal = Depends(viewer)):
    response = see_other("/")
    end_session(request, response)
    return response


@router.get("/debtor", include_in_schema=False)
def record(request: Request, done: str = "", p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    return render(request, "debtor/record.html", {**debtor_record(p, me), "done": done})


# ---- proof of payment ---------------------------------------------------------------------------
@router.get("/debtor/evidence", include_in_schema=False)
def evidence_form(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    today = p.ctx.clock.now().astimezone(p.ctx.policy.zone).date()
    return render(request, "debtor/evidence.html", {"form": {"paid_on": today.isoformat()}, "errors": {},
                                                    "max_mb": MAX_FILE_BYTES // (1024 * 1024)})


@router.post("/debtor/evidence", include_in_schema=False)
async def evidence_submit(request: Request, amount: str = Form(""), paid_on: str = Form(""), reference: str = Form(""),
                          note: str = Form(""), scan: UploadFile | None = File(None), p: Portal = Depends(portal),
                          me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    _ = gettext_for(request)
    form = {"amount": amount, "paid_on": paid_on, "reference": reference, "note": note}
    content = await scan.read(MAX_FILE_BYTES + 1) if scan is not None and scan.filename else None
    try:
        day = date.fromisoformat(paid_on)
    except ValueError:
        return render(request, "debtor/evidence.html", {"form": form, "errors": {"paid_on": _("Enter a date as YYYY-MM-DD.")},
                                                        "max_mb": MAX_FILE_BYTES // (1024 * 1024)}, status_code=422)
    try:
        await run_in_threadpool(
            submit_evidence, p.ctx, p.evidence_for, case_id=me.case_id, party_id=me.party_id, amount=amount,
            paid_on=day, reference=reference, note=note, file_name=scan.filename if content else None,
            content_type=scan.content_type if content else None, content=content)
    except KeepwordError as exc:
        field = exc.details.get("field", "_")
        errors = {field if field in ("amount", "paid_on", "reference", "file") else "_":
                  f"{_(ERRORS.get(exc.code, ERRORS['validation_failed']))}: {exc.message}"}
        if "file" in errors:
            errors["scan"] = errors.pop("file")
        return render(request, "debtor/evidence.html", {"form": form, "errors": errors,
                                                        "max_mb": MAX_FILE_BYTES // (1024 * 1024)}, status_code=422)
    return see_other("/debtor?done=evidence")


# ---- objection ----------------------------------------------------------------------------------
def _own_listings(p: Portal, me: Principal):
    with p.read() as uow:
        case = uow.cases.get(me.case_id)
    return case, [l for l in case.listings if l.debtor_id == me.party_id and l.in_force]


@router.get("/debtor/objection", include_in_schema=False)
def objection_form(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    case, listings = _own_listings(p, me)
    return render(request, "debtor/objection.html", {"case": case, "listings": listings, "form": {}, "errors": {},
                                                     "kinds": OBJECTION_KINDS})


@router.post("/debtor/objection", include_in_schema=False)
def objection_submit(request: Request, listing_id: str = Form(""), kind: str = Form(""), statement: str = Form(""),
                     p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, DEBTOR, login=LOGIN)) is not None:
        return denied
    _ = gettext_for(request)
    case, listings = _own_listings(p, me)
    form = {"listing_id": listing_id, "kind": kind, "statement": statement}
    errors: dict[str, str] = {}
    if listing_id not in {l.id for l in listings}:
        errors["listing_id"] = _("Choose your listing.")
    if kind not in OBJECTION_KINDS:
        errors["kind"] = _("Choose what is wrong.")
    if not statement.strip():
        errors["statement"] = _("Say why, in your own words.")
    if not errors:
        try:
            listing_services.file_objection(p.ctx, listing_id, kind=kind, statement=statement, by=me.actor)
            return see_other("/debtor?done=objection")
        except KeepwordError as exc:
            errors["_"] = f"{_(ERRORS.get(exc.code, ERRORS['validation_failed']))}: {exc.message}"
    return render(request, "debtor/objection.html", {"case": case, "listings": listings, "form": form,
                                                     "errors": errors, "kinds": OBJECTION_KINDS}, status_code=422)

