"""Is this person or company on the list? One decision per record, always with its reason.

The rules (RULES.md section 5):

* ``match`` only on a **valid identifier** that is on the list (ID number, credit code, or a
  bound person's ID number on a listed organisation). The identifier is decisive.
* ``invalid`` when the identifier fails validation; the reason says why (length, checksum ...).
* ``review``: the name matches **and** the birth date is the same: a possible match for a
  human to check, never an automatic block. A person's name alone never reviews, let alone
  matches. An organisation's registered name is unique where it was registered, so the same
  name without a credit code is a review (unless dates of establishment given on both sides differ).
  (The name is compared with the listed people born that day whose name starts with the
  same letter, so a misspelt first letter goes unnoticed.)
* ``no_match`` otherwise: a valid identifier not on the list (even if a listed namesake exists),
  the same name with another birth date (a namesake), a person's name without a birth date, or an
  organisation name that no listed organisation has.

The similarity threshold for names was tuned on ``tests/data/screening/labelled.csv`` (see
``bench/screening/eval_names.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from keepword.domain.errors import InvalidIdentifier
from keepword.domain.identifiers import ResidentId, china_today, parse_credit_code, parse_id_number
from keepword.domain.parties import ORGANIZATION, PERSON
from keepword.screening.identifier_keys import hmac_key  # noqa: F401  (the privacy mode's client side)
from keepword.screening.identifier_keys import plain_id_number, remember_valid_id_number
from keepword.screening.index import Hit, ScreeningIndex
from keepword.screening.names import (
    PersonNameKeys,
    all_han,
    han_key,
    han_tags_reaching,
    has_han,
    normalize_org_name,
    person_name_keys,
    person_name_score,
    person_name_score_stored,
)
from keepword.screening.registry_entries import parse_date, parse_kind

MATCH, REVIEW, NO_MATCH, INVALID = "match", "review", "no_match", "invalid"
#: Lowest name similarity (0-100) that counts as "the same name". On the labelled set every
#: threshold from 81 to 100 keeps person-name precision at 1.0 (two different real pinyin
#: spellings score at most 80); at 85 misspelt names are still found 3 times in 4 (0.75, and
#: 0.78 on a set drawn with another seed), with a margin above that ceiling.
NAME_MATCH_THRESHOLD = 85.0
_ROLE_WORDS = {
    "legal_representative": "legal representative",
    "principal_in_charge": "principal person in charge",
    "directly_responsible": "directly responsible person",
    "actual_controller": "actual controller",
}
_ORG_MARKERS = ("公司", "集团", "合伙", "中心", "厂", "商行", "店", "合作社", "事务所", "研究院", "医院", "学校",
                " ltd", " co.", " co ", " inc", " llc", " limited", " corp", " company", " group")


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """What a partner asks about. Every field but ``record_id`` may be empty.

    ``id_number`` holds an ID number (person) or a credit code (organisation). ``kind`` may be
    empty: it is then guessed from the identifier, or from the name.
    """

    record_id: str = ""
    kind: str = ""
    name: str = ""
    id_number: str = ""
    birth_date: date | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, str | None]) -> ScreeningRecord:
        """Read a RECORDS.csv row; raises ``ValidationFailed`` for a bad kind or birth date."""
        return cls(
            record_id=(row.get("record_id") or "").strip(),
            kind=parse_kind(row.get("kind")),
            name=(row.get("name") or "").strip(),
            id_number=(row.get("id_number") or row.get("credit_code") or "").strip(),
            birth_date=parse_date(row.get("birth_date"), "birth_date"),
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one record. ``code`` is a stable machine-readable form of ``reason``."""

    decision: str
    entry_id: str
    score: float
    reason: str
    code: str = ""


#: ``kind`` values of a record that need no parsing to mean "a person, or not said" (the plain ID-number path).
PLAIN_PERSON_KINDS = frozenset(("", PERSON))
#: The answer for most records of a file: a valid ID number that is not on the list (one object).
ID_NUMBER_NOT_LISTED = Decision(NO_MATCH, "", 0.0, "valid ID number, not on the list", "identifier_not_listed")


def check(index: ScreeningIndex, record: ScreeningRecord, on: date | None = None,
          threshold: float = NAME_MATCH_THRESHOLD) -> Decision:
    """Screen one record against the index as of day ``on`` (default: today in China)."""
    on = on or china_today()
    if record.id_number.strip():
        return _check_identifier(index, record, on, threshold)
    if record.name.strip():
        if _is_organization(record):
            return _check_organization_name(index, record, on)
        return _check_person_name(index, record, record.birth_date, on, threshold)
    return Decision(INVALID, "", 0.0, "nothing to check: the record has neither an identifier nor a name", "empty_record")


def check_plain_id_number(index: ScreeningIndex, id_number: str, name: str, on: date,
                          threshold: float = NAME_MATCH_THRESHOLD) -> Decision | None:
    """:func:`check` for a person record (kind ``person`` or empty) without a birth date, when
    ``id_number`` (stripped) is a valid ID number written plainly; ``None`` otherwise, and then
    :func:`check` gives the answer. Saves building a :class:`ScreeningRecord` per row in bulk."""
    plain = plain_id_number(id_number)
    if plain is None:
        return None
    hits = index.find_person(plain[0], on)
    if not hits and not (index.unkeyed_persons and name.strip()):
        return ID_NUMBER_NOT_LISTED
    return _check_person_number(index, name, None, plain[0], plain[1], on, threshold, hits)


def check_digest(index: ScreeningIndex, digest_hex: str, on: date | None = None) -> Decision:
    """Screen a keyed digest, ``hmac_key(secret, identifier)`` (privacy mode): ``match`` or
    ``no_match``, never by name. Raises ``DigestLookupUnavailable`` if the index was built
    without the shared secret."""
    try:
        hits = index.find_by_digest(digest_hex, on or china_today())
    except ValueError as problem:
        return Decision(INVALID, "", 0.0, f"digest: {problem}", "invalid_digest")
    if hits:
        return _listed(hits, "the keyed identifier")
    return Decision(NO_MATCH, "", 0.0, "the keyed identifier is not on the list", "digest_not_listed")


def _is_organization(record: ScreeningRecord) -> bool:
    if record.kind:
        return record.kind == ORGANIZATION
    name = f" {record.name.lower()} "
    return any(marker in name for marker in _ORG_MARKERS)


def _parse_identifier(record: ScreeningRecord) -> ResidentId | str:
    """The parsed ID number (person) or normalised credit code (organisation)."""
    if record.kind == PERSON:
        return _parse_id_number(record.id_number)
    if record.kind == ORGANIZATION:
        return parse_credit_code(record.id_number).code
    try:
        return _parse_id_number(record.id_number)
    except InvalidIdentifier as as_person:
        try:
            return parse_credit_code(record.id_number).code
        except InvalidIdentifier as as_organization:
            digits = record.id_number.strip()[:17]
            raise (as_person if digits.isdigit() else as_organization) from None


def _parse_id_number(raw: str) -> ResidentId:
    parsed = parse_id_number(raw)
    remember_valid_id_number(parsed.number, parsed.birth_date)
    return parsed


def _check_identifier(index: ScreeningIndex, record: ScreeningRecord, on: date, threshold: float) -> Decision:
    plain = plain_id_number(record.id_number) if record.kind != ORGANIZATION else None
    if plain is not None:  # the common case, a valid 18-digit ID number: no full parse
        return _check_person_number(index, record.name, record.birth_date, plain[0], plain[1], on, threshold)
    try:
        parsed = _parse_identifier(record)
    except InvalidIdentifier as problem:
        return Decision(INVALID, "", 0.0, f"{problem.field} is not valid ({problem.reason}): {problem.detail}",
                        f"invalid_{problem.reason}")
    if isinstance(parsed, str):
        hits = index.find_organization(parsed, on)
        if hits:
            return _listed(hits, "the credit code")
        return Decision(NO_MATCH, "", 0.0, "valid credit code, not on the list", "identifier_not_listed")
    return _check_person_number(index, record.name, record.birth_date, parsed.number, parsed.birth_date, on,
                                threshold)


def _check_person_number(index: ScreeningIndex, name: str, birth_date: date | None, number: str, number_birth: date,
                         on: date, threshold: float, hits: list[Hit] | None = None) -> Decision:
    if hits is None:
        hits = index.find_person(number, on)
    if hits:
        decision = _listed(hits, "the ID number")
        return _with_notes(decision, index, hits[0], name, birth_date, number_birth, threshold)
    if index.unkeyed_persons and name.strip():
        # Only entries without an ID number on file can still be this person.
        birth = birth_date or number_birth
        review = _best_name_and_birth(index, person_name_keys(name), birth, on, threshold, unkeyed_only=True)
        if review is not None:
            row, score = review
            return Decision(REVIEW, index.entry_id(row), round(score, 1),
                            f"ID number not on the list, but name and birth date match entry {index.entry_id(row)}, "
                            "which has no ID number on file: a possible match for human review", "name_and_birth_unkeyed")
    return ID_NUMBER_NOT_LISTED


def _listed(hits: list[Hit], what: str) -> Decision:
    first = hits[0]
    if first.role == "self":
        reason = f"{what} is on the list (entry {first.entry_id})"
        code = "identifier_listed"
    else:
        reason = f"{what} is that of the {_ROLE_WORDS[first.role]} of listed organisation entry {first.entry_id}"
        code = f"bound_person_listed:{first.role}"
    if len(hits) > 1:
        reason += f"; {len(hits) - 1} more listed entr{'y' if len(hits) == 2 else 'ies'}"
    return Decision(MATCH, first.entry_id, 100.0, reason, code)


def _with_notes(decision: Decision, index: ScreeningIndex, hit: Hit, name: str, birth_date: date | None,
                number_birth: date, threshold: float) -> Decision:
    """Add notes when the name or birth date given disagree with the (decisive) ID number."""
    notes = []
    if birth_date and birth_date != number_birth:
        notes.append("the birth date given differs from the one in the ID number")
    if hit.role == "self" and name.strip():
        stored = index.stored_name(hit.row)
        given_han = han_key(name) if has_han(name) else ""
        listed_han = han_key(stored) if given_han and has_han(stored) else ""
        if given_han and listed_han:  # both in characters: their Han keys alone decide
            score = fuzz.ratio(given_han, listed_han)
        else:
            score = person_name_score(person_name_keys(name), index.name_keys(hit.row))
        if score < threshold:
            notes.append("the name given differs from the listed name")
    if not notes:
        return decision
    return Decision(decision.decision, decision.entry_id, decision.score,
                    f"{decision.reason} (note: {'; '.join(notes)})", decision.code)


def _check_person_name(index: ScreeningIndex, record: ScreeningRecord, birth: date | None, on: date,
                       threshold: float) -> Decision:
    if birth is None:
        return Decision(NO_MATCH, "", 0.0, "a name alone cannot identify anyone: give an ID number or a birth date",
                        "name_only")
    keys = person_name_keys(record.name)
    review = _best_name_and_birth(index, keys, birth, on, threshold, unkeyed_only=False)
    if review is not None:
        row, score = review
        return Decision(REVIEW, index.entry_id(row), round(score, 1),
                        f"name and birth date match entry {index.entry_id(row)}: a possible match for human review, "
                        "not an identification", "name_and_birth")
    if _has_namesake(index, keys, on, threshold):
        return Decision(NO_MATCH, "", 0.0, "a listed entry has this name but another birth date: a namesake, not this person",
                        "namesake_other_birth")
    return Decision(NO_MATCH, "", 0.0, "no listed entry with this name and birth date", "name_and_birth_not_listed")


def _best_name_and_birth(index: ScreeningIndex, keys: PersonNameKeys, birth: date | None, on: date,
                         threshold: float, unkeyed_only: bool) -> tuple[int, float] | None:
    """The best-scoring in-force person row born on ``birth`` whose name reaches ``threshold``.

    A name in characters is compared only with the candidates whose name tag allows a score that
    high (``names.han_tags_reaching``): a Han key too much longer or shorter, or one of the same
    length when only the same name reaches the threshold and its hash differs, is left unread."""
    if birth is None or keys.is_empty:
        return None
    tags = None
    if keys.han:
        tags = han_tags_reaching(keys.han, threshold)
        rows, names = index.person_names_born(keys, birth, tags)
        if not rows:
            return None
        if all_han(names):
            return _best_han_name(index, keys.han, rows, names, on, threshold, unkeyed_only)
    best: tuple[int, float] | None = None
    # Some candidates are written in letters: each scored on its own, the rows the tags ruled out still left out
    # (a ruled-out row holds a Han key, whose score against a Han name is the ratio the tags bound).
    for row in index.person_candidates(on, keys, birth=birth, tags=tags):
        if unkeyed_only and index.is_keyed(row):
            continue
        score = person_name_score_stored(keys, index.stored_name(row))
        if score >= threshold and (best is None or score > best[1]):
            best = (row, score)
    return best


def _best_han_name(index: ScreeningIndex, han: str, rows: list[int], names: list[str], on: date, threshold: float,
                   unkeyed_only: bool) -> tuple[int, float] | None:
    """:func:`_best_name_and_birth` for a name in characters against candidates all stored as Han
    keys, where the score is the ratio of the Han keys: scored in one call, and only the rows
    that reach ``threshold`` are checked for being in force (the same answer: the best score,
    the first such row in candidate order on a tie)."""
    best: tuple[float, int] | None = None  # (score, -position)
    for _, score, position in process.extract(han, names, scorer=fuzz.ratio, processor=None,
                                              score_cutoff=threshold, limit=None):
        row = rows[position]
        if not index.is_person_in_force(row, on) or (unkeyed_only and index.is_keyed(row)):
            continue
        if best is None or (score, -position) > best:
            best = (score, -position)
    return None if best is None else (rows[-best[1]], best[0])


def _has_namesake(index: ScreeningIndex, keys: PersonNameKeys, on: date, threshold: float) -> bool:
    # A name in characters leaves out, unread, the stored Han keys whose tag rules them out.
    tags = han_tags_reaching(keys.han, threshold) if keys.han else None
    return any(person_name_score_stored(keys, index.stored_name(row)) >= threshold
               for row in index.person_candidates(on, keys=keys, tags=tags))


def _check_organization_name(index: ScreeningIndex, record: ScreeningRecord, on: date) -> Decision:
    """An organisation's name without its credit code: a registered name is unique where it was
    registered, so the same name (legal-form variants, brackets, spaces, traditional characters
    aside) is a possible match for review; never a match. A date of establishment given on both
    sides that differs rules it out."""
    rows = index.organization_candidates(normalize_org_name(record.name), on)
    given = record.birth_date
    same = [row for row in rows if given is None or index.birth_date(row) in (None, given)]
    if same:
        entry = index.entry_id(same[0])
        return Decision(REVIEW, entry, 100.0, f"the name matches listed organisation entry {entry}: a possible match for "
                        "human review, not an identification; confirm with the credit code", "organization_name")
    if rows:
        return Decision(NO_MATCH, "", 0.0, "a listed organisation has this name but another date of establishment: "
                        "not this organisation", "organization_other_date")
    return Decision(NO_MATCH, "", 0.0, "no listed organisation has this name; without a credit code this is not an "
                    "identification", "organization_name_not_listed")
