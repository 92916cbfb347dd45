"""The live index behind one reference: rebuild beside it, then swap.

Readers take ``holder.current`` once per request and use that index throughout, so a swap
never changes the index under a running check. A rebuild works like this::

    holder.begin_rebuild()                  # from now on, changes are also journaled
    fresh = ScreeningIndex.from_csv(path)   # read the source *after* begin_rebuild
    holder.swap(fresh)                      # replays the journal into fresh, then swaps

Replaying is safe even for changes the source already contained: listing an entry again
replaces it, delisting or lifting twice changes nothing the second time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from keepword.screening.index import ScreeningIndex
from keepword.screening.registry_entries import RegistryEvent


@dataclass(frozen=True, slots=True)
class SwapRecord:
    """What a swap did: the new generation number, when, and the sizes before and after."""

    generation: int
    swapped_at: datetime
    entries_before: int
    entries_after: int
    replayed_events: int


class IndexHolder:
    """Holds the live :class:`ScreeningIndex` and swaps in a rebuilt one atomically."""

    def __init__(self, index: ScreeningIndex | None = None) -> None:
        self._index = index if index is not None else ScreeningIndex.build([])
        self._lock = threading.Lock()
        self._journal: list[RegistryEvent] | None = None
        self.loaded = index is not None
        self.generation = 0
        self.swaps: list[SwapRecord] = []

    @property
    def current(self) -> ScreeningIndex:
        """The live index (take it once per request)."""
        return self._index

    def apply(self, event: RegistryEvent) -> bool:
        """Apply a feed change to the live index, and journal it while a rebuild runs."""
        with self._lock:
            if self._journal is not None:
                self._journal.append(event)
            return self._index.apply(event)

    def begin_rebuild(self) -> None:
        """Start journaling changes; call before reading the source of the new index."""
        with self._lock:
            self._journal = []

    def swap(self, new_index: ScreeningIndex) -> SwapRecord:
        """Replay changes journaled since :meth:`begin_rebuild` into ``new_index``, make it live.

        The old index is dropped by the holder; requests still using it finish normally.
        """
        with self._lock:
            journal, self._journal = self._journal or [], None
            for event in journal:
                new_index.apply(event)
            old, self._index = self._index, new_index
            self.loaded = True
            self.generation += 1
            record = SwapRecord(self.generation, datetime.now(timezone.utc), len(old), len(new_index), len(journal))
            self.swaps.append(record)
            return record


#: The live index of this process, kept fresh by the feed follower; the HTTP API and the
#: ``screen`` command (without a registry file) read it.
LIVE_INDEX = IndexHolder()
