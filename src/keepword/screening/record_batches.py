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
from typing import TextIO

CHUNK_CHARS = 1 << 15  # characters read at a time (to the end of a line): a few hundred rows
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_field(text: str) -> str:
    """``text`` as ``csv.writer`` writes a field (minimal quoting, the default dialect)."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def row_batches(text: TextIO) -> Iterator[tuple[bool, list[list[str]]]]:
    """The rows of CSV ``text``, as ``csv.reader`` reads them, a chunk of lines at a time, each
    chunk with whether it holds no quote character. A chunk without one is split on line ends
    and commas (what the reader would do, only faster); one with a quote is parsed by the reader,
    which follows a quoted field past the chunk's end when it holds a line break."""
    limit = csv.field_size_limit()
    while chunk := text.read(CHUNK_CHARS):
        if chunk[-1] != "\n":
            chunk += text.readline()  # to the end of the line (and past a "\r" to its "\n")
        if '"' not in chunk:
            lines = (chunk.replace("\r\n", "\n").replace("\r", "\n") if "\r" in chunk else chunk).split("\n")
            if len(chunk) <= limit or max(map(len, lines)) <= limit:  # else the reader gives the error
                yield True, [line.split(",") for line in lines if line]
                continue
        yield False, _parsed_rows(chunk, text)


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
