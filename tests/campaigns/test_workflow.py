"""Draft → submitted → approved → signed → issued, and who may do each step."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.documents import services
from campaigns.models import BlockKind, DocumentStatus, EventAction, FilePurpose, PlanDocument
from units.models import Role, Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.campaigns.conftest import user
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(hai_duong):
    return PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)


def test_commune_official_of_another_commune_gets_404_for_the_plan(client, plan):
    client.force_login(user("canbo.mycam"))
    for name, args in [("campaigns:document_detail", [plan.pk]), ("campaigns:document_pdf", [plan.pk]),
                       ("campaigns:document_docx", [plan.pk]), ("campaigns:document_edit", [plan.pk])]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("campaigns:document_transition", args=[plan.pk, "trinh"])).status_code == 404
    listing = client.get(reverse("campaigns:document_list")).content.decode()
    assert "162/KH-UBND" not in listing


def test_commune_official_cannot_start_a_plan_for_another_commune(client, demo):
    client.force_login(user("canbo.mycam"))
    hai_duong = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    response = client.post(reverse("campaigns:document_start"),
                           {"starter": "commune-drive", "unit": hai_duong.pk, "year": 2021})
    assert response.status_code == 400
    assert not PlanDocument.objects.filter(unit=hai_duong, created_by__username="canbo.mycam").exists()


def test_official_submits_but_cannot_approve_and_leader_approves(client, plan):
    client.force_login(user("canbo.haiduong"))
    assert client.post(reverse("campaigns:document_transition", args=[plan.pk, "trinh"])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.SUBMITTED
    assert client.post(reverse("campaigns:document_transition", args=[plan.pk, "duyet"])).status_code == 403
    client.force_login(user("lanhdao.huongtra"))
    assert client.post(reverse("campaigns:document_transition", args=[plan.pk, "duyet"])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.APPROVED
    approved = plan.files.get(purpose=FilePurpose.APPROVED)
    assert len(approved.sha256) == 64 and approved.meta["signature_box"]["page"] >= 2


def test_a_leader_above_may_approve(plan, demo):
    leader_above = make_member(Unit.objects.valid_on(OLD_TO).get(code="HTRA"), Role.LEADER)
    services.document_submit(document=plan, by=user("canbo.haiduong"))
    services.document_approve(document=plan, by=leader_above)
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.APPROVED


def test_a_collection_agent_cannot_draft(plan):
    with pytest.raises(PermissionDenied):
        services.document_update(document=plan, values={"number": "1"}, by=user("daily.haiduong"))


def test_an_approved_plan_is_frozen_and_a_change_is_a_new_version(client, plan):
    services.document_submit(document=plan, by=user("canbo.haiduong"))
    services.document_approve(document=plan, by=user("lanhdao.huongtra"))
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="phiên bản mới"):
        services.document_update(document=plan, values={"subject": "Khác"}, by=user("canbo.haiduong"))
    client.force_login(user("canbo.haiduong"))
    assert client.get(reverse("campaigns:document_edit", args=[plan.pk])).status_code == 403
    response = client.post(reverse("campaigns:document_transition", args=[plan.pk, "phien-ban-moi"]))
    new = PlanDocument.objects.get(previous_version=plan)
    assert response.url == reverse("campaigns:document_detail", args=[new.pk])
    assert new.version == 2 and new.status == DocumentStatus.DRAFT and new.number == ""
    assert [b.kind for b in new.blocks.all()] == [b.kind for b in plan.blocks.all()]
    services.document_update(document=new, values={"subject": "Kế hoạch sửa đổi"}, by=user("canbo.haiduong"))
    plan.refresh_from_db()
    assert plan.subject.startswith("Triển khai vận động") and plan.status == DocumentStatus.APPROVED


def test_return_to_draft_drops_the_unsigned_approved_file_and_logs_it(plan):
    services.document_submit(document=plan, by=user("canbo.haiduong"))
    approved = services.document_approve(document=plan, by=user("lanhdao.huongtra"))
    services.document_return(document=plan, by=user("lanhdao.huongtra"), note="Sửa số liệu")
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.DRAFT and not plan.files.exists()
    returned = plan.events.get(action=EventAction.RETURNED)
    assert returned.sha256 == approved.sha256 and "Sửa số liệu" in returned.note


def test_blocks_are_added_edited_moved_and_removed_with_the_log(client, plan):
    client.force_login(user("canbo.haiduong"))
    count = plan.blocks.count()
    response = client.post(reverse("campaigns:block_add", args=[plan.pk]), {
        "kind": BlockKind.PHASES, "text": "### 7. Lịch",
        "params_text": "01/10/2021 - 31/10/2021: Tháng cao điểm\n01/11/2021: Sơ kết",
    })
    assert response.status_code == 302
    block = plan.blocks.order_by("-position").first()
    assert block.params["phases"][1] == {"start": "2021-11-01", "end": "", "text": "Sơ kết"}
    bad = client.post(reverse("campaigns:block_edit", args=[plan.pk, block.pk]),
                      {"kind": BlockKind.PHASES, "text": "", "params_text": "mùng một: Tết"})
    assert bad.status_code == 200 and "Dòng 1" in bad.content.decode()
    client.post(reverse("campaigns:block_move", args=[plan.pk, block.pk, "len"]))
    block.refresh_from_db()
    assert block.position == count
    client.post(reverse("campaigns:block_delete", args=[plan.pk, block.pk]))
    assert plan.blocks.count() == count
    assert list(plan.blocks.values_list("position", flat=True)) == list(range(1, count + 1))
    actions = list(plan.events.values_list("action", "by__username"))
    assert (EventAction.BLOCK_ADDED, "canbo.haiduong") in actions
    assert (EventAction.BLOCK_MOVED, "canbo.haiduong") in actions
    assert (EventAction.BLOCK_REMOVED, "canbo.haiduong") in actions
    assert block.history.count() >= 2  # django-simple-history keeps the old values


def test_submit_refuses_a_plan_without_signer(plan):
    services.document_update(document=plan, values={"signer_name": ""}, by=user("canbo.haiduong"))
    with pytest.raises(ValidationError, match="họ tên người ký"):
        services.document_submit(document=plan, by=user("canbo.haiduong"))


def test_detail_page_shows_preview_actions_and_history(client, plan):
    client.force_login(user("canbo.haiduong"))
    page = client.get(reverse("campaigns:document_detail", args=[plan.pk])).content.decode()
    assert "Trình duyệt" in page and "Duyệt (chốt bản PDF)" not in page
    assert "KẾ HOẠCH" in page and "Nguyễn Hữu Danh" in page
    assert "Tạo dự thảo" in page  # the log
    assert client.get(reverse("campaigns:document_list")).status_code == 200


def test_a_collection_agent_sees_plans_but_is_not_offered_to_draft(client, plan):
    client.force_login(user("daily.haiduong"))
    page = client.get(reverse("campaigns:document_list")).content.decode()
    assert "162/KH-UBND" in page and "Tạo văn bản mới từ mẫu" not in page
    detail = client.get(reverse("campaigns:document_detail", args=[plan.pk])).content.decode()
    assert reverse("campaigns:document_transition", args=[plan.pk, "trinh"]) not in detail
    assert reverse("campaigns:document_edit", args=[plan.pk]) not in detail
