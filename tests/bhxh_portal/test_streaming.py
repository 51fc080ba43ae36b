"""The import's reading stage (bhxh_portal/importing/streaming.py): `read_ahead` gives the rows in batches in
order, raises an error of its reader in the caller, and stops its reader when the caller stops; read by a
forked process (the default where fork exists) or a thread (IMPORT_READ_IN_PROCESS off)."""

import itertools
import os
import threading
import time

import pytest

from bhxh_portal.importing import ImportFileError, streaming
from bhxh_portal.importing.streaming import batch_sizes, open_sheet, read_ahead

MODES = [pytest.param(True, id="process"), pytest.param(False, id="thread")]


@pytest.fixture(params=MODES)
def in_process(request, settings):
    settings.IMPORT_READ_IN_PROCESS = request.param
    return request.param


def _threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


def _children() -> set[int]:
    """This process's children still in the process table (running or not yet reaped)."""
    me = str(os.getpid())
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[1] == me:
                found.add(int(entry))
    return found


def test_the_rows_come_in_order_in_batches(in_process):
    rows = ((n, [n]) for n in range(1, 8))
    assert [[line for line, _ in batch] for batch in read_ahead(rows, 3)] == [[1, 2, 3], [4, 5, 6], [7]]


def test_the_first_batches_of_a_large_size_are_smaller(in_process):
    rows = ((n, [n]) for n in range(1, 40_001))
    batches = list(read_ahead(rows, 16_000))
    assert [len(batch) for batch in batches] == [2_000, 4_000, 8_000, 16_000, 10_000]
    assert [line for batch in batches for line, _ in batch] == list(range(1, 40_001))
    assert list(itertools.islice(batch_sizes(8_000), 4)) == [2_000, 4_000, 8_000, 8_000]
    assert list(itertools.islice(batch_sizes(3_000), 2)) == [3_000, 3_000]


def test_an_error_while_reading_reaches_the_caller_and_the_reader_stops(in_process):
    before = _children()

    def rows():
        yield 1, ["a"]
        raise ImportFileError("ô C7 chứa công thức", filename="ds.xlsx", line=7, column="C")

    batches = read_ahead(rows(), 1)
    assert next(batches) == [(1, ["a"])]
    with pytest.raises(ImportFileError, match="ô C7 chứa công thức") as raised:
        next(batches)
    assert raised.value.filename == "ds.xlsx"
    assert (raised.value.problem.line, raised.value.problem.column) == (7, "C")
    batches.close()
    assert _threads("import-") == []
    assert _children() == before


def test_an_error_that_cannot_cross_processes_is_told_by_its_text(settings):
    settings.IMPORT_READ_IN_PROCESS = True

    class Unpicklable(Exception):  # a local class: pickle cannot name it
        pass

    def rows():
        yield 1, ["a"]
        raise Unpicklable("hỏng ở giữa")

    batches = read_ahead(rows(), 1)
    next(batches)
    with pytest.raises(ImportFileError, match="Unpicklable: hỏng ở giữa"):
        next(batches)


def test_the_caller_stopping_early_stops_the_reading(in_process):
    read = []
    before = _children()

    def rows():
        for n in range(1, 1_000_000):
            read.append(n)
            yield n, [n]

    batches = read_ahead(rows(), 10)
    assert len(next(batches)) == 10
    batches.close()
    assert _threads("import-") == []
    assert _children() == before  # the reading process killed and reaped
    if not in_process:
        assert len(read) <= 50  # a batch or two ahead, not the whole file


def _xlsx_file(tmp_path, count: int):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["STT", "Họ và tên"])
    for n in range(1, count + 1):
        sheet.append([n, f"Người {n}"])
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    return path


def test_a_file_on_disk_read_by_the_process_leaves_the_callers_reads_alone(in_process, tmp_path):
    """The reading process shares the open file with the caller: its reads must not move the caller's
    offset (the caller reads the same file again afterwards, e.g. for the copy with the errors)."""
    path = _xlsx_file(tmp_path, 3000)
    with open(path, "rb") as source:
        sheet = open_sheet(source, filename="ds.xlsx")
        lines = sheet.rows()
        head = list(itertools.islice(lines, 2))
        offset = source.tell()
        batches = read_ahead(lines, 500, sheet=sheet)
        read = [line for batch in batches for line, _ in batch]
        assert [line for line, _ in head] + read == list(range(1, 3002))
        assert batches.share_read() > 0.9  # told by the reader, wherever it runs (the zip directory follows the sheet)
        if in_process:
            assert source.tell() == offset
        again = list(sheet.rows())
    assert len(again) == 3001
    assert again[-1] == (3001, [3000, "Người 3000"])


def test_an_upload_in_memory_is_read_the_same(in_process, tmp_path):
    data = _xlsx_file(tmp_path, 1200).read_bytes()
    sheet = open_sheet(data, filename="ds.xlsx")
    rows = [row for batch in read_ahead(sheet.rows(), 100, sheet=sheet) for row in batch]
    assert rows[0] == (1, ["STT", "Họ và tên"])
    assert rows[-1] == (1201, [1200, "Người 1200"])


def _wide_rows(count: int):
    """Rows too wide for a pipe's buffer (64 KB a batch): a send waits until the caller takes the batch."""
    return ((n, [n, "x" * 40_000]) for n in range(1, count + 1))


def _prepared_here(batch) -> tuple:
    return os.getpid(), batch  # as wide as it came, as a checked batch is


def test_a_reader_ahead_of_a_busy_caller_prepares_the_next_batches(in_process):
    given = []
    for batch in read_ahead(_wide_rows(12), 2, prepare_when_ahead=_prepared_here):
        given.append(batch)
        time.sleep(0.25)  # the caller busy with each batch: the reader's next send waits for it
    prepared = [item for item in given if isinstance(item, tuple)]
    lines = [line for item in given for line, _ in (item[1] if isinstance(item, tuple) else item)]
    assert lines == list(range(1, 13))
    assert not isinstance(given[0], tuple)  # the caller was waiting for the first: it does that work itself
    if in_process:
        assert given[2:] == prepared and len(prepared) == 4  # once the reader found the caller busy
        assert {pid for pid, _ in prepared} != {os.getpid()}
    else:  # a thread shares the GIL: the caller does the work itself
        assert prepared == []


def test_a_reader_behind_a_waiting_caller_leaves_it_the_work(in_process, monkeypatch):
    monkeypatch.setattr(streaming, "CALLER_BUSY_S", 0.2)  # a loaded machine's pause is not a busy caller

    def slow(rows):
        for row in rows:
            time.sleep(0.03)  # the reader is the slower of the two: the caller waits for every batch
            yield row

    given = list(read_ahead(slow(_wide_rows(8)), 2, prepare_when_ahead=_prepared_here))
    assert [[n for n, _ in batch] for batch in given] == [[1, 2], [3, 4], [5, 6], [7, 8]]


@pytest.mark.django_db
def test_the_reader_may_not_use_the_database_and_the_callers_connection_is_unharmed(in_process):
    from units.models import UnitLevel

    def rows():
        yield 1, [UnitLevel.objects.count()]

    levels = UnitLevel.objects.count()
    with pytest.raises(RuntimeError, match="Không dùng cơ sở dữ liệu"):
        list(read_ahead(rows(), 2))
    assert UnitLevel.objects.count() == levels


def test_a_reader_closed_before_its_first_batch_is_stopped(in_process):
    before = _children()
    batches = read_ahead(((n, [n]) for n in range(1, 1_000_000)), 10)
    batches.close()
    assert _children() == before
    assert _threads("import-") == []


def test_without_a_process_to_be_had_a_thread_reads(settings, monkeypatch):
    settings.IMPORT_READ_IN_PROCESS = True

    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    before = set(os.listdir("/proc/self/fd"))
    batches = read_ahead(((n, [n]) for n in range(1, 8)), 3)
    assert [[line for line, _ in batch] for batch in batches] == [[1, 2, 3], [4, 5, 6], [7]]
    assert set(os.listdir("/proc/self/fd")) <= before  # the pipe closed again


def test_a_reading_process_that_dies_is_said_to_have_died_not_the_files_fault(settings, tmp_path):
    settings.IMPORT_READ_IN_PROCESS = True

    def rows():
        yield 1, ["a"]
        os.kill(os.getpid(), 9)  # in the reading process: as the kernel's out-of-memory killer would
        yield 2, ["b"]

    batches = read_ahead(rows(), 1)
    with pytest.raises(RuntimeError, match="dừng giữa chừng \\(tín hiệu 9\\)"):
        list(batches)


def test_a_file_that_cannot_be_opened_again_is_read_by_a_thread(settings, monkeypatch, tmp_path):
    from bhxh_portal.importing import streaming

    settings.IMPORT_READ_IN_PROCESS = True
    path = _xlsx_file(tmp_path, 50)

    def refused(source):
        raise PermissionError("không mở lại được")

    monkeypatch.setattr(streaming, "_reopened", refused)
    with open(path, "rb") as source:
        sheet = open_sheet(source, filename="ds.xlsx")
        read = [line for batch in read_ahead(sheet.rows(), 20, sheet=sheet) for line, _ in batch]
    assert read == list(range(1, 52))
