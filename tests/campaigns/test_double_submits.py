"""A double click, a second tab or a form sent again writes once (bhxh_portal.idempotency): the
beneficiary list, a card, a change, the activity plan import, an activity held, a plan draft, a block,
each step of a plan's workflow. The second answer is a calm message and the page of what was
written, never an error page. (Two requests at once, on PostgreSQL: test_double_submits_concurrent.py.)"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bhxh_portal.models import FormSubmission
from campaigns.activities.demo import binh_dinh_rows, load_activities_demo, plan_file_rows
from campaigns.models import (
    ActivityAttachment,
    Beneficiary,
    BeneficiaryChange,
    BeneficiaryList,
    BeneficiaryState,
    DriveActivity,
    EventAction,
    PlanBlock,
    PlanDocument,
)
from units.models import Role
from tests.campaigns.conftest import user
from tests.campaigns.test_activities import DISTRICT_NAMES, xlsx
from tests.campaigns.test_programmes import HEADERS_01, soldiers
from tests.campaigns.test_programmes_pages import bac_ninh  # noqa: F401 - the fixture
from tests.factories import make_member, make_unit


def token_of(page) -> str:
    """The one-time token of the form on the page, as the browser sends it back."""
    return re.search(r'name="once_token" value="([^"]+)"', page.content.decode()).group(1)


def infos(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "info"]


# --- support programmes --------------------------------------------------------------------------

def upload(client, programme, district, data: bytes, *, write=True, received="29/08/2024"):
    """The import form sent with the file's bytes as they are (a double click sends the same bytes)."""
    form = {"group": programme.groups.get(form="01/NQ-03").pk, "unit": district.pk, "received_on": received,
            "file": SimpleUploadedFile("mau-01.xlsx", data)}
    if write:
        form["write"] = "on"
    return client.post(reverse("programmes:list_import", args=[programme.pk]), form)


def test_the_same_list_sent_twice_is_one_list_and_the_second_goes_to_it(client, bac_ninh):  # noqa: F811
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    data = xlsx(HEADERS_01, soldiers(3))
    first = upload(client, programme, district, data)
    second = upload(client, programme, district, data)
    batch = BeneficiaryList.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("programmes:list_detail", args=[batch.pk])
    assert Beneficiary.objects.count() == 3 and len(batch.content_sha256) == 64
    assert "đã được nhập lúc" in infos(second)[-1] and f"danh sách số {batch.pk}" in infos(second)[-1]
    # Checking the same file again says so too, instead of three rows of "already listed".
    again = upload(client, programme, district, data, write=False)
    assert again.status_code == 302 and BeneficiaryList.objects.count() == 1
    # The same file received on another day is another list (and its people are already listed).
    later = upload(client, programme, district, data, received="05/09/2024")
    assert later.status_code == 400 and "người này đã có trong danh sách" in later.content.decode()


def test_a_card_issued_twice_is_recorded_once(client, bac_ninh):  # noqa: F811
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    upload(client, programme, district, xlsx(HEADERS_01, soldiers(1)))
    beneficiary = Beneficiary.objects.get()
    url = reverse("programmes:beneficiary_issue", args=[beneficiary.pk])
    data = {"card_number": "HT2272720000001", "issued_on": "2024-09-05"}
    client.post(url, data)
    second = client.post(url, data)
    assert second.status_code == 302 and "Đã ghi cấp thẻ HT2272720000001" in infos(second)[-1]
    beneficiary.refresh_from_db()
    assert beneficiary.state == BeneficiaryState.CARD_ISSUED
    assert beneficiary.history.filter(state=BeneficiaryState.CARD_ISSUED).count() == 1


def test_a_decrease_sent_twice_is_one_change(client, bac_ninh):  # noqa: F811
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    upload(client, programme, district, xlsx(HEADERS_01, soldiers(1)))
    beneficiary = Beneficiary.objects.get()
    url = reverse("programmes:beneficiary_change", args=[beneficiary.pk])
    data = {"kind": "removed", "effective_on": "2024-12-01", "note": "Chuyển đi"}
    client.post(url, data)
    second = client.post(url, data)
    assert second.status_code == 302 and "Biến động này đã được ghi" in infos(second)[-1]
    assert BeneficiaryChange.objects.count() == 1


# --- activities -----------------------------------------------------------------------------------

@pytest.fixture
def binh_dinh(db):
    province = make_unit("Tỉnh Bình Định", level_code="tinh", code="52")
    for code, name in DISTRICT_NAMES.items():
        make_unit(name, level_code="huyen", parent=province, code=code)
    return province


def import_plan(client, data: bytes, *, write=True):
    form = {"file": SimpleUploadedFile("ke-hoach.xlsx", data)}
    if write:
        form["write"] = "on"
    return client.post(reverse("activities:activity_import"), form)


def test_importing_the_same_activity_plan_again_changes_nothing(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    data = xlsx(*plan_file_rows(binh_dinh_rows(2024, 10)))
    first = import_plan(client, data)
    assert first.status_code == 200 and first.context["report"].created == 50
    history = DriveActivity.history.count()
    second = import_plan(client, data)
    report = second.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 50)
    assert "không đổi 50" in second.content.decode()
    assert DriveActivity.objects.count() == 50 and DriveActivity.history.count() == history


def test_a_changed_plan_line_is_updated_in_place(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    rows = binh_dinh_rows(2024, 10)
    import_plan(client, xlsx(*plan_file_rows(rows)))
    rows[0] = {**rows[0], "attendance": 150, "expected": {"bhxh_bb": 5}}
    checked = import_plan(client, xlsx(*plan_file_rows(rows)), write=False).context["report"]
    assert (checked.created, checked.updated, checked.unchanged) == (0, 1, 49)
    assert DriveActivity.objects.get(organiser=binh_dinh, kind="employer_conference").expected_attendance == 130
    report = import_plan(client, xlsx(*plan_file_rows(rows))).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 1, 49)
    conference = DriveActivity.objects.get(organiser=binh_dinh, kind="employer_conference")
    assert conference.expected_attendance == 150
    assert {s.product.code: s.expected for s in conference.sign_ups.all()} == {"bhxh_bb": 5}
    assert DriveActivity.objects.count() == 50


def test_300_identical_rows_in_one_file_are_refused_not_written_300_times(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    headers, lines = plan_file_rows(binh_dinh_rows(2024, 10)[:1])
    response = import_plan(client, xlsx(headers, lines * 300))
    assert response.status_code == 400 and not DriveActivity.objects.exists()
    messages = response.context["report"].messages()
    assert len(messages) == 299 and "dòng 3: trùng với dòng 2" in messages[0]


def test_an_activity_recorded_held_twice_keeps_one_attachment_and_one_history_entry(client, binh_dinh):
    load_activities_demo()
    district = binh_dinh.children.get(code="BD-PC")
    client.force_login(make_member(district, Role.BHXH_STAFF))
    activity = DriveActivity.objects.get(organiser=district, kind="employer_conference")
    url = reverse("activities:activity_detail", args=[activity.pk])
    token = token_of(client.get(url))
    history = activity.history.count()

    def post():
        return client.post(url, {"action": "held", "held_on": "18/10/2024", "held_count": "1", "attendance": "64",
                                 "attachment": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban"),
                                 "once_token": token})

    assert post().status_code == 302
    second = post()
    assert second.status_code == 302 and second.url == url
    assert "Kết quả hoạt động này đã được ghi lúc" in infos(second)[-1]
    assert ActivityAttachment.objects.filter(activity=activity).count() == 1
    assert activity.history.count() == history + 1


def test_existing_duplicate_lines_are_separated_by_the_migration(binh_dinh):
    """0006 runs before the unique key exists: a copy that carries nothing goes; one with a figure of
    its own stays, its title marked; the copy with something recorded is the one kept as is."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    separate = import_module("campaigns.migrations.0009_activity_duplicates_separated").separate_duplicates
    with connection.cursor() as cursor:  # as before 0007 (rolled back with the test)
        for name in ("activity_once_per_plan_line", "activity_once_per_employer_line"):
            cursor.execute(f"DROP INDEX {name}")
    line = {"kind": "small_group", "organiser": binh_dinh, "planned_start": datetime.date(2024, 10, 1),
            "planned_end": datetime.date(2024, 10, 31), "planned_count": 28}
    DriveActivity.objects.create(**line)
    DriveActivity.objects.create(**line)
    held = DriveActivity.objects.create(**line, status="held", attendance=40)
    changed = DriveActivity.objects.create(**{**line, "planned_count": 30})
    separate(apps, None)
    assert sorted(DriveActivity.objects.values_list("pk", "title")) == [
        (held.pk, ""), (changed.pk, f" (trùng #{changed.pk})")]


# --- plans -------------------------------------------------------------------------------------------

def test_a_plan_draft_block_and_each_workflow_step_sent_twice_write_once(client, hai_duong):
    official = user("canbo.haiduong")
    client.force_login(official)
    page = client.get(reverse("campaigns:document_list"))
    data = {"starter": "commune-drive", "unit": hai_duong.pk, "year": 2022, "once_token": token_of(page)}
    first = client.post(reverse("campaigns:document_start"), data)
    second = client.post(reverse("campaigns:document_start"), data)
    drafts = PlanDocument.objects.filter(unit=hai_duong, year=2022, created_by=official)
    assert drafts.count() == 1
    assert first.url == second.url == reverse("campaigns:document_detail", args=[drafts.get().pk])
    assert "Bản dự thảo này đã được tạo lúc" in infos(second)[-1]
    plan = drafts.get()

    blocks = plan.blocks.count()
    add = reverse("campaigns:block_add", args=[plan.pk])
    block = {"kind": "text", "text": "### Ghi chú", "params_text": "", "once_token": token_of(client.get(add))}
    assert client.post(add, block).status_code == client.post(add, block).status_code == 302
    assert PlanBlock.objects.filter(document=plan).count() == blocks + 1

    plan.signer_name, plan.signer_title, plan.subject = "Nguyễn Văn A", "CHỦ TỊCH", "Kế hoạch vận động"
    plan.save()
    submit = reverse("campaigns:document_transition", args=[plan.pk, "trinh"])
    client.post(submit)
    again = client.post(submit)
    assert again.status_code == 302 and "Bạn đã trình duyệt văn bản này lúc" in infos(again)[-1]
    assert plan.events.filter(action=EventAction.SUBMITTED).count() == 1

    client.force_login(user("lanhdao.huongtra"))
    approve = reverse("campaigns:document_transition", args=[plan.pk, "duyet"])
    client.post(approve)
    again = client.post(approve)
    assert "Bạn đã duyệt văn bản này" in infos(again)[-1]
    assert plan.events.filter(action=EventAction.APPROVED).count() == 1 and plan.files.count() == 1

    client.force_login(official)
    block = plan.blocks.order_by("-position").first()
    delete = reverse("campaigns:block_delete", args=[plan.pk, block.pk])
    assert client.post(delete).status_code == 302  # approved: refused with its reason, nothing removed
    assert PlanBlock.objects.filter(pk=block.pk).exists()
    new_version = reverse("campaigns:document_transition", args=[plan.pk, "phien-ban-moi"])
    first = client.post(new_version)
    second = client.post(new_version)
    newer = PlanDocument.objects.get(previous_version=plan)
    assert first.url == second.url == reverse("campaigns:document_detail", args=[newer.pk])
    assert "Văn bản này đã có phiên bản mới (phiên bản 2" in infos(second)[-1]

    block = newer.blocks.order_by("-position").first()
    delete = reverse("campaigns:block_delete", args=[newer.pk, block.pk])
    client.post(delete)
    again = client.post(delete)
    assert again.status_code == 302 and infos(again)[-1] == "Khối nội dung này đã được xóa."
    assert newer.events.filter(action=EventAction.BLOCK_REMOVED).count() == 1


def test_the_used_token_remembers_the_page_of_what_it_wrote(client, hai_duong):
    client.force_login(user("canbo.haiduong"))
    token = token_of(client.get(reverse("campaigns:document_list")))
    client.post(reverse("campaigns:document_start"),
                {"starter": "commune-drive", "unit": hai_duong.pk, "year": 2022, "once_token": token})
    used = FormSubmission.objects.get()
    assert used.purpose == "campaigns.document_start" and used.result_url.startswith("/ke-hoach/")
