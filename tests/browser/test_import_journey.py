"""BHXH staff upload a participant list in a real browser (demo data, the communes that took in huyện
Càng Long on 1/7/2025, where people are registered today): the check runs
as a job whose progress bar reaches 100% on the import page, then the file is committed and the page
shows the counts.

The first journey runs wherever the tests run: with eager Celery (the default, and the PostgreSQL leg
without a worker) the job is done when the page opens. The second one, on PostgreSQL with Redis and a
real worker (`services`), opens the page while the job waits in the queue and starts the worker only
then: the bar reaches 100% by refreshing itself."""

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from agents.importers import PARTICIPANT_IMPORT
from agents.models import Enrolment, Participant
from agents.samples import SampleArea, participant_rows, write_xlsx
from bhxh_portal.demo import DEMO_PASSWORD
from jobs.models import Job
from units.models import Membership, Role, Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.browser.conftest import log_in, snap, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _today_communes_of_cang_long():
    """The communes formed from CL02 and CL03, and the staff of Càng Long made staff of their province
    too: a list always registers people under today's communes."""
    old = Unit.objects.valid_on(OLD_TO)
    communes = [old.get(code=code).successors.order_by("code").first() for code in ("CL02", "CL03")]
    Membership.objects.get_or_create(user=get_user_model().objects.get(username="bhxh.canglong"),
                                     unit=communes[0].parent, role=Role.BHXH_STAFF)
    return communes


def _participant_list(tmp_path, count: int):
    areas = [SampleArea(unit.code, [], unit.path) for unit in _today_communes_of_cang_long()]
    path = tmp_path / "danh-sach-cang-long.xlsx"
    path.write_bytes(write_xlsx(participant_rows(count=count, areas=areas, province_code="84", code_offset=7_000_000)))
    return path


def _bar(driver) -> tuple[int, str]:
    progress = driver.find_element(By.CSS_SELECTOR, ".job-progress progress")
    return int(progress.get_attribute("value")), driver.find_element(By.CSS_SELECTOR, ".job-progress .state").text


def _watch_until_done(driver, seen: list, timeout: float) -> None:
    """Read the bar as the page refreshes it, until the finished page shows the counts."""

    def finished(d):
        seen.append(_bar(d))
        return d.find_elements(By.CSS_SELECTOR, "table.counts")

    wait_for(driver, finished, timeout)
    assert _bar(driver) == (100, "Hoàn thành"), seen
    values = [value for value, _ in seen]
    assert values == sorted(values), f"the bar went backwards: {seen}"


def _counts(driver) -> dict[str, str]:
    table = driver.find_element(By.CSS_SELECTOR, "table.counts")
    heads = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    return dict(zip(heads, [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody td")]))


def _upload_check_and_commit(driver, path, *, rows: int, timeout: float, on_checking_page=None) -> Job:
    before = Participant.objects.count()
    log_in(driver, "bhxh.canglong", DEMO_PASSWORD)
    driver.get(driver.base_url + "/nguoi-tham-gia/nhap/")
    province = _today_communes_of_cang_long()[0].parent
    Select(driver.find_element(By.NAME, "unit")).select_by_value(str(province.pk))
    driver.find_element(By.NAME, "file").send_keys(str(path))
    snap(driver, "upload-form")
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == f"Kiểm tra tệp {path.name}")

    if on_checking_page:
        on_checking_page()
    _watch_until_done(driver, [], timeout)
    snap(driver, "checked")
    total = f"{rows:,}".replace(",", ".")
    assert _counts(driver) == {"Tổng số dòng": total, "Thêm mới": total, "Cập nhật": "0", "Không đổi": "0",
                               "Không hợp lệ": "0", "Cảnh báo số tiền": "0"}
    assert "Kết quả kiểm tra (chưa ghi gì)" in driver.page_source
    assert Participant.objects.count() == before  # the check writes nothing

    driver.find_element(By.XPATH, f"//button[normalize-space()='Ghi {total} dòng vào hệ thống']").click()
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == f"Ghi tệp {path.name}")
    _watch_until_done(driver, [], timeout)
    snap(driver, "committed")
    assert _counts(driver) == {"Tổng số dòng": total, "Thêm mới": total, "Cập nhật": "0", "Không đổi": "0",
                               "Không hợp lệ": "0", "Cảnh báo số tiền": "0"}
    assert "Kết quả ghi" in driver.page_source
    commit = Job.objects.filter(kind=PARTICIPANT_IMPORT, params__dry_run=False).get()
    assert driver.current_url.endswith(f"/nguoi-tham-gia/nhap/{commit.pk}/")
    assert (commit.state, commit.progress_pct) == ("succeeded", 100)
    assert Enrolment.objects.filter(last_import=commit).count() == rows
    assert Participant.objects.count() == before + rows

    # The import page lists both runs.
    driver.get(driver.base_url + "/nguoi-tham-gia/nhap/")
    recent = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "section.card ul li")]
    assert len(recent) == 2 and all(path.name in line and "Hoàn thành" in line for line in recent), recent
    assert "(ghi)" in recent[0] and "(kiểm tra)" in recent[1]
    return commit


def test_bhxh_staff_upload_a_participant_list_and_commit_it(browser, demo, tmp_path):
    _upload_check_and_commit(browser, _participant_list(tmp_path, 40), rows=40, timeout=60)


@pytest.fixture
def idle_worker_queue(transactional_db, settings):
    """A queue of its own that jobs are sent to (not run eagerly), and a function that starts a real
    worker on it: until then the jobs wait in Redis. Needs PostgreSQL and Redis (tests/services.py)."""
    from bhxh_portal.celery import app as celery_app
    from tests import services

    services.require_services()
    queue, workers = services.new_queue(), []
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue, lambda: workers.append(
            services.start_worker(queue, extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}))
    finally:
        celery_app.conf.task_always_eager = previous
        for worker in workers:
            services.stop_worker(worker)


@pytest.mark.services
def test_the_progress_bar_follows_a_real_worker_to_100(idle_worker_queue, browser, demo, tmp_path, monkeypatch):
    from jobs.tasks import run_job

    queue, start_worker = idle_worker_queue
    send = run_job.apply_async
    monkeypatch.setattr(run_job, "apply_async", lambda *args, **kwargs: send(*args, **{**kwargs, "queue": queue}))

    def waiting_then_start_the_worker():
        # The page shows the job waiting; only then does a worker take it, so 100% can only come from
        # the page refreshing its bar.
        assert _bar(browser) == (0, "Đang chờ")
        assert browser.find_element(By.CSS_SELECTOR, ".job-progress").get_attribute("hx-trigger") == "every 1s"
        start_worker()

    commit = _upload_check_and_commit(browser, _participant_list(tmp_path, 500), rows=500, timeout=120,
                                      on_checking_page=waiting_then_start_the_worker)
    assert commit.heartbeat_at is not None  # run by the worker, not in the request
