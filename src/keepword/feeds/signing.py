"""Standard Webhooks signing: the headers a receiver checks with ``standardwebhooks.Webhook(secret).verify``."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timezone
from math import floor

from standardwebhooks import Webhook

from keepword.domain.errors import ValidationFailed

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and 32 random bytes in base64, as the specification suggests."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_secret(secret: str) -> str:
    """The secret unchanged if it is a usable Standard Webhooks secret, else a ValidationFailed naming why."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValidationFailed("secret", "must start with whsec_")
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except ValueError:
        raise ValidationFailed("secret", "the part after whsec_ is not base64") from None
    if not 24 <= len(raw) <= 64:
        raise ValidationFailed("secret", "must hold 24 to 64 random bytes")
    return secret


def signed_headers(secret: str, message_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature for ``body``.

    ``message_id`` is the event id, so that a redelivery carries the same id and a receiver can drop
    what it already applied.
    """
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }
