"""The entry grid in a real browser (headless Chromium, as tests/browser): type a Vietnamese number,
Enter saves the cell without reloading and moves down; a stale cell shows the current value."""

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from results.models import MonthlyResult
from tests.browser.conftest import browser, log_in, snap, wait_for  # noqa: F401  (the fixture)
from tests.factories import make_demographics

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _password(user):
    user.set_password("mat-khau-thu")
    user.save()
    return user


def test_a_commune_official_fills_the_grid_with_the_keyboard(browser):  # noqa: F811
    tree = build_district(communes=2, villages=3)
    commune = tree.communes[0]
    first, second, third = tree.villages[commune.pk]
    make_demographics(second, 2023, population=1000)
    enter(second, 900, month=MAY)
    official = _password(tree.users["official"])
    log_in(browser, official.username, "mat-khau-thu")
    browser.get(browser.base_url + f"/don-vi/{commune.pk}/ket-qua/{JUNE.key}/")
    url = browser.current_url

    cell = browser.find_element(By.NAME, f"c-u{first.pk}-bhyt-participants")
    cell.click()
    cell.send_keys("1.234", Keys.ENTER)
    # Enter saved the cell on the way out and moved to the next thôn, without reloading the page.
    wait_for(browser, lambda d: MonthlyResult.objects.filter(unit=first, participants=1234).exists())
    assert browser.switch_to.active_element.get_attribute("name") == f"c-u{second.pk}-bhyt-participants"
    browser.switch_to.active_element.send_keys("1.100", Keys.ENTER)
    wait_for(browser, lambda d: "Vượt dân số (1.000)" in d.page_source)
    browser.switch_to.active_element.send_keys("7", Keys.TAB)
    wait_for(browser, lambda d: MonthlyResult.objects.filter(unit=third, participants=7).exists())
    wait_for(browser, lambda d: "2.341" in d.find_element(By.ID, "foot-bhyt-participants").text)
    assert browser.current_url == url
    snap(browser, "grid-filled")
    if os.environ.get("RESULTS_SCREENSHOT"):
        browser.save_screenshot(os.environ["RESULTS_SCREENSHOT"])

    # Someone else changes the first thôn; editing it from this (old) page is refused, with the value.
    enter(first, 1250, by=tree.users["official2"])
    cell = browser.find_element(By.NAME, f"c-u{first.pk}-bhyt-participants")
    cell.click()
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys("1.300", Keys.ENTER)
    wait_for(browser, lambda d: "Có người đã sửa ô này" in d.page_source)
    assert "giá trị hiện tại là 1.250 do Minh" in browser.page_source
    assert browser.find_element(By.NAME, f"c-u{first.pk}-bhyt-participants").get_attribute("value") == "1.250"
    assert MonthlyResult.objects.get(unit=first).participants == 1250
    snap(browser, "stale-refused")

    # Now that the page holds the current version, a deliberate change goes through.
    cell = browser.find_element(By.NAME, f"c-u{first.pk}-bhyt-participants")
    cell.click()
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys("1.300", Keys.TAB)
    wait_for(browser, lambda d: MonthlyResult.objects.filter(unit=first, participants=1300).exists())
