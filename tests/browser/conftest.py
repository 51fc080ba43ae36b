"""Real-browser journeys in Debian's headless Chromium, driven by Selenium with the system
chromedriver (no browser download). They run whenever Chromium is present and always in CI;
a failing journey leaves its screenshots in ci-artifacts/screenshots/."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "ci-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.journey_failed = report.failed


@pytest.fixture
def browser(request, live_server, tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        message = "cần Chromium và chromedriver (gói chromium, chromium-driver)"
        if IN_CI:
            pytest.fail(f"CI phải chạy các hành trình trình duyệt: {message}")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Files go straight to `downloads` (PDFs too, instead of the built-in viewer).
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "plugins.always_open_pdf_externally": True,
        "safebrowsing.enabled": False,
    })
    # The console is read at the end: a script or style the Content-Security-Policy refused fails the journey.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=vi-VN",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.base_url = live_server.url
    driver.download_dir = downloads
    driver.shots = []
    yield driver
    refused = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
    if getattr(request.node, "journey_failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_")
        driver.save_screenshot(str(ARTIFACTS / f"{name}-at-failure.png"))
        for index, (label, png) in enumerate(driver.shots, start=1):
            (ARTIFACTS / f"{name}-{index:02d}-{label}.png").write_bytes(png)
    driver.quit()
    if refused:
        pytest.fail("Content-Security-Policy đã chặn: " + " | ".join(refused))


def snap(driver, label: str) -> None:
    """Keep a screenshot of this step; written out only if the journey fails."""
    driver.shots.append((label, driver.get_screenshot_as_png()))


def wait_for(driver, condition, timeout: float = 10):
    """Poll `condition` until it holds. An element of the page being replaced (navigation, HTMX swap)
    and a read of the in-memory SQLite database that meets the live server's write ("database table
    is locked") are tried again, not taken as the answer."""
    from django.db import OperationalError
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (OperationalError, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def element(driver, css: str, timeout: float = 10):
    """The first element matching `css` once the page shows it."""
    from selenium.webdriver.common.by import By

    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, css), timeout)[0]


def log_in(driver, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(driver.base_url + "/dang-nhap/")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(password)
    snap(driver, "login-form")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "/dang-nhap/" not in d.current_url)
    snap(driver, "logged-in")


def log_out(driver) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "form[action$='/dang-xuat/'] button[type=submit]").click()
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "form[action$='/dang-xuat/']"))


def downloaded(driver, suffix: str, timeout: float = 30) -> Path:
    """The file the browser has finished downloading into its download directory."""

    def done(d):
        files = [p for p in d.download_dir.iterdir() if p.name.endswith(suffix)]
        partial = [p for p in d.download_dir.iterdir() if p.name.endswith(".crdownload")]
        return files[0] if files and not partial else False

    return wait_for(driver, done, timeout)


@pytest.fixture
def demo(transactional_db):
    """The demo database (`manage.py load_demo`): units, logins (password DEMO_PASSWORD), targets,
    results, agents, participants, plans."""
    from portal.demo import load_demo

    load_demo()
