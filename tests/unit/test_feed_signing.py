"""Webhook signatures follow Standard Webhooks: the reference library verifies them, and nothing else passes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from keepword.domain.errors import ValidationFailed
from keepword.feeds.signing import check_secret, new_secret, signed_headers

BODY = json.dumps({"specversion": "1.0", "id": "ev-1", "type": "org.keepword.ListingDeleted",
                   "data": {"listing_id": "L1", "action": "delete"}}, ensure_ascii=False)


def test_the_standardwebhooks_library_verifies_a_signed_delivery():
    secret = new_secret()
    headers = signed_headers(secret, "ev-1", BODY)
    assert headers["webhook-id"] == "ev-1"
    assert Webhook(secret).verify(BODY, headers)["data"]["listing_id"] == "L1"


def test_a_redelivery_keeps_the_event_id_and_still_verifies_later():
    secret = new_secret()
    first = signed_headers(secret, "ev-1", BODY, at=datetime.now(timezone.utc) - timedelta(minutes=2))
    again = signed_headers(secret, "ev-1", BODY)
    assert first["webhook-id"] == again["webhook-id"] == "ev-1"
    assert first["webhook-timestamp"] != again["webhook-timestamp"]
    Webhook(secret).verify(BODY, again)


@pytest.mark.parametrize("tamper", ["body", "id", "secret", "stale"])
def test_anything_altered_fails_verification(tamper):
    secret = new_secret()
    at = datetime.now(timezone.utc) - (timedelta(minutes=10) if tamper == "stale" else timedelta(0))
    headers = signed_headers(secret, "ev-1", BODY, at=at)
    body = BODY.replace("L1", "L2") if tamper == "body" else BODY
    if tamper == "id":
        headers["webhook-id"] = "ev-2"
    verifier = Webhook(new_secret() if tamper == "secret" else secret)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body, headers)


def test_chinese_text_is_signed_as_sent():
    secret = new_secret()
    body = json.dumps({"id": "ev-9", "data": {"announcement": "您拨打的用户已被列入失信被执行人名单"}}, ensure_ascii=False)
    Webhook(secret).verify(body.encode(), signed_headers(secret, "ev-9", body))


def test_secrets_are_whsec_base64_and_bad_ones_are_refused_with_the_reason():
    assert check_secret(new_secret()).startswith("whsec_")
    assert new_secret() != new_secret()
    with pytest.raises(ValidationFailed, match="whsec_"):
        check_secret("abc")
    with pytest.raises(ValidationFailed, match="base64"):
        check_secret("whsec_***")
    with pytest.raises(ValidationFailed, match="24 to 64"):
        check_secret("whsec_" + "QUJD")
