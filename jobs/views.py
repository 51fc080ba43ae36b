from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bhxh_portal.files import file_download

from . import selectors
from .services import JOB_KINDS, job_send


def _detail_url(job) -> str:
    kind = JOB_KINDS.get(job.kind)
    if kind and kind.detail_url_name:
        try:
            return reverse(kind.detail_url_name, args=[job.pk])
        except NoReverseMatch:
            pass
    return reverse("jobs:job_detail", args=[job.pk])


@login_required
def job_list(request):
    jobs = list(selectors.jobs_of(user=request.user))
    for job in jobs:
        job.detail_url = _detail_url(job)
    context = {"jobs": jobs, "any_active": any(j.is_active for j in jobs)}
    if request.htmx:
        return render(request, "jobs/_job_table.html", context)
    return render(request, "jobs/job_list.html", context)


@login_required
def job_detail(request, pk: int):
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk: int):
    """The progress bar alone; HTMX polls it every second while the job runs."""
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    refresh = request.GET.get("refresh") == "1"
    response = render(request, "jobs/_job_progress.html", {"job": job, "refresh": refresh})
    if not job.is_active and request.htmx and refresh:
        # The page around the bar shows the outcome: reload it once the job is done.
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_download(request, pk: int):
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    if not job.output_file:
        raise Http404("Công việc này chưa có tệp kết quả.")
    try:
        handle = job.output_file.open("rb")
    except OSError as exc:
        raise Http404("Tệp kết quả không còn trên máy chủ.") from exc
    return file_download(handle, filename=job.output_name)


@login_required
@require_POST
def job_resend(request, pk: int):
    """A job the queue did not take (Redis was down): send it again now."""
    job = selectors.job_for_user_or_404(user=request.user, pk=pk)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = _detail_url(job)
    if not job.is_unsent:
        messages.info(request, "Công việc này đã được gửi tới máy chủ xử lý.")
    elif job_send(job=job):
        messages.success(request, "Đã gửi lại yêu cầu tới máy chủ xử lý.")
    else:
        messages.error(request, "Hàng đợi xử lý vẫn chưa hoạt động; yêu cầu vẫn được lưu và sẽ được gửi lại tự động. "
                                "Hãy thử lại sau ít phút.")
    return redirect(back)
