from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from . import selectors
from .jobs import JOB_KINDS


def _detail_url(job) -> str:
    kind = JOB_KINDS.get(job.kind)
    if kind and kind.detail_url_name:
        try:
            return reverse(kind.detail_url_name, args=[job.pk])
        except NoReverseMatch:
            pass
    return reverse("reports:job_detail", args=[job.pk])


@login_required
def job_list(request):
    jobs = list(selectors.jobs_of(user=request.user))
    for job in jobs:
        job.detail_url = _detail_url(job)
    context = {"jobs": jobs, "any_active": any(j.is_active for j in jobs)}
    if request.htmx:
        return render(request, "reports/_job_table.html", context)
    return render(request, "reports/job_list.html", context)


@login_required
def job_detail(request, pk: int):
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    return render(request, "reports/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk: int):
    """The progress bar alone; HTMX polls it every second while the job runs."""
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    refresh = request.GET.get("refresh") == "1"
    response = render(request, "reports/_job_progress.html", {"job": job, "refresh": refresh})
    if not job.is_active and request.htmx and refresh:
        # The page around the bar shows the outcome: reload it once the job is done.
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_download(request, pk: int):
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    if not job.output_file:
        raise Http404("Công việc này chưa có tệp kết quả.")
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=job.output_name)
