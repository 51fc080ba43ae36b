"""Reading a list row by row in bounded memory, for imports of a million rows: `open_sheet` refuses what
`read_raw_sheet` refuses (not a spreadsheet, password, corrupt, zip bomb, far-flung cells, formulas) and
gives the first visible sheet's rows as (line, values), read again from the start at each `rows()`.

xlsx/xlsm are read by `xlsx_stream` (1 MB of XML at a time), csv by the csv module over a decoding
wrapper (the encoding is settled first by one pass in 1 MB steps). The legacy formats (.xls, .ods) are
read whole by calamine: an office exports a list of that size as xlsx or csv.
"""

import codecs
import contextlib
import csv
import io
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import stat
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from bhxh_portal.numbers import format_number

from .hostile import open_package
from .problems import ImportFileError
from .reading import (
    _CONTROL,
    _UTF16_BOMS,
    ENCODING_REFUSED,
    TEXT_SUFFIXES,
    check_spreadsheet,
    looks_like_utf16,
    read_raw_sheet,
)
from .xlsx_stream import XlsxSheet

Rows = Iterator[tuple[int, list]]


@dataclass
class SheetStream:
    filename: str
    sheet_name: str
    rows: Callable[[], Rows]  # (line, values) of each row, from the first; each call starts again
    from_text: bool = False   # csv: every cell is text
    share_read: Callable[[], float] = lambda: 0.0  # how far into the file the reading is, 0 to 1
    source: object = None  # the file read (a reading process opens it again: read_ahead)


def _share_read(source) -> Callable[[], float]:
    size = source.seek(0, io.SEEK_END) or 1
    source.seek(0)
    return lambda: min(1.0, source.tell() / size)


def open_sheet(source, *, filename: str) -> SheetStream:
    """The first visible sheet of an upload (bytes, or a seekable binary file kept open by the caller)."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    suffix = check_spreadsheet(source, filename=filename)
    if suffix in TEXT_SUFFIXES:
        encoding, dialect = _csv_layout(source, filename)
        return SheetStream(filename, Path(filename).stem, lambda: _csv_rows(source, encoding, dialect), from_text=True,
                           share_read=_share_read(source), source=source)
    if suffix in {".xlsx", ".xlsm"}:
        archive = open_package(source, filename=filename)
        sheet = XlsxSheet(archive, filename=filename)
        return SheetStream(filename, sheet.sheet_name, sheet.rows, share_read=_share_read(source), source=source)
    _refuse_large_whole_sheet(source, suffix, filename)
    source.seek(0)
    whole = read_raw_sheet(source.read(), filename=filename)
    return SheetStream(filename, whole.sheet_name, lambda: ((i + 1, list(r)) for i, r in enumerate(whole.rows) if r))


def _refuse_large_whole_sheet(source, suffix: str, filename: str) -> None:
    """An .xls or .ods is read whole by calamine (its reader of those formats does not stream): every cell
    sits in memory at once. Above IMPORT_MAX_WHOLE_SHEET_MB of sheet (the .xls as it is; the .ods's
    content.xml unpacked) the file is refused, naming the formats to save it as instead."""
    limit = settings.IMPORT_MAX_WHOLE_SHEET_MB
    if suffix == ".ods":
        try:
            with zipfile.ZipFile(source) as package:
                size = sum(info.file_size for info in package.infolist() if info.filename == "content.xml")
        except zipfile.BadZipFile:
            return  # calamine's own refusal (a corrupt file) says it better
    else:
        size = source.seek(0, io.SEEK_END)
    if size > limit * 1024 * 1024:
        raise ImportFileError(
            f"Tệp {filename}: bảng tính {suffix} phải đọc cả tệp vào bộ nhớ một lúc, nên chỉ nhận đến "
            f"{format_number(limit)} MB dữ liệu (tệp này {format_number(size / 1048576, 1)} MB). Hãy mở tệp bằng "
            "Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx (Sổ làm việc Excel) hoặc .csv (UTF-8) rồi tải lên "
            "lại: hai định dạng này được đọc dần từng phần.")


class ReadAhead:
    """`rows` in lists of `size`, the next one read while the caller works on the last, so the reading
    overlaps the caller's work. At most two lists wait, so the memory stays that of a few batches. An
    error while reading is raised to the caller at the batch it stopped. Where the rows are read, no
    database may be used (_NoDatabase).

    Read by a forked process where the system allows (IMPORT_READ_IN_PROCESS): the reader then has a
    core of its own, where a thread would share the GIL with the checks (a million-row xlsx is some 30
    s of Python). The process holds the same reader, wherever it had got to; it is sent nothing, gives
    each batch pickled through a pipe (about 2 s for a million rows on each side), touches no database
    connection and leaves by os._exit; it gives a batch to `prepare_when_ahead` first when it is ahead
    of the caller (_read_in_child). Otherwise, a thread."""

    def __init__(self, rows: Rows, size: int, *, sheet: SheetStream | None = None,
                 prepare_when_ahead: Callable[[list], object] | None = None):
        self._sheet = sheet
        self._share = 0.0
        source = sheet.source if sheet is not None else None
        self._batches = None
        if _reads_in_process(source):
            try:
                self._fork(_batches(rows, size), source, prepare_when_ahead)
                self._batches = self._from_process()
            except OSError:  # no process to be had (out of memory, the process limit): a thread reads
                self._batches = None
        if self._batches is None:
            # A thread shares the GIL with the caller: `prepare_when_ahead` would gain nothing there, and
            # would run beside the caller's own work on the same objects. The caller gets the batches as read.
            self._batches = self._from_thread(_batches(rows, size))

    def __iter__(self):
        return self

    def __next__(self) -> list:
        return next(self._batches)

    def close(self) -> None:
        """Stop the reading at once (the caller stopped early, or failed)."""
        self._batches.close()
        self._end_process(finished=False)

    def share_read(self) -> float:
        """How far into the file the reading has got, 0 to 1 (for progress)."""
        if self._sheet is None:
            return 0.0
        return self._share if self._process_share else self._sheet.share_read()

    _process_share = False
    _pid = None  # the reading process, until it is reaped

    # -- a thread ---------------------------------------------------------------------------------
    @staticmethod
    def _from_thread(batches: Iterator) -> Iterator:
        waiting: queue.Queue = queue.Queue(maxsize=1)
        stop = threading.Event()

        def produce() -> None:
            try:
                _no_database()
                for batch in batches:
                    _hand_over(waiting, batch, stop)
                    if stop.is_set():
                        return
                _hand_over(waiting, None, stop)
            except BaseException as exc:  # noqa: BLE001 - given to the caller, who raises it
                _hand_over(waiting, exc, stop)

        thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
        thread.start()
        try:
            while (item := waiting.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    waiting.get(timeout=0.1)
            thread.join()

    # -- a process --------------------------------------------------------------------------------
    def _fork(self, batches: Iterator, source, prepare_when_ahead: Callable[[list], object] | None) -> None:
        fresh = _reopened(source)  # before the fork: if the file cannot be opened again, a thread reads
        receiving, sending = multiprocessing.Pipe(duplex=False)
        try:
            pid = os.fork()
        except OSError:
            for end in (receiving, sending):
                end.close()
            if fresh is not None:
                os.close(fresh)
            raise
        if pid == 0:  # pragma: no cover - the reading process; its work is seen by the caller's tests
            _read_in_child(batches, source, fresh, receiving, sending, self._sheet, prepare_when_ahead)
        sending.close()
        if fresh is not None:
            os.close(fresh)
        self._process_share = True
        self._pid, self._receiving = pid, receiving

    def _from_process(self) -> Iterator:
        try:
            while True:
                try:
                    kind, item, share = pickle.loads(self._receiving.recv_bytes())
                except EOFError:
                    # Gone without a word (killed: out of memory, a signal): not the file's fault, so not an
                    # ImportFileError; the job's log keeps how it ended.
                    status = self._end_process(finished=True)
                    raise RuntimeError(f"Quá trình đọc tệp dừng giữa chừng ({_how_it_ended(status)}); hãy thử "
                                       "nhập lại.") from None
                self._share = share
                if kind == _FAILED:
                    self._end_process(finished=True)
                    raise item
                if kind == _DONE:
                    self._end_process(finished=True)
                    return
                yield item
        finally:
            self._end_process(finished=False)

    def _end_process(self, *, finished: bool) -> int | None:
        """The reading process gone and reaped: it ended by itself, or is stopped here (the caller stopped
        early, or failed); its wait status. Called again, nothing more."""
        if self._pid is None:
            return None
        pid, self._pid = self._pid, None
        self._receiving.close()
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored by the host process)
            return None


_READ, _DONE, _FAILED = 0, 1, 2
# A send that waits longer than this waited for the caller to finish its last batch (a batch of a few MB
# goes through the pipe in milliseconds when the caller is there to take it).
CALLER_BUSY_S = 0.02


def _batches(rows: Rows, size: int) -> Iterator[list]:
    for wanted in batch_sizes(size):
        if not (batch := list(itertools.islice(rows, wanted))):
            return
        yield batch


# Below this many rows a batch is never split into a smaller first few.
SMALLEST_FIRST_BATCH = 2000


def batch_sizes(size: int) -> Iterator[int]:
    """The sizes of the batches read: the first few smaller (an eighth, a quarter, a half of `size`, while
    that is at least SMALLEST_FIRST_BATCH rows), then `size` on. The caller waits for the first batch
    with nothing else to do; a smaller one starts the pipeline sooner (a tenth of a second for a
    province's list instead of most of a second)."""
    for part in (8, 4, 2):
        if size // part >= SMALLEST_FIRST_BATCH:
            yield size // part
    yield from itertools.repeat(size)


class _NoDatabase:
    """What the reader finds in place of a database connection: the reading process shares the caller's
    connections (a query there would garble the caller's), and a reading thread would open one outside
    the caller's transaction."""

    def __init__(self, alias: str):
        self.alias = alias

    def __getattr__(self, name):
        raise RuntimeError(f"Không dùng cơ sở dữ liệu ({self.alias}) khi đọc tệp: mọi thứ cần tra cứu phải "
                           "được nạp trước khi đọc.")


def _no_database() -> None:
    for alias in connections:
        connections[alias] = _NoDatabase(alias)


def _read_in_child(batches: Iterator, source, fresh: int | None, receiving, sending, sheet,
                   prepare_when_ahead: Callable[[list], object] | None) -> None:  # pragma: no cover
    """The reading process: batches through the pipe until the end or an error (every error told to the
    caller), then out without running anything of the parent's (no atexit, no finaliser closing a
    connection the parent still uses).

    A batch is given to `prepare_when_ahead` when the reader is ahead: the caller was still busy with
    the one before when it was sent (the send waited). Otherwise the caller was waiting for it, and
    does that work itself: the work goes to whichever process has time for it, whatever the machine's
    cores and load make of the two."""
    status = 0
    try:
        try:
            receiving.close()
            _own_offset(source, fresh)
            _close_all_but(sending.fileno(), _descriptor(source))
            _no_database()
            share = sheet.share_read if sheet is not None else (lambda: 0.0)
            ahead = False
            for batch in batches:
                if ahead and prepare_when_ahead is not None:
                    batch = prepare_when_ahead(batch)
                payload = pickle.dumps((_READ, batch, share()), protocol=pickle.HIGHEST_PROTOCOL)
                del batch
                started = time.perf_counter()
                sending.send_bytes(payload)
                ahead = time.perf_counter() - started > CALLER_BUSY_S
            sending.send_bytes(pickle.dumps((_DONE, None, 1.0)))
        except (BrokenPipeError, ConnectionError):
            status = 1  # the caller stopped reading
        except BaseException as exc:  # noqa: BLE001 - given to the caller, who raises it
            sending.send_bytes(_pickled_failure(exc))
    except BaseException:  # noqa: BLE001 - nothing to tell anyone any more
        status = 1
    finally:
        os._exit(status)


def _how_it_ended(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        return f"tín hiệu {os.WTERMSIG(status)}"
    if status is not None and os.WIFEXITED(status):
        return f"mã thoát {os.WEXITSTATUS(status)}"
    return "không rõ lý do"


def _pickled_failure(exc: BaseException) -> bytes:
    try:
        payload = pickle.dumps((_FAILED, exc, 1.0), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)
        return payload
    except Exception:  # noqa: BLE001 - an error that cannot cross processes is told by its text
        return pickle.dumps((_FAILED, ImportFileError(f"không đọc được tệp ({type(exc).__name__}: {exc})."), 1.0))


def _reads_in_process(source) -> bool:
    """Fork where it exists and the file's offset can be made the reader's own (/proc on Linux): an
    in-memory file is copied with the process, a file on disk is opened again by the reader."""
    if not settings.IMPORT_READ_IN_PROCESS or not hasattr(os, "fork") or not os.path.isdir("/proc/self/fd"):
        return False
    descriptor = _descriptor(source)
    return descriptor is None or stat.S_ISREG(os.fstat(descriptor).st_mode)


def _descriptor(source) -> int | None:
    try:
        return source.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


def _reopened(source) -> int | None:
    """The file `source` reads, opened again (its own offset), for the reading process; None for a
    source without a descriptor (in memory: the fork copies it)."""
    descriptor = _descriptor(source)
    if descriptor is None:
        return None
    fresh = os.open(f"/proc/self/fd/{descriptor}", os.O_RDONLY)
    os.lseek(fresh, os.lseek(descriptor, 0, os.SEEK_CUR), os.SEEK_SET)
    return fresh


def _own_offset(source, fresh: int | None) -> None:
    """The forked reader shares the caller's open file, and so its offset: the reader's descriptor is
    pointed at the same file opened again (`_reopened`), so neither moves the other's reads."""
    descriptor = _descriptor(source)
    if descriptor is not None and fresh is not None:
        os.dup2(fresh, descriptor)
        os.close(fresh)


def _close_all_but(*kept: int | None) -> None:
    """The reader keeps its file and its pipe: the caller's sockets (a web server's clients, the
    database) are not held open by it while it reads."""
    keep = {0, 1, 2, *(k for k in kept if k is not None)}
    for name in os.listdir("/proc/self/fd"):
        descriptor = int(name)
        if descriptor not in keep:
            with contextlib.suppress(OSError):
                os.close(descriptor)


def read_ahead(rows: Rows, size: int, *, sheet: SheetStream | None = None,
               prepare_when_ahead: Callable[[list], object] | None = None) -> ReadAhead:
    """`rows` in lists of `size`, read ahead (see ReadAhead), a batch given to `prepare_when_ahead` by a
    reading process that is ahead of the caller (see _read_in_child); `sheet` is the stream they come
    from (for the share read, and the file a reading process opens again)."""
    return ReadAhead(rows, size, sheet=sheet, prepare_when_ahead=prepare_when_ahead)


def _hand_over(waiting: queue.Queue, item, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            waiting.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


# --- csv ---------------------------------------------------------------------------------------------

def _csv_layout(source, filename: str) -> tuple[str, type[csv.Dialect] | csv.Dialect]:
    """The encoding (as `decode_csv` chooses it, without holding the text) and the dialect of a csv."""
    source.seek(0)
    head = source.read(65536)
    if head[:3] == b"\xef\xbb\xbf":
        candidates = ["utf-8-sig"]
    elif looks_like_utf16(head):
        candidates = ["utf-16"] if head[:2] in _UTF16_BOMS else ["utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"]
    else:
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        if _decodes(source, encoding):
            break
    else:
        raise ImportFileError(ENCODING_REFUSED, filename=filename)
    source.seek(0)
    sample = io.TextIOWrapper(source, encoding=encoding, newline="")
    try:
        text = sample.read(4096)
    finally:
        sample.detach()
    try:
        dialect = csv.Sniffer().sniff(text, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return encoding, dialect


def _decodes(source, encoding: str) -> bool:
    """The whole file decodes (strictly) in this encoding; Windows-1258 only if it reads as text."""
    source.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while chunk := source.read(1 << 20):
            text = decoder.decode(chunk)
            if "\x00" in text or (encoding == "cp1258" and _CONTROL.search(text)):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(source, encoding: str, dialect) -> Rows:
    source.seek(0)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    try:
        # Composed per physical line (a line never splits a letter from its accents).
        lines = (line if line.isascii() else unicodedata.normalize("NFC", line) for line in text)
        for index, row in enumerate(csv.reader(lines, dialect), start=1):
            yield index, row
    finally:
        # Left unfinished in the caller's process once a reading process has read on (the caller's copy
        # is dropped later, its file may be closed by then): nothing to give back then.
        with contextlib.suppress(ValueError):
            text.detach()
