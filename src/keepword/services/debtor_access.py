"""Debtor sign-in: the case number, the debtor's ID number (or credit code) and a one-time code by SMS.

Codes are six digits, kept only as an HMAC (keyed by the server secret and the code's id, so a
stolen table does not give them away), valid for ten minutes, burnt after five wrong tries, and a
debtor gets at most five codes an hour. Whether a case number and ID number match is never told
to the caller: the answer to a code request is the same either way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from keepword.domain.errors import AuthenticationFailed, ValidationFailed
from keepword.domain.identifiers import normalize_identifier
from keepword.domain.ids import new_id
from keepword.services.context import ServiceContext

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID_FOR = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5


@dataclass
class OneTimeCode:
    case_id: str
    party_id: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.attempts < MAX_ATTEMPTS and now < self.expires_at


@dataclass(frozen=True)
class DebtorOnCase:
    """A debtor party of one case, as found by the case number and identifier."""

    case_id: str
    party_id: str
    name: str
    phones: tuple[str, ...]


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send one text message to ``phone``."""


class CodeRepository(Protocol):
    """Storage of one-time codes, inside a unit of work."""

    def debtor_on_case(self, case_number: str, identifier: str) -> DebtorOnCase | None: ...

    def add(self, code: OneTimeCode) -> None: ...

    def latest(self, case_id: str, party_id: str) -> OneTimeCode | None: ...

    def issued_since(self, party_id: str, since: datetime) -> int: ...

    def save(self, code: OneTimeCode) -> None: ...


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678``: enough for the debtor to recognise it, no more."""
    digits = phone.lstrip("+")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


class ConsoleSmsSender:
    """The demo adapter: no message leaves the machine; the code is printed to the server's log."""

    def send(self, phone: str, text: str) -> None:
        line = f"[keepword sms to {mask_phone(phone)}] {text}"
        log.warning(line)
        print(line, flush=True)


class CapturingSmsSender:
    """The test adapter: keeps every message so that a test can read the code."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.messages.append((phone, text))

    def last_code(self) -> str:
        if not self.messages:
            raise LookupError("no message was sent")
        return "".join(ch for ch in self.messages[-1][1] if ch.isdigit())[:CODE_DIGITS]


@dataclass(frozen=True)
class DebtorAccess:
    """The sign-in use cases, wired with a code repository per unit of work and an SMS sender."""

    ctx: ServiceContext
    codes_for: Callable[[object], CodeRepository]
    sms: SmsSender
    secret: str

    def _hash(self, code_id: str, code: str) -> str:
        return hmac.new(self.secret.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def request_code(self, case_number: str, identifier: str) -> None:
        """Send a code to the phone on record if the case number and identifier match a debtor.

        Returns the same way whether they match or not; raises only on malformed input.
        """
        case_number, identifier = _clean(case_number, identifier)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            codes = self.codes_for(uow)
            debtor = codes.debtor_on_case(case_number, identifier)
            if debtor is None or not debtor.phones:
                log.info("debtor code requested: no debtor with a phone matches")
                return
            if codes.issued_since(debtor.party_id, now - timedelta(hours=1)) >= MAX_CODES_PER_HOUR:
                log.info("debtor code requested: hourly limit reached")
                return
            code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            record = OneTimeCode(case_id=debtor.case_id, party_id=debtor.party_id, code_hash="", created_at=now,
                                 expires_at=now + CODE_VALID_FOR)
            record.code_hash = self._hash(record.id, code)
            codes.add(record)
            uow.commit()
        minutes = int(CODE_VALID_FOR.total_seconds() // 60)
        self.sms.send(debtor.phones[0], f"{code} 是您查询执行案件 {case_number} 的验证码，{minutes} 分钟内有效。"
                                        f" keepword code {code}, valid {minutes} min.")

    def sign_in(self, case_number: str, identifier: str, code: str) -> DebtorOnCase:
        """The debtor behind a valid code; a wrong, expired or used code fails the same way."""
        case_number, identifier = _clean(case_number, identifier)
        code = "".join((code or "").split())
        if not code.isdigit() or len(code) != CODE_DIGITS:
            raise ValidationFailed("code", f"the code has {CODE_DIGITS} digits")
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            codes = self.codes_for(uow)
            debtor = codes.debtor_on_case(case_number, identifier)
            latest = codes.latest(debtor.case_id, debtor.party_id) if debtor else None
            if latest is None or not latest.usable(now):
                raise AuthenticationFailed("code: wrong or expired; request a new code")
            if not hmac.compare_digest(latest.code_hash, self._hash(latest.id, code)):
                latest.attempts += 1
                codes.save(latest)
                uow.commit()
                raise AuthenticationFailed("code: wrong or expired; request a new code",
                                           attempts_left=max(0, MAX_ATTEMPTS - latest.attempts))
            latest.used_at = now
            codes.save(latest)
            uow.commit()
            return debtor


def _clean(case_number: str, identifier: str) -> tuple[str, str]:
    case_number = " ".join((case_number or "").split())
    if not case_number:
        raise ValidationFailed("case_number", "empty")
    identifier = normalize_identifier(identifier or "")
    if len(identifier) != 18:
        raise ValidationFailed("id_number", "an ID number or credit code has 18 characters")
    return case_number, identifier
