"""Background jobs (imports now, exports later): one row per job, its progress and its files.

A job is generic: `kind` names what it does (see jobs/services.py JOB_KINDS), `params` carries
its arguments, `result` its outcome in plain data; the task only fetches the row and calls
the service registered for the kind.
"""

from django.conf import settings
from django.db import models

from bhxh_portal.files import portal_name

# Stored under names the portal makes (bhxh_portal.files.portal_name); the user's file name is kept in
# params["filename"] (input) and result["output_name"] (output). Older rows keep their stored names.


def _job_upload_path(job, filename: str) -> str:
    return portal_name(f"jobs/{job.kind}/in", filename)


def _job_output_path(job, filename: str) -> str:
    return portal_name(f"jobs/{job.kind}/out", filename)


class JobState(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    SUCCEEDED = "succeeded", "Hoàn thành"
    FAILED = "failed", "Thất bại"


class Job(models.Model):
    kind = models.CharField("loại công việc", max_length=60, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="người yêu cầu"
    )
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs", verbose_name="đơn vị"
    )
    params = models.JSONField("tham số", default=dict, blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)
    state = models.CharField("trạng thái", max_length=20, choices=JobState.choices, default=JobState.QUEUED,
                             db_index=True)
    progress_pct = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    message = models.CharField("thông báo", max_length=500, blank=True)
    error = models.TextField("lỗi", blank=True)
    input_file = models.FileField("tệp đầu vào", upload_to=_job_upload_path, max_length=300, blank=True)
    output_file = models.FileField("tệp kết quả", upload_to=_job_output_path, max_length=300, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    heartbeat_at = models.DateTimeField("tín hiệu gần nhất", null=True, blank=True)
    celery_task_id = models.CharField("mã tác vụ Celery", max_length=64, blank=True)
    # Runs started (a worker that died mid-way leaves the job to be run again, up to JOBS_MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    # Set when the queue (Redis) did not take the job: the job is kept and sent again (the sweep,
    # or the user's button); cleared once sent.
    unsent_since = models.DateTimeField("chưa gửi được từ", null=True, blank=True)
    # Set on a job that must exist once (the commit of a checked file): of two requests creating it,
    # the second hits the unique constraint and is sent to the first one's job.
    once_key = models.CharField("khóa một lần", max_length=100, null=True, blank=True, unique=True)

    class Meta:
        db_table = "reports_job"  # the table from before jobs had an app of their own
        ordering = ["-created_at", "-pk"]
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_user_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress_pct__lte=100), name="job_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.label} #{self.pk}"

    @property
    def label(self) -> str:
        from .services import kind_label

        return kind_label(self.kind)

    @property
    def is_active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def is_unsent(self) -> bool:
        """Waiting, but the queue did not take it (Redis down): to send again (jobs.services.job_send)."""
        return self.state == JobState.QUEUED and self.unsent_since is not None

    @property
    def input_name(self) -> str:
        return self.params.get("filename") or (self.input_file.name.rsplit("/", 1)[-1] if self.input_file else "")

    @property
    def output_name(self) -> str:
        """The name the file is offered under (the storage may have altered the stored one)."""
        if not self.output_file:
            return ""
        return (self.result or {}).get("output_name") or self.output_file.name.rsplit("/", 1)[-1]
