"""The officer's actions on a case: each one a form, a confirmation of what it will do, and the use case.

An action is data (its fields, who may take it, when it applies) plus three functions: ``parse``
checks the form and names the field of each problem, ``describe`` says in plain words what will
happen, ``perform`` calls the service. The views in officer_actions.py drive every action alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from keepword.domain.errors import KeepwordError
from keepword.domain.money import Money
from keepword.services import cases as case_services
from keepword.services import listings as listing_services
from keepword.services import restrictions as restriction_services
from keepword.services.access import CLERK, JUDGE, OFFICER
from keepword.web.i18n import N_
from keepword.web.pages import labels as L


class FieldErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"            # text | date | select | checks | textarea
    options: list[tuple[str, str]] = field(default_factory=list)
    value: object = None
    hint: str | None = None


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    roles: tuple[str, ...]
    applies: Callable          # (case) -> bool
    fields: Callable           # (case, gettext, today) -> list[Field]
    parse: Callable            # (case, form, gettext) -> dict of values
    describe: Callable         # (case, values, policy, today, gettext) -> list[str]
    perform: Callable          # (portal, case, values, principal) -> None


# ---- helpers ------------------------------------------------------------------------------------
def _one(form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else value


def _date(form, name: str, errors: dict, gettext) -> date | None:
    raw = _one(form, name)
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        errors[name] = gettext("Enter a date as YYYY-MM-DD.")
        return None


def _choice(form, name: str, allowed, errors: dict, gettext, optional: bool = False) -> str | None:
    raw = _one(form, name)
    if optional and not raw:
        return None
    if raw not in allowed:
        errors[name] = gettext("Choose one of the options.")
        return None
    return raw


def _done(errors: dict, values: dict) -> dict:
    if errors:
        raise FieldErrors(errors)
    return values


def _debtor_options(case) -> list[tuple[str, str]]:
    return [(p.party.id, p.party.name) for p in case.debtors]


def _listings(case, *states) -> list:
    return [l for l in case.listings if l.state in states]


def _listing_options(case, states, gettext) -> list[tuple[str, str]]:
    names = {p.party.id: p.party.name for p in case.debtors}
    return [(l.id, f"{names.get(l.debtor_id, '')}: {L.label(L.LISTING_STATES, l.state, gettext)} "
                   f"({', '.join(str(n) for n in l.grounds)})") for l in _listings(case, *states)]


def _money(value: Money) -> str:
    return f"{value.amount:,.2f} {value.currency}"


# ---- record a payment ---------------------------------------------------------------------------
def _payment_fields(case, _, today):
    return [Field("amount", _("Amount paid"), value=case.outstanding.as_string(),
                  hint=_("Outstanding now: %(amount)s", amount=_money(case.outstanding))),
            Field("paid_on", _("Paid on"), "date", value=today.isoformat()),
            Field("payer_id", _("Paid by"), "select", _debtor_options(case)),
            Field("note", _("Note (optional)"), "textarea")]


def _payment_parse(case, form, _):
    errors: dict[str, str] = {}
    amount = None
    try:
        amount = Money.parse(_one(form, "amount"), case.obligation.currency)
        if not amount.is_positive():
            errors["amount"] = _("The amount must be greater than zero.")
        elif amount.amount > case.outstanding.amount:
            errors["amount"] = _("More than the outstanding %(amount)s.", amount=_money(case.outstanding))
    except KeepwordError:
        errors["amount"] = _("Enter an amount such as 1234.50.")
    paid_on = _date(form, "paid_on", errors, _)
    payer = _choice(form, "payer_id", {p.party.id for p in case.debtors}, errors, _)
    return _done(errors, {"amount": amount.as_string() if amount else None, "paid_on": paid_on,
                          "payer_id": payer, "note": _one(form, "note")})


def _payment_describe(case, v, policy, today, _):
    after = case.outstanding.amount - Money.parse(v["amount"], case.obligation.currency).amount
    lines = [_("Record a payment of %(amount)s %(currency)s paid on %(day)s.", amount=v["amount"],
               currency=case.obligation.currency, day=v["paid_on"].isoformat()),
             _("Outstanding goes from %(before)s to %(after)s.", before=_money(case.outstanding),
               after=f"{after:,.2f} {case.obligation.currency}")]
    if after == 0:
        due = policy.calendar.add_working_days(today, policy.deletion_working_days)
        lines.append(_("The obligation is then fully performed: the case closes as fulfilled."))
        if any(l.in_force for l in case.listings):
            lines.append(_("Every listing of this case is deleted on the condition of full performance "
                           "(legal deadline %(due)s), and every partner is told.", due=due.isoformat()))
        if any(r.active for r in case.restrictions):
            lines.append(_("Consumption restrictions are lifted."))
    return lines


def _payment_perform(portal, case, v, principal):
    case_services.record_payment(portal.ctx, case.id, amount=v["amount"], paid_on=v["paid_on"], by=principal.actor,
                                 payer_id=v["payer_id"], note=v["note"], expected_version=case.version)


# ---- propose a listing --------------------------------------------------------------------------
def _propose_fields(case, _, today):
    creditors = [("", _("The court on its own motion"))] + [(p.party.id, p.party.name) for p in case.creditors]
    return [Field("debtor_id", _("Debtor"), "select", _debtor_options(case)),
            Field("grounds", _("Grounds (tick every one that applies)"), "checks",
                  [(str(n), _(t)) for n, t in L.GROUNDS.items()], value=[]),
            Field("applicant_id", _("Applied for by"), "select", creditors),
            Field("note", _("Facts supporting the grounds"), "textarea")]


def _propose_parse(case, form, _):
    errors: dict[str, str] = {}
    debtor = _choice(form, "debtor_id", {p.party.id for p in case.debtors}, errors, _)
    raw = form.getlist("grounds") if hasattr(form, "getlist") else form.get("grounds", [])
    grounds = sorted({int(g) for g in raw if str(g).isdigit() and int(g) in L.GROUNDS})
    if not grounds:
        errors["grounds"] = _("Tick at least one ground.")
    applicant = _choice(form, "applicant_id", {p.party.id for p in case.creditors}, errors, _, optional=True)
    return _done(errors, {"debtor_id": debtor, "grounds": grounds, "applicant_id": applicant,
                          "note": _one(form, "note")})


def _propose_describe(case, v, policy, today, _):
    name = case.debtor(v["debtor_id"]).party.name
    grounds = "; ".join(_(L.GROUNDS[n]) for n in v["grounds"])
    fixed = any(policy.ground(n).fixed_term for n in v["grounds"])
    return [_("Propose listing %(name)s as a dishonest judgment debtor on: %(grounds)s.", name=name, grounds=grounds),
            _("A judge must then decide and sign; nothing is published before the decision is served."),
            _("Term if decided: %(months)s months.", months=policy.default_term_months) if fixed
            else _("Term if decided: until a deletion condition (ground 1 has no fixed term).")]


def _propose_perform(portal, case, v, principal):
    listing_services.propose_listing(portal.ctx, case.id, debtor_id=v["debtor_id"], grounds=v["grounds"],
                                     by=principal.actor, applicant_id=v["applicant_id"], note=v["note"])


# ---- decide and sign (judge) --------------------------------------------------------------------
def _decide_fields(case, _, today):
    return [Field("listing_id", _("Proposal"), "select", _listing_options(case, ("proposed",), _)),
            Field("decision", _("Decision"), "select", [("list", _("List the debtor")), ("reject", _("Reject the proposal"))]),
            Field("reason", _("Reasons (written into the decision)"), "textarea"),
            Field("grace_months", _("Grace period before publication (months)"), "select",
                  [(str(m), str(m)) for m in range(0, 4)], value="0")]


def _decide_parse(case, form, _):
    errors: dict[str, str] = {}
    listing = _choice(form, "listing_id", {l.id for l in _listings(case, "proposed")}, errors, _)
    decision = _choice(form, "decision", {"list", "reject"}, errors, _)
    reason = _one(form, "reason")
    if not reason:
        errors["reason"] = _("A decision gives its reasons.")
    grace = _choice(form, "grace_months", {"0", "1", "2", "3"}, errors, _)
    return _done(errors, {"listing_id": listing, "decision": decision, "reason": reason,
                          "grace_months": int(grace or 0)})


def _decide_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    name = case.debtor(listing.debtor_id).party.name
    if v["decision"] == "reject":
        return [_("Reject the proposal to list %(name)s, with your reasons.", name=name)]
    lines = [_("Decide, with your signature, to list %(name)s.", name=name),
             _("The decision must then be served on the debtor; it is published after service.")]
    if v["grace_months"]:
        lines.append(_("A grace period of %(months)s months runs from service before publication.",
                       months=v["grace_months"]))
    return lines


def _decide_perform(portal, case, v, principal):
    if v["decision"] == "reject":
        listing_services.reject_proposal(portal.ctx, v["listing_id"], reason=v["reason"], by=principal.actor)
    else:
        listing_services.decide_listing(portal.ctx, v["listing_id"], signed_by=principal.actor, signer_role="judge",
                                        reason=v["reason"], grace_months=v["grace_months"])


# ---- record service -----------------------------------------------------------------------------
def _serve_fields(case, _, today):
    return [Field("listing_id", _("Decision"), "select", _listing_options(case, ("decided",), _)),
            Field("served_on", _("Served on"), "date", value=today.isoformat())]


def _serve_parse(case, form, _):
    errors: dict[str, str] = {}
    listing = _choice(form, "listing_id", {l.id for l in _listings(case, "decided")}, errors, _)
    served_on = _date(form, "served_on", errors, _)
    return _done(errors, {"listing_id": listing, "served_on": served_on})


def _serve_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    name = case.debtor(listing.debtor_id).party.name
    publish_on = (policy.calendar.add_months_then_roll(v["served_on"], listing.grace_months)
                  if listing.grace_months else v["served_on"])
    lines = [_("Record that the decision listing %(name)s was served on %(day)s.", name=name,
               day=v["served_on"].isoformat())]
    if publish_on <= today:
        lines.append(_("The listing is published at once, partners are told, and high consumption is restricted."))
    else:
        lines.append(_("Publication follows when the grace period ends on %(day)s.", day=publish_on.isoformat()))
    return lines


def _serve_perform(portal, case, v, principal):
    listing_services.serve_decision(portal.ctx, v["listing_id"], served_on=v["served_on"], by=principal.actor)


# ---- delete a listing ---------------------------------------------------------------------------
def _delete_fields(case, _, today):
    conditions = [(k, _(t)) for k, t in L.DELETION_CONDITIONS.items() if k != "term_expired"]
    creditors = [("", _("Not at a creditor's request"))] + [(p.party.id, p.party.name) for p in case.creditors]
    return [Field("listing_id", _("Listing"), "select", _listing_options(case, ("decided", "served", "published"), _)),
            Field("condition", _("Deletion condition"), "select", conditions),
            Field("requested_by", _("Creditor who asked in writing"), "select", creditors)]


def _delete_parse(case, form, _):
    errors: dict[str, str] = {}
    listing = _choice(form, "listing_id", {l.id for l in case.listings if l.in_force}, errors, _)
    condition = _choice(form, "condition", set(L.DELETION_CONDITIONS) - {"term_expired"}, errors, _)
    requested_by = _choice(form, "requested_by", {p.party.id for p in case.creditors}, errors, _, optional=True)
    if condition == "creditor_request" and not requested_by:
        errors["requested_by"] = _("Name the creditor who asked in writing.")
    return _done(errors, {"listing_id": listing, "condition": condition, "requested_by": requested_by})


def _delete_describe(case, v, policy, today, _):
    listing = case.listing(v["listing_id"])
    name = case.debtor(listing.debtor_id).party.name
    lines = [_("Delete the listing of %(name)s on the condition: %(condition)s.", name=name,
               condition=_(L.DELETION_CONDITIONS[v["condition"]])),
             _("The entry is unpublished and sealed, no longer used for any measure; every partner is told.")]
    if v["condition"] == "creditor_request":
        lines.append(_("That creditor cannot have the debtor listed again for %(months)s months.",
                       months=policy.relisting_block_months))
    return lines


def _delete_perform(portal, case, v, principal):
    listing_services.delete_listing(portal.ctx, v["listing_id"], condition=v["condition"], by=principal.actor,
                                    requested_by=v["requested_by"])


# ---- lift a restriction -------------------------------------------------------------------------
def _lift_fields(case, _, today):
    names = {p.party.id: p.party.name for p in case.debtors}
    orders = [(r.id, f"{names.get(r.debtor_id, '')} ({r.ordered_on.isoformat()})") for r in case.restrictions if r.active]
    return [Field("restriction_id", _("Restriction"), "select", orders),
            Field("reason", _("Reason"), "select", [(k, _(L.LIFT_REASONS[k])) for k in ("guarantee", "creditor_consent")],
                  hint=_("Payment lifts restrictions by itself."))]


def _lift_parse(case, form, _):
    errors: dict[str, str] = {}
    order = _choice(form, "restriction_id", {r.id for r in case.restrictions if r.active}, errors, _)
    reason = _choice(form, "reason", {"guarantee", "creditor_consent"}, errors, _)
    return _done(errors, {"restriction_id": order, "reason": reason})


def _lift_describe(case, v, policy, today, _):
    order = case.restriction(v["restriction_id"])
    name = case.debtor(order.debtor_id).party.name
    lines = [_("Lift the restriction of high consumption on %(name)s (reason: %(reason)s).", name=name,
               reason=_(L.LIFT_REASONS[v["reason"]])),
             _("Transport, hotel and government partners are told.")]
    if any(l.in_force and l.debtor_id == order.debtor_id for l in case.listings):
        lines.append(_("Note: the debtor is listed, and every listed debtor stays restricted; this will be refused."))
    return lines


def _lift_perform(portal, case, v, principal):
    restriction_services.lift_restriction(portal.ctx, case.id, v["restriction_id"], reason=v["reason"],
                                          by=principal.actor)


# ---- ringback notice ----------------------------------------------------------------------------
def _ringback_fields(case, _, today):
    return [Field("debtor_id", _("Debtor"), "select", _debtor_options(case)),
            Field("note", _("Note (optional)"), "textarea")]


def _ringback_parse(case, form, _):
    errors: dict[str, str] = {}
    debtor = _choice(form, "debtor_id", {p.party.id for p in case.debtors}, errors, _)
    return _done(errors, {"debtor_id": debtor, "note": _one(form, "note")})


def _ringback_describe(case, v, policy, today, _):
    party = case.debtor(v["debtor_id"]).party
    start = policy.calendar.add_working_days(today, 3)
    return [_("Order a ringback notice for %(name)s: callers to the %(count)s phone number(s) registered hear "
              "that the debtor is on the list.", name=party.name, count=len(party.phones)),
            _("The carriers first send an SMS warning; the notice starts on %(day)s and ends once the court "
              "confirms payment.", day=start.isoformat())]


def _ringback_perform(portal, case, v, principal):
    case_services.order_measure(portal.ctx, case.id, kind="ringback_notice", by=principal.actor,
                                debtor_id=v["debtor_id"], note=v["note"])


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("payment", N_("Record a payment"), (CLERK, OFFICER), lambda c: c.is_open and c.outstanding.is_positive(),
           _payment_fields, _payment_parse, _payment_describe, _payment_perform),
    Action("propose", N_("Propose a listing"), (OFFICER,), lambda c: c.is_open,
           _propose_fields, _propose_parse, _propose_describe, _propose_perform),
    Action("decide", N_("Decide and sign"), (JUDGE,), lambda c: c.is_open and bool(_listings(c, "proposed")),
           _decide_fields, _decide_parse, _decide_describe, _decide_perform),
    Action("serve", N_("Record service"), (OFFICER,), lambda c: bool(_listings(c, "decided")),
           _serve_fields, _serve_parse, _serve_describe, _serve_perform),
    Action("delete", N_("Delete a listing"), (OFFICER, JUDGE), lambda c: any(l.in_force for l in c.listings),
           _delete_fields, _delete_parse, _delete_describe, _delete_perform),
    Action("lift", N_("Lift a restriction"), (OFFICER, JUDGE), lambda c: any(r.active for r in c.restrictions),
           _lift_fields, _lift_parse, _lift_describe, _lift_perform),
    Action("ringback", N_("Order a ringback notice"), (OFFICER,), lambda c: c.is_open,
           _ringback_fields, _ringback_parse, _ringback_describe, _ringback_perform),
)}


# Deciding objections and changing a listing in force live in their own modules; they build on the
# helpers above, hence the late imports.
from keepword.web.pages.actions_listing_changes import LISTING_CHANGES  # noqa: E402
from keepword.web.pages.actions_objections import DECIDE_OBJECTION  # noqa: E402

for _action in (*LISTING_CHANGES, DECIDE_OBJECTION):
    ACTIONS[_action.key] = _action
