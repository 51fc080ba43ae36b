"""A commune official logs in, finds their commune in the unit tree, and cannot open another's."""

import pytest
from selenium.webdriver.common.by import By

from units.models import Role
from tests.browser.conftest import log_in, snap, wait_for
from tests.factories import make_tree, make_unit, UserFactory
from units.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_official_browses_own_commune_and_is_refused_another(browser):
    province = make_tree(districts=1, communes=2, villages=2)
    communes = list(province.__class__.objects.filter(level__code="xa").order_by("code"))
    mine, other = communes
    user = UserFactory(username="canbo.xa1")
    user.set_password("mat-khau-thu")
    user.save()
    Membership.objects.create(user=user, unit=mine, role=Role.COMMUNE_OFFICIAL)

    log_in(browser, "canbo.xa1", "mat-khau-thu")
    assert mine.name in browser.page_source

    browser.get(browser.base_url + "/don-vi/")
    search = browser.find_element(By.NAME, "q")
    search.send_keys("thon 1.1")
    wait_for(browser, lambda d: "Kết quả tìm" in d.page_source)
    snap(browser, "search")
    assert "Thôn 1.1.1" in browser.page_source
    assert other.name not in browser.page_source

    browser.get(browser.base_url + f"/don-vi/{mine.pk}/")
    assert mine.name in browser.find_element(By.TAG_NAME, "h1").text
    snap(browser, "own-commune")

    browser.get(browser.base_url + f"/don-vi/{other.pk}/")
    snap(browser, "other-commune")
    assert other.name not in browser.page_source
    assert "Không tìm thấy" in browser.page_source
