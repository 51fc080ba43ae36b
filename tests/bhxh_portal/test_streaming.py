"""The import's pipeline stages (bhxh_portal/importing/streaming.py): `read_ahead` and `work_ahead` give what
they are given in order, raise an error of their thread in the caller, stop their threads when the caller
stops, and a stage's work may not query the database."""

import threading

import pytest

from bhxh_portal.importing.streaming import read_ahead, work_ahead
from units.models import Unit


def _threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


def test_the_work_of_each_batch_comes_in_order_one_stage_behind_the_other():
    rows = ((n, [n]) for n in range(1, 8))
    done = list(work_ahead(read_ahead(rows, 3), lambda batch: [line for line, _ in batch]))
    assert done == [[1, 2, 3], [4, 5, 6], [7]]


def test_an_error_in_the_work_is_raised_in_the_caller_and_both_threads_stop():
    def work(batch):
        if batch[0][0] == 4:
            raise ValueError("dòng 4 hỏng")
        return len(batch)

    rows = ((n, [n]) for n in range(1, 100))
    stages = work_ahead(read_ahead(rows, 3), work)
    assert next(stages) == 3
    with pytest.raises(ValueError, match="dòng 4 hỏng"):
        next(stages)
    stages.close()
    assert _threads("import-") == []


def test_an_error_while_reading_reaches_the_caller_through_the_work_stage():
    def rows():
        yield 1, ["a"]
        raise OSError("tệp bị cắt")

    with pytest.raises(OSError, match="tệp bị cắt"):
        list(work_ahead(read_ahead(rows(), 1), len))
    assert _threads("import-") == []


def test_the_caller_stopping_early_stops_the_reading_and_the_work():
    read = []

    def rows():
        for n in range(1, 1_000_000):
            read.append(n)
            yield n, [n]

    stages = work_ahead(read_ahead(rows(), 10), len)
    assert next(stages) == 10
    stages.close()
    assert _threads("import-") == []
    assert len(read) <= 50  # a batch or two ahead, not the whole file


@pytest.mark.django_db
def test_the_work_may_not_query_the_database():
    with pytest.raises(RuntimeError, match="a query from the working thread"):
        list(work_ahead(iter([1]), lambda _: Unit.objects.count()))
