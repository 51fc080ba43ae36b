"""The agent's round on a phone, in a real browser at 360×740 on the demo data: daily.haiduong opens
the list of people given to them for June 2022, opens a person, records a promise with the large
buttons; nothing scrolls sideways on the way."""

import pytest
from selenium.webdriver.common.by import By

from bhxh_portal.demo import DEMO_PASSWORD
from drive.models import Contact, Outcome
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.browser.conftest import element, log_in, snap, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NO_SIDEWAYS = "return document.documentElement.scrollWidth <= window.innerWidth"


def test_agent_records_a_visit_on_a_360px_phone(browser, demo):
    commune = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    browser.set_window_size(360, 740)
    log_in(browser, "daily.haiduong", DEMO_PASSWORD)
    browser.get(f"{browser.base_url}/van-dong/{commune.pk}/2022-06/due/")
    card = element(browser, ".drive-cards a.card")
    snap(browser, "list")
    assert browser.execute_script("return window.innerWidth") <= 360
    assert browser.execute_script(NO_SIDEWAYS), "the list scrolls sideways at 360 px"
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".drive-cards .name")]
    assert "Huỳnh Minh Trang" in names
    assert card.size["height"] >= 44

    browser.find_element(By.XPATH, "//a[contains(@class,'card')][.//div[text()='Ngô Minh Mai']]").click()
    wait_for(browser, lambda d: "/van-dong/nguoi/" in d.current_url)
    snap(browser, "person")
    assert browser.execute_script(NO_SIDEWAYS), "the person's page scrolls sideways at 360 px"
    promise = browser.find_element(By.XPATH, "//div[@class='outcomes']/label[contains(., 'Hẹn đóng')]")
    assert promise.size["height"] >= 44 and promise.size["width"] >= 120
    promise.click()
    browser.find_element(By.NAME, "note").send_keys("Hẹn đóng cuối tuần")
    submit = browser.find_element(By.CSS_SELECTOR, ".drive-form button[type=submit]")
    assert submit.size["height"] >= 48
    submit.click()
    wait_for(browser, lambda d: "Đã ghi kết quả" in d.page_source)
    snap(browser, "recorded")
    assert browser.execute_script(NO_SIDEWAYS)
    contact = Contact.objects.get(item__participant__full_name="Ngô Minh Mai", note="Hẹn đóng cuối tuần")
    assert contact.outcome == Outcome.PROMISED and contact.recorded_by.username == "daily.haiduong"
