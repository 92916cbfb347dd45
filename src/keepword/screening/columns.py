"""Compact columnar storage for the screening index: no Python object per entry.

A registry of 15 million entries held as dicts and dataclasses would need several gigabytes
(a small int alone costs 28 bytes). Here every column is an :mod:`array` or one ``bytearray``:

* :class:`StringColumn`: many short strings in one UTF-8 blob plus an offsets array.
* :class:`KeyTable`: 64-bit keys (with an optional 16-bit tag to tell apart keys that share
  the 64 bits) mapped to 32-bit references, grouped in hash buckets; keys added after the
  build go to a small dict overlay, so an index can take incremental changes and be rebuilt
  (compacted) later.
* :class:`RowBlocks`: one sorted array of ``(32-bit key << 32) | row``, for many-to-many
  groups such as "rows born on this day" or "rows whose name hashes to this value".

:func:`sort_columns` sorts parallel arrays in bounded memory (a bucket at a time); the two
builders collect unsorted columns during a build and ``freeze`` into the sorted tables.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_LOW32 = 0xFFFFFFFF
_SORT_BUCKET = 1 << 20
_DIRECTORY_SPAN = 1 << 22


class StringColumn:
    """Append-only column of strings stored as one UTF-8 blob."""

    __slots__ = ("_blob", "_ends")

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("I")  # blob offsets: up to 4 GiB of text

    def append(self, text: str) -> int:
        """Store ``text``; return its position."""
        self._blob += text.encode()
        self._ends.append(len(self._blob))
        return len(self._ends) - 1

    def __getitem__(self, position: int) -> str:
        start = self._ends[position - 1] if position else 0
        return self._blob[start : self._ends[position]].decode()

    def many(self, positions: list[int]) -> list[str]:
        """The strings at ``positions``."""
        blob, ends = self._blob, self._ends
        return [blob[ends[p - 1] if p else 0 : ends[p]].decode() for p in positions]

    def __len__(self) -> int:
        return len(self._ends)

    def nbytes(self) -> int:
        """Bytes held by the column's buffers."""
        return len(self._blob) + self._ends.itemsize * len(self._ends)


def sort_columns(keys: array, *payloads: array) -> tuple[array, ...]:
    """Return new arrays: ``keys`` sorted ascending, each payload permuted the same way.

    Peak extra memory is one bucket of about a million Python ints, not one per element:
    elements are first dealt into key-range buckets (split points from a sample), then each
    bucket is sorted as packed ``key << 32 | position`` ints.
    """
    n = len(keys)
    out_keys = array(keys.typecode)
    outs = [array(p.typecode) for p in payloads]
    for bucket in _positions_by_bucket(keys):
        if not payloads:
            out_keys.extend(sorted(map(keys.__getitem__, bucket)))
            continue
        packed = sorted([keys[i] << 32 | i for i in bucket])
        out_keys.extend([p >> 32 for p in packed])
        order = [p & _LOW32 for p in packed]
        for out, payload in zip(outs, payloads):
            out.extend(map(payload.__getitem__, order))
    assert len(out_keys) == n
    return (out_keys, *outs)


def _positions_by_bucket(keys: array) -> Iterator[Iterable[int]]:
    n = len(keys)
    if n <= _SORT_BUCKET:
        yield range(n)
        return
    step = max(1, n // 20000)
    sample = sorted(keys[::step])
    buckets = -(-n // _SORT_BUCKET)
    splits = sorted(set(sample[len(sample) * b // buckets] for b in range(1, buckets)))
    bucket_of = array("H", map(partial(bisect_right, splits), keys))
    counts = [0] * (len(splits) + 1)
    for b in bucket_of:
        counts[b] += 1
    starts = [0] * len(counts)
    for b in range(1, len(counts)):
        starts[b] = starts[b - 1] + counts[b - 1]
    bounds = list(zip(starts, [s + c for s, c in zip(starts, counts)]))
    placed = array("I", bytes(4 * n))  # "I" is 4 bytes; "L" would be 8
    cursor = starts[:]
    for i, b in enumerate(bucket_of):
        placed[cursor[b]] = i
        cursor[b] += 1
    del bucket_of
    for start, end in bounds:
        yield placed[start:end]


class KeyTable:
    """Hashed ``(key, tag) -> [ref, ...]`` table with an overlay for keys added later.

    ``key`` is a signed 64-bit int, ``tag`` an unsigned 16-bit int, ``ref`` an unsigned 32-bit
    int. A table built without tags stores none (every tag is 0). A key may have several refs
    (one person on several entries).

    The columns are grouped by bucket (``key % buckets``, about one key per bucket) and
    ``starts[b]:starts[b + 1]`` is bucket ``b``'s range: a lookup reads two offsets and compares
    a key or two, where a bisection over millions of sorted keys compares twenty (4 bytes more
    per key).
    """

    __slots__ = ("_keys", "_tags", "_refs", "_starts", "_buckets", "_added")

    def __init__(self, keys: array | None = None, tags: array | None = None, refs: array | None = None,
                 starts: array | None = None) -> None:
        self._keys = keys if keys is not None else array("q")
        self._tags = tags
        self._refs = refs if refs is not None else array("I")
        self._starts = starts if starts is not None else array("I", [0, len(self._keys)])
        self._buckets = len(self._starts) - 1
        self._added: dict[tuple[int, int], list[int]] = {}

    @classmethod
    def build(cls, keys: array, tags: array | None, refs: array) -> KeyTable:
        """Group unsorted parallel columns by bucket (``tags=None``: a table without tags)."""
        buckets = len(keys) | 1  # odd: keys that differ in their low bits only still spread
        bucket_of = array("I", map(buckets.__rmod__, keys))
        columns = (keys, refs) if tags is None else (keys, tags, refs)
        sorted_buckets, *grouped = sort_columns(bucket_of, *columns)
        del bucket_of
        counts = array("I", bytes(4 * (buckets + 1)))
        for bucket in sorted_buckets:
            counts[bucket + 1] += 1
        starts = array("I", accumulate(counts))
        if tags is None:
            return cls(grouped[0], None, grouped[1], starts)
        return cls(grouped[0], grouped[1], grouped[2], starts)

    def add(self, key: int, tag: int, ref: int) -> None:
        """Add one mapping after the build (kept in the overlay until the next rebuild)."""
        self._added.setdefault((key, tag), []).append(ref)

    def find(self, key: int, tag: int = 0) -> list[int]:
        """All refs stored under ``(key, tag)``."""
        starts = self._starts
        bucket = key % self._buckets
        i, end = starts[bucket], starts[bucket + 1]
        refs = []
        if i < end:
            keys, tags = self._keys, self._tags
            while i < end:
                if keys[i] == key and (tags is None or tags[i] == tag):
                    refs.append(self._refs[i])
                i += 1
        if self._added:
            refs.extend(self._added.get((key, tag), ()))
        return refs

    def contains_many(self, keys: np.ndarray) -> np.ndarray:
        """Whether each of ``keys`` (an int64 array; tag 0) is in the table or its overlay: a
        bool array. Reads the columns through zero-copy numpy views made for the call (numpy
        is imported on first use: building and serving an index does without it)."""
        import numpy as np

        found = np.zeros(len(keys), dtype=bool)
        if not len(keys):
            return found
        starts = np.frombuffer(self._starts, dtype=np.uint32)
        table_keys = np.frombuffer(self._keys, dtype=np.int64)
        bucket = keys % self._buckets
        at, end = starts[bucket].astype(np.int64), starts[bucket + 1].astype(np.int64)
        tags = None if self._tags is None else np.frombuffer(self._tags, dtype=np.uint16)
        pending = np.flatnonzero(at < end)
        while len(pending):  # one pass per key of the fullest bucket met (a handful)
            place = at[pending]
            same = table_keys[place] == keys[pending]
            if tags is not None:
                same &= tags[place] == 0
            found[pending[same]] = True
            at[pending] += 1
            pending = pending[~same & (at[pending] < end[pending])]
        del starts, table_keys, tags  # release the views: the arrays stay resizable
        if self._added:
            added = self._added
            for i in np.flatnonzero(~found).tolist():
                if (int(keys[i]), 0) in added:
                    found[i] = True
        return found

    def __len__(self) -> int:
        return len(self._keys) + sum(map(len, self._added.values()))

    def nbytes(self) -> int:
        """Bytes held by the columns and bucket offsets (the overlay is small and not counted)."""
        return sum(a.itemsize * len(a) for a in (self._keys, self._tags, self._refs, self._starts) if a is not None)


class RowBlocks:
    """Groups of rows under 32-bit block numbers: ``block -> [row, ...]``, sorted and packed.

    When the block numbers in use span at most 4 Mi values (birth-date blocks do), a directory
    holds where each block starts in the packed array: a lookup reads two offsets instead of
    searching (hashed blocks, spread over all 32 bits, are searched by bisection).
    """

    __slots__ = ("_packed", "_low", "_starts", "_added", "_tags")

    def __init__(self, packed: array | None = None) -> None:
        self._packed = packed if packed is not None else array("Q")
        self._low, self._starts = _block_directory(self._packed)
        self._added: dict[int, list[int]] = {}
        self._tags: bytes | None = None  # see tag_rows

    @staticmethod
    def pack(block: int, row: int) -> int:
        """One element of the packed array: the block number above the row."""
        return block << 32 | row

    @classmethod
    def build(cls, packed: array) -> RowBlocks:
        """Sort an array ("Q") of :meth:`pack`-ed ``(block, row)`` pairs into a table."""
        return cls(sort_columns(packed)[0])

    def add(self, block: int, row: int) -> None:
        """Add one row to a block after the build."""
        self._added.setdefault(block, []).append(row)

    def rows(self, block: int) -> list[int]:
        """Rows filed under ``block`` (a 32-bit unsigned int)."""
        lo, hi = self._range(block)
        found = [p & _LOW32 for p in self._packed[lo:hi]] if lo < hi else []
        if self._added:
            found.extend(self._added.get(block, ()))
        return found

    def tag_rows(self, row_tags: bytes | bytearray) -> None:
        """Keep beside the packed array the tag (``row_tags[row]``) of each row it holds, for
        :meth:`rows_tagged`: one byte a row, read where the rows are read."""
        self._tags = bytes(map(row_tags.__getitem__, map(_LOW32.__and__, self._packed)))

    def rows_tagged(self, block: int, keep: bytes, row_tags: bytes | bytearray) -> list[int]:
        """:meth:`rows`, without the rows whose tag is not flagged in ``keep`` (``keep[tag]``);
        the tags of rows added after the build are read from ``row_tags``."""
        tags = self._tags
        if tags is None:
            return [row for row in self.rows(block) if keep[row_tags[row]]]
        lo, hi = self._range(block)
        found = [p & _LOW32 for p, tag in zip(self._packed[lo:hi], tags[lo:hi]) if keep[tag]] if lo < hi else []
        if self._added:
            found.extend(row for row in self._added.get(block, ()) if keep[row_tags[row]])
        return found

    def iter_rows(self, block: int) -> Iterator[int]:
        """:meth:`rows`, one at a time: for a caller that may stop early in a large block."""
        lo, hi = self._range(block)
        added = list(self._added.get(block, ())) if self._added else ()
        for packed in self._packed[lo:hi]:
            yield packed & _LOW32
        yield from added

    def _range(self, block: int) -> tuple[int, int]:
        packed, starts = self._packed, self._starts
        if starts is None:
            lo = bisect_left(packed, block << 32)
            return lo, bisect_left(packed, (block + 1) << 32, lo)
        if 0 <= block - self._low < len(starts) - 1:
            return starts[block - self._low], starts[block - self._low + 1]
        return 0, 0

    def __len__(self) -> int:
        return len(self._packed) + sum(map(len, self._added.values()))

    def nbytes(self) -> int:
        """Bytes held by the packed array and its directory."""
        directory = self._starts.itemsize * len(self._starts) if self._starts is not None else 0
        return self._packed.itemsize * len(self._packed) + directory + len(self._tags or b"")


def _block_directory(packed: array) -> tuple[int, array | None]:
    """``(lowest block, starts)``: block ``lowest + i`` is ``packed[starts[i]:starts[i + 1]]``;
    ``starts`` is ``None`` when the blocks span more than :data:`_DIRECTORY_SPAN` values."""
    if not packed:
        return 0, None
    low, high = packed[0] >> 32, packed[-1] >> 32
    if high - low >= _DIRECTORY_SPAN:
        return 0, None
    return low, array("I", map(partial(bisect_left, packed), range(low << 32, (high + 2) << 32, 1 << 32)))


class KeyTableBuilder:
    """Unsorted key columns collected during a build; ``freeze`` sorts them into a KeyTable.

    Has the same ``add`` as :class:`KeyTable`, so filing code need not know which it holds.
    """

    def __init__(self, tagged: bool) -> None:
        self.keys, self.tags, self.refs = array("q"), array("H") if tagged else None, array("I")

    def add(self, key: int, tag: int, ref: int) -> None:
        """Collect one mapping."""
        self.keys.append(key)
        if self.tags is not None:
            self.tags.append(tag)
        self.refs.append(ref)

    def freeze(self) -> KeyTable:
        """The sorted table."""
        return KeyTable.build(self.keys, self.tags, self.refs)


class RowBlocksBuilder:
    """Unsorted packed ``(block, row)`` pairs collected during a build."""

    def __init__(self) -> None:
        self.packed = array("Q")

    def add(self, block: int, row: int) -> None:
        """Collect one pair."""
        self.packed.append(block << 32 | row)

    def freeze(self) -> RowBlocks:
        """The sorted table."""
        return RowBlocks.build(self.packed)


def block_of_text(text: str) -> int:
    """A 32-bit block number for a string (process-local: Python's salted ``hash``)."""
    return hash(text) & _LOW32

