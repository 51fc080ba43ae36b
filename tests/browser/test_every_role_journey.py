"""Every demo role opens each page of its menu at 1366×900 (an office laptop) and 360×740 (a phone):
no server error, nothing in the console (a script, style or image refused or missing, a CSP
violation), no page wider than the window, a menu in one row on the laptop, no common English word
left in the interface. Every page's screenshot is kept in ci-artifacts/screenshots/every-role/ to look at."""

import re

import pytest

from bhxh_portal.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in, log_out

pytestmark = pytest.mark.django_db(transaction=True)

# One login per role (two leaders: a commune's and a district's); the others repeat these menus.
ROLES = ["canbo.haiduong", "bhxh.canglong", "daily.haiduong", "lanhdao.huongtra", "lanhdao.canglong",
         "quantri.travinh"]
SIZES = {"1366": (1366, 900, False), "360": (360, 740, True)}
ENGLISH = re.compile(r"\b(Save|Cancel|Submit|Delete|Home|Log out|Search|Page not found)\b")

PAGE_STATE = """
const nav = performance.getEntriesByType('navigation')[0];
const failed = performance.getEntriesByType('resource')
    .filter(r => r.responseStatus >= 400).map(r => r.name + ' ' + r.responseStatus);
return {status: nav ? nav.responseStatus : 0, failed: failed,
        scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        text: document.body.innerText,
        menu: (document.querySelector('nav.menu') || {getBoundingClientRect: () => ({height: 0})})
            .getBoundingClientRect().height};
"""


def menu_urls(driver) -> list[str]:
    hrefs = driver.execute_script(
        "return [...document.querySelectorAll('nav.menu a')].map(a => a.getAttribute('href'));")
    return [h for h in dict.fromkeys(hrefs) if h and h.startswith("/") and not h.startswith("/quan-tri/")]


def size(driver, width: int, height: int, mobile: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def check_page(driver, url: str, label: str, problems: list[str]) -> None:
    driver.get(driver.base_url + url)
    state = driver.execute_script(PAGE_STATE)
    where = f"{label} {url}"
    if state["status"] >= 500:
        problems.append(f"{where}: lỗi máy chủ {state['status']}")
    problems.extend(f"{where}: tệp không tải được {item}" for item in state["failed"])
    problems.extend(f"{where}: console {entry['message']}" for entry in driver.get_log("browser")
                    if entry["level"] == "SEVERE")
    if state["scroll"] > state["inner"] + 1:
        problems.append(f"{where}: rộng {state['scroll']}px > cửa sổ {state['inner']}px")
    if label.endswith("-1366") and state["menu"] > 48:
        problems.append(f"{where}: menu {state['menu']:.0f}px cao, xuống dòng")
    english = sorted(set(ENGLISH.findall(state["text"])))
    if english:
        problems.append(f"{where}: chữ tiếng Anh {english}")
    directory = ARTIFACTS / "every-role"
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "trang-chu"
    driver.save_screenshot(str(directory / f"{label}-{name}.png"))


def test_every_role_opens_every_page_of_its_menu_on_a_laptop_and_a_phone(browser, demo):
    problems: list[str] = []
    for username in ROLES:
        size(browser, *SIZES["1366"])
        log_in(browser, username, DEMO_PASSWORD)
        urls = menu_urls(browser)
        assert len(urls) >= 4, (username, urls)
        for key, (width, height, mobile) in SIZES.items():
            size(browser, width, height, mobile)
            for url in urls:
                check_page(browser, url, f"{username}-{key}", problems)
        size(browser, *SIZES["1366"])
        log_out(browser)
    assert not problems, "\n".join(problems)
