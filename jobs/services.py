"""Services for background jobs: create, enqueue, run, record progress, finish, sweep.

The pattern every job follows (imports now, exports later):

    job = job_create(kind="agents.participant_import", requested_by=user, unit=unit, params={...},
                     input_name="ds.xlsx", input_bytes=data)
    job_enqueue(job=job)            # on commit: jobs.tasks.run_job.delay(job.id)

`run_job` fetches the row and calls `job_execute`, which claims the job (a job already
finished is not redone; one running with a fresh heartbeat is left to its worker), calls the
handler registered for the kind with a progress callback that writes to the row (so the
eager mode shows progress too), and records success or failure in Vietnamese.

Faults (tests/jobs/test_faults_*.py):
- the queue (Redis) does not take the job: the row stays queued with `unsent_since` and a message,
  the page says so, and the job is sent again by the user's button or the sweep (`job_send`);
- the worker dies mid-way (killed, out of memory): its heartbeat (a thread, every
  JOBS_HEARTBEAT_SECONDS) stops; the message comes back to another worker (acks_late, after the
  broker's visibility timeout) or the sweep sends the job again, and the next claim runs it again,
  up to JOBS_MAX_ATTEMPTS runs; after that the sweep or the claim marks it failed with the reason.
  A job's writes are one transaction, so a run cut short leaves nothing behind;
- the database connection is lost mid-way: the transaction is rolled back by PostgreSQL, and the
  job is marked failed (on a new connection) with a Vietnamese message.

A kind is registered by its app (AppConfig.ready): `register_job_kind("agents.participant_import",
label="Nhập danh sách người tham gia", handler="agents.importers.participant_import_job")`.
The handler is `handler(*, job, progress) -> JobOutcome` and raises JobError (or ImportFileError)
for a refusal the user should read.
"""

import datetime
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job, JobState

logger = logging.getLogger(__name__)

UNSENT_MESSAGE = ("Chưa gửi được yêu cầu tới máy chủ xử lý (hàng đợi tạm thời không hoạt động). Yêu cầu đã được "
                  "lưu và sẽ được gửi lại tự động; bạn cũng có thể bấm «Gửi lại».")
DATABASE_LOST_MESSAGE = ("Mất kết nối tới cơ sở dữ liệu trong khi xử lý; không có dữ liệu nào được ghi dở "
                         "(mọi thay đổi của lần chạy này đã được hủy). Hãy chạy lại.")


def stale_after() -> datetime.timedelta:
    """A running job whose heartbeat is older than this has lost its worker."""
    return datetime.timedelta(seconds=getattr(settings, "JOBS_STALE_AFTER_SECONDS", 120))


def max_attempts() -> int:
    return max(1, getattr(settings, "JOBS_MAX_ATTEMPTS", 2))


def heartbeat_every() -> float:
    return float(getattr(settings, "JOBS_HEARTBEAT_SECONDS", 15))


def _duration(delta: datetime.timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} phút" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} giây"


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
    """Send the job to the worker once the surrounding transaction commits (eager: runs then).

    If the queue does not take it (Redis down), the job stays queued with `unsent_since` and a
    message saying so, instead of an error page: `job.is_unsent` tells the view (when there is no
    surrounding transaction, the send has happened when this returns)."""
    transaction.on_commit(lambda: job_send(job=job))
    return job


def job_send(*, job: Job) -> bool:
    """Hand the job to the queue now. False (and the job kept, marked unsent) if the queue is down."""
    from .tasks import run_job

    task_id = str(uuid.uuid4())
    Job.objects.filter(pk=job.pk).update(celery_task_id=task_id)
    job.celery_task_id = task_id
    if run_job.app.conf.task_always_eager:
        run_job.apply_async(args=[job.pk], task_id=task_id)  # runs here; no queue to be down
        return True
    try:
        run_job.apply_async(args=[job.pk], task_id=task_id)
    except Exception as exc:  # noqa: BLE001 - kombu, redis-py and sockets raise several kinds; keep the job
        logger.warning("Job %s not sent to the queue: %s", job.pk, exc)
        now = timezone.now()
        Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            celery_task_id="", unsent_since=F("unsent_since") if job.unsent_since else now,
            message=UNSENT_MESSAGE, error=f"{type(exc).__name__}: {exc}")
        job.celery_task_id, job.message = "", UNSENT_MESSAGE
        job.unsent_since = job.unsent_since or now
        return False
    if job.unsent_since is not None:
        Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(unsent_since=None, message="", error="")
        job.unsent_since, job.message = None, ""
    return True


def _stale(now) -> Q:
    return Q(state=JobState.RUNNING) & (Q(heartbeat_at__lt=now - stale_after()) | Q(heartbeat_at__isnull=True))


def _gave_up_reason(attempts: int) -> str:
    return (f"Công việc bị gián đoạn {attempts} lần: máy chủ xử lý dừng giữa chừng (khởi động lại, hết bộ nhớ...). "
            "Không có dữ liệu nào được ghi dở; hệ thống không tự chạy lại nữa. Hãy kiểm tra tệp (có thể quá lớn) "
            "rồi chạy lại.")


def job_start(*, job: Job, message: str = "Đang xử lý") -> bool:
    """Claim the job for this worker. False if it is finished or another worker holds it.

    A running job whose heartbeat stopped lost its worker: it is claimed again (a new run), unless
    it has had its JOBS_MAX_ATTEMPTS runs, in which case it is marked failed with the reason."""
    now = timezone.now()
    gave_up = Job.objects.filter(_stale(now), pk=job.pk, attempts__gte=max_attempts())
    reason = _gave_up_reason(max_attempts())
    if gave_up.update(state=JobState.FAILED, message=reason[:500], error=reason, finished_at=now):
        job.refresh_from_db()
        return False
    claimable = Q(state=JobState.QUEUED) | _stale(now)
    claimed = Job.objects.filter(claimable, pk=job.pk).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, progress_pct=0, message=message, error="",
        attempts=F("attempts") + 1, unsent_since=None,
    )
    if claimed:
        job.refresh_from_db(fields=["state", "started_at", "heartbeat_at", "progress_pct", "message", "error",
                                    "attempts", "unsent_since"])
    return bool(claimed)


class _Heartbeat:
    """Writes heartbeat_at on the job row every few seconds while the handler runs, from a thread with
    its own database connection: a long step without progress (reading a big file, one large COPY)
    still shows the worker alive, and a worker that dies stops it at once."""

    def __init__(self, job_id: int, every: float):
        self.job_id, self.every = job_id, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        if self.every > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=self.every + 5)

    def _run(self):
        from django.db import connections

        try:
            while not self.stop.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Job %s: heartbeat not written", self.job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()


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


@dataclass
class SweepOutcome:
    retried: int = 0
    failed: int = 0
    resent: int = 0

    def __int__(self) -> int:
        return self.retried + self.failed + self.resent


def job_sweep_stale(*, older_than: datetime.timedelta | None = None) -> SweepOutcome:
    """Celery beat, every JOBS_SWEEP_EVERY_SECONDS: nothing stays "running" or unsent for ever.

    - a running job whose worker stopped sending heartbeats (older than `older_than`, default
      JOBS_STALE_AFTER_SECONDS) is sent again if it has runs left, else marked failed with the reason;
    - a job the queue did not take (Redis was down) is sent again.
    """
    older_than = older_than or stale_after()
    now = timezone.now()
    cutoff = now - older_than
    stale = Job.objects.filter(state=JobState.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    outcome = SweepOutcome()
    limit = max_attempts()
    reason = _gave_up_reason(limit) + f" (không có tín hiệu từ máy chủ xử lý trong {_duration(older_than)})"
    outcome.failed = stale.filter(attempts__gte=limit).update(
        state=JobState.FAILED, message=reason[:500], error=reason, finished_at=now)
    again = []
    for job in stale.filter(attempts__lt=limit):
        retry_message = (f"Máy chủ xử lý bị gián đoạn giữa chừng; không có dữ liệu nào được ghi dở. Đang chờ chạy lại "
                         f"(lần {job.attempts + 1}/{limit}).")
        # Conditional: a worker that came back to life (or another claim) in the meantime wins.
        if Job.objects.filter(pk=job.pk, state=JobState.RUNNING, heartbeat_at=job.heartbeat_at).update(
                state=JobState.QUEUED, progress_pct=0, message=retry_message[:500]):
            job.state = JobState.QUEUED
            again.append(job)
    for job in again:
        job_send(job=job)
        outcome.retried += 1
    for job in Job.objects.filter(state=JobState.QUEUED, unsent_since__isnull=False).exclude(pk__in=[j.pk for j in again]):
        if job_send(job=job):
            outcome.resent += 1
    if int(outcome):
        logger.warning("Job sweep: %s", outcome)
    return outcome


def job_execute(*, job_id: int, heartbeat: bool = False) -> str:
    """The body of the Celery task: safe to run twice, never leaves a job running on error.

    `heartbeat`: write heartbeat_at from a thread while the handler runs (the real worker; not in
    eager mode, where the job runs inside the request)."""
    from bhxh_portal.imports import ImportFileError

    job = Job.objects.select_related("requested_by", "unit").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.state in (JobState.SUCCEEDED, JobState.FAILED):
        return job.state
    if not job_start(job=job):
        return job.state if job.state == JobState.FAILED else "busy"
    kind = JOB_KINDS.get(job.kind)
    if kind is None:
        job_fail(job=job, message=f"Không có loại công việc '{job.kind}'.")
        return job.state

    def progress(pct: int, message: str = "") -> None:
        job_progress(job=job, pct=pct, message=message)

    failure = None
    with _Heartbeat(job.pk, heartbeat_every() if heartbeat else 0):
        try:
            handler = import_string(kind.handler)
            outcome: JobOutcome = handler(job=job, progress=progress)
        except (JobError, ImportFileError) as exc:
            failure = {"message": str(exc), "result": getattr(exc, "result", None)}
        except Exception as exc:  # noqa: BLE001 - the job row must say it failed, whatever happened
            if _connection_lost(exc):
                logger.exception("Job %s (%s): database connection lost", job.pk, job.kind)
                failure = {"message": DATABASE_LOST_MESSAGE, "error": traceback.format_exc()}
            else:
                logger.exception("Job %s (%s) failed", job.pk, job.kind)
                failure = {"message": f"Lỗi hệ thống khi xử lý ({type(exc).__name__}); không có dữ liệu nào được ghi.",
                           "error": traceback.format_exc()}
    if failure is not None:
        _on_a_live_connection(lambda: job_fail(job=job, **failure))
    else:
        _on_a_live_connection(lambda: job_succeed(
            job=job, message=outcome.message, result=outcome.result, output_name=outcome.output_name,
            output_bytes=outcome.output_bytes))
    return job.state


def _connection_lost(exc: Exception) -> bool:
    """The handler failed because the database connection went away (server restarted, backend
    terminated, network cut): Django's wrapped errors and the driver's own (a raw COPY raises those).
    A lost connection has no SQLSTATE, or one of class 08 (connection exception) or 57P01-57P03
    (the server ended the session); an error the server reported on a live connection has its own."""
    driver = getattr(connection, "Database", None)
    if driver is None:
        return False
    cause = exc if isinstance(exc, driver.Error) else exc.__cause__
    if isinstance(exc, InterfaceError) or isinstance(cause, driver.InterfaceError):
        return True
    if not isinstance(cause, driver.OperationalError):
        return False
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None) or ""
    return not code or code.startswith("08") or code in ("57P01", "57P02", "57P03")


def _on_a_live_connection(write: Callable[[], object]) -> None:
    """Record the outcome even if the handler's connection died: drop it and write on a new one."""
    if not connection.in_atomic_block and connection.connection is not None and not connection.is_usable():
        connection.close()
    try:
        write()
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("Job outcome: connection lost, writing again on a new connection", exc_info=True)
        connection.close()
        write()


def _safe_name(name: str) -> str:
    """Keep the user's file name readable (Vietnamese is fine) but free of path parts."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "tep"
    return name[:150]
