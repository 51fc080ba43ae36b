"""Nothing a user reads tells them about a person or unit outside their subtree, and the số định danh
is shown in full nowhere but on the person's own page.

A BHXH officer of one district uploads, through every import page, rows that point at a sibling
district and at another province (by the codes a user could type). What the officer did not write,
the names of those units, the people's names and their stored số định danh, carries distinctive
strings that must not come back in the check page, the messages or the error file. The same
strings must stay out of every export and every label (`__str__`, the admin's log). The last tests
fail when a new import page, export or model holding people appears without being checked here.
"""

import datetime
import io
import logging
import re

import pytest
import tablib
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from agents.models import Agent, AgentKind, Collection, Enrolment, Participant, Product
from bhxh_portal.personal_ids import MaskPersonalIds, mask_personal_ids_in
from units.models import Role
from tests.factories import UserFactory, make_member, make_unit

pytestmark = pytest.mark.django_db

D = datetime.date
FULL_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")

# What the uploader never writes: other branches' unit names, people's names and stored IDs.
SECRETS = [
    "Huyện Kín Đáo Ba", "Xã Ẩn Danh Bốn",                                   # a sibling district
    "Tỉnh Xa Xăm Năm", "Huyện Tận Cùng Sáu", "Xã Lạc Tung Tích", "Thôn Khuất Bóng",  # another province
    "Trần Thị Bí Ẩn", "079188776655",                                        # a person of that province
    "Phạm Văn Kín Tiếng", "027199887766",                                    # a person of the sibling district
    "Lê Văn Giấu Tên", "027177665544",                                       # the sibling's beneficiary
    "027100000001",                                                          # the uploader's own person: masked
    "Đại lý Ẩn Mặt", "Trường Kín Cổng Bảy",                                  # an agent and a school far away
]


@pytest.fixture
def world(db):
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.programmes.importers import import_beneficiary_list
    from campaigns.models import SupportProgramme
    from targets.models import School

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    own = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    commune = make_unit("Xã Đông Phong", level_code="xa", parent=own, code="BN-YP01")
    make_unit("Thôn Đông", level_code="thon", parent=commune, code="BN-YP01-T1")
    sibling = make_unit("Huyện Kín Đáo Ba", level_code="huyen", parent=province, code="BN-KD")
    sibling_commune = make_unit("Xã Ẩn Danh Bốn", level_code="xa", parent=sibling, code="BN-KD01")
    far = make_unit("Tỉnh Xa Xăm Năm", level_code="tinh", code="79")
    far_district = make_unit("Huyện Tận Cùng Sáu", level_code="huyen", parent=far, code="790")
    far_commune = make_unit("Xã Lạc Tung Tích", level_code="xa", parent=far_district, code="79001")
    make_unit("Thôn Khuất Bóng", level_code="thon", parent=far_commune, code="79001-T1")

    Participant.objects.create(bhxh_code="7912345678", personal_id="079188776655", full_name="Trần Thị Bí Ẩn",
                               birth_date=D(1970, 1, 1), commune=far_commune)
    Participant.objects.create(bhxh_code="2712345670", personal_id="027199887766", full_name="Phạm Văn Kín Tiếng",
                               birth_date=D(1971, 2, 2), commune=sibling_commune)
    inside = Participant.objects.create(bhxh_code="2700000001", personal_id="027100000001",
                                        full_name="Nguyễn Văn Nội Bộ", birth_date=D(1972, 3, 3), commune=commune)
    Agent.objects.create(name="Đại lý Ẩn Mặt", code="DLAM1", kind=AgentKind.COMMUNE, unit=far_commune)
    School.objects.create(code="ZZTR01", name="Trường Kín Cổng Bảy", commune=far_commune)

    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    report = import_beneficiary_list(
        xlsx(SOLDIER, [[1, "Lê Văn Giấu Tên", "12/05/1960", "Nam", "027177665544", "2799999999", "BN-KD01", "",
                        "15/03/1979", "20/06/1982"]]),
        filename="mau-01.xlsx", group=programme.groups.get(form="01/NQ-03"), unit=sibling,
        received_on=D(2024, 8, 29), user=make_member(sibling, Role.BHXH_STAFF))
    assert report.ok, report.messages()
    from drive.models import ListKind, Resident, WorkItem

    Resident.objects.create(commune=commune, full_name="Lý Dân Cư", personal_id="027100000005")
    WorkItem.objects.create(month=D(2024, 6, 1), kind=ListKind.DUE, commune=commune, participant=inside)
    return {"own": own, "commune": commune, "sibling": sibling, "programme": programme, "inside": inside,
            "staff": make_member(own, Role.BHXH_STAFF)}


SOLDIER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Mã số BHXH", "Mã xã",
           "Nơi thường trú", "Ngày nhập ngũ", "Ngày xuất ngũ"]


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return dataset.export("xlsx")


def upload(name: str, headers: list[str], rows: list[list]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(headers, rows))


def assert_tells_nothing(text: str, where: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{where} names what lies outside the user's scope: {leaked}"
    found = FULL_ID.findall(text)
    assert not found, f"{where} shows a số định danh in full: {found}"


def sheet_cells(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- every import page ---------------------------------------------------------------------------

PARTICIPANT_HEADERS = ["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn",
                       "Loại hình", "Từ ngày", "Mức thu nhập", "Phương thức đóng", "Đại lý thu"]


def participant_row(code, cccd, name, commune="BN-YP01", village="", agent=""):
    return [code, cccd, name, "03/05/1980", "Nam", commune, village, "BHXH TN", "01/09/2024", 1_500_000,
            "Hằng tháng", agent]


def check_participants(client, world, capture) -> list[tuple[str, str]]:
    from jobs.models import Job

    rows = [
        participant_row("7912345678", "", "Người Gõ Một"),           # a person of another province
        participant_row("7912345678", "027100000006", "Người Gõ Một"),  # ... with another số định danh
        participant_row("2712345670", "", "Người Gõ Hai"),           # a person of the sibling district
        participant_row("2700000001", "027100000009", "Nguyễn Văn Nội Bộ"),  # own person, another ID
        participant_row("", "027100000007", "Người Gõ Ba", commune="79001", village="79001-T1", agent="DLAM1"),
        participant_row("", "027100000008", "Người Gõ Bốn", commune="BN-KD01"),
    ]
    with capture(execute=True):
        response = client.post("/nguoi-tham-gia/nhap/", {"unit": world["own"].pk,
                                                         "file": upload("ds.xlsx", PARTICIPANT_HEADERS, rows)})
    job = Job.objects.get()
    assert job.result["invalid"] == 6, job.result["problems"]
    texts = [("the check page", client.get(response.url).content.decode()),
             ("the check messages", " ".join(p["message"] for p in job.result["problems"]))]
    error_file = downloaded(client.get(reverse("jobs:job_download", args=[job.pk])))
    cells = sheet_cells(error_file)
    header = cells[0]
    # The copy holds the user's own cells as uploaded; nothing else of anyone, and the reasons mask IDs.
    texts.append(("the error file", " ".join(" ".join(row) for row in cells)
                  .replace("027100000006", "").replace("027100000007", "").replace("027100000008", "")
                  .replace("027100000009", "")))
    texts.append(("the error column", " ".join(row[header.index("Lỗi")] for row in cells[1:])))
    # and a unit of the sibling district chosen for the import (a crafted form), refused by the service
    from agents.importers import participant_import_start
    from jobs.services import JobError

    with pytest.raises(JobError) as refused:
        participant_import_start(user=world["staff"], unit=world["sibling"], filename="ds.xlsx",
                                 data=xlsx(PARTICIPANT_HEADERS, rows))
    texts.append(("the refusal of another district", str(refused.value)))
    return texts


def check_targets_page(kind: str, headers: list[str], rows: list[list]):
    def check(client, world, capture):
        response = client.post("/don-vi/chi-tieu/nhap/", {"action": "check", "kind": kind,
                                                          "file": upload(f"{kind}.xlsx", headers, rows)})
        report = response.context["report"]
        assert not report.ok
        return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages()))]
    return check


def check_results(client, world, capture):
    rows = [["79001", "2024-06", "bhyt", 10, ""], ["BN-KD01", "2024-06", "bhyt", 10, ""],
            ["BN-YP01", "2024-06", "bhyt", 10, "DLAM1"]]
    response = client.post("/don-vi/ket-qua/nhap-tep/", {
        "file": upload("ket-qua.xlsx", ["unit_code", "period", "indicator", "participants", "agent"], rows)})
    report = response.context["report"]
    assert not report.ok
    return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages()))]


def check_activities(client, world, capture):
    rows = [["nhóm nhỏ", code, "01/11/2024", "30/11/2024", 1] for code in ("79", "790", "79001", "BN-KD", "BN-KD01")]
    response = client.post("/hoat-dong/nhap/", {
        "write": "on",
        "file": upload("ke-hoach.xlsx", ["Loại hoạt động", "Mã đơn vị tổ chức", "Từ ngày", "Đến ngày", "Số cuộc"],
                       rows)})
    report = response.context["report"]
    assert response.status_code == 400 and len(report.problems) == 5
    return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages()))]


def check_programme_lists(client, world, capture):
    from campaigns.programmes.importers import import_beneficiary_list

    programme = world["programme"]
    group = programme.groups.get(form="01/NQ-03")
    rows = [[1, "Người Gõ Năm", "12/05/1960", "Nam", "", "2799999999", "BN-YP01", "", "15/03/1979", "20/06/1982"],
            [2, "Người Gõ Sáu", "12/05/1960", "Nam", "", "", "79001", "", "15/03/1979", "20/06/1982"],
            [3, "Người Gõ Bảy", "12/05/1960", "Nam", "", "2700000002", "BN-KD01", "", "15/03/1979", "20/06/1982"]]
    response = client.post(f"/chuong-trinh/{programme.pk}/nhap/", {
        "group": group.pk, "unit": world["own"].pk, "received_on": "29/08/2024", "write": "on",
        "file": upload("mau-01.xlsx", SOLDIER, rows)})
    report = response.context["report"]
    assert response.status_code == 400 and {p.line for p in report.problems} == {2, 3, 4}, report.messages()
    refused = import_beneficiary_list(xlsx(SOLDIER, rows), filename="mau-01.xlsx", group=group,
                                      unit=world["sibling"], received_on=D(2024, 8, 29), user=world["staff"])
    assert not refused.ok
    return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages())),
            ("the refusal of another district", " ".join(refused.messages()))]


def check_residents(client, world, capture):
    """A commune's population list: the thôn of another commune is not found, and another commune's
    page is not there at all."""
    from drive.models import Resident

    headers = ["Họ và tên", "Số định danh", "Thôn"]
    commune = world["commune"]
    response = client.post(f"/van-dong/{commune.pk}/dan-cu/nhap/", {
        "file": upload("dan-cu.xlsx", headers, [["Người Gõ Sáu", "027100000006", "79001-T1"]])})
    report = response.context["report"]
    assert response.status_code == 200 and not report.ok and not Resident.objects.filter(full_name="Người Gõ Sáu")
    from units.models import Unit

    sibling_commune = Unit.objects.get(code="BN-KD01")
    refused = client.post(f"/van-dong/{sibling_commune.pk}/dan-cu/nhap/", {
        "file": upload("dan-cu.xlsx", headers, [["Người Gõ Bảy", "027100000007", "Thôn Đông"]])})
    assert refused.status_code == 404
    return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages())),
            ("the refusal", refused.content.decode())]


def check_round_contacts(client, world, capture):
    """The filled round of a commune: the codes of people elsewhere (by mã số BHXH or by the row key of
    another district's round) are refused with the words used for a code of nobody."""
    from drive.models import ListKind, WorkItem
    from agents.models import Participant as Person
    from units.models import Unit

    sibling_commune = Unit.objects.get(code="BN-KD01")
    far_item = WorkItem.objects.create(month=D(2024, 6, 1), kind=ListKind.DUE, commune=sibling_commune,
                                       participant=Person.objects.get(bhxh_code="2712345670"))
    headers = ["Mã dòng", "Mã số BHXH", "Ngày gặp", "Kết quả"]
    rows = [["", "7912345678", "10/06/2024", "Đã gặp"], ["", "2712345670", "10/06/2024", "Đã gặp"],
            [f"VD-{far_item.pk}", "", "10/06/2024", "Đã gặp"]]
    commune = world["commune"]
    page = f"/van-dong/{commune.pk}/2024-06/due/nhap-ket-qua/"
    response = client.post(page, {"file": upload("ket-qua.xlsx", headers, rows)})
    report = response.context["report"]
    assert response.status_code == 400 and len(report.problems) == 3 and not far_item.contacts.exists()
    refused = client.post(f"/van-dong/{sibling_commune.pk}/2024-06/due/nhap-ket-qua/", {
        "file": upload("ket-qua.xlsx", headers, rows)})
    assert refused.status_code == 404
    return [("the check page", response.content.decode()), ("the check messages", " ".join(report.messages())),
            ("the refusal", refused.content.decode())]


def test_the_round_to_fill_in_holds_only_ones_own_people_masked(client, world):
    from drive.models import ListKind, WorkItem
    from units.models import Unit

    for person in (world["inside"], Participant.objects.get(bhxh_code="2712345670")):  # both due in June
        Enrolment.objects.create(participant=person, product=Product.objects.get(code="bhyt_hgd"),
                                 valid_from=D(2023, 7, 1), valid_to=D(2024, 6, 30))
    WorkItem.objects.create(month=D(2024, 6, 1), kind=ListKind.DUE, commune=Unit.objects.get(code="BN-KD01"),
                            participant=Participant.objects.get(bhxh_code="2712345670"))
    client.force_login(world["staff"])
    response = client.get(reverse("drive:round_template", kwargs={"pk": world["own"].pk, "month": "2024-06",
                                                                  "kind": "due"}))
    text = " ".join(" ".join(row) for row in sheet_cells(downloaded(response)))
    assert "Nguyễn Văn Nội Bộ" in text and "2700000001" in text
    assert_tells_nothing(text, "the round to fill in")


def check_unit_import(client, world, capture):
    """An administrator's unit list: a code used in another branch, a parent in another province and a
    unit of another province are refused without saying what they are or where."""
    from units.models import Unit

    client.force_login(make_member(world["own"], Role.ADMINISTRATOR))
    rows = [["BN-KD01", "Xã Mới Một", "xa", "BN-YP"], ["BN-YP09", "Xã Mới Hai", "xa", "790"],
            ["79001", "Xã Mới Ba", "xa", "BN-YP"], ["BN-YP08", "Xã Mới Bốn", "xa", "BN-KD"]]
    response = client.post("/quan-ly/don-vi/nhap/", {
        "file": upload("don-vi.xlsx", ["code", "name", "level", "parent_code"], rows)})
    assert response.status_code == 200 and not Unit.objects.filter(name__startswith="Xã Mới").exists()
    report = response.context["report"]
    assert report is not None and not report.ok
    return [("the check page", response.content.decode())]


UPLOAD_CHECKS = {
    "agents:import_upload": check_participants,
    "administration:unit_import": check_unit_import,
    "targets:target_import": {
        "demographics": check_targets_page("demographics", ["Mã đơn vị", "Năm", "Dân số"],
                                           [["79001", 2024, 100], ["BN-KD01", 2024, 100], ["790", 2024, 100]]),
        "targets": check_targets_page(
            "targets", ["Mã đơn vị", "Năm", "Chỉ tiêu", "Đại lý thu", "Tỷ lệ (%)", "Loại (giao/phấn đấu)"],
            [["79001", 2024, "bhyt", "", 90, "giao"], ["BN-KD01", 2024, "bhyt", "", 90, "giao"],
             ["BN-YP01", 2024, "bhyt", "DLAM1", 90, "giao"]]),
        "schools": check_targets_page("schools", ["Mã trường", "Tên trường", "Cấp học", "Mã xã"],
                                      [["ZZTR01", "Trường Mới", "Tiểu học", "BN-YP01"],
                                       ["TRX2", "Trường Hai", "Tiểu học", "79001"],
                                       ["TRX3", "Trường Ba", "Tiểu học", "BN-KD01"]]),
        "school_figures": check_targets_page(
            "school_figures", ["Mã trường", "Năm học", "Tổng số học sinh", "Học sinh tham gia tại trường"],
            [["ZZTR01", "2023-2024", 100, 50]]),
    },
    "results:results_import": check_results,
    "activities:activity_import": check_activities,
    "programmes:list_import": check_programme_lists,
    "drive:resident_import": check_residents,
    "drive:contact_import": check_round_contacts,
}
CASES = [(name, kind, check) for name, entry in UPLOAD_CHECKS.items()
         for kind, check in (entry.items() if isinstance(entry, dict) else [("", entry)])]


@pytest.mark.parametrize("name, kind, check", CASES, ids=[f"{n}{'-' + k if k else ''}" for n, k, _ in CASES])
def test_an_upload_pointing_at_other_branches_is_refused_without_naming_what_is_there(
        client, world, django_capture_on_commit_callbacks, name, kind, check):
    client.force_login(world["staff"])
    for where, text in check(client, world, django_capture_on_commit_callbacks):
        assert_tells_nothing(text, f"{name} {kind}: {where}")


def test_the_check_says_the_row_is_outside_the_scope_and_shows_ids_masked(world, django_capture_on_commit_callbacks):
    """The refusals still tell the uploader what to fix (and the masked ID is the one they know)."""
    from agents.importers import ParticipantImport

    rows = [participant_row("7912345678", "", "Người Gõ Một"),
            participant_row("2700000001", "027100000009", "Nguyễn Văn Nội Bộ"),
            participant_row("", "027100000007", "Người Gõ Ba", commune="79001")]
    outcome = ParticipantImport(user=world["staff"], scope=world["own"], dry_run=True).run(
        xlsx(PARTICIPANT_HEADERS, rows), filename="ds.xlsx")[0]
    messages = [p["message"] for p in outcome.problems]
    assert "đã đăng ký ngoài phạm vi Huyện Yên Phong của bạn" in messages[0]
    assert "Mã số BHXH 2700000001 đã gắn với số định danh 0271****0001 trong hệ thống" in messages[1]
    assert "Không có đơn vị mã '79001' trong phạm vi Huyện Yên Phong của bạn" in messages[2]


# --- exports -------------------------------------------------------------------------------------

def project_resources() -> list[type]:
    from import_export.resources import ModelResource

    found, todo = [], list(ModelResource.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"agents", "campaigns", "targets", "reports", "bhxh_portal"}:
            found.append(cls)
    return found


def test_no_export_holds_a_full_personal_id(client, world):
    from campaigns.models import BeneficiaryList

    # every import-export resource as the portal, the command line and the admin's staff build it
    resources = project_resources()
    assert {"ParticipantResource", "AgentResource", "TargetResource"} <= {r.__name__ for r in resources}
    for resource_class in resources:
        if resource_class.__name__.startswith("_"):
            continue
        resource = resource_class()
        text = resource.export(queryset=resource._meta.model.objects.all()).export("csv")
        assert not FULL_ID.search(text), f"{resource_class.__name__} exports a số định danh in full"
    # the programme's list on its form, as its page shows it
    client.force_login(make_member(world["sibling"], Role.BHXH_STAFF))
    exported = client.get(reverse("programmes:list_export", args=[BeneficiaryList.objects.get().pk]))
    text = " ".join(" ".join(row) for row in sheet_cells(downloaded(exported)))
    assert "0271****5544" in text and not FULL_ID.search(text)


# --- labels --------------------------------------------------------------------------------------

def people_models() -> list:
    """Models that hold a số định danh, or point at a model that does."""
    holders = {m for m in apps.get_models() if any(f.name == "personal_id" for f in m._meta.get_fields())}
    pointing = {m for m in apps.get_models() for f in m._meta.get_fields()
                if f.many_to_one and f.concrete and f.related_model in holders}
    return sorted(holders | pointing, key=lambda m: m._meta.label)


def test_no_label_anywhere_shows_a_full_personal_id(client, world):
    from django.contrib.admin.models import CHANGE, LogEntry

    from agents.models import AccessOutcome, PersonalDataAccess
    from campaigns.models import Beneficiary, BeneficiaryChange, ChangeKind

    inside = world["inside"]
    no_code = Participant.objects.create(personal_id="027100000003", full_name="Hoàng Không Mã",
                                         birth_date=D(1980, 1, 1), commune=world["commune"])
    product = Product.objects.get(code="bhxh_tn") if Product.objects.filter(code="bhxh_tn").exists() \
        else Product.objects.first()
    enrolment = Enrolment.objects.create(participant=no_code, product=product, valid_from=D(2024, 1, 1))
    agent = Agent.objects.create(name="Đại lý Đông Phong", kind=AgentKind.COMMUNE, unit=world["commune"])
    admin = UserFactory(is_staff=True, is_superuser=True)
    Collection.objects.create(agent=agent, receipt_number="BL-1", collected_on=D(2024, 2, 1), participant=no_code,
                              product=product, months=1, amount=100_000, enrolment=enrolment, recorded_by=admin)
    beneficiary = Beneficiary.objects.get()
    beneficiary.note = "Đổi nơi thường trú"
    beneficiary.save()  # a line of its history
    BeneficiaryChange.objects.create(beneficiary=beneficiary, kind=ChangeKind.CHANGED, effective_on=D(2024, 9, 1),
                                     notified_on=D(2024, 9, 1), recorded_by=admin)
    PersonalDataAccess.objects.create(user=admin, username=admin.username, requested_id=inside.pk,
                                      participant=inside, outcome=AccessOutcome.SHOWN_FULL)
    LogEntry.objects.log_actions(user_id=admin.pk, queryset=[no_code, beneficiary], action_flag=CHANGE,
                                 change_message="")
    # every model that holds people has rows here, so a new one is checked too
    empty = [m._meta.label for m in people_models() if not m._default_manager.exists()]
    assert not empty, f"add a row of {empty} to this test"
    for model in apps.get_models():
        for obj in model._default_manager.all()[:500]:
            assert not FULL_ID.search(str(obj)), f"{model._meta.label} #{obj.pk}: {obj}"
    assert str(no_code) == "Hoàng Không Mã (0271****0003)"
    # where the admin shows labels: the receipts' list, a delete page, the recent actions
    client.force_login(admin)
    for url in ("/quan-tri/agents/collection/", f"/quan-tri/agents/participant/{no_code.pk}/delete/",
                "/quan-tri/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not FULL_ID.search(response.content.decode()), url


# --- logs ----------------------------------------------------------------------------------------

def test_log_lines_mask_personal_ids_whoever_writes_them(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["mask_personal_ids"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalIds())
    logger = logging.getLogger("tests.no_leaks")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Nhập %s: %s", "ds.xlsx", "Key (personal_id)=(001090012345) already exists.")
        try:
            raise ValueError("duplicate key 079188776655")
        except ValueError:
            logger.exception("Job %s failed", 7)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "0010****2345" in written and "0791****6655" in written and "Job 7 failed" in written
    assert not FULL_ID.search(written)
    # a mã số BHXH (10 digits), a BHYT card and a 13-digit tax code are left as they are
    assert mask_personal_ids_in("0112345678 HN4010123456789 0101234567001") == \
        "0112345678 HN4010123456789 0101234567001"


def test_the_worker_masks_its_own_handlers_too():
    from bhxh_portal.celery import mask_personal_ids_in_worker_logs

    logger = logging.getLogger("tests.no_leaks.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        mask_personal_ids_in_worker_logs(logger=logger)
        mask_personal_ids_in_worker_logs(logger=logger)
        assert sum(isinstance(f, MaskPersonalIds) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


# --- what is covered here ------------------------------------------------------------------------

def url_names(resolver=None, namespace=None) -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                names |= url_names(pattern, pattern.namespace or namespace)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


# Files offered for download that hold no person (blank templates, figures per unit).
NO_PEOPLE = {"targets:import_template", "results:results_import_template", "activities:activity_import_template",
             "programmes:list_template", "agents:import_template", "targets:target_export", "targets:demographics_export",
             "results:results_export", "coverage:download"}
# Files a user uploaded, handed back as they came (the portal writes nothing into them); who may
# fetch them is tested with the files themselves (tests/campaigns/test_private_files.py).
UPLOADED_AS_IS = {"activities:attachment_download"}
DOWNLOADS_CHECKED = {"programmes:list_export": test_no_export_holds_a_full_personal_id,
                     "jobs:job_download": check_participants,
                     "drive:round_template": test_the_round_to_fill_in_holds_only_ones_own_people_masked}


def test_every_upload_page_and_download_is_checked_here():
    names = url_names()
    uploads = {n for n in names if re.search(r"import(_upload)?$", n)}
    assert uploads == set(UPLOAD_CHECKS), "a new import page: add it to UPLOAD_CHECKS"
    downloads = {n for n in names if re.search(r"(export|download|template)$", n)}
    listed = NO_PEOPLE | UPLOADED_AS_IS | set(DOWNLOADS_CHECKED)
    assert downloads <= listed, f"a new download: check it here or list it in NO_PEOPLE: {downloads - listed}"


def test_every_importer_kind_is_checked_here():
    from portal.management.commands.import_data import IMPORTERS
    from targets.views import RESOURCES

    checked = set(UPLOAD_CHECKS["targets:target_import"]) | {"results"}
    # units: checked through the administrators' page above; holidays: the national calendar, which
    # names no unit and no person
    assert set(IMPORTERS) - {"units", "holidays"} <= checked
    assert set(RESOURCES) <= checked
