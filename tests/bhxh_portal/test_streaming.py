"""The import's reading stage (bhxh_portal/importing/streaming.py): `read_ahead` gives the rows in batches in
order, raises an error of its thread in the caller, and stops its thread when the caller stops."""

import threading

import pytest

from bhxh_portal.importing.streaming import read_ahead


def _threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


def test_the_rows_come_in_order_in_batches():
    rows = ((n, [n]) for n in range(1, 8))
    assert [[line for line, _ in batch] for batch in read_ahead(rows, 3)] == [[1, 2, 3], [4, 5, 6], [7]]


def test_an_error_while_reading_reaches_the_caller_and_the_thread_stops():
    def rows():
        yield 1, ["a"]
        raise OSError("tệp bị cắt")

    batches = read_ahead(rows(), 1)
    assert next(batches) == [(1, ["a"])]
    with pytest.raises(OSError, match="tệp bị cắt"):
        next(batches)
    batches.close()
    assert _threads("import-") == []


def test_the_caller_stopping_early_stops_the_reading():
    read = []

    def rows():
        for n in range(1, 1_000_000):
            read.append(n)
            yield n, [n]

    batches = read_ahead(rows(), 10)
    assert len(next(batches)) == 10
    batches.close()
    assert _threads("import-") == []
    assert len(read) <= 50  # a batch or two ahead, not the whole file
