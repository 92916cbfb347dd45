"""Fixtures for the screening tests."""

from __future__ import annotations

import pytest
from screening_fixtures import SECRET, registry_entries

from keepword.screening import ScreeningIndex


@pytest.fixture
def index() -> ScreeningIndex:
    return ScreeningIndex.build(registry_entries(), secret=SECRET)
