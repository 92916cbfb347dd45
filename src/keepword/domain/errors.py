"""The one error hierarchy of keepword.

Domain errors carry a stable machine-readable ``code`` and a human message, never an HTTP
status: the web layer maps codes to responses in one place.
"""

from __future__ import annotations


class KeepwordError(Exception):
    """Base of every error keepword raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class DomainError(KeepwordError):
    """A rule of enforcement forbids what was asked."""

    code = "domain_error"


class ValidationFailed(DomainError):
    """An input value is malformed; names the field and the reason."""

    code = "validation_failed"

    def __init__(self, field: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"{field}: {reason}", field=field, reason=reason)
        self.field = field
        self.reason = reason


class InvalidIdentifier(ValidationFailed):
    """An ID number or credit code fails validation (length, characters, checksum, date, region)."""

    code = "invalid_identifier"

    def __init__(self, field: str, reason: str, detail: str) -> None:
        super().__init__(field, reason, f"{field}: {detail}")
        self.detail = detail


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"


class TransitionNotAllowed(DomainError):
    """The object's current state does not allow this step."""

    code = "transition_not_allowed"


class ListingBarred(DomainError):
    """A rule bars listing this debtor (a minor, a guarantee, sufficient frozen assets, ...)."""

    code = "listing_barred"

    def __init__(self, message: str, bar: str) -> None:
        super().__init__(message, bar=bar)
        self.bar = bar


class DeadlinePassed(DomainError):
    """A time limit (objection, appeal) has run out."""

    code = "deadline_passed"


class NotFound(KeepwordError):
    code = "not_found"


class AlreadyExists(KeepwordError):
    code = "already_exists"


class ConcurrencyConflict(KeepwordError):
    """Someone else changed the record since it was read; reload and try again."""

    code = "concurrency_conflict"


class PolicyInvalid(KeepwordError):
    """A jurisdiction policy file is malformed."""

    code = "policy_invalid"


class PermissionDenied(KeepwordError):
    code = "permission_denied"


class AuthenticationFailed(KeepwordError):
    code = "authentication_failed"
