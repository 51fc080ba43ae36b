"""The participant import as one object: read, find the header, check every row, match the registry,
then (commit only, and only when no row is invalid) write. See `agents.importers` for the path."""

import datetime
import gc
import time

from bhxh_portal.importing import ImportFileError, read_raw_sheet
from bhxh_portal.numbers import format_number
from jobs.services import JobError
from jobs.models import Job
from units import access
from units.models import Unit

from .columns import find_header, missing_columns
from .error_copy import build_error_copy
from .parse import RowParser
from .reconcile import Reconciler
from .rows import ImportOutcome, Progress, no_progress



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
    """One file, one uploader, one scope (the unit whose subtree the rows must lie in)."""

    def __init__(self, *, user, scope: Unit, dry_run: bool, mapping: dict | None = None, job: Job | None = None,
                 batch_size: int = 5000, trusted: bool = False, units_on: datetime.date | None = None):
        # `trusted` only for data the project ships (the demo loader), which runs before any account exists.
        self.user, self.scope, self.dry_run, self.job, self.trusted = user, scope, dry_run, job, trusted
        self.mapping = mapping or {}
        self.batch_size = batch_size
        # `units_on` too: a shipped list of a past year registers people under the communes of that day
        # (since merged); an upload always registers them under today's communes.
        self.units_on = units_on if trusted else None

    # The whole run ------------------------------------------------------------------------
    def run(self, data: bytes, *, filename: str, progress: Progress = no_progress) -> tuple[ImportOutcome, bytes | None]:
        # 100.000 rows make millions of small objects without cycles: the cyclic garbage collector
        # would rescan them again and again (a third of the time); reference counting frees them.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(data, filename=filename, progress=progress)
        finally:
            if collecting:
                gc.enable()

    def _run(self, data: bytes, *, filename: str, progress: Progress) -> tuple[ImportOutcome, bytes | None]:
        if not self.trusted and not access.can(self.user, "participants.import", self.scope):
            raise JobError(import_refusal(self.user, self.scope))
        started = time.perf_counter()
        outcome = ImportOutcome(filename=filename, dry_run=self.dry_run)
        progress(2, "Đang đọc tệp")
        sheet = read_raw_sheet(data, filename=filename)
        outcome.sheet = sheet.sheet_name
        outcome.timings["read_s"] = round(time.perf_counter() - started, 3)
        header = find_header(sheet.rows, filename=filename, mapping=self.mapping)
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
        progress(15, "Đang kiểm tra từng dòng")
        rows = self.parse_rows(sheet, header, progress)
        outcome.timings["parse_s"] = round(time.perf_counter() - started, 3)
        progress(60, "Đang đối chiếu với dữ liệu đã có")
        self.resolve(rows, header)
        self.classify(rows, header, outcome)
        outcome.timings["validate_s"] = round(time.perf_counter() - started, 3)
        error_copy = None
        if self.dry_run:
            if outcome.problems or outcome.warnings:
                progress(80, "Đang lập tệp kèm cột lỗi")
                error_copy = build_error_copy(sheet, header, rows)
        elif outcome.invalid:
            raise ImportRefused(
                f"Tệp {filename}: có {format_number(outcome.invalid)} dòng không hợp lệ; không dòng nào được ghi.",
                outcome.as_result())
        else:
            progress(70, "Đang ghi vào cơ sở dữ liệu")
            self.write(rows, header, outcome)
            outcome.committed = True
        outcome.timings["total_s"] = round(time.perf_counter() - started, 3)
        return outcome, error_copy
