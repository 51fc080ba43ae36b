from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "requested_by", "unit", "state", "progress_pct", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["requested_by__username", "message"]
    readonly_fields = ["created_at", "started_at", "finished_at", "heartbeat_at", "celery_task_id"]
    raw_id_fields = ["requested_by", "unit"]
