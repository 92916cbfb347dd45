"""The screening index: every registry entry, searchable by identifier and by name.

Built for 15 million entries in under 2 GB: rows are columns (arrays, one UTF-8 blob per
text column), never one Python object per entry. A row holds the entry id, kind, flags, birth
date, restriction categories (a bit mask), the dates in force, the name (a person's Han
key, or the Latin name as written; an organisation's normalised name) and a byte that tags the
name (``names.han_name_tag``: a name check skips, unread, the names it rules out). About 80 bytes per
entry; 15 million entries measured 1.49 GB resident, 1.81 GiB at the peak of the build
(bench/screening/bench_build.py).
Lookups:

* ID number -> rows (``KeyTable`` on the 17-digit key); an organisation's bound persons
  (legal representative, principal person in charge, directly responsible person, actual
  controller) are filed here too, pointing at the organisation's row with their role;
* credit code -> rows; keyed digest -> rows (privacy mode, when built with a secret);
* name block (each pinyin key; the Han key when a name has no pinyin) -> rows, and birth
  date -> rows, to collect candidates for a name check.

Changes after the build (:meth:`ScreeningIndex.apply`) go to small overlays and flag bytes;
a feed follower rebuilds beside the live index now and then and swaps (see ``holder``).
"""

from __future__ import annotations

import csv
import threading
import time
from array import array
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from keepword.domain.errors import InvalidIdentifier, KeepwordError, ValidationFailed
from keepword.domain.identifiers import parse_credit_code
from keepword.domain.parties import BOUND_ROLES, ORGANIZATION
from keepword.screening.columns import (
    KeyTable,
    KeyTableBuilder,
    RowBlocks,
    RowBlocksBuilder,
    StringColumn,
    block_of_text,
)
from keepword.screening.identifier_keys import (
    _secret_bytes,
    credit_code_key,
    digest_hex_key,
    digest_key,
    id_number_key,
    registry_id_number,
)
from keepword.screening.names import PersonNameKeys, han_name_tag, normalize_org_name, person_name_keys
from keepword.screening.registry_entries import (
    EntryDelisted,
    EntryListed,
    RegistryEntry,
    RegistryEvent,
    RestrictionLifted,
)

if TYPE_CHECKING:
    import numpy as np  # only named here: numpy is loaded to screen a file, not to build or serve an index

#: Role of an identifier on a row: the entry itself, or one of the organisation's bound persons.
ROLES = ("self", *BOUND_ROLES)
_ORG, _DELISTED, _KEYED = 1, 2, 4
_MAX_PROBLEMS = 20
_EPOCH_1970 = date(1970, 1, 1).toordinal()


class DigestLookupUnavailable(KeepwordError):
    """The index was built without the shared secret, so it holds no keyed digests."""

    code = "digest_lookup_unavailable"


class Hit(NamedTuple):
    """An in-force entry found for an identifier, and in what role the identifier is on it."""

    row: int
    entry_id: str
    role: str


_new_hit = tuple.__new__  # Hit(...) runs Python code; this builds the same tuple in C


@dataclass
class BuildStats:
    """Counts from building an index; ``problems`` keeps the first few rejected rows."""

    entries: int = 0
    organizations: int = 0
    keyed: int = 0
    bound_persons: int = 0
    rejected_identifiers: int = 0
    skipped_rows: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)


class ScreeningIndex:
    """In-memory index of registry entries. Build with :meth:`build` or :meth:`from_csv`."""

    def __init__(self, secret: bytes | str | None = None) -> None:
        self._secret = _secret_bytes(secret) if secret else None
        self._entry_ids = StringColumn()
        self._flags = bytearray()
        self._births = array("i")  # date ordinal, 0: unknown
        self._categories = array("H")  # bit mask over _category_names
        self._in_force_from = array("H")  # days since 1970-01-01, 0: open
        self._in_force_until = array("H")
        # A person's Han key (the pinyin keys are recomputed, cheaply, when needed), a Latin
        # name as written, or an organisation's normalised name.
        self._names = StringColumn()
        self._name_tags = bytearray()  # names.han_name_tag of each row's name (0 for an organisation)
        self._category_names: list[str] = []
        self._category_masks: dict[tuple[str, ...], int] = {}
        self._person_ids: KeyTableBuilder | KeyTable = KeyTableBuilder(tagged=False)
        self._org_codes: KeyTableBuilder | KeyTable = KeyTableBuilder(tagged=True)
        self._digests: KeyTableBuilder | KeyTable = KeyTableBuilder(tagged=True)
        self._entry_rows: RowBlocksBuilder | RowBlocks = RowBlocksBuilder()
        self._name_blocks: RowBlocksBuilder | RowBlocks = RowBlocksBuilder()
        self._birth_blocks: RowBlocksBuilder | RowBlocks = RowBlocksBuilder()
        self.unkeyed_persons = 0
        self.stats = BuildStats()
        self._write_lock = threading.Lock()

    # --- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[RegistryEntry | Mapping[str, str]], secret: bytes | str | None = None) -> ScreeningIndex:
        """Index ``entries`` (RegistryEntry objects or REGISTRY.csv-style dict rows).

        Rows that cannot be read (no entry_id, a malformed date) are skipped and counted in
        ``stats``; an identifier that fails validation leaves the entry findable by name only.
        ``secret`` turns on the privacy mode (keyed digests of every identifier).
        """
        started = time.perf_counter()
        index = cls(secret)
        for item in entries:
            try:
                index._add_entry(item if isinstance(item, RegistryEntry) else RegistryEntry.from_row(item))
            except ValidationFailed as problem:
                index.stats.skipped_rows += 1
                index.stats.note(f"row skipped: {problem}")
        index._freeze()
        index.stats.entries = len(index)
        index.stats.seconds = time.perf_counter() - started
        return index

    @classmethod
    def from_csv(cls, path: str | Path, secret: bytes | str | None = None) -> ScreeningIndex:
        """Build from a REGISTRY.csv file, streamed row by row."""
        with open(path, newline="", encoding="utf-8-sig") as registry:
            return cls.build(csv.DictReader(registry), secret=secret)

    def _freeze(self) -> None:
        for name in ("_person_ids", "_org_codes", "_digests", "_entry_rows", "_name_blocks", "_birth_blocks"):
            setattr(self, name, getattr(self, name).freeze())
        self._birth_blocks.tag_rows(self._name_tags)  # type: ignore[union-attr]
        _person_name_filing.cache_clear()  # only worth its memory while rows pour in

    def _add_entry(self, entry: RegistryEntry) -> int:
        # Called once per row of a 15-million-row registry: kept flat on purpose.
        categories = self._category_masks.get(entry.categories)
        if categories is None:
            categories = self._category_mask(entry.categories)  # may refuse the entry: before any change
        row = len(self._flags)
        is_org = entry.kind == ORGANIZATION
        normalized = self._file_identifier(entry, row, is_org)
        birth = entry.birth_date
        if normalized and not is_org and birth is None:
            birth = _birth_in_number(normalized)
        for role, number in entry.bound_persons:
            self._file_bound_person(entry.entry_id, row, role, number)
        self._entry_ids.append(entry.entry_id)
        self._births.append(birth.toordinal() if birth else 0)
        self._categories.append(categories)
        self._in_force_from.append(entry.in_force_from and _days_since_1970(entry.in_force_from) or 0)
        self._in_force_until.append(entry.in_force_until and _days_since_1970(entry.in_force_until) or 0)
        if is_org:
            org_name = normalize_org_name(entry.name) if entry.name else ""
            self._names.append(org_name)
            self._name_tags.append(0)
            blocks = (block_of_text(f"o:{org_name}"),) if org_name else ()
        else:
            stored_name, blocks, initials, tag = _person_name_filing(entry.name)
            self._names.append(stored_name)
            self._name_tags.append(tag)
            if birth:
                for initial in initials:
                    self._birth_blocks.add(_birth_block(birth, initial), row)
            if not normalized:
                self.unkeyed_persons += 1
        for block in blocks:
            self._name_blocks.add(block, row)
        self._entry_rows.add(block_of_text(entry.entry_id), row)
        # The flags byte goes last: until it exists the row is not visible to lookups.
        self._flags.append((_ORG if is_org else 0) | (_KEYED if normalized else 0))
        if is_org:
            self.stats.organizations += 1
        return row

    def _file_identifier(self, entry: RegistryEntry, row: int, is_org: bool) -> str:
        if not entry.identifier:
            return ""
        try:
            if is_org:
                normalized = parse_credit_code(entry.identifier).code
                self._org_codes.add(*credit_code_key(normalized), row << 3)
            else:
                normalized = registry_id_number(entry.identifier)
                self._person_ids.add(id_number_key(normalized), 0, row << 3)
        except InvalidIdentifier as problem:
            self.stats.rejected_identifiers += 1
            self.stats.note(f"entry {entry.entry_id}: {problem}")
            return ""
        self._file_digest(normalized, row << 3)
        self.stats.keyed += 1
        return normalized

    def _file_bound_person(self, entry_id: str, row: int, role: str, number: str) -> None:
        if role not in BOUND_ROLES:
            self.stats.note(f"entry {entry_id}: unknown bound-person role {role!r} ignored")
            return
        try:
            normalized = registry_id_number(number)
        except InvalidIdentifier as problem:
            self.stats.rejected_identifiers += 1
            self.stats.note(f"entry {entry_id}, {role}: {problem}")
            return
        ref = row << 3 | ROLES.index(role)
        self._person_ids.add(id_number_key(normalized), 0, ref)
        self._file_digest(normalized, ref)
        self.stats.bound_persons += 1

    def _file_digest(self, normalized: str, ref: int) -> None:
        if self._secret is not None:
            self._digests.add(*digest_key(self._secret, normalized), ref)

    def _category_mask(self, categories: tuple[str, ...]) -> int:
        mask = 0
        for category in categories:
            if category not in self._category_names:
                if len(self._category_names) == 16:
                    raise ValidationFailed("categories", "too_many", "categories: at most 16 distinct restriction categories")
                self._category_names.append(category)
            mask |= 1 << self._category_names.index(category)
        self._category_masks[categories] = mask
        return mask

    # --- incremental changes ------------------------------------------------------------------

    def apply(self, event: RegistryEvent) -> bool:
        """Apply one change from the registry feed; return whether anything changed.

        ``EntryListed`` adds the entry (replacing an in-force entry with the same id);
        ``EntryDelisted`` hides it from every lookup; ``RestrictionLifted`` clears one category
        or all, and an entry with no category left is no longer found.
        """
        with self._write_lock:
            if isinstance(event, EntryListed):
                self._delist(event.entry.entry_id)
                self._add_entry(event.entry)
                return True
            if isinstance(event, EntryDelisted):
                return self._delist(event.entry_id)
            if isinstance(event, RestrictionLifted):
                return self._lift(event.entry_id, event.category)
        raise TypeError(f"not a registry event: {event!r}")

    def _rows_of(self, entry_id: str) -> list[int]:
        return [row for row in self._entry_rows.rows(block_of_text(entry_id)) if self._entry_ids[row] == entry_id]

    def _delist(self, entry_id: str) -> bool:
        changed = False
        for row in self._rows_of(entry_id):
            if not self._flags[row] & _DELISTED:
                self._flags[row] |= _DELISTED
                changed = True
        return changed

    def _lift(self, entry_id: str, category: str | None) -> bool:
        changed = False
        for row in self._rows_of(entry_id):
            before = self._categories[row]
            if category is None:
                self._categories[row] = 0
            elif category in self._category_names:
                self._categories[row] = before & ~(1 << self._category_names.index(category))
            changed |= self._categories[row] != before
        return changed

    # --- lookups ------------------------------------------------------------------------------

    def in_force(self, row: int, on: date) -> bool:
        """Whether the entry on ``row`` restricts anything on day ``on``."""
        return self._in_force_on_day(row, on.toordinal() - _EPOCH_1970)

    def _in_force_on_day(self, row: int, day: int) -> bool:
        if row >= len(self._flags):
            return False  # a row being added by apply() right now
        if self._flags[row] & _DELISTED or not self._categories[row]:
            return False
        start, end = self._in_force_from[row], self._in_force_until[row]
        return (not start or start <= day) and (not end or day <= end)

    def find_person(self, number18: str, on: date) -> list[Hit]:
        """In-force entries for a normalised 18-digit ID number: as itself or a bound person."""
        refs = self._person_ids.find(int(number18[:17]))  # int(...): id_number_key, inlined
        return self._hits(refs, on) if refs else refs

    def person_keys_on_file(self, keys: np.ndarray) -> np.ndarray | None:
        """Whether each 17-digit ID-number key (an int64 numpy array) is filed for a person, as itself
        or as a bound person, in force or not: a bool array (``KeyTable.contains_many``); ``None``
        while the index is being built."""
        table = self._person_ids
        return table.contains_many(keys) if isinstance(table, KeyTable) else None

    def find_organization(self, code: str, on: date) -> list[Hit]:
        """In-force entries for a normalised credit code."""
        return self._hits(self._org_codes.find(*credit_code_key(code)), on)

    def find_by_digest(self, digest_hex: str, on: date) -> list[Hit]:
        """In-force entries for a keyed digest (see ``identifier_keys.hmac_key``).

        Raises ``ValueError`` for a malformed digest and :class:`DigestLookupUnavailable`
        when the index was built without the shared secret.
        """
        if self._secret is None:
            raise DigestLookupUnavailable("privacy mode is off: the index was built without the shared secret")
        return self._hits(self._digests.find(*digest_hex_key(digest_hex)), on)

    def _hits(self, refs: list[int], on: date) -> list[Hit]:
        if not refs:
            return refs
        # _in_force_on_day, inlined: this runs for every identifier found
        day, flags, categories = on.toordinal() - _EPOCH_1970, self._flags, self._categories
        starts, ends, entry_ids, hits = self._in_force_from, self._in_force_until, self._entry_ids, []
        for ref in refs:
            row = ref >> 3
            if row >= len(flags) or flags[row] & _DELISTED or not categories[row]:
                continue
            start, end = starts[row], ends[row]
            if (start and start > day) or (end and day > end):
                continue
            hits.append(_new_hit(Hit, (row, entry_ids[row], ROLES[ref & 7])))
        if len(hits) > 1:
            hits.sort(key=lambda hit: (hit.role != "self", hit.row))
        return hits

    def person_candidates(self, on: date, keys: PersonNameKeys, birth: date | None = None,
                          tags: bytes | None = None) -> Iterator[int]:
        """In-force person rows whose name has one of the keys of ``keys``; with ``birth``,
        instead the rows born that day whose name's pinyin starts with the same letter; with
        ``tags``, only those whose name tag is flagged (as for :meth:`person_names_born`).

        Yielded lazily, each row once, so a caller looking for any one row can stop early
        (a common name can be on tens of thousands of entries).
        """
        if birth is None:
            groups = [self._name_blocks.iter_rows(block_of_text(key)) for key in keys.block_keys()]
        else:
            groups = [self._birth_blocks.iter_rows(_birth_block(birth, i)) for i in _initials(keys)]
        day, in_force, flags = on.toordinal() - _EPOCH_1970, self._in_force_on_day, self._flags
        name_tags = self._name_tags
        seen: set[int] = set()
        for rows in groups:
            for row in rows:
                if tags is not None and not tags[name_tags[row]]:
                    continue
                if len(groups) > 1:
                    if row in seen:
                        continue
                    seen.add(row)
                if in_force(row, day) and not flags[row] & _ORG:
                    yield row

    def person_names_born(self, keys: PersonNameKeys, birth: date, tags: bytes) -> tuple[list[int], list[str]]:
        """The rows :meth:`person_candidates` looks at for ``keys`` and ``birth``, in the same order,
        before any check (in force, a person; a row may come twice), and their stored names.

        ``tags`` (a table of ``names.NAME_TAGS`` flags, see ``names.han_tags_reaching``) leaves
        out the rows whose name tag is not flagged, without reading their names: far apart in
        memory, a name read costs more than the rest of its check."""
        rows: list[int] = []
        for initial in _initials(keys):
            rows.extend(self._birth_blocks.rows_tagged(_birth_block(birth, initial), tags, self._name_tags))
        return rows, self._names.many(rows)

    def is_person_in_force(self, row: int, on: date) -> bool:
        """Whether ``row`` is a person's entry in force on day ``on`` (as :meth:`person_candidates` checks)."""
        return self._in_force_on_day(row, on.toordinal() - _EPOCH_1970) and not self._flags[row] & _ORG

    def organization_candidates(self, normalized_name: str, on: date) -> list[int]:
        """In-force organisation rows whose normalised name is ``normalized_name``."""
        rows = self._name_blocks.rows(block_of_text(f"o:{normalized_name}"))
        return [r for r in rows if self.in_force(r, on) and self._flags[r] & _ORG and self._names[r] == normalized_name]

    def name_keys(self, row: int) -> PersonNameKeys:
        """The name keys of a person row."""
        return person_name_keys(self._names[row])

    def stored_name(self, row: int) -> str:
        """The name as the row keeps it: a Han key, a Latin name as written, or an
        organisation's normalised name."""
        return self._names[row]

    def entry_id(self, row: int) -> str:
        return self._entry_ids[row]

    def birth_date(self, row: int) -> date | None:
        ordinal = self._births[row]
        return date.fromordinal(ordinal) if ordinal else None

    def is_keyed(self, row: int) -> bool:
        """Whether the row's entry has a valid identifier on file."""
        return bool(self._flags[row] & _KEYED)

    def __len__(self) -> int:
        return len(self._flags)

    def nbytes(self) -> int:
        """Approximate bytes held by the columns and tables (not the Python objects around them)."""
        arrays = (self._births, self._categories, self._in_force_from, self._in_force_until)
        total = len(self._flags) + len(self._name_tags) + sum(a.itemsize * len(a) for a in arrays)
        total += self._entry_ids.nbytes() + self._names.nbytes()
        tables = (self._person_ids, self._org_codes, self._digests, self._entry_rows, self._name_blocks, self._birth_blocks)
        return total + sum(t.nbytes() for t in tables)  # type: ignore[union-attr]


@lru_cache(maxsize=131072)
def _person_name_filing(name: str) -> tuple[str, tuple[int, ...], Collection[int], int]:
    """What a person row stores for ``name`` (its Han key, else the name as written), the name
    blocks it is filed under, its initials and its name tag. Cached: the same names come back
    all the time."""
    keys = person_name_keys(name)
    stored = keys.han or name
    return stored, tuple(block_of_text(key) for key in keys.filing_keys()), _initials(keys), han_name_tag(stored)


def _initials(keys: PersonNameKeys) -> Collection[int]:
    """First letters (a=0 .. z=25; 26 for none) of a name's pinyin keys.

    A listed person born on a given day is filed under each initial of their name, so a name
    and birth date check compares with the few dozen people born that day whose name starts
    the same way, not with all of them (about 500 a day on a list of 15 million). The price:
    a misspelt *first* letter is not found.
    """
    if len(keys.pinyin) == 1:  # most names: one key, one initial
        first = keys.pinyin[0][:1]
        return (ord(first) - 97,) if "a" <= first <= "z" else (26,)
    letters = frozenset(ord(key[0]) - 97 if "a" <= key[0] <= "z" else 26 for key in keys.pinyin if key)
    return letters or frozenset((26,))


def _birth_block(birth: date, initial: int) -> int:
    return birth.toordinal() << 5 | initial


def _days_since_1970(day: date | None) -> int:
    """Days since 1970-01-01 in 16 bits; 0 (open) for no date or one outside 1970-2149."""
    if day is None:
        return 0
    days = day.toordinal() - _EPOCH_1970
    return days if 0 < days <= 0xFFFF else 0


def _birth_in_number(number18: str) -> date | None:
    try:
        return date(int(number18[6:10]), int(number18[10:12]), int(number18[12:14]))
    except ValueError:
        return None
