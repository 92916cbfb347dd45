"""RECORDS.csv read a batch of rows at a time, and result fields written as ``csv.writer`` does.

Splitting lines without a quote character on line ends and commas gives the rows ``csv.reader``
gives, faster; a chunk that holds a quote is left to the reader. A batch is a few hundred rows,
so a file is never held whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import repeat
from operator import itemgetter
from typing import TextIO

CHUNK_CHARS = 1 << 15  # characters read at a time (to the end of a line): a few hundred rows
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_field(text: str) -> str:
    """``text`` as ``csv.writer`` writes a field (minimal quoting, the default dialect)."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def field_batches(text: TextIO) -> Iterator[FieldBatch]:
    """The rows of CSV ``text``, as ``csv.reader`` reads them (blank lines left out), a chunk of
    lines at a time, as :class:`FieldBatch` es that hand out whole columns cheaply. A chunk
    without a quote character is split on line ends and commas (what the reader would do, only
    faster); one with a quote is parsed by the reader, which follows a quoted field past the
    chunk's end when it holds a line break."""
    for lines, rows in _chunks(text):
        if lines is not None:
            yield FieldBatch.from_lines(lines)
        else:
            yield FieldBatch(False, [row for row in rows if row])


class FieldBatch:
    """A batch of CSV rows, none of them empty; ``plain``: read from lines without a quote
    character (so no field holds a comma, a quote or a line break).

    When every line has the same number of fields, the batch is one flat list of fields split
    in one go, and a column is a slice of it: no list per row.
    """

    __slots__ = ("plain", "_rows", "_flat", "_stride", "_count")

    def __init__(self, plain: bool, rows: list[list[str]] | None, flat: list[str] | None = None,
                 stride: int = 0) -> None:
        self.plain, self._rows, self._flat, self._stride = plain, rows, flat, stride
        self._count = len(rows) if rows is not None else len(flat) // stride  # type: ignore[arg-type]

    @classmethod
    def from_lines(cls, lines: list[str]) -> FieldBatch:
        """The rows of lines that hold no quote character and no line end."""
        if lines and not lines[-1]:
            del lines[-1]
        if "" in lines:
            lines = [line for line in lines if line]
        commas = set(map(str.count, lines, repeat(",")))
        if len(commas) == 1:
            stride = commas.pop() + 1
            return cls(True, None, ",".join(lines).split(","), stride)
        return cls(True, [line.split(",") for line in lines])

    def __len__(self) -> int:
        return self._count

    def row(self, position: int) -> list[str]:
        """The fields of the row at ``position``."""
        if self._rows is not None:
            return self._rows[position]
        stride = self._stride
        return self._flat[position * stride : (position + 1) * stride]  # type: ignore[index]

    def column(self, at: int, width: int) -> list[str]:
        """Field ``at`` of every row; ``""`` for a row of fewer than ``width`` fields (``at < width``)."""
        if self._rows is None:
            if self._stride < width:
                return [""] * self._count
            return self._flat[at :: self._stride]  # type: ignore[index]
        rows = self._rows
        if min(map(len, rows), default=width) >= width:
            return list(map(itemgetter(at), rows))
        return [fields[at] if len(fields) >= width else "" for fields in rows]


def _chunks(text: TextIO) -> Iterator[tuple[list[str], None] | tuple[None, list[list[str]]]]:
    """A chunk of lines at a time: ``(lines, None)`` for lines without a quote character (line
    ends dropped; blank lines kept), ``(None, rows)`` for rows the reader parsed."""
    limit = csv.field_size_limit()
    while chunk := text.read(CHUNK_CHARS):
        if chunk[-1] != "\n":
            chunk += text.readline()  # to the end of the line (and past a "\r" to its "\n")
        if '"' not in chunk:
            lines = (chunk.replace("\r\n", "\n").replace("\r", "\n") if "\r" in chunk else chunk).split("\n")
            if len(chunk) <= limit or max(map(len, lines)) <= limit:  # else the reader gives the error
                yield lines, None
                continue
        yield None, _parsed_rows(chunk, text)


def _parsed_rows(chunk: str, text: TextIO) -> list[list[str]]:
    """The rows that start in ``chunk``, parsed by ``csv.reader``; a row still open at the end
    of the chunk (a quoted line break) is completed from ``text``."""
    chunk_lines = io.StringIO(chunk, newline="")
    past_chunk = [False]

    def lines() -> Iterator[str]:
        yield from chunk_lines
        past_chunk[0] = True
        for line in text:  # not "yield from": closing this generator would close ``text``
            yield line

    rows = []
    for row in csv.reader(lines()):
        rows.append(row)
        if past_chunk[0]:
            break
    return rows
