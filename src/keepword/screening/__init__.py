"""Screening: is this person or company on the list? (keepword issue 5).

Entry points for the CLI and the HTTP API:

* :class:`ScreeningIndex` (``build``, ``from_csv``, ``apply``) and :class:`IndexHolder`
  (``current``, ``apply``, ``begin_rebuild``, ``swap``),
* :func:`check` and :func:`check_digest` -> :class:`Decision`,
* :func:`screen_file` and :func:`run_screen` for whole files,
* :func:`hmac_key` for the privacy mode.
"""

from keepword.screening.bulk import ScreenSummary, run_screen, screen_file
from keepword.screening.decide import (
    INVALID,
    MATCH,
    NAME_MATCH_THRESHOLD,
    NO_MATCH,
    REVIEW,
    Decision,
    ScreeningRecord,
    check,
    check_digest,
)
from keepword.screening.holder import LIVE_INDEX, IndexHolder, SwapRecord
from keepword.screening.identifier_keys import hmac_key
from keepword.screening.index import DigestLookupUnavailable, Hit, ScreeningIndex
from keepword.screening.names import normalize_org_name, person_name_keys, person_name_score
from keepword.screening.registry_entries import (
    EntryDelisted,
    EntryListed,
    RegistryEntry,
    RestrictionLifted,
)

__all__ = [
    "INVALID", "LIVE_INDEX", "MATCH", "NAME_MATCH_THRESHOLD", "NO_MATCH", "REVIEW",
    "Decision", "DigestLookupUnavailable", "EntryDelisted", "EntryListed", "Hit", "IndexHolder",
    "RegistryEntry", "RestrictionLifted", "ScreenSummary", "ScreeningIndex", "ScreeningRecord",
    "SwapRecord", "check", "check_digest", "hmac_key", "normalize_org_name", "person_name_keys",
    "person_name_score", "run_screen", "screen_file",
]
