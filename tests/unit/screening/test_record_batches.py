"""Rows read a chunk at a time are the rows csv.reader reads, wherever the chunks are cut."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.screening import record_batches
from keepword.screening.record_batches import csv_field, field_batches

PIECES = st.sampled_from(["a", "bc", ",", '"', "\r", "\n", "\r\n", " ", "张三", "\x00", "x" * 40])


def test_a_field_over_the_size_limit_is_refused_as_the_reader_refuses_it() -> None:
    text = "r1," + "x" * (csv.field_size_limit() + 1) + "\r\n"
    with pytest.raises(csv.Error, match="field larger than field limit"):
        list(field_batches(io.StringIO(text, newline="")))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(PIECES, max_size=120).map("".join), chunk_chars=st.sampled_from([1, 2, 3, 7, 64, 1 << 15]),
       width=st.integers(1, 4))
def test_field_batches_hold_the_rows_and_columns_of_csv_reader(text: str, chunk_chars: int, width: int) -> None:
    original, record_batches.CHUNK_CHARS = record_batches.CHUNK_CHARS, chunk_chars
    try:
        batches = list(field_batches(io.StringIO(text, newline="")))
    finally:
        record_batches.CHUNK_CHARS = original
    expected = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    assert [batch.row(i) for batch in batches for i in range(len(batch))] == expected
    for at in range(width):
        column = [field for batch in batches for field in batch.column(at, width)]
        assert column == [row[at] if len(row) >= width else "" for row in expected]
    for batch in batches:
        if batch.plain:
            assert not any(set(field) & set(',"\r\n') for i in range(len(batch)) for field in batch.row(i))


def test_lines_with_the_same_number_of_fields_make_one_flat_batch() -> None:
    (batch,) = field_batches(io.StringIO("a,b,c\r\nd,e,f\r\n", newline=""))
    assert batch.plain and len(batch) == 2 and batch.column(1, 3) == ["b", "e"] and batch.row(1) == ["d", "e", "f"]
    assert batch.column(0, 4) == ["", ""]  # shorter than the header


@given(st.lists(st.text(alphabet='a,"\r\n 张', max_size=6), min_size=2, max_size=5))
def test_fields_are_quoted_as_csv_writer_quotes_them(fields: list[str]) -> None:
    written = io.StringIO()
    csv.writer(written).writerow(fields)
    assert ",".join(map(csv_field, fields)) + "\r\n" == written.getvalue()
