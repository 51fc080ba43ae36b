"""The shared job model: create, run through the task, progress on the row, twice-safe, sweep, pages."""

import datetime

import pytest
from django.utils import timezone

from jobs import services as jobs
from jobs.services import JobError, JobOutcome, job_create, job_enqueue, job_execute, job_sweep_stale
from jobs.models import Job
from jobs.tasks import run_job
from units.models import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db
CALLS: list[int] = []


def counting_handler(*, job, progress):
    CALLS.append(job.pk)
    progress(40, "Đang làm")
    job.refresh_from_db()
    assert job.progress_pct == 40 and job.message == "Đang làm"  # on the row, visible in eager mode too
    return JobOutcome(message="Xong", result={"rows": 3}, output_name="kết quả.csv", output_bytes=b"a,b\n1,2\n")


def refusing_handler(*, job, progress):
    raise JobError("Tệp không hợp lệ.")


def crashing_handler(*, job, progress):
    raise ZeroDivisionError("boom")


@pytest.fixture(autouse=True)
def test_kinds():
    jobs.register_job_kind("test.count", label="Thử", handler="tests.jobs.test_jobs.counting_handler")
    jobs.register_job_kind("test.refuse", label="Thử từ chối", handler="tests.jobs.test_jobs.refusing_handler")
    jobs.register_job_kind("test.crash", label="Thử lỗi", handler="tests.jobs.test_jobs.crashing_handler")
    CALLS.clear()
    yield
    for kind in ("test.count", "test.refuse", "test.crash"):
        jobs.JOB_KINDS.pop(kind, None)


@pytest.fixture
def user(province):
    return make_member(province, Role.BHXH_STAFF)


def test_a_job_runs_on_commit_through_the_task_and_keeps_its_output(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(job=job_create(kind="test.count", requested_by=user, params={"x": 1},
                                         input_name="vào.csv", input_bytes=b"1"))
    job.refresh_from_db()
    assert (job.state, job.progress_pct, job.message, job.result["rows"]) == ("succeeded", 100, "Xong", 3)
    assert job.celery_task_id and job.started_at and job.finished_at and job.heartbeat_at
    assert job.output_name == "kết quả.csv"
    assert job.output_file.read() == b"a,b\n1,2\n"
    assert job.input_file.read() == b"1"


def test_a_job_already_succeeded_is_not_redone(user):
    job = job_create(kind="test.count", requested_by=user)
    assert run_job.apply(args=[job.pk]).get() == "succeeded"
    assert run_job.apply(args=[job.pk]).get() == "succeeded"
    assert CALLS == [job.pk]


def test_a_job_running_with_a_fresh_heartbeat_is_left_to_its_worker(user):
    job = job_create(kind="test.count", requested_by=user)
    Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=timezone.now())
    assert job_execute(job_id=job.pk) == "busy"
    assert CALLS == []


def test_a_job_whose_worker_died_is_taken_over(user):
    job = job_create(kind="test.count", requested_by=user)
    Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert job_execute(job_id=job.pk) == "succeeded"


def test_a_refusal_fails_the_job_with_its_message(user):
    job = job_create(kind="test.refuse", requested_by=user)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", "Tệp không hợp lệ.")


def test_an_unexpected_error_fails_the_job_in_vietnamese_and_keeps_the_traceback(user):
    job = job_create(kind="test.crash", requested_by=user)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.message.startswith("Lỗi hệ thống khi xử lý (ZeroDivisionError)")
    assert "ZeroDivisionError: boom" in job.error


def test_an_unknown_kind_is_refused(user):
    with pytest.raises(JobError):
        job_create(kind="khong.co", requested_by=user)


def test_sweep_runs_again_a_job_that_lost_its_worker_or_fails_it_with_the_reason_after_its_runs(user):
    exhausted, retried, fresh, queued = (job_create(kind="test.count", requested_by=user) for _ in range(4))
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    Job.objects.filter(pk=exhausted.pk).update(state="running", heartbeat_at=long_ago, attempts=2)
    Job.objects.filter(pk=retried.pk).update(state="running", heartbeat_at=long_ago, attempts=1)
    Job.objects.filter(pk=fresh.pk).update(state="running", heartbeat_at=timezone.now(), attempts=1)
    outcome = job_sweep_stale()
    assert (outcome.failed, outcome.retried, outcome.resent) == (1, 1, 0)
    for job in (exhausted, retried, fresh, queued):
        job.refresh_from_db()
    assert exhausted.state == "failed" and "bị gián đoạn 2 lần" in exhausted.message
    assert "không có tín hiệu từ máy chủ xử lý trong 2 phút" in exhausted.message
    assert (retried.state, retried.attempts, CALLS) == ("succeeded", 2, [retried.pk])  # eager: sent = run
    assert (fresh.state, queued.state) == ("running", "queued")


def test_jobs_page_lists_own_jobs_and_polls_while_one_runs(client, user, province):
    mine = job_create(kind="test.count", requested_by=user)
    theirs = job_create(kind="test.count", requested_by=make_member(province, Role.BHXH_STAFF))
    Job.objects.filter(pk=mine.pk).update(state="running", progress_pct=35, message="Đang kiểm tra")
    client.force_login(user)
    html = client.get("/cong-viec/").content.decode()
    assert f"Thử #{mine.pk}" in html and f"Thử #{theirs.pk}" not in html
    assert 'hx-trigger="every 1s"' in html and 'value="35"' in html
    partial = client.get(f"/cong-viec/{mine.pk}/tien-do/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="35"' in partial and "every 1s" in partial

    job_execute(job_id=job_create(kind="test.count", requested_by=user).pk)
    Job.objects.filter(pk=mine.pk).update(state="succeeded", progress_pct=100)
    done = client.get(f"/cong-viec/{mine.pk}/tien-do/?refresh=1", HTTP_HX_REQUEST="true")
    assert "every 1s" not in done.content.decode() and done["HX-Refresh"] == "true"
    assert "every 1s" not in client.get("/cong-viec/").content.decode()


def test_only_the_requester_may_see_or_download_a_job(client, user, province):
    job = job_create(kind="test.count", requested_by=user)
    job_execute(job_id=job.pk)
    client.force_login(user)
    page = client.get(f"/cong-viec/{job.pk}/").content.decode()
    assert "Đã tạo xong tệp." in page and "Tệp kết quả" in page
    assert "khi tạo xong" not in page and "<dd>—</dd>" not in page  # a finished job says so, no empty file row
    response = client.get(f"/cong-viec/{job.pk}/tai-ve/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert "kết quả.csv" in response["Content-Disposition"] or "k%E1%BA%BFt" in response["Content-Disposition"]
    client.force_login(make_member(province, Role.BHXH_STAFF))
    assert client.get(f"/cong-viec/{job.pk}/").status_code == 404
    assert client.get(f"/cong-viec/{job.pk}/tai-ve/").status_code == 404
    assert client.get(f"/cong-viec/{job.pk}/tien-do/").status_code == 404
