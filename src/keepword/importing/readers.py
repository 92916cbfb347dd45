"""Reading a court's batch: CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX.

A reader finds the header row, maps its cells to columns and yields one dict per data row with
the canonical column names and ``line``: the line a person sees in a spreadsheet (the header of a
plain file is line 1). Blank rows are skipped but still counted, so line numbers stay true.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from keepword.domain.errors import ValidationFailed
from keepword.importing.columns import (COLUMNS, HEADER_SEARCH_LINES, Header, is_header_row, read_header)

#: The key of a row dict that holds its line number.
LINE = "line"

XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_DELIMITERS = (",", "\t", ";")


@dataclass
class ImportTable:
    """A header and the rows below it, read lazily."""

    header: Header
    rows: Iterator[dict]
    estimated_rows: int | None = None
    encoding: str | None = None
    ignored_columns: tuple[str, ...] = field(default=())


def open_table(path: str | Path) -> ImportTable:
    """Open a CSV or XLSX file for import (chosen by content, not just the file name)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        raise ValidationFailed("file", f"cannot read {path}: {exc.strerror}") from None
    if start == _ZIP_MAGIC or path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path)
    return read_csv_bytes(path.read_bytes())


def table_from_bytes(data: bytes, filename: str = "") -> ImportTable:
    """The same as :func:`open_table` for an uploaded file's bytes."""
    if data[:4] == _ZIP_MAGIC or filename.lower().endswith(XLSX_SUFFIXES):
        return read_xlsx(io.BytesIO(data))
    return read_csv_bytes(data)


# --- CSV --------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a CSV file: BOM first, then strict UTF-8, then GB18030 (what Chinese Excel writes)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ValidationFailed("file", f"not UTF-8 or GB18030 text (undecodable byte at offset {exc.start}): "
                                       "save it as CSV UTF-8 or as an Excel workbook") from None


def read_csv_bytes(data: bytes) -> ImportTable:
    """Read CSV content; the delimiter (comma, tab or semicolon) is taken from the header line."""
    content, encoding = decode_text(data)
    first_line = _first_line(content)
    delimiter = max(_DELIMITERS, key=first_line.count)
    records = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    lines = enumerate(records, start=1)
    header = _find_header(lines)
    estimate = max(content.count("\n") - header.line + (0 if content.endswith("\n") else 1), 0)
    return ImportTable(header=header, rows=_rows(lines, header), estimated_rows=estimate, encoding=encoding,
                       ignored_columns=header.ignored)


def _first_line(content: str) -> str:
    """The first line that is not blank (``""`` if none), without splitting the whole file into lines."""
    start, size = 0, len(content)
    while start < size:
        end = _line_end(content, start)
        for line in content[start:end].splitlines():  # the other line boundaries str.splitlines knows
            if line.strip():
                return line
        start = end + 1
    return ""


def _line_end(content: str, start: int) -> int:
    ends = [i for i in (content.find("\n", start), content.find("\r", start)) if i >= 0]
    return min(ends) if ends else len(content)


# --- XLSX -------------------------------------------------------------------------------------


def read_xlsx(source) -> ImportTable:
    """Read the first worksheet in openpyxl's read-only (streaming) mode; date cells stay dates."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed("file", f"not a readable Excel workbook (.xlsx): {exc}") from None
    sheet = workbook.worksheets[0]
    lines = enumerate(sheet.iter_rows(values_only=True), start=1)
    try:
        header = _find_header(lines)
    except ValidationFailed:
        workbook.close()
        raise
    estimate = max(sheet.max_row - header.line, 0) if sheet.max_row else None
    return ImportTable(header=header, rows=_closing(_rows(lines, header), workbook), estimated_rows=estimate,
                       encoding="xlsx", ignored_columns=header.ignored)


def _closing(rows: Iterator[dict], workbook) -> Iterator[dict]:
    try:
        yield from rows
    finally:
        workbook.close()


# --- shared -----------------------------------------------------------------------------------


def _find_header(lines) -> Header:
    for line, cells in lines:
        if is_header_row(cells):
            return read_header(cells, line)
        if line >= HEADER_SEARCH_LINES:
            break
    examples = ", ".join(list(COLUMNS)[:4])
    chinese = ", ".join(list(COLUMNS.values())[:4])
    raise ValidationFailed("header", f"no header row in the first {HEADER_SEARCH_LINES} lines: expected columns "
                                     f"such as {examples} (or {chinese})")


def _rows(lines, header: Header) -> Iterator[dict]:
    positions = sorted(header.positions.items())
    names = [name for _, name in positions]
    # Rows that reach the last mapped cell (nearly all) are taken in one step; shorter ones cell by cell.
    take = itemgetter(*(index for index, _ in positions)) if len(positions) > 1 else None
    needed = positions[-1][0] + 1 if positions else 0
    for line, cells in lines:
        if _blank(cells):
            continue
        if take is not None and len(cells) >= needed:
            row = dict(zip(names, take(cells)))
        else:
            count = len(cells)
            row = {name: cells[index] if index < count else None for index, name in positions}
        row[LINE] = line
        yield row


def _blank(cells) -> bool:
    for cell in cells:
        if cell is not None and (cell.strip() if cell.__class__ is str else str(cell).strip()):
            return False
    return True
