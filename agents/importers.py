"""Participant list import (danh sách người tham gia): tens of thousands of rows per district.

The path, built for a million rows in a minute, in memory that does not grow with the file:

1. read: `bhxh_portal.importing.streaming.open_sheet` (xlsx streamed from the zip; csv) after the
   refusals (not a spreadsheet, password, corrupt, too large, formulas), 20.000 rows at a time, a
   batch ahead, by a forked reading process where the system allows (`read_ahead`), which also
   checks a batch when it is ahead of the import (step 3's pass over the rows);
2. header: found in the first rows by Vietnamese names and aliases (Mã số BHXH, Họ và tên,
   Ngày sinh ...); a header nobody knows stops the preview and asks for a mapping;
3. validate: one pass over the rows with one converter per column (no ORM), then a handful
   of batched queries (participants by code, their enrolments, units and agents of the
   uploader's subtree), and the contribution check against the dated rules (RuleBook);
4. write (commit only, and only when no row is invalid): one transaction, COPY on
   PostgreSQL (bulk_create/bulk_update elsewhere), batch after batch, on PostgreSQL by a thread on
   the run's connection while the next batch is checked. Rows that did not change
   are not written, so importing the same file twice changes nothing.

A row is keyed by mã số BHXH, else by số định danh cá nhân; its enrolment by
(participant, product, start date).

The steps live in `agents.importing` (columns, parse, reconcile, error_copy, run); this module holds
the services the views and the job call, and names the importer's public parts.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from bhxh_portal.idempotency import Repeated, when
from bhxh_portal.importing import ImportFileError, max_upload_bytes
from bhxh_portal.importing.templates import template_xlsx
from bhxh_portal.numbers import format_number
from jobs.services import JobError, JobOutcome, job_create, job_enqueue
from jobs.models import Job, JobState
from units import access
from units.models import Unit

from .importing.columns import (  # noqa: F401  (the importer's public parts, as they have always been named)
    ALIASES,
    IGNORE,
    COLUMN_BY_FIELD,
    COLUMNS,
    REQUIRED,
    Bad,
    Choice,
    Header,
    bhxh_code,
    find_header,
    missing_columns,
    normalise_header,
    personal_id,
    read_date,
    read_whole,
)
from .importing.error_copy import error_copy_name
from .importing.rows import MAX_PROBLEMS_KEPT, ImportOutcome, Person, Progress, Row  # noqa: F401
from .importing.run import ImportRefused, ParticipantImport, import_refusal  # noqa: F401

PARTICIPANT_IMPORT = "agents.participant_import"

# Columns whose values are codes: kept as text in the template so Excel keeps their leading zeros.
TEXT_COLUMNS = {"bhxh_code", "personal_id", "commune_code", "village_code", "household_code", "agent"}


def template_workbook() -> bytes:
    """A blank participant list with the headers this importer recognises, for the upload page."""
    return template_xlsx([c.label for c in COLUMNS], title="Danh sách",
                         text_columns=[i for i, c in enumerate(COLUMNS, start=1) if c.name in TEXT_COLUMNS])


# --- services the views and the job call ---------------------------------------------------

def participant_import_start(*, user, unit: Unit, filename: str, data: bytes | None = None, upload=None,
                             size: int | None = None, mapping: dict | None = None) -> Job:
    """A preview (dry run) job for an uploaded file; refuses at once what is refused before reading."""
    if not access.can(user, "participants.import", unit):
        raise JobError(import_refusal(user, unit))
    size = size if size is not None else (len(data) if data is not None else upload.size)
    if size > max_upload_bytes():
        from django.conf import settings

        raise ImportFileError(f"Tệp {filename} quá lớn ({size / 1048576:.1f} MB); giới hạn là "
                              f"{settings.IMPORT_MAX_UPLOAD_MB} MB.")
    job = job_create(kind=PARTICIPANT_IMPORT, requested_by=user, unit=unit,
                     params={"dry_run": True, "mapping": mapping or {}, "filename": filename},
                     input_name=filename, input_bytes=data, input_file=upload)
    return job_enqueue(job=job)


def participant_import_remap(*, user, preview: Job, mapping: dict) -> Job:
    """Run the preview again on the same file with the user's choice for unknown headers."""
    _check_preview(user=user, preview=preview)
    merged = {**preview.params.get("mapping", {}), **mapping}
    # The same choice sent twice (a double click) is the same check: the page of the first one.
    choice = hashlib.sha256(json.dumps(merged, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    key = f"{PARTICIPANT_IMPORT}.remap:{preview.pk}:{choice}"
    earlier = Job.objects.filter(once_key=key).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=PARTICIPANT_IMPORT, requested_by=user, unit=preview.unit,
                                     params={**preview.params, "dry_run": True, "mapping": merged},
                                     input_file=preview.input_file.name, once_key=key)
            return job_enqueue(job=job)
    except IntegrityError:
        return Job.objects.get(once_key=key)


def participant_import_commit(*, user, preview: Job) -> Job:
    """Write the previewed file: a new job on the same stored file, all or nothing.

    Once per preview: the commit job carries the unique `once_key` of its preview, so of two clicks
    (or two tabs) the second finds the first one's job (Repeated names it) instead of a second run."""
    _check_preview(user=user, preview=preview)
    key = _commit_key(preview)
    earlier = commit_of(preview)
    if earlier is not None:
        raise _commit_repeated(earlier)
    result = preview.result or {}
    if preview.state != JobState.SUCCEEDED or result.get("needs_mapping"):
        raise JobError("Chỉ ghi được tệp đã kiểm tra xong.")
    if result.get("invalid"):
        raise JobError(f"Tệp có {format_number(result['invalid'])} dòng không hợp lệ; hãy sửa rồi tải lên lại.")
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=PARTICIPANT_IMPORT, requested_by=user, unit=preview.unit,
                                     params={**preview.params, "dry_run": False, "preview_job": preview.pk},
                                     input_file=preview.input_file.name, once_key=key)
            return job_enqueue(job=job)
    except IntegrityError:
        # The other request's insert committed while this one waited on the unique key.
        raise _commit_repeated(Job.objects.get(once_key=key)) from None


def _commit_key(preview: Job) -> str:
    return f"{PARTICIPANT_IMPORT}.commit:{preview.pk}"


def commit_of(preview: Job) -> Job | None:
    """The job that writes a checked file, once it has been asked for."""
    return Job.objects.filter(once_key=_commit_key(preview)).first()


def _commit_repeated(job: Job) -> Repeated:
    return Repeated(f"Tệp này đã được gửi ghi lúc {when(job.created_at)} (lần bấm trước); không ghi lại lần nữa. "
                    "Kết quả ở trang này.", obj=job)


def _check_preview(*, user, preview: Job) -> None:
    if preview.kind != PARTICIPANT_IMPORT or preview.requested_by_id != user.pk or not preview.params.get("dry_run"):
        raise JobError("Không tìm thấy lần kiểm tra tệp này.")
    if preview.unit is None or not access.can(user, "participants.import", preview.unit):
        raise JobError("Bạn không có quyền nhập danh sách cho đơn vị này.")


def participant_import_job(*, job: Job, progress: Progress) -> JobOutcome:
    """The job handler (reports.jobs registry): read the stored file, preview or commit it."""
    if job.unit is None:
        raise JobError("Công việc nhập danh sách thiếu đơn vị.")
    filename = job.params.get("filename") or job.input_name
    importer = ParticipantImport(user=job.requested_by, scope=job.unit, dry_run=job.params.get("dry_run", True),
                                 mapping=job.params.get("mapping"), job=job)
    with job.input_file.open("rb") as stream:  # read from the stored file as the batches go, never whole
        outcome, error_copy = importer.run(stream, filename=filename, progress=progress)
    return JobOutcome(message=outcome.summary(), result=outcome.as_result(),
                      output_name=error_copy_name(filename) if error_copy else None, output_bytes=error_copy)
