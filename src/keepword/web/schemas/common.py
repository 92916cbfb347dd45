"""Shapes shared by several routers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Amounts cross the API as strings: "1234.50", never floats.
Amount = Field(pattern=r"^\s*\d{1,13}(\.\d{1,2})?\s*$", examples=["1234.50"], max_length=20)


class Strict(BaseModel):
    """A request body: unknown fields refused, and no text with a NUL character (PostgreSQL cannot store
    one, and no person types one): both databases answer the same 422 naming the field."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value):
        if _holds_nul(value):
            raise ValueError("contains a NUL character (U+0000), which text may not hold")
        return value


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False  # numbers, dates, and nested bodies (checked by their own model)


class Health(BaseModel):
    status: str
    version: str
    policy: str
