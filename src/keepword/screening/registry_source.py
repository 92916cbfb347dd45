"""The screening index from the live database, and the feed position it reflects.

One registry entry per party (``entry_id`` is the party id) that has, on the day ``on``:

* a published listing on the list of dishonest judgment debtors that has not run out
  (category ``dishonest_debtor``, from its publication to its expiry, if it has one), and/or
* restrictions of high consumption not lifted (their categories, from the day ordered).

An entry's dates span all of these together: it is in force from the earliest start, and until the
latest end (open as soon as one part is open). An organisation's entry carries the ID numbers of
its bound persons, so that each of them is found through their own number.

Rows are read with Core selects, never as ORM objects: for a whole registry, as four streams sorted
by party id (parties, listings, restrictions, bound persons) merged as they arrive, so a registry of
millions of parties is streamed, not loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, func, or_, select, union

from keepword.domain.identifiers import china_today
from keepword.domain.listings import PUBLISHED
from keepword.domain.parties import BOUND_ROLES, ORGANIZATION
from keepword.feeds.sequencer import head_position, sequence_pending
from keepword.screening.index import ScreeningIndex
from keepword.screening.registry_entries import DEFAULT_CATEGORY, RegistryEntry
from keepword.store import tables as t

#: Rows fetched at a time from each of the sorted streams the index is built from.
BATCH = 1000
#: ``progress(entries_done, entries_total)``, called every few thousand entries and at the end.
BuildProgress = Callable[[int, int], None]
_PROGRESS_EVERY = 5000
_PARTY_COLUMNS = (t.parties.c.id, t.parties.c.kind, t.parties.c.name, t.parties.c.id_number,
                  t.parties.c.credit_code, t.parties.c.birth_date)


def registry_entries_from_db(engine: Engine | Connection, on: date) -> Iterator[RegistryEntry]:
    """Every party on the list or restricted on day ``on``, as registry entries, streamed in batches.

    Given an engine, the rows are read in one consistent snapshot of their own; given a
    connection, in that connection's transaction.
    """
    if isinstance(engine, Connection):
        yield from _entries(engine, on)
        return
    with read_snapshot(engine) as conn:
        yield from _entries(conn, on)


def build_index_from_db(engine: Engine, on: date | None = None, progress: BuildProgress | None = None, *,
                        secret: bytes | str | None = None) -> tuple[ScreeningIndex, int]:
    """Build a screening index from the database; return it with the feed position it reflects.

    The position and the entries are read in one snapshot: every feed event at or below the
    position is reflected in the index. Events committed but not yet sequenced may be reflected
    too; they come above the position, and applying them again changes nothing. So following the
    feed from the returned position (see :class:`~keepword.screening.follower.FeedFollower`) misses
    nothing. ``on`` (default: today in China) drops listings whose term ran out before that day;
    ``progress`` is called as ``progress(entries_done, entries_total)``; ``secret`` turns on the
    privacy mode (keyed digests), as for :meth:`ScreeningIndex.build`.
    """
    on = on or china_today()
    sequence_pending(engine, wait=False)  # narrow the window of committed-but-unsequenced events
    with read_snapshot(engine) as conn:
        position = head_position(conn)  # the first read: the snapshot is taken here
        entries: Iterable[RegistryEntry] = _entries(conn, on)
        if progress is not None:
            entries = _reporting(entries, progress, count_registry_parties(conn))
        index = ScreeningIndex.build(entries, secret=secret)
    return index, position


def current_entries(conn: Connection, party_ids: Iterable[str], on: date) -> dict[str, RegistryEntry | None]:
    """The entry of each party as the database holds it now: ``None`` for a party that is neither
    listed nor restricted (or no longer exists)."""
    wanted = sorted(set(party_ids))
    found: dict[str, RegistryEntry | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), BATCH):
        parties = conn.execute(select(*_PARTY_COLUMNS).where(t.parties.c.id.in_(wanted[start:start + BATCH]))).all()
        for entry in _entries_of(conn, parties, on):
            found[entry.entry_id] = entry
    return found


def count_registry_parties(conn: Connection) -> int:
    """How many parties have a published listing or a restriction not lifted."""
    return int(conn.scalar(select(func.count()).select_from(_registry_party_ids())) or 0)


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one consistent state of the database throughout.

    PostgreSQL: REPEATABLE READ. SQLite: a deferred transaction (see :func:`read_only_engine`),
    a WAL reader that keeps one snapshot without holding up writers.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as conn:
            with conn.begin():
                yield conn
        return
    reader = read_only_engine(engine)
    try:
        with reader.begin() as conn:
            yield conn
    finally:
        if reader is not engine:
            reader.dispose()


def read_only_engine(engine: Engine) -> Engine:
    """An engine for reads that must not hold up writers; dispose it when done unless it is ``engine``.

    On PostgreSQL (and for an in-memory SQLite database, one per connection) that is ``engine``
    itself. On SQLite, keepword's engines begin every transaction IMMEDIATE, taking the write lock
    even to read; this one, on the same file, begins them DEFERRED and refuses to write.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    reader = create_engine(engine.url, connect_args={"timeout": 30, "check_same_thread": False})
    event.listen(reader, "connect", _sqlite_reader_pragmas)
    event.listen(reader, "begin", _sqlite_begin_deferred)
    return reader


def _sqlite_reader_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun explicitly, below
    dbapi_connection.execute("PRAGMA busy_timeout=30000")
    dbapi_connection.execute("PRAGMA query_only=ON")


def _sqlite_begin_deferred(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def _registry_party_ids():
    """The ids of parties with a published listing or a restriction not lifted, each once."""
    listings, restrictions = t.listings.c, t.restrictions.c
    return union(select(listings.debtor_id.label("id")).where(listings.state == PUBLISHED),
                 select(restrictions.debtor_id).where(restrictions.lifted_on.is_(None))).subquery()


def _listings(on: date):
    listings = t.listings.c
    return select(listings.debtor_id, listings.published_on, listings.expires_on).where(
        listings.state == PUBLISHED, or_(listings.expires_on.is_(None), listings.expires_on >= on))


def _restrictions():
    restrictions = t.restrictions.c
    return select(restrictions.debtor_id, restrictions.ordered_on, restrictions.categories).where(
        restrictions.lifted_on.is_(None))


def _bound_persons():
    bound = t.bound_persons.c
    return select(bound.party_id, bound.role, bound.id_number).where(
        bound.id_number.is_not(None), bound.role.in_(BOUND_ROLES))


def _entries(conn: Connection, on: date) -> Iterator[RegistryEntry]:
    # Four streams sorted by party id, merged here: the database scans and sorts each table once
    # (no query per batch of parties, whose plan could turn into a scan per batch on a large table).
    in_order = _byte_order(conn)
    listings, restrictions, bound = t.listings.c, t.restrictions.c, t.bound_persons.c
    on_registry = _registry_party_ids()
    parties = (select(*_PARTY_COLUMNS).select_from(t.parties.join(on_registry, on_registry.c.id == t.parties.c.id))
               .order_by(in_order(t.parties.c.id)))
    streams = [conn.execute(query.execution_options(yield_per=BATCH)) for query in (
        parties, _listings(on).order_by(in_order(listings.debtor_id)),
        _restrictions().order_by(in_order(restrictions.debtor_id)),
        _bound_persons().order_by(in_order(bound.party_id), bound.role, bound.id_number))]
    try:
        party_rows, listed, restricted, bound_numbers = streams[0], *map(_RowsByParty, streams[1:])
        for party in party_rows:
            entry = _entry(party, [(r.published_on, r.expires_on) for r in listed.rows_of(party.id)],
                           [(r.ordered_on, r.categories) for r in restricted.rows_of(party.id)],
                           [(r.role, r.id_number) for r in bound_numbers.rows_of(party.id)]
                           if party.kind == ORGANIZATION else ())
            if entry is not None:
                yield entry
    finally:
        for stream in streams:
            stream.close()


def _byte_order(conn: Connection) -> Callable[[ColumnElement], ColumnElement]:
    """Sorts text by its bytes, the order Python compares strings in (SQLite's default already)."""
    if conn.dialect.name == "postgresql":
        return lambda column: column.collate("C")
    return lambda column: column


class _RowsByParty:
    """Rows sorted by party id (their first column), taken party by party in the same order."""

    def __init__(self, rows: Iterable) -> None:
        self._rows = iter(rows)
        self._next = next(self._rows, None)

    def rows_of(self, party_id: str) -> list:
        found = []
        while self._next is not None and self._next[0] <= party_id:
            if self._next[0] == party_id:
                found.append(self._next)
            self._next = next(self._rows, None)
        return found


def _entries_of(conn: Connection, parties: Sequence, on: date) -> Iterator[RegistryEntry]:
    """The entries of a few party rows, read by their ids (those neither listed nor restricted yield none)."""
    ids = [p.id for p in parties]
    listed: dict[str, list] = {}
    for row in conn.execute(_listings(on).where(t.listings.c.debtor_id.in_(ids))):
        listed.setdefault(row.debtor_id, []).append((row.published_on, row.expires_on))
    restricted: dict[str, list] = {}
    for row in conn.execute(_restrictions().where(t.restrictions.c.debtor_id.in_(ids))):
        restricted.setdefault(row.debtor_id, []).append((row.ordered_on, row.categories))
    organizations = [p.id for p in parties if p.kind == ORGANIZATION]
    bound_numbers: dict[str, list] = {}
    if organizations:
        bound = t.bound_persons.c
        for row in conn.execute(_bound_persons().where(bound.party_id.in_(organizations))
                                .order_by(bound.party_id, bound.role, bound.id_number)):
            bound_numbers.setdefault(row.party_id, []).append((row.role, row.id_number))
    for party in parties:
        entry = _entry(party, listed.get(party.id, ()), restricted.get(party.id, ()), bound_numbers.get(party.id, ()))
        if entry is not None:
            yield entry


def _entry(party, listings: Sequence[tuple[date | None, date | None]],
           restrictions: Sequence[tuple[date | None, list[str]]], bound: Sequence[tuple[str, str]]) -> RegistryEntry | None:
    restricted_categories = sorted({c for _, categories in restrictions for c in categories or () if c})
    categories = ((DEFAULT_CATEGORY,) if listings else ()) + tuple(c for c in restricted_categories if c != DEFAULT_CATEGORY)
    if not categories:
        return None
    starts = [start for start, _ in listings] + [start for start, categories in restrictions if categories]
    ends = [end for _, end in listings] + [None for _, categories in restrictions if categories]
    return RegistryEntry(
        entry_id=party.id,
        kind=party.kind,
        name=party.name or "",
        identifier=(party.credit_code if party.kind == ORGANIZATION else party.id_number) or "",
        birth_date=party.birth_date,
        categories=categories,
        in_force_from=None if None in starts else min(starts),
        in_force_until=None if None in ends else max(ends),
        bound_persons=tuple(bound),
    )


def _reporting(entries: Iterable[RegistryEntry], progress: BuildProgress, total: int) -> Iterator[RegistryEntry]:
    done = 0
    for entry in entries:
        yield entry
        done += 1
        if done % _PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    progress(done, max(total, done))
