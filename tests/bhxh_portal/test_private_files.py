"""Stored files are private: no URL serves MEDIA_ROOT (not even with DEBUG), stored names are the
portal's, every download goes out as an attachment with nosniff and no-store; every page carries a
Content-Security-Policy without inline script, and signed-in pages are not cached."""

import importlib
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from bhxh_portal.files import ascii_name, content_disposition, file_download, portal_name, safe_extension
from jobs.services import job_create, job_succeed
from units.models import Role
from tests.factories import make_member, make_unit

PARTICIPANT_IMPORT = "agents.participant_import"
VIETNAMESE = "Danh sách Đồng Tháp-loi.xlsx"


def _assert_private_download(response, *, name: str):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert "=?utf-8?" not in disposition.lower()  # not the RFC 2047 form browsers show as is
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# --- no URL for stored files -----------------------------------------------------------------------


def test_no_url_pattern_serves_media_even_with_debug(client, db):
    stored = default_storage.save("jobs/secret/in/list.html", io.BytesIO(b"<script>x</script>"))
    assert (Path(settings.MEDIA_ROOT) / stored).exists()
    with override_settings(DEBUG=True):
        import portal.urls

        importlib.reload(portal.urls)
        clear_url_caches()
        try:
            with pytest.raises(Resolver404):
                resolve(f"/media/{stored}")
            assert client.get(f"/media/{stored}").status_code == 404
        finally:
            importlib.reload(portal.urls)
            clear_url_caches()


def test_stored_files_have_no_url(db):
    stored = default_storage.save(portal_name("test", "a.pdf"), io.BytesIO(b"%PDF-1.4"))
    with pytest.raises(ValueError):
        default_storage.url(stored)


def test_portal_names_keep_only_a_plain_extension():
    assert re.fullmatch(r"hoat-dong/[0-9a-f]{32}\.pdf", portal_name("hoat-dong", "../../Biên bản Đông.PDF"))
    assert re.fullmatch(r"x/[0-9a-f]{32}", portal_name("x", "evil.p<h>p"))
    assert safe_extension("bảng.tar.gz") == ".gz" and safe_extension("không đuôi") == ""


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert content_disposition("Báo cáo Đồng Tháp.pdf") == (
        "attachment; filename=\"Bao-cao-Dong-Thap.pdf\"; "
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%C4%90%E1%BB%93ng%20Th%C3%A1p.pdf")
    assert ascii_name('a"b\\c;d.pdf') == "a-b-c-d.pdf"


def test_the_download_helper_never_sends_a_page():
    response = file_download(b"<script>alert(1)</script>", filename="trang.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"


# --- jobs: input and output stored under portal names, served to the requester only ----------------


@pytest.fixture
def finished_job(db):
    province = make_unit("Tỉnh Đồng Tháp", level_code="tinh")
    district = make_unit("Huyện Cao Lãnh", level_code="huyen", parent=province)
    staff = make_member(district, Role.BHXH_STAFF)
    job = job_create(kind=PARTICIPANT_IMPORT, requested_by=staff, unit=district, params={"dry_run": True},
                     input_name="Danh sách Đồng Tháp.xlsx", input_bytes=b"PK\x03\x04 list")
    job_succeed(job=job, message="xong", output_name=VIETNAMESE, output_bytes=b"PK\x03\x04 errors")
    return job


def test_job_files_are_stored_under_names_the_portal_makes(finished_job):
    assert re.fullmatch(rf"jobs/{PARTICIPANT_IMPORT}/in/[0-9a-f]{{32}}\.xlsx", finished_job.input_file.name)
    assert re.fullmatch(rf"jobs/{PARTICIPANT_IMPORT}/out/[0-9a-f]{{32}}\.xlsx", finished_job.output_file.name)
    assert "Đồng" not in finished_job.input_file.name + finished_job.output_file.name
    assert finished_job.input_name == "Danh sách Đồng Tháp.xlsx" and finished_job.output_name == VIETNAMESE


def test_the_requester_downloads_the_error_file_with_safe_headers(client, finished_job):
    client.force_login(finished_job.requested_by)
    response = client.get(reverse("jobs:job_download", args=[finished_job.pk]))
    _assert_private_download(response, name=VIETNAMESE)
    assert b"".join(response.streaming_content) == b"PK\x03\x04 errors"


def test_anonymous_and_an_outsider_cannot_download_a_job_file(client, finished_job):
    url = reverse("jobs:job_download", args=[finished_job.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    outsider = make_member(make_unit("Tỉnh Bắc Ninh", level_code="tinh"), Role.BHXH_STAFF)
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_old_job_file_stored_under_the_users_name_still_downloads(client, finished_job):
    old = f"jobs/{PARTICIPANT_IMPORT}/out/Danh sách cũ-loi.xlsx"
    default_storage.save(old, io.BytesIO(b"old"))
    finished_job.output_file.name = old
    finished_job.result = {}
    finished_job.save()
    client.force_login(finished_job.requested_by)
    response = client.get(reverse("jobs:job_download", args=[finished_job.pk]))
    _assert_private_download(response, name="Danh sách cũ-loi.xlsx")


# --- headers on pages --------------------------------------------------------------------------------


def test_every_page_has_a_content_security_policy_without_inline_script(client, finished_job):
    login = client.get(reverse("login"))
    policy = login["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    client.force_login(finished_job.requested_by)
    for name, args in [("home", []), ("jobs:job_list", []), ("jobs:job_detail", [finished_job.pk]),
                       ("agents:import_detail", [finished_job.pk]), ("agents:participant_list", [])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert "default-src 'self'" in response["Content-Security-Policy"], name
        assert "no-store" in response["Cache-Control"], name


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / d for d in ("templates", "targets", "agents", "campaigns", "reports")]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for base in TEMPLATE_DIRS:
        for path in base.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and "nonce=" not in tag and 'type="application/json"' not in tag:
                    offenders.append(f"{path}: {tag}")
            offenders += [f"{path}: {m}" for m in re.findall(r"<[^>]*\s(?:on[a-z]+|hx-on[:-][a-z:-]*)=", text)]
    assert offenders == []


def test_the_admin_links_a_job_file_to_its_checked_download(admin_client, finished_job):
    page = admin_client.get(reverse("admin:jobs_job_change", args=[finished_job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("jobs:job_download", args=[finished_job.pk]) in html and "/media/" not in html
