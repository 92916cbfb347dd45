"""SQL expressions with which SQLite writes values in JSON as keepword's Python code writes them.

For the statements in which SQLite writes JSON itself (the case answer, ``web/api/case_json``; the
outbox rows of an import's registrations, ``importing/sql_store``): amounts from their whole cents,
timestamps, booleans and random event ids, each as its Python counterpart gives it.
"""

from __future__ import annotations


def amount_text(cents: str) -> str:
    """An amount in whole cents (``cents``, non-negative) as text with two decimals, as ``f"{amount:.2f}"``
    writes the Decimal; NULL stays NULL."""
    return f"CASE WHEN {cents} IS NULL THEN NULL ELSE printf('%d.%02d', {cents} / 100, {cents} % 100) END"


def boolean(ref: str) -> str:
    """A boolean column (0 or 1) as JSON ``true`` or ``false``."""
    return f"json(CASE {ref} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"


def timestamp(ref: str) -> str:
    """A stored timestamp (``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC) in ISO form with ``Z``, the fraction
    only when it is not zero, as pydantic writes an aware UTC datetime."""
    return (f"CASE WHEN {ref} IS NULL THEN NULL ELSE substr({ref}, 1, 10) || 'T' || substr({ref}, 12, 8) || "
            f"CASE WHEN substr({ref}, 20) IN ('', '.000000') THEN '' ELSE substr({ref}, 20) END || 'Z' END")


def uuid4_text(hex32: str) -> str:
    """A random (version 4) UUID as ``str(uuid.uuid4())`` writes it, from 32 random hexadecimal digits
    (``hex(randomblob(16))``, each reference reading the same value): the version digit set to 4, the
    variant bits to 10."""
    h = hex32
    return (f"lower(substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-4' || substr({h}, 14, 3) || '-' "
            f"|| substr('89ab', ((instr('0123456789ABCDEF', substr({h}, 17, 1)) - 1) & 3) + 1, 1) "
            f"|| substr({h}, 18, 3) || '-' || substr({h}, 21, 12))")
