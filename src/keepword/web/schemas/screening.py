"""The screening API: records in, one decision per record out, with the index the answer came from."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from keepword.screening.partner_checks import FIELD_LIMITS, MAX_BATCH_RECORDS
from keepword.web.schemas.common import Strict

Purpose = Field(min_length=3, max_length=200, examples=["account opening"],
                description="Why you check (kept in the audit log)")


def _text(name: str, description: str, **extra) -> Any:
    return Field(None, max_length=FIELD_LIMITS[name], description=description, **extra)


class ScreeningRecordIn(Strict):
    """One person or organisation. Send ``id_number`` (decisive), or ``name`` with ``birth_date``
    (at most a review), or, in the privacy mode, ``digest`` alone."""

    record_id: str | None = _text("record_id", "Your own reference, echoed back (not an ID number, please)")
    kind: str | None = _text("kind", "person or organization; guessed when empty", examples=["person"])
    name: str | None = _text("name", "Name as written (Han characters or pinyin)", examples=["张三"])
    id_number: str | None = _text("id_number", "ID number (18 or 15 digits) or Unified Social Credit Code",
                                  examples=["110101199003071234"])
    birth_date: str | None = _text("birth_date", "YYYY-MM-DD", examples=["1990-03-07"])
    digest: str | None = _text("digest", "Privacy mode: hex HMAC-SHA256 of the normalised identifier, keyed with "
                                         "the shared secret; sent instead of id_number, name and birth_date")


class ScreeningCheckIn(ScreeningRecordIn):
    purpose: str = Purpose


#: A batch's records are read one by one: a record that cannot be read is answered ``invalid``.
LenientRecord = Annotated[Any, WithJsonSchema(ScreeningRecordIn.model_json_schema())]


class ScreeningBatchIn(Strict):
    purpose: str = Purpose
    records: list[LenientRecord] = Field(
        description=f"At most {MAX_BATCH_RECORDS:,} records (objects shaped as ScreeningRecordIn); a record that "
                    "cannot be read gets the decision invalid, with the reason", json_schema_extra={
                        "maxItems": MAX_BATCH_RECORDS})


class IndexBasis(BaseModel):
    """The index an answer is based on: its generation (a rebuild adds one) and the feed position
    it reflects at least (``null`` for a static registry file)."""

    generation: int
    feed_position: int | None
    entries: int


class ScreeningDecisionOut(BaseModel):
    record_id: str
    decision: Literal["match", "review", "no_match", "invalid"]
    entry_id: str = Field(description="The listed entry matched or to review ('' otherwise)")
    score: float = Field(description="100 for an identifier match; the name similarity for a review")
    reason: str
    code: str = Field(description="Stable machine-readable form of the reason")


class ScreeningCheckOut(ScreeningDecisionOut):
    index: IndexBasis


class ScreeningBatchOut(BaseModel):
    results: list[ScreeningDecisionOut]
    counts: dict[str, int]
    index: IndexBasis
