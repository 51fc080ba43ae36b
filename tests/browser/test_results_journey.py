"""A month's results from entry to lock, in a real browser, on the demo data: the official of xã Hải
Dương enters July 2021 in the grid with the keyboard only (each cell saved without reloading) and
submits it; the BHXH staff of thị xã Hương Trà approves it from "Duyệt kết quả"; the official sees the
month locked and a save refused."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from bhxh_portal.demo import DEMO_PASSWORD
from results.models import MonthlyReport, MonthlyResult, ReportState
from units.models import Role, Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.browser.conftest import element, log_in, log_out, snap, wait_for
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MONTH = "2021-07"


def _focused(driver) -> str:
    return driver.switch_to.active_element.get_attribute("name")


def _type(driver, keys: str, then: str, *, expect_focus: str) -> None:
    """Type into the focused cell, leave it with Tab or Enter, and check where the focus went."""
    driver.switch_to.active_element.send_keys(keys, then)
    assert _focused(driver) == expect_focus


def _saved(driver, name: str) -> bool:
    cell = driver.find_element(By.NAME, name).find_element(By.XPATH, "./ancestor::td[1]")
    return bool(cell.find_elements(By.CSS_SELECTOR, ".saved")) and not cell.find_elements(By.CSS_SELECTOR, ".error")


def _result(unit: Unit, code: str) -> MonthlyResult:
    return MonthlyResult.objects.get(unit=unit, indicator__code=code, year=2021, month=7, agent=None)


def test_official_enters_a_month_with_the_keyboard_district_approves_and_the_month_is_locked(browser, demo):
    commune = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    staff = make_member(Unit.objects.valid_on(OLD_TO).get(code="HTRA"), Role.BHXH_STAFF, username="bhxh.huongtra",
                        first_name="Hồ Thị Mai")
    staff.set_password(DEMO_PASSWORD)
    staff.save()

    # The official opens "Nhập kết quả": straight to the grid of their commune; then the month of July 2021.
    log_in(browser, "canbo.haiduong", DEMO_PASSWORD)
    browser.get(browser.base_url + "/don-vi/ket-qua/nhap/")
    wait_for(browser, lambda d: f"/don-vi/{commune.pk}/ket-qua/" in d.current_url)
    assert "Xã Hải Dương" in browser.find_element(By.TAG_NAME, "h1").text
    grid_url = f"{browser.base_url}/don-vi/{commune.pk}/ket-qua/{MONTH}/"
    browser.get(grid_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kết quả tháng 7/2021 — Xã Hải Dương"
    snap(browser, "grid-empty")
    browser.execute_script("window.journeyPage = 'not reloaded';")

    own = f"c-u{commune.pk}"
    villages = [e.get_attribute("name").split("-")[1] for e in browser.find_elements(
        By.CSS_SELECTOR, "input[data-col='bhxh_tn-participants']:not([disabled])")][1:5]
    first, second, third, fourth = villages

    # Keyboard only from the first cell: Tab moves right, Enter saves and moves down the column.
    browser.find_element(By.NAME, f"{own}-bhyt_hgd-participants").click()
    _type(browser, "1.234", Keys.TAB, expect_focus=f"{own}-bhyt_can_ngheo-participants")
    _type(browser, "56", Keys.TAB, expect_focus=f"{own}-bhxh_tn-participants")
    _type(browser, "", Keys.ENTER, expect_focus=f"c-{first}-bhxh_tn-participants")  # left empty: the thôn's sum
    _type(browser, "1.012", Keys.ENTER, expect_focus=f"c-{second}-bhxh_tn-participants")
    _type(browser, "987", Keys.ENTER, expect_focus=f"c-{third}-bhxh_tn-participants")
    _type(browser, "1.500", Keys.TAB, expect_focus=f"c-{third}-bhxh_tn-new_participants")
    _type(browser, "25", Keys.TAB, expect_focus=f"c-{third}-bhxh_tn-renewing")
    _type(browser, "30", Keys.ENTER, expect_focus=f"c-{fourth}-bhxh_tn-renewing")

    entered = [f"{own}-bhyt_hgd-participants", f"{own}-bhyt_can_ngheo-participants",
               f"c-{first}-bhxh_tn-participants", f"c-{second}-bhxh_tn-participants",
               f"c-{third}-bhxh_tn-participants", f"c-{third}-bhxh_tn-new_participants",
               f"c-{third}-bhxh_tn-renewing"]
    wait_for(browser, lambda d: all(_saved(d, name) for name in entered))
    wait_for(browser, lambda d: d.find_element(By.ID, "foot-bhxh_tn-participants").text.startswith("3.499"))
    snap(browser, "grid-entered")
    assert browser.execute_script("return window.journeyPage;") == "not reloaded"
    assert browser.current_url == grid_url
    assert browser.find_element(By.NAME, f"{own}-bhyt_hgd-participants").get_attribute("value") == "1.234"

    village = {u.pk: u for u in Unit.objects.filter(parent=commune)}
    v1, v2, v3 = (village[int(key[1:])] for key in (first, second, third))
    assert _result(commune, "bhyt_hgd").participants == 1234
    assert _result(commune, "bhyt_can_ngheo").participants == 56
    assert not MonthlyResult.objects.filter(unit=commune, indicator__code="bhxh_tn", year=2021, month=7).exists()
    assert [_result(v, "bhxh_tn").participants for v in (v1, v2, v3)] == [1012, 987, 1500]
    assert (_result(v3, "bhxh_tn").new_participants, _result(v3, "bhxh_tn").renewing) == (25, 30)

    # Submit the month: the grid becomes read-only, waiting for the district.
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=submit]").click()
    confirm = WebDriverWait(browser, 5).until(EC.alert_is_present())  # the page asks before submitting
    assert "Nộp" in confirm.text or "nộp" in confirm.text
    confirm.accept()
    wait_for(browser, lambda d: "Đã nộp kết quả tháng 7/2021 của Xã Hải Dương" in d.page_source)
    element(browser, "script[src$='grid.js']")  # the whole page is in
    snap(browser, "submitted")
    assert browser.find_element(By.NAME, f"{own}-bhyt_hgd-participants").get_attribute("disabled") is not None
    # The commune's own BHXH TN cell, left empty, shows the sum of its thôn.
    assert browser.find_element(By.NAME, f"{own}-bhxh_tn-participants").get_attribute("placeholder") == "= 3.499"
    assert MonthlyReport.objects.get(unit=commune, year=2021, month=7).state == ReportState.SUBMITTED
    log_out(browser)

    # The district's BHXH staff finds it in "Duyệt kết quả" and approves it.
    log_in(browser, "bhxh.huongtra", DEMO_PASSWORD)
    browser.get(browser.base_url + "/don-vi/ket-qua/duyet/")
    row = browser.find_element(By.XPATH, "//table[@id='review']//tr[td[contains(., 'Xã Hải Dương')]]")
    assert "Tháng 7/2021" in row.text and "Lê Thị Hoa" in row.text
    snap(browser, "review-list")
    row.find_element(By.LINK_TEXT, "Xem và duyệt").click()
    element(browser, "button[name=action][value=approve]").click()
    WebDriverWait(browser, 5).until(EC.alert_is_present()).accept()  # and before approving
    wait_for(browser, lambda d: "Đã duyệt kết quả tháng 7/2021 của Xã Hải Dương; số liệu đã khóa." in d.page_source)
    assert browser.current_url == grid_url
    snap(browser, "approved")
    assert MonthlyReport.objects.get(unit=commune, year=2021, month=7).state == ReportState.APPROVED
    browser.get(browser.base_url + "/don-vi/ket-qua/duyet/")
    assert "Không có báo cáo nào chờ duyệt." in browser.page_source
    log_out(browser)

    # The official comes back: the month is locked, every cell read-only, and a save is refused.
    log_in(browser, "canbo.haiduong", DEMO_PASSWORD)
    browser.get(grid_url)
    status = browser.find_element(By.ID, "report-status").text
    assert "Đã duyệt và khóa" in status and "Hồ Thị Mai" in status
    inputs = browser.find_elements(By.CSS_SELECTOR, "table.grid input[data-col]")
    assert inputs and all(not i.is_enabled() for i in inputs)
    assert not browser.find_elements(By.CSS_SELECTOR, "button[name=action][value=submit]")
    snap(browser, "locked")
    answer = browser.execute_async_script("""
        const [url, cell, version, done] = arguments;
        const body = new URLSearchParams({[cell]: "2.000", [version]: document.getElementById(version).value});
        fetch(url, {method: "POST", body, headers: {
            "HX-Request": "true", "X-CSRFToken": document.querySelector("[name=csrfmiddlewaretoken]").value}})
          .then(r => r.text().then(text => done({status: r.status, text})));
    """, f"{grid_url}o/", f"c-{first}-bhxh_tn-participants", f"v-{first}-bhxh_tn")
    assert answer["status"] == 423, answer
    assert "Kết quả tháng 07/2021 của Xã Hải Dương đã được Hồ Thị Mai duyệt" in answer["text"]
    assert _result(v1, "bhxh_tn").participants == 1012
