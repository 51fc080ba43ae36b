"""Faults: the queue (Redis) is down when a user asks for a report or sends a participant list.

The page answers at once with a clear Vietnamese message (no error page, no minutes of retries),
nothing is lost (the job row keeps the request and its file, marked unsent), the rest of the site
works, and the job is sent again by the user's «Gửi lại» button or by the sweep once the queue is back.

The queue is simulated down by pointing this process's Celery at a closed port (no service needed)
or, on the real stack, by killing a private redis-server started by the test (never the shared one).
"""

import time

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agents.models import Enrolment, Participant
from agents.samples import SampleArea, participant_rows, write_csv
from jobs.services import UNSENT_MESSAGE, job_sweep_stale
from jobs.models import Job
from units.models import Role
from tests import services
from tests.factories import make_member, make_unit

FAST = 5  # seconds: a request while the queue is down answers well within this


@pytest.fixture
def queue_down():
    with services.celery_sends_to(f"redis://127.0.0.1:{services.free_port()}/0"):
        yield


@pytest.fixture
def leader(province):
    return make_member(province, Role.LEADER)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """The test's transaction never commits: run the on-commit sends as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _timed(call, on_commit=None):
    started = time.monotonic()
    if on_commit is None:
        response = call()
    else:
        with on_commit():
            response = call()
    return response, time.monotonic() - started


def _download(client, unit):
    return client.post(f"/bao-cao/{unit.pk}/tai-ve/", {"table": "bhyt", "format": "xlsx"})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # commits as a real request does
def test_a_coverage_download_while_the_queue_is_down_is_kept_and_the_page_says_so(client, province, leader,
                                                                                 queue_down):
    client.force_login(leader)
    response, elapsed = _timed(lambda: _download(client, province))

    assert elapsed < FAST, f"{elapsed:.1f} s"
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/cong-viec/{job.pk}/"
    assert (job.state, job.kind, job.celery_task_id, job.message) == (
        "queued", "reports.coverage_export", "", UNSENT_MESSAGE)
    assert job.is_unsent and job.params == {"unit_id": province.pk, "table": "bhyt", "period": job.params["period"],
                                            "format": "xlsx"}
    assert "OperationalError" in job.error or "Error" in job.error  # what the queue said, for the administrator

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "máy chủ xử lý tạm thời chưa nhận được" in html  # the flash message after the request
    assert "Chưa gửi được yêu cầu tới máy chủ xử lý" in html and "Gửi lại</button>" in html
    # The rest works: the coverage table itself, the jobs page.
    assert client.get(f"/bao-cao/{province.pk}/?table=bhyt").status_code == 200
    assert f"#{job.pk}" in client.get("/cong-viec/").content.decode()

    # «Gửi lại» while the queue is still down: told so, the job still kept.
    response, elapsed = _timed(lambda: client.post(f"/cong-viec/{job.pk}/gui-lai/", follow=True))
    assert elapsed < FAST and response.status_code == 200
    assert "Hàng đợi xử lý vẫn chưa hoạt động" in response.content.decode()
    job.refresh_from_db()
    assert job.is_unsent


@pytest.mark.django_db
def test_once_the_queue_is_back_the_kept_download_is_sent_and_made(client, province, leader, on_commit):
    client.force_login(leader)
    with services.celery_sends_to(f"redis://127.0.0.1:{services.free_port()}/0"), on_commit():
        _download(client, province)
    job = Job.objects.get()
    assert job.is_unsent

    # Back (the test settings run tasks in-process): the button sends it and the file is made.
    response = client.post(f"/cong-viec/{job.pk}/gui-lai/", {"next": f"/cong-viec/{job.pk}/"})
    assert response.status_code == 302 and response.url == f"/cong-viec/{job.pk}/"
    job.refresh_from_db()
    assert (job.state, job.unsent_since, job.attempts) == ("succeeded", None, 1)
    assert job.output_name.endswith(".xlsx") and job.output_file.size > 0
    assert client.post(f"/cong-viec/{job.pk}/gui-lai/", follow=True).status_code == 200  # twice: harmless
    job.refresh_from_db()
    assert job.attempts == 1


def _district():
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    areas = []
    for c in (1, 2):
        commune = make_unit(f"Xã {c}", level_code="xa", parent=district, code=f"0000{c}")
        villages = [make_unit(f"Thôn {c}.{v}", level_code="thon", parent=commune, code=f"X{c}-T{v}").code
                    for v in (1, 2)]
        areas.append(SampleArea(commune.code, villages, commune.path))
    return district, areas


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_participant_list_sent_while_the_queue_is_down_is_kept_and_checked_once_it_is_back(client):
    district, areas = _district()
    staff = make_member(district, Role.BHXH_STAFF)
    data = write_csv(participant_rows(count=50, areas=areas, province_code="01"))
    client.force_login(staff)
    with services.celery_sends_to(f"redis://127.0.0.1:{services.free_port()}/0"):
        response, elapsed = _timed(lambda: client.post(
            "/nguoi-tham-gia/nhap/", {"unit": district.pk, "file": SimpleUploadedFile("ds.csv", data)}))
        assert elapsed < FAST, f"{elapsed:.1f} s"
        job = Job.objects.get()
        assert response.status_code == 302 and response.url == f"/nguoi-tham-gia/nhap/{job.pk}/"
        page = client.get(response.url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Chưa gửi được yêu cầu tới máy chủ xử lý" in html and "Gửi lại</button>" in html
        assert client.get("/nguoi-tham-gia/nhap/").status_code == 200

    job.refresh_from_db()
    assert job.is_unsent and job.input_file.read() == data  # the file is kept with the request
    assert (Participant.objects.count(), Enrolment.objects.count()) == (0, 0)

    # The sweep (Celery beat) sends what the queue did not take; in-process here, so it runs.
    outcome = job_sweep_stale()
    assert (outcome.resent, outcome.retried, outcome.failed) == (1, 0, 0)
    job.refresh_from_db()
    assert (job.state, job.unsent_since, job.result["new"], job.result["invalid"]) == ("succeeded", None, 50, 0)
    assert "Ghi 50 dòng vào hệ thống" in client.get(f"/nguoi-tham-gia/nhap/{job.pk}/").content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_killed_between_two_requests_the_second_is_kept_and_sent_when_redis_is_back(client, province,
                                                                                         leader):
    services.require_services()
    process, url = services.start_redis()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    client.force_login(leader)
    try:
        with services.celery_sends_to(url) as app:
            queue = app.conf.task_default_queue
            _download(client, province)
            first = Job.objects.get()
            assert not first.is_unsent and first.celery_task_id
            assert redis.Redis(port=port).llen(queue) == 1  # on the queue, for a worker to take

            services.stop_process(process)  # Redis dies; this process still holds connections to it
            response, elapsed = _timed(lambda: _download(client, province))
            assert elapsed < FAST, f"{elapsed:.1f} s"
            second = Job.objects.exclude(pk=first.pk).get()
            assert response.status_code == 302 and second.is_unsent and second.message == UNSENT_MESSAGE
            assert client.get(response.url).status_code == 200
            assert client.get(f"/bao-cao/{province.pk}/").status_code == 200

            process, _ = services.start_redis(port=port)  # back, empty (no persistence)
            outcome = job_sweep_stale()
            assert outcome.resent == 1
            second.refresh_from_db()
            assert not second.is_unsent and second.celery_task_id and second.state == "queued"
            assert second.message == ""
            assert redis.Redis(port=port).llen(queue) == 1
    finally:
        services.stop_process(process)
