"""Shapes shared by several routers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Amounts cross the API as strings: "1234.50", never floats.
Amount = Field(pattern=r"^\s*\d{1,13}(\.\d{1,2})?\s*$", examples=["1234.50"], max_length=20)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: str
    version: str
    policy: str
