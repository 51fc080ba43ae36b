from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "requested_by", "unit", "state", "progress_pct", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["requested_by__username", "message"]
    # Stored files have no URL: the input is named, the output linked to the job's download page.
    exclude = ["input_file", "output_file"]
    readonly_fields = ["input_name", "output", "created_at", "started_at", "finished_at", "heartbeat_at",
                       "celery_task_id"]
    raw_id_fields = ["requested_by", "unit"]

    @admin.display(description="tệp đầu vào")
    def input_name(self, job):
        return job.input_name or "—"

    @admin.display(description="tệp kết quả")
    def output(self, job):
        if not job.output_file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("jobs:job_download", args=[job.pk]), job.output_name)
