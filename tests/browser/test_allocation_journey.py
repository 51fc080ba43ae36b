"""A commune official splits the commune's target over its thôn: the running total (static/js/allocate.js)
follows the typing under the Content-Security-Policy, which allows no inline script."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import log_in, snap, wait_for
from tests.factories import make_target
from tests.targets.targets_fixtures import build_hai_duong

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_running_total_follows_the_shares_typed(browser):
    tree = build_hai_duong()
    make_target(tree.commune, "bhxh_tn_moi", year=2021, kind="phan_dau", count=40)
    official = tree.users["commune_official"]
    official.set_password("mat-khau-thu")
    official.save()

    log_in(browser, "canbo.haiduong", "mat-khau-thu")
    browser.get(browser.base_url + f"/don-vi/{tree.commune.pk}/chi-tieu/2021/phan-bo/bhxh_tn_moi/")
    assert "default-src 'self'" in browser.execute_script(
        "return fetch(location.href).then(r => r.headers.get('Content-Security-Policy'))")
    shares = browser.find_elements(By.CSS_SELECTOR, "input.share")
    assert len(shares) == 7
    shares[0].send_keys("15")
    wait_for(browser, lambda d: d.find_element(By.ID, "split-total").text == "15")
    assert "Còn thiếu 25 người" in browser.find_element(By.ID, "split-status").text
    shares[1].send_keys("30")
    wait_for(browser, lambda d: "Vượt 5 người" in d.find_element(By.ID, "split-status").text)
    snap(browser, "allocation-typed")
