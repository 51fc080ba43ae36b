"""A leader downloads in a real browser (demo data, huyện Càng Long): the BHYT coverage table of June
2023 as a PDF, made by a background job and taken from "Công việc"; then the draft of the
half-year plan as a PDF. The files are what the browser saved into its download directory."""

import io
import re

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from bhxh_portal.demo import DEMO_PASSWORD
from campaigns.models import PlanDocument
from jobs.models import Job
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.browser.conftest import downloaded, element, log_in, snap, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _pdf_text(path) -> str:
    content = path.read_bytes()
    assert content.startswith(b"%PDF-"), content[:40]
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def test_a_leader_downloads_a_coverage_pdf_and_a_plan_pdf(browser, demo):
    district = Unit.objects.valid_on(OLD_TO).get(code="CL")
    log_in(browser, "lanhdao.canglong", DEMO_PASSWORD)

    # The coverage page of the district's communes for June 2023.
    browser.get(f"{browser.base_url}/bao-cao/{district.pk}/?table=bhyt&period=2023-06")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kết quả thực hiện chỉ tiêu bao phủ BHYT"
    my_cam = browser.find_element(By.XPATH, "//table[@class='report']//tr[td[normalize-space()='Xã Mỹ Cẩm']]")
    assert "10.854" in my_cam.text and "10.109" in my_cam.text  # population and participants as printed
    page_row = " ".join(my_cam.text.split())
    snap(browser, "coverage-page")

    # "Tải PDF" starts a job; its page says when the file is ready; "Công việc" hands it out.
    browser.find_element(By.CSS_SELECTOR, "form.downloads button[value=pdf]").click()
    wait_for(browser, lambda d: re.search(r"/cong-viec/\d+/$", d.current_url))
    job = Job.objects.get(kind="reports.coverage_export", requested_by__username="lanhdao.canglong")
    assert "Đã nhận yêu cầu tạo tệp" in browser.page_source
    wait_for(browser, lambda d: d.find_elements(By.PARTIAL_LINK_TEXT, ".pdf"), timeout=60)
    snap(browser, "job-done")
    browser.get(browser.base_url + "/cong-viec/")
    row = browser.find_element(By.XPATH, f"//tr[td/a[contains(@href, '/cong-viec/{job.pk}/') and "
                                         "not(contains(@href, 'tai-ve'))]]")
    assert "100%" in row.text and "Hoàn thành" in row.text
    link = row.find_element(By.PARTIAL_LINK_TEXT, ".pdf")
    name = link.text.removeprefix("Tải ")
    link.click()
    coverage = _pdf_text(downloaded(browser, ".pdf"))
    snap(browser, "coverage-downloaded")
    assert (browser.download_dir / name).exists()
    assert coverage.startswith("KẾT QUẢ THỰC HIỆN CHỈ TIÊU BAO PHỦ BHYT Huyện Càng Long"), coverage[:200]
    assert "Số liệu đến ngày 30/06/2023" in coverage
    assert page_row in coverage, (page_row, coverage)  # the same figures as on the page

    # The half-year plan: from the list of plans to its page, then "Tải PDF" (the draft, today's figures).
    plan = PlanDocument.objects.get(unit=district, starter="district-half-year", year=2023)
    browser.get(browser.base_url + "/ke-hoach/")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/ke-hoach/{plan.pk}/']").click()
    pdf_link = element(browser, f"a.button[href='/ke-hoach/{plan.pk}/pdf/']")
    snap(browser, "plan-page")
    for old in browser.download_dir.iterdir():
        old.unlink()
    pdf_link.click()
    text = _pdf_text(downloaded(browser, ".pdf"))
    snap(browser, "plan-downloaded")
    for expected in ["UBND HUYỆN CÀNG LONG", "BAN CHỈ ĐẠO", "Số: 295/KH-BCĐ", "06 tháng cuối năm 2023",
                     "Xã Mỹ Cẩm"]:
        assert expected in text, expected
