"""Reads of jobs: a user sees the jobs they asked for (a superuser sees all)."""

from django.db.models import QuerySet
from django.http import Http404

from units import access

from .models import Job


def jobs_of(*, user, limit: int = 50) -> QuerySet:
    qs = Job.objects.select_related("unit", "requested_by")
    if not user.is_superuser:
        qs = qs.filter(requested_by=user)
    return qs.order_by("-created_at", "-pk")[:limit]


def job_for_user_or_404(*, user, pk: int) -> Job:
    job = Job.objects.select_related("unit", "requested_by").filter(pk=pk).first()
    if job is None or not (user.is_superuser or job.requested_by_id == user.pk):
        raise Http404("Không tìm thấy công việc hoặc bạn không có quyền xem.")
    if job.unit is not None and not access.can_view(user, job.unit):
        raise Http404("Không tìm thấy công việc hoặc bạn không có quyền xem.")
    return job
