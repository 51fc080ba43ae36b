"""Activity attachments and frozen plan PDFs: only office documents are accepted (extension and
content agree), they are stored under the portal's names, and only those who see the activity or the
plan download them (with DEBUG off too), as attachments with nosniff and no-store."""

import datetime
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from campaigns.documents import services
from campaigns.activities import services as activity_services
from campaigns.models import ActivityAttachment, ActivityKind, DriveActivity, FilePurpose, PlanDocument
from units.models import Role
from tests.campaigns.conftest import user
from tests.factories import make_member, make_unit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NAME = "Biên bản Đồng Tháp.pdf"


def _office_zip(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return buffer.getvalue()


def _assert_private_download(response, *, name: str):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def activity(db):
    province = make_unit("Tỉnh Đồng Tháp", level_code="tinh")
    district = make_unit("Huyện Cao Lãnh", level_code="huyen", parent=province)
    return DriveActivity.objects.create(kind=ActivityKind.SMALL_GROUP, organiser=district,
                                        planned_start=datetime.date(2024, 10, 3),
                                        planned_end=datetime.date(2024, 10, 3))


@pytest.fixture
def staff(activity):
    return make_member(activity.organiser, Role.BHXH_STAFF)


def _post_held(client, activity, upload):
    return client.post(reverse("activities:activity_detail", args=[activity.pk]), {
        "action": "held", "held_on": "03/10/2024", "held_count": "1", "attendance": "20", "attachment": upload})


def _attach(client, activity, name: str, content: bytes):
    response = _post_held(client, activity, SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ActivityAttachment.objects.get(activity=activity)


def test_an_attachment_is_stored_under_a_portal_name_and_keeps_its_name_for_display(client, activity, staff):
    client.force_login(staff)
    attachment = _attach(client, activity, f"../{NAME}", PDF)
    assert re.fullmatch(r"hoat-dong/[0-9a-f]{32}\.pdf", attachment.file.name)
    assert attachment.original_name == NAME
    page = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert reverse("activities:attachment_download", args=[activity.pk, attachment.pk]) in page
    assert NAME in page and "/media/" not in page


def test_an_insider_downloads_the_attachment_with_debug_off(client, activity, staff):
    client.force_login(staff)
    attachment = _attach(client, activity, NAME, PDF)
    reader = make_member(activity.organiser.parent, Role.LEADER)  # a unit above sees the subtree
    client.force_login(reader)
    with override_settings(DEBUG=False):
        response = client.get(reverse("activities:attachment_download", args=[activity.pk, attachment.pk]))
    _assert_private_download(response, name=NAME)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_anonymous_and_outsiders_get_no_attachment(client, activity, staff):
    client.force_login(staff)
    attachment = _attach(client, activity, NAME, PDF)
    url = reverse("activities:attachment_download", args=[activity.pk, attachment.pk])
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    other_district = make_unit("Huyện Tháp Mười", level_code="huyen", parent=activity.organiser.parent)
    for outsider in (make_member(make_unit("Tỉnh Bắc Ninh", level_code="tinh"), Role.BHXH_STAFF),
                     make_member(other_district, Role.BHXH_STAFF)):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    # Another activity's id with this attachment's id: 404 too.
    other = DriveActivity.objects.create(kind=ActivityKind.SMALL_GROUP, organiser=other_district,
                                         planned_start=activity.planned_start, planned_end=activity.planned_end)
    assert client.get(reverse("activities:attachment_download", args=[other.pk, attachment.pk])).status_code == 404


@pytest.mark.parametrize("name, content", [
    ("trang.html", b"<html><script>alert(document.cookie)</script></html>"),
    ("bien-ban.pdf", b"<html><script>alert(document.cookie)</script></html>"),  # a page renamed .pdf
    ("anh.png", PDF),
    ("bang.xlsx", _office_zip("word/")),  # a Word file named .xlsx
    ("bien-ban.svg", b"<svg onload='alert(1)'/>"),
])
def test_a_file_that_is_not_an_office_document_is_refused_naming_it(client, activity, staff, name, content):
    client.force_login(staff)
    response = _post_held(client, activity, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    errors = response.context["held_form"].errors["attachment"]
    assert errors and f"Tệp {name}" in errors[0]
    assert not ActivityAttachment.objects.exists()
    activity.refresh_from_db()
    assert activity.status != "held"  # nothing written when the form is refused


@pytest.mark.parametrize("name, content", [
    ("anh.png", PNG), ("anh.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
    ("bien-ban.docx", _office_zip("word/")), ("bang.xlsx", _office_zip("xl/")),
])
def test_office_documents_are_accepted(client, activity, staff, name, content):
    client.force_login(staff)
    attachment = _attach(client, activity, name, content)
    assert attachment.file.name.endswith(name.rsplit(".", 1)[1].lower())


def test_the_service_refuses_a_page_too(activity, staff):
    with pytest.raises(ValidationError, match="trang.html"):
        activity_services.activity_attach(activity=activity, file=SimpleUploadedFile("trang.html", b"<p>x</p>"), by=staff)


def test_an_old_attachment_stored_under_the_uploaders_name_still_downloads_but_never_as_a_page(
        client, activity, staff):
    old = default_storage.save(f"hoat-dong/{activity.pk}/trang cũ.html", io.BytesIO(b"<script>x</script>"))
    attachment = ActivityAttachment.objects.create(activity=activity, file=old, uploaded_by=staff)
    client.force_login(staff)
    response = client.get(reverse("activities:attachment_download", args=[activity.pk, attachment.pk]))
    _assert_private_download(response, name="trang cũ.html")
    assert response["Content-Type"] == "application/octet-stream"


# --- plan documents ---------------------------------------------------------------------------------


@pytest.fixture
def approved_plan(hai_duong):
    plan = PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)
    services.document_submit(document=plan, by=user("canbo.haiduong"))
    services.document_approve(document=plan, by=user("lanhdao.huongtra"))
    plan.refresh_from_db()
    return plan


def test_a_frozen_pdf_is_stored_under_a_portal_name_and_served_only_inside_the_subtree(client, approved_plan):
    frozen = approved_plan.files.get(purpose=FilePurpose.APPROVED)
    assert re.fullmatch(r"van-ban/[0-9a-f]{32}\.pdf", frozen.file.name)
    url = reverse("campaigns:document_pdf", args=[approved_plan.pk]) + "?ban=approved"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(user("canbo.mycam"))
    assert client.get(url).status_code == 404
    client.force_login(user("canbo.haiduong"))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    docx = client.get(reverse("campaigns:document_docx", args=[approved_plan.pk]))
    assert docx["Content-Disposition"].startswith("attachment;") and "no-store" in docx["Cache-Control"]


def test_the_admin_links_attachments_and_frozen_files_to_their_checked_downloads(client, approved_plan):
    client.force_login(user("admin"))  # the demo's superuser
    admin_client = client
    page = admin_client.get(reverse("admin:campaigns_plandocument_change", args=[approved_plan.pk]))
    assert page.status_code == 200
    assert f"{reverse('campaigns:document_pdf', args=[approved_plan.pk])}?ban=approved" in page.content.decode()
    activity = DriveActivity.objects.filter(organiser__code="HDUONG").first() or DriveActivity.objects.create(
        kind=ActivityKind.SMALL_GROUP, organiser=approved_plan.unit, planned_start=datetime.date(2024, 10, 3),
        planned_end=datetime.date(2024, 10, 3))
    attachment = ActivityAttachment.objects.create(activity=activity, file=default_storage.save(
        "hoat-dong/cu.pdf", io.BytesIO(PDF)), uploaded_by=user("canbo.haiduong"))
    page = admin_client.get(reverse("admin:campaigns_driveactivity_change", args=[activity.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("activities:attachment_download", args=[activity.pk, attachment.pk]) in html
    assert "/media/" not in html
