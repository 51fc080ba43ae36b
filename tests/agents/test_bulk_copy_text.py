"""agents.bulk's COPY text: rows formatted as CSV a chunk at a time, each chunk given whole to psycopg2
whatever size it asks for, and dates formatted once per distinct date."""

import csv
import datetime
import io

from agents import bulk

D = datetime.date


def _rows(count: int) -> list[tuple]:
    return [(n, f"Người {n}, \"xã\" 1", D(2024, 1, 1 + n % 28), None, n % 2 == 0) for n in range(count)]


def test_read_gives_whole_chunks_whatever_the_size_then_nothing(monkeypatch):
    monkeypatch.setattr(bulk._CsvStream, "ROWS_PER_CHUNK", 3)
    stream = bulk._CsvStream(_rows(7))
    chunks = []
    while chunk := stream.read(10):  # psycopg2 asks for a size; a chunk is never cut to it
        chunks.append(chunk)
    assert [chunk.count("\n") for chunk in chunks] == [3, 3, 1]
    assert list(csv.reader(io.StringIO("".join(chunks)))) == [
        [str(n), f"Người {n}, \"xã\" 1", f"2024-01-{1 + n % 28:02d}", "", str(n % 2 == 0)] for n in range(7)]
    assert stream.read(10) == ""


def test_read_without_a_size_gives_everything_and_no_rows_give_nothing():
    assert bulk._CsvStream(_rows(2)).read() == "0,\"Người 0, \"\"xã\"\" 1\",2024-01-01,,True\n" \
                                               "1,\"Người 1, \"\"xã\"\" 1\",2024-01-02,,False\n"
    assert bulk._CsvStream([]).read(1 << 18) == ""


def test_date_texts_formats_each_date_once_and_keeps_none():
    texts = bulk.DateTexts()
    assert (texts[D(2024, 7, 1)], texts[None], texts[D(2024, 7, 1)]) == ("2024-07-01", None, "2024-07-01")
    assert len(texts) == 2
