"""The participant import as one object: read, find the header, then batch after batch check every row,
match the registry and (commit only, while no row is invalid) write, all in one transaction. Three
things run at once on a large list: the reading process (reading, and checking the batches it is ahead
with), this process (checking the others, matching) and, on PostgreSQL, the database writing the batch before. See
`agents.importers` for the path."""

import contextlib
import datetime
import gc
import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from bhxh_portal.importing import ImportFileError
from bhxh_portal.importing.streaming import open_sheet, read_ahead
from bhxh_portal.numbers import format_number
from jobs.services import JobError
from jobs.models import Job
from units import access
from units.models import Unit

from ..bulk import foreign_keys_checked_at_once
from ..models import Enrolment, Participant
from ..registry_tally import registry_tally_held
from .columns import Header, find_header, missing_columns
from .error_copy import ProblemLines, build_error_copy
from .parse import RowParser
from .people import Register
from .reconcile import Reconciler, free_people
from .rows import ImportOutcome, Progress, no_progress

logger = logging.getLogger(__name__)


class ImportRefused(JobError):
    """The file cannot be committed (invalid rows); `result` carries the counts and the reasons."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result

def import_refusal(user, unit: Unit) -> str:
    """Why the user may not import for `unit`, naming it only if it lies in what the user sees."""
    if access.can_name(user, unit):
        return f"Bạn không có quyền nhập danh sách người tham gia cho {unit.name}."
    return "Bạn không có quyền nhập danh sách người tham gia cho đơn vị này: đơn vị ngoài phạm vi của bạn."


class ParticipantImport(RowParser, Reconciler):
    """One file, one uploader, one scope (the unit whose subtree the rows must lie in).

    The file is read, checked and (commit) written `batch_size` rows at a time, so the memory a run takes
    does not grow with the file: what must last from one batch to the next is in the `people.Register`
    (who the file has named), the memos of the checks, the counts and the first MAX_PROBLEMS_KEPT problems.
    A commit is one transaction: a problem in the last batch undoes the batches written before it."""

    def __init__(self, *, user, scope: Unit, dry_run: bool, mapping: dict | None = None, job: Job | None = None,
                 batch_size: int = 20_000, trusted: bool = False, units_on: datetime.date | None = None):
        # `trusted` only for data the project ships (the demo loader), which runs before any account exists.
        self.user, self.scope, self.dry_run, self.job, self.trusted = user, scope, dry_run, job, trusted
        self.mapping = mapping or {}
        self.batch_size = batch_size
        # `units_on` too: a shipped list of a past year registers people under the communes of that day
        # (since merged); an upload always registers them under today's communes.
        self.units_on = units_on if trusted else None

    # The whole run ------------------------------------------------------------------------
    def run(self, source, *, filename: str, progress: Progress = no_progress) -> tuple[ImportOutcome, bytes | None]:
        """Import `source` (bytes, or a seekable binary file the caller keeps open)."""
        # A batch makes hundreds of thousands of small objects without cycles: the cyclic garbage collector
        # would rescan them again and again (a third of the time); reference counting frees them.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(source, filename=filename, progress=progress)
        finally:
            if collecting:
                gc.enable()

    def _run(self, source, *, filename: str, progress: Progress) -> tuple[ImportOutcome, bytes | None]:
        if not self.trusted and not access.can(self.user, "participants.import", self.scope):
            raise JobError(import_refusal(self.user, self.scope))
        started = time.perf_counter()
        outcome = ImportOutcome(filename=filename, dry_run=self.dry_run)
        progress(2, "Đang đọc tệp")
        sheet = open_sheet(source, filename=filename)
        outcome.sheet = sheet.sheet_name
        lines = sheet.rows()
        header, head = self._header(lines, filename)
        outcome.header_line, outcome.labels, outcome.unknown = header.line, header.labels, header.unknown
        if header.unknown:
            if self.dry_run:
                outcome.needs_mapping = True
                return outcome, None
            raise JobError(f"Tệp {filename}: có cột chưa nhận ra ({', '.join(header.unknown)}); hãy kiểm tra lại "
                           "và chọn cột tương ứng trước khi ghi.")
        missing = missing_columns(header)
        if missing:
            found = ", ".join(header.labels.values()) or "không có"
            raise ImportFileError(f"Tệp {filename}, dòng {header.line}: thiếu cột {', '.join(missing)}. "
                                  f"Dòng tiêu đề có: {found}.")
        first_data = header.line + header.skip_lines
        # Another connection can ask the registry for the run only if the run's transaction is the
        # outermost: inside a caller's, the rows that caller has not committed would be missing.
        self.outermost = connection.get_autocommit() and not connection.in_atomic_block
        data = itertools.chain(((line, raw) for line, raw in head if line > first_data), lines)
        problems = ProblemLines() if self.dry_run else None
        try:
            with _ProgressBeside(progress) as reported, (
                    transaction.atomic() if not self.dry_run else contextlib.nullcontext()), (
                    registry_tally_held() if not self.dry_run else contextlib.nullcontext(set())) as communes, (
                    foreign_keys_checked_at_once(Participant.commune.field, Enrolment.participant.field)
                    if not self.dry_run else contextlib.nullcontext()):
                self.start_writing(communes)
                self._batches(data, header, outcome, problems, reported, sheet)
                if not self.dry_run and outcome.invalid:
                    raise ImportRefused(f"Tệp {filename}: có {format_number(outcome.invalid)} dòng không hợp lệ; "
                                        "không dòng nào được ghi.", outcome.as_result())
                if not self.dry_run:
                    clock = time.perf_counter()
                    self.tell_registry()
                    outcome.add_time("write_told_s", time.perf_counter() - clock)
                    clock = _lap(outcome, "write_s", clock)
            if not self.dry_run:
                # The tally's bump, the count of its communes' sheets again, and the commit (the foreign
                # keys of the rows written were checked as each batch was written:
                # foreign_keys_checked_at_once).
                _lap(outcome, "commit_s", clock)
            outcome.committed = not self.dry_run
            error_copy = None
            if problems is not None and problems.count:
                progress(92, "Đang lập tệp kèm cột lỗi")
                error_copy = build_error_copy(sheet, header, problems, width=self.widest)
        finally:
            if problems is not None:
                problems.close()
        outcome.timings["total_s"] = round(time.perf_counter() - started, 3)
        return outcome, error_copy

    def _header(self, lines, filename: str) -> tuple[Header, list]:
        """The header found in the first rows; those rows, to be read again as data below it."""
        head: list[tuple[int, list]] = []
        for line, raw in lines:
            head.append((line, raw))
            if line > HEADER_SEARCH_ROWS:
                break
        dense: list[list] = [[] for _ in range(min(HEADER_SEARCH_ROWS + 1, max((n for n, _ in head), default=0)))]
        for line, raw in head:
            if line <= len(dense):
                dense[line - 1] = raw
        return find_header(dense, filename=filename, mapping=self.mapping, search_rows=HEADER_SEARCH_ROWS), head

    def _batches(self, data, header: Header, outcome: ImportOutcome, problems, progress: Progress, sheet):
        """Read, check, match and (commit) write the rows `batch_size` at a time. The rows are read a batch
        ahead by read_ahead, in another process where the system allows, which also checks a batch when
        it is ahead of this process (this process was still busy when it sent the one before): the
        reading and the checks are two thirds of the Python a row costs, so each batch's check goes to
        whichever of the two processes has time for it. On PostgreSQL a batch is written by a thread on
        the run's connection (_WriteBeside) while this process receives, checks and matches the next one.
        When the run's transaction is the outermost (a job), the next batch's questions to the registry
        (its people and enrolments, its ids) are asked on another connection (_AskBeside) meanwhile, and
        each batch's write starts as soon as the one before is done; inside a caller's transaction they
        are asked on the run's connection, so a batch's write waits for the next batch's questions."""
        reading = self.start_parsing(header)
        self.register, self.widest = Register(), 0
        batches = read_ahead(data, self.batch_size, sheet=sheet,
                             prepare_when_ahead=lambda batch: self._check(batch, reading))
        writer = _WriteBeside(outcome) if not self.dry_run and connection.vendor == "postgresql" else None
        asking: _AskBeside | None = None
        pending: _Matched | None = None  # a batch matched and in the register, its write not started yet
        try:
            if writer is not None and self.outermost:
                asking = _AskBeside.opened()
            clock = time.perf_counter()
            while (batch := next(batches, None)) is not None:
                clock = _lap(outcome, "read_s", clock)  # the wait for the reader
                rows, widest, check_seconds = batch if isinstance(batch, tuple) else self._check(batch, reading)
                del batch  # the raw cells go as soon as the rows hold their values
                outcome.add_time("check_s", check_seconds)
                clock = time.perf_counter()
                self.widest = max(self.widest, widest)
                if asking is not None:
                    self._match_asking_beside(rows, header, outcome, problems, progress, batches.share_read,
                                              writer, asking)
                    del rows
                    clock = time.perf_counter()
                    continue
                if writer is not None and any(row.outside for row in rows):
                    writer.wait()  # the codes outside the subtree may need a query, and come before grouping
                self.refuse_outside_codes(rows)
                self.group_people(rows, header)
                clock = _lap(outcome, "match_s", clock)
                if writer is not None:
                    writer.wait()  # the write before the pending one: the connection is free again
                    clock = _lap(outcome, "write_wait_s", clock)
                self.match_registry(header)
                if writer is None:
                    self._classify(rows, header, outcome, problems, progress, batches.share_read)
                    self._write_here(rows, header, outcome, progress)
                else:
                    if not outcome.invalid:
                        self.reserve_participant_ids()
                    clock = _lap(outcome, "match_s", clock)
                    if pending is not None:
                        self._start_write(writer, pending, header, outcome, progress)
                        pending = None
                    self._classify(rows, header, outcome, problems, progress, batches.share_read)
                    pending = self._hold(rows, outcome)
                clock = time.perf_counter()
                del rows
                clock = _lap(outcome, "free_s", clock)
            if writer is not None:
                writer.wait()
                if pending is not None:
                    self._start_write(writer, pending, header, outcome, progress)
                    pending = None
                    writer.wait()
                _lap(outcome, "write_wait_s", clock)
        finally:
            # Every step taken whatever an earlier one raised, in reverse: the reader stops first.
            with contextlib.ExitStack() as finish:
                if pending is not None:
                    finish.callback(free_people, pending.people)
                if asking is not None:
                    finish.callback(asking.close)
                if writer is not None:
                    finish.callback(writer.abandon)
                finish.callback(batches.close)

    def _match_asking_beside(self, rows: list, header: Header, outcome: ImportOutcome, problems,
                             progress: Progress, share_read, writer: "_WriteBeside", asking: "_AskBeside") -> None:
        """A checked batch matched with the registry's answers from another connection (_AskBeside) while
        the run's connection writes the batch before, then written as soon as that write is done: the
        writes follow one another without waiting for the next batch's questions."""
        clock = time.perf_counter()
        if any(row.outside for row in rows):
            asking.call(self.refuse_outside_codes, rows)
        self.group_people(rows, header)
        asking.call(self.match_registry, header)
        if not outcome.invalid:
            asking.call(self.reserve_participant_ids)
        _lap(outcome, "match_s", clock)
        self._classify(rows, header, outcome, problems, progress, share_read)
        matched = self._hold(rows, outcome)
        clock = time.perf_counter()
        writer.wait()
        _lap(outcome, "write_wait_s", clock)
        if matched is not None:
            self._start_write(writer, matched, header, outcome, progress)

    def _check(self, batch: list, reading) -> tuple[list, int, float]:
        """A batch's rows checked: the rows, the widest line, the time it took."""
        started = time.perf_counter()
        widest = max(len(raw) for _, raw in batch)  # before the check, which pads the rows it reads
        rows = self.parse_batch(batch, reading)
        return rows, widest, time.perf_counter() - started

    def _classify(self, rows: list, header: Header, outcome: ImportOutcome, problems, progress: Progress,
                  share_read) -> None:
        """A matched batch's rows told new, updated, unchanged or invalid, and counted."""
        clock = time.perf_counter()
        self.classify(rows, header, outcome)
        _lap(outcome, "match_s", clock)
        self.checked_pct = 5 + int(85 * share_read())
        progress(self.checked_pct, f"Đã kiểm tra {format_number(outcome.total)} dòng")
        if problems is not None:
            problems.add(rows)

    def _write_here(self, rows: list, header: Header, outcome: ImportOutcome, progress: Progress) -> None:
        """Without a writing thread (SQLite, a dry run): the batch written (commit, while no row is invalid),
        then its people into the register."""
        clock = time.perf_counter()
        if not self.dry_run and not outcome.invalid:
            self.write(rows, header, outcome, people=self.people, enrolments=self.enrolments)
            clock = _lap(outcome, "write_s", clock)
            progress(self.checked_pct, f"Đã kiểm tra và ghi {format_number(outcome.total)} dòng")
        self.batch_done()
        _lap(outcome, "free_s", clock)

    def _hold(self, rows: list, outcome: ImportOutcome) -> "_Matched | None":
        """A classified batch's people into the register (they are numbered already), the batch kept for
        its write, which starts once the next batch has asked the registry its questions; nothing kept to
        write once a row is invalid (nothing will be written)."""
        clock = time.perf_counter()
        self.register.keep(self.people)
        matched = _Matched(rows, self.people, self.enrolments, outcome.total)
        self.people, self.enrolments = [], {}
        _lap(outcome, "match_s", clock)
        if outcome.invalid:
            free_people(matched.people)
            return None
        return matched

    def _start_write(self, writer: "_WriteBeside", matched: "_Matched", header: Header, outcome: ImportOutcome,
                     progress: Progress) -> None:
        if outcome.invalid:  # a later batch has an invalid row: nothing will be written
            free_people(matched.people)
            return

        def written() -> None:
            free_people(matched.people)
            # The next batch has been checked meanwhile: its share stands (the bar never goes back).
            progress(self.checked_pct, f"Đã kiểm tra {format_number(outcome.total)} dòng, đã ghi "
                                       f"{format_number(matched.total)} dòng")

        writer.start(lambda: self.write(matched.rows, header, outcome, people=matched.people,
                                        enrolments=matched.enrolments), then=written)


HEADER_SEARCH_ROWS = 30


class _Matched(NamedTuple):
    """A batch matched, classified and in the register, waiting for (or in) its write."""
    rows: list
    people: list
    enrolments: dict
    total: int  # the rows checked up to this batch's end: written once it is


def _lap(outcome: ImportOutcome, step: str, since: float) -> float:
    now = time.perf_counter()
    outcome.add_time(step, now - since)
    return now


class _WriteBeside:
    """A batch's write on the run's own connection (its transaction) by a thread, one batch at a time.

    While the thread writes, the caller only checks the next batch in Python and touches no connection;
    `wait` is called before anything else uses it. The thread's time goes mostly to waiting for the
    server (the COPY's rows inserted, indexed and their foreign keys checked), with the GIL released."""

    def __init__(self, outcome: ImportOutcome):
        self.outcome = outcome
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.then = None

    def start(self, write, *, then) -> None:
        wrapper = connections[DEFAULT_DB_ALIAS]
        wrapper.inc_thread_sharing()
        wrapper.execute_wrappers.append(self._writer_only)
        self.error, self.then = None, then

        def run() -> None:
            connections[DEFAULT_DB_ALIAS] = wrapper  # the run's connection, not a new one of this thread
            started = time.perf_counter()
            try:
                write()
            except BaseException as exc:  # noqa: BLE001 - raised in the caller by wait()
                self.error = exc
            finally:
                self.outcome.add_time("write_s", time.perf_counter() - started)
                del connections[DEFAULT_DB_ALIAS]

        self.thread = threading.Thread(target=run, name="import-write", daemon=True)
        try:
            self.thread.start()
        except BaseException:
            self.thread = None
            self._release(wrapper)
            raise

    def _writer_only(self, execute, sql, params, many, context):
        """The run's connection is the writing thread's while it writes: a query from elsewhere (the run's
        own thread checking the next batch) would interleave with its COPY."""
        if self.thread is not None and threading.get_ident() != self.thread.ident:
            raise RuntimeError("Không truy vấn trên kết nối của lần nhập khi luồng ghi đang ghi.")
        return execute(sql, params, many, context)

    def _release(self, wrapper) -> None:
        wrapper.execute_wrappers.remove(self._writer_only)
        wrapper.dec_thread_sharing()

    def wait(self) -> None:
        """The batch in hand written (its error raised here), then what follows its write."""
        if self.thread is None:
            return
        self._join()
        error, then, self.error, self.then = self.error, self.then, None, None
        if error is not None:
            raise error
        then()

    def abandon(self) -> None:
        """On the way out after an error: the write in hand finished before the transaction is undone."""
        if self.thread is not None:
            self._join()

    def _join(self) -> None:
        self.thread.join()
        self.thread = None
        self._release(connections[DEFAULT_DB_ALIAS])


class _AskBeside:
    """The run's questions to the registry (its people, their enrolments, new ids, old unit codes) asked by
    one thread on a connection of its own, while the run's connection writes the batch before. Used only
    when the run's transaction is the outermost. The answers never need the run's own rows, which that
    connection cannot see before the commit: the run's register answers for every person the run has
    named (see Reconciler.match_registry), and a sequence's numbers are given outside transactions."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-ask")

    @classmethod
    def opened(cls) -> "_AskBeside | None":
        """One with its connection open, or None when the server gives no second connection (all its
        connections taken): the run then asks on its own, slower but the same."""
        asking = cls()
        try:
            asking.call(lambda: connections[DEFAULT_DB_ALIAS].ensure_connection())
        except DatabaseError as exc:
            asking.close()
            logger.warning("Nhập danh sách: không mở được kết nối thứ hai (%s); hỏi trên kết nối của lần nhập.", exc)
            return None
        except BaseException:
            asking.close()
            raise
        return asking

    def call(self, function, *args):
        """`function(*args)` run by the asking thread (its queries on its own connection); the caller waits."""
        return self.pool.submit(function, *args).result()

    def close(self) -> None:
        try:
            self.pool.submit(connections.close_all).result()  # the asking thread's connection, not the run's
        except (DatabaseError, RuntimeError):
            pass  # a connection already lost, or the interpreter shutting down: nothing to close
        finally:
            self.pool.shutdown(wait=True)


class _ProgressBeside:
    """Progress written by a thread with a connection of its own, so the job's page shows it while the
    import's transaction is open (the import only hands over the latest figure and goes on). PostgreSQL
    only: SQLite has one writer, the import itself, so there progress is written as it comes."""

    def __init__(self, progress: Progress):
        self.progress, self.latest = progress, None
        self.wake, self.done = threading.Event(), False
        self.thread = threading.Thread(target=self._run, name="import-progress", daemon=True)

    def __enter__(self) -> Progress:
        if connection.vendor != "postgresql":
            return self.progress
        self.thread.start()
        return self.report

    def report(self, pct: int, message: str = "") -> None:
        self.latest = (pct, message)
        self.wake.set()

    def __exit__(self, *exc) -> None:
        if self.thread.is_alive():
            self.done = True
            self.wake.set()
            self.thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while not self.done:
                self.wake.wait()
                self.wake.clear()
                latest, self.latest = self.latest, None
                if latest is not None:
                    self.progress(*latest)
        finally:
            connections.close_all()
