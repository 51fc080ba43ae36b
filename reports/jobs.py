"""Services for background jobs: create, enqueue, run, record progress, finish, sweep.

The pattern every job follows (imports now, exports later):

    job = job_create(kind="agents.participant_import", requested_by=user, unit=unit, params={...},
                     input_name="ds.xlsx", input_bytes=data)
    job_enqueue(job=job)            # on commit: reports.tasks.run_job.delay(job.id)

`run_job` fetches the row and calls `job_execute`, which claims the job (a job already
finished is not redone; one running with a fresh heartbeat is left to its worker), calls the
handler registered for the kind with a progress callback that writes to the row (so the
eager mode shows progress too), and records success or failure in Vietnamese.

A kind is registered by its app (AppConfig.ready): `register_job_kind("agents.participant_import",
label="Nhập danh sách người tham gia", handler="agents.importers.participant_import_job")`.
The handler is `handler(*, job, progress) -> JobOutcome` and raises JobError (or ImportFileError)
for a refusal the user should read.
"""

import datetime
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job, JobState

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=10)


class JobError(Exception):
    """A refusal or failure whose message (in Vietnamese) is shown to the user as is."""


@dataclass(frozen=True)
class JobKind:
    label: str
    handler: str
    # Optional: the URL name of a page that shows this kind's result (gets the job's pk).
    detail_url_name: str | None = None


@dataclass
class JobOutcome:
    message: str
    result: dict = field(default_factory=dict)
    output_name: str | None = None
    output_bytes: bytes | None = None


Progress = Callable[[int, str], None]

JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: str, *, label: str, handler: str, detail_url_name: str | None = None) -> None:
    JOB_KINDS[kind] = JobKind(label=label, handler=handler, detail_url_name=detail_url_name)


def kind_label(kind: str) -> str:
    registered = JOB_KINDS.get(kind)
    return registered.label if registered else kind


def job_create(*, kind: str, requested_by, unit=None, params: dict | None = None,
               input_name: str | None = None, input_bytes: bytes | None = None, input_file=None) -> Job:
    """A queued job; the input file is stored under MEDIA_ROOT/jobs/<kind>/in/."""
    if kind not in JOB_KINDS:
        raise JobError(f"Không có loại công việc '{kind}'.")
    params = dict(params or {})
    job = Job(kind=kind, requested_by=requested_by, unit=unit, params=params)
    if input_file is not None:
        input_name = input_name or getattr(input_file, "name", "tep")
        params.setdefault("filename", input_name)
        job.input_file.save(_safe_name(input_name), input_file, save=False)
    elif input_bytes is not None:
        params.setdefault("filename", input_name or "tep")
        job.input_file.save(_safe_name(input_name or "tep"), ContentFile(input_bytes), save=False)
    job.save()
    return job


def job_enqueue(*, job: Job) -> Job:
    """Send the job to the worker once the surrounding transaction commits (eager: runs then)."""
    from .tasks import run_job

    task_id = str(uuid.uuid4())
    Job.objects.filter(pk=job.pk).update(celery_task_id=task_id)
    job.celery_task_id = task_id
    transaction.on_commit(lambda: run_job.apply_async(args=[job.pk], task_id=task_id))
    return job


def job_start(*, job: Job, message: str = "Đang xử lý") -> bool:
    """Claim the job for this worker. False if it is finished or another worker holds it."""
    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, heartbeat_at__lt=now - STALE_AFTER) | Q(
        state=JobState.RUNNING, heartbeat_at__isnull=True)
    claimed = Job.objects.filter(claimable, pk=job.pk).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, progress_pct=0, message=message, error="",
    )
    if claimed:
        job.state, job.started_at, job.heartbeat_at, job.progress_pct, job.message = (
            JobState.RUNNING, now, now, 0, message)
    return bool(claimed)


PROGRESS_EVERY = 0.5  # seconds between two progress writes; the page polls every second


def job_progress(*, job: Job, pct: int, message: str = "") -> None:
    """Record progress on the row (an UPDATE that commits at once outside a transaction).

    At most one write per PROGRESS_EVERY seconds (each is a commit, with its disk flush);
    100% is always written.
    """
    pct = max(0, min(100, int(pct)))
    now = time.monotonic()
    last = getattr(job, "_progress_written", None)
    if last is not None and now - last < PROGRESS_EVERY and pct < 100:
        return
    job._progress_written = now
    fields = {"progress_pct": pct, "heartbeat_at": timezone.now()}
    if message:
        fields["message"] = message[:500]
    Job.objects.filter(pk=job.pk).update(**fields)
    job.progress_pct = pct
    if message:
        job.message = message[:500]


def job_succeed(*, job: Job, message: str, result: dict | None = None, output_name: str | None = None,
                output_bytes: bytes | None = None) -> Job:
    job.state = JobState.SUCCEEDED
    job.progress_pct = 100
    job.message = message[:500]
    job.error = ""
    job.result = result or {}
    job.finished_at = job.heartbeat_at = timezone.now()
    if output_bytes is not None:
        name = _safe_name(output_name or "ket-qua")
        job.result["output_name"] = name
        job.output_file.save(name, ContentFile(output_bytes), save=False)
    job.save()
    return job


def job_fail(*, job: Job, message: str, error: str = "", result: dict | None = None) -> Job:
    job.state = JobState.FAILED
    job.message = message[:500]
    job.error = error or message
    if result is not None:
        job.result = result
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save()
    return job


def job_sweep_stale(*, older_than: datetime.timedelta = STALE_AFTER) -> int:
    """Jobs whose worker stopped sending heartbeats are marked failed, with the reason."""
    cutoff = timezone.now() - older_than
    minutes = int(older_than.total_seconds() // 60)
    reason = (
        f"Công việc bị gián đoạn: máy chủ xử lý không gửi tín hiệu trong {minutes} phút "
        "(có thể đã khởi động lại). Không có dữ liệu nào được ghi dở; hãy chạy lại."
    )
    return Job.objects.filter(state=JobState.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    ).update(state=JobState.FAILED, message=reason[:500], error=reason, finished_at=timezone.now())


def job_execute(*, job_id: int) -> str:
    """The body of the Celery task: safe to run twice, never leaves a job running on error."""
    from bhxh_portal.imports import ImportFileError

    job = Job.objects.select_related("requested_by", "unit").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.state in (JobState.SUCCEEDED, JobState.FAILED):
        return job.state
    if not job_start(job=job):
        return "busy"
    kind = JOB_KINDS.get(job.kind)
    if kind is None:
        job_fail(job=job, message=f"Không có loại công việc '{job.kind}'.")
        return job.state

    def progress(pct: int, message: str = "") -> None:
        job_progress(job=job, pct=pct, message=message)

    try:
        handler = import_string(kind.handler)
        outcome: JobOutcome = handler(job=job, progress=progress)
    except (JobError, ImportFileError) as exc:
        job_fail(job=job, message=str(exc), result=getattr(exc, "result", None))
    except Exception as exc:  # noqa: BLE001 - the job row must say it failed, whatever happened
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job_fail(job=job, message=f"Lỗi hệ thống khi xử lý ({type(exc).__name__}); không có dữ liệu nào được ghi.",
                 error=traceback.format_exc())
    else:
        job_succeed(job=job, message=outcome.message, result=outcome.result, output_name=outcome.output_name,
                    output_bytes=outcome.output_bytes)
    return job.state


def _safe_name(name: str) -> str:
    """Keep the user's file name readable (Vietnamese is fine) but free of path parts."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "tep"
    return name[:150]
