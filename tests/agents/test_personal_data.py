"""Personal IDs: the số định danh (CCCD) is masked (0010****2345) in lists, search results, the admin and
exports; in full only on the person's own page, for the roles that work with it, within their subtree.
Every request for a person's page is logged (who, when, which person, from where), refusals included."""

import datetime

import pytest

from agents.models import AccessOutcome, Participant, PersonalDataAccess
from agents.personal_data import mask_personal_id
from agents.resources import ParticipantResource
from units.models import Role
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

CCCD = "001090012345"
MASKED = "0010****2345"


@pytest.fixture
def person(district):
    return Participant.objects.create(bhxh_code="0112345678", personal_id=CCCD, full_name="Nguyễn Văn An",
                                      birth_date=datetime.date(1980, 5, 3), commune=district.children.get(code="00001"))


@pytest.mark.parametrize("value, shown", [(CCCD, MASKED), ("0112345678", "0112345678"), (None, ""), ("", ""),
                                          ("12345", "12345")])
def test_only_a_12_digit_id_is_masked(value, shown):
    assert mask_personal_id(value) == shown


def test_search_results_show_the_id_masked(client, district, staff, person):
    client.force_login(staff)
    for query in (CCCD[:6], "Nguyễn An"):
        page = client.get("/nguoi-tham-gia/", {"q": query}).content.decode()
        assert "Nguyễn Văn An" in page
        assert MASKED in page and CCCD not in page
        assert "0112345678" in page  # mã số BHXH in full: the working key, printed on the card


@pytest.mark.parametrize("role, full", [(Role.BHXH_STAFF, True), (Role.COLLECTION_AGENT, True),
                                        (Role.ADMINISTRATOR, True), (Role.COMMUNE_OFFICIAL, False),
                                        (Role.LEADER, False)])
def test_the_persons_page_shows_the_id_in_full_only_to_the_roles_that_may(client, district, person, role, full):
    user = make_member(district, role)
    client.force_login(user)
    response = client.get(f"/nguoi-tham-gia/{person.pk}/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Thử/1.0")
    assert response.status_code == 200
    page = response.content.decode()
    assert (CCCD in page) is full
    assert (MASKED in page) is not full
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.username, entry.participant, entry.requested_id) == (user, user.username, person, person.pk)
    assert entry.outcome == (AccessOutcome.SHOWN_FULL if full else AccessOutcome.SHOWN_MASKED)
    assert (entry.ip_address, entry.user_agent, entry.path) == ("10.1.2.3", "Thử/1.0", f"/nguoi-tham-gia/{person.pk}/")
    assert entry.at is not None


def test_a_user_of_another_branch_gets_404_and_the_attempt_is_logged(client, district, person):
    """Logged on purpose: a look at another branch's people is what an audit of personal data looks for."""
    outsider = make_member(district.parent.children.get(code="002"), Role.BHXH_STAFF)
    client.force_login(outsider)
    response = client.get(f"/nguoi-tham-gia/{person.pk}/", REMOTE_ADDR="10.9.9.9",
                          HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 404
    assert CCCD not in response.content.decode()
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.participant, entry.outcome) == (outsider, person, AccessOutcome.REFUSED)
    assert (entry.ip_address, entry.forwarded_for) == ("10.9.9.9", "203.0.113.7")
    # and so is a probe for an id that does not exist
    client.get("/nguoi-tham-gia/999999/")
    probe = PersonalDataAccess.objects.get(requested_id=999999)
    assert (probe.participant, probe.outcome) == (None, AccessOutcome.REFUSED)


def test_an_id_past_the_database_is_refused_and_logged_with_the_path_asked(client, district, staff):
    client.force_login(staff)
    for asked in ("99999999999999999999", "9223372036854775808"):
        assert client.get(f"/nguoi-tham-gia/{asked}/").status_code == 404
    entries = PersonalDataAccess.objects.order_by("pk")
    assert [(e.requested_id, e.participant, e.outcome) for e in entries] == [(0, None, AccessOutcome.REFUSED)] * 2
    assert [e.path for e in entries] == ["/nguoi-tham-gia/99999999999999999999/", "/nguoi-tham-gia/9223372036854775808/"]


def test_each_visit_is_a_line_and_the_log_outlives_the_user(client, district, staff, person):
    client.force_login(staff)
    client.get(f"/nguoi-tham-gia/{person.pk}/")
    client.get(f"/nguoi-tham-gia/{person.pk}/")
    assert PersonalDataAccess.objects.filter(participant=person).count() == 2
    username = staff.username
    client.logout()
    staff.delete()
    assert set(PersonalDataAccess.objects.values_list("user", "username")) == {(None, username)}


def test_the_admin_log_is_read_only(client, district, staff, person):
    client.force_login(staff)
    client.get(f"/nguoi-tham-gia/{person.pk}/")
    entry = PersonalDataAccess.objects.get()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/quan-tri/agents/personaldataaccess/")
    assert listing.status_code == 200
    assert staff.username in listing.content.decode()
    assert client.get("/quan-tri/agents/personaldataaccess/add/").status_code == 403
    change = client.get(f"/quan-tri/agents/personaldataaccess/{entry.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()  # view only
    client.post(f"/quan-tri/agents/personaldataaccess/{entry.pk}/change/", {"username": "khac"})
    client.post(f"/quan-tri/agents/personaldataaccess/{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.username == staff.username


def test_the_admin_list_and_every_export_mask_the_id_even_for_superusers(client, person):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/quan-tri/agents/participant/", {"q": "Nguyễn"}).content.decode()
    assert MASKED in listing and CCCD not in listing
    exported = ParticipantResource().export(queryset=Participant.objects.all())
    assert exported.dict[0]["Số định danh cá nhân"] == MASKED
    response = client.post("/quan-tri/agents/participant/export/", {"format": "0", "resource": "0"})
    body = response.content.decode("utf-8-sig", errors="replace") if response.status_code == 200 else ""
    assert CCCD not in body


def test_programme_lists_show_the_id_masked(client):
    import tablib

    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.programmes.importers import import_beneficiary_list
    from campaigns.models import BeneficiaryList, SupportProgramme
    from tests.factories import make_unit

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    staff = make_member(district, Role.BHXH_STAFF)
    dataset = tablib.Dataset(headers=["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân",
                                      "Mã số BHXH", "Mã xã", "Nơi thường trú", "Ngày nhập ngũ", "Ngày xuất ngũ"])
    dataset.append([1, "Nguyễn Văn Một", "12/05/1960", "Nam", "027060000001", "", "BN-YP01", "Đông Phong",
                    "15/03/1979", "20/06/1982"])
    report = import_beneficiary_list(dataset.export("xlsx"), filename="mau-01.xlsx",
                                     group=programme.groups.get(form="01/NQ-03"), unit=district,
                                     received_on=datetime.date(2024, 8, 29), user=staff)
    assert report.ok, report.messages()
    client.force_login(staff)
    page = client.get(f"/chuong-trinh/danh-sach/{BeneficiaryList.objects.get().pk}/").content.decode()
    assert "Nguyễn Văn Một" in page and "0270****0001" in page and "027060000001" not in page
    overdue = client.get(f"/chuong-trinh/{programme.pk}/qua-han/", {"ngay": "2025-01-01"}).content.decode()
    assert "027060000001" not in overdue

    # The beneficiary's admin page shows the ID in full to superusers, logged; no one else opens it.
    from django.contrib.auth.models import Permission

    from campaigns.models import Beneficiary

    beneficiary = Beneficiary.objects.get()
    url = f"/quan-tri/campaigns/beneficiary/{beneficiary.pk}/change/"
    outsider = make_member(make_unit("Huyện Khác", level_code="huyen", parent=province, code="BN-KH"),
                           Role.ADMINISTRATOR, is_staff=True)
    outsider.user_permissions.add(Permission.objects.get(codename="view_beneficiary"))
    client.force_login(outsider)
    refused = client.get(url)
    assert refused.status_code == 403 and "027060000001" not in refused.content.decode()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert "027060000001" in client.get(url).content.decode()
    log = list(PersonalDataAccess.objects.order_by("pk").values_list("username", "beneficiary_id", "outcome"))
    assert log == [(admin.username, beneficiary.pk, AccessOutcome.SHOWN_FULL)]

    # A past version of the person (the history's form) shows the ID in full too: logged the same way.
    beneficiary.save()  # the import writes in bulk, without a history row
    version = beneficiary.history.first()
    past = client.get(f"/quan-tri/campaigns/beneficiary/{beneficiary.pk}/history/{version.history_id}/")
    assert past.status_code == 200 and "027060000001" in past.content.decode()
    assert PersonalDataAccess.objects.count() == 2
    assert PersonalDataAccess.objects.order_by("pk").last().beneficiary_id == beneficiary.pk

    # The log's list names the person while the record exists (searchable by that name); once the
    # record is deleted, the log still says which id was read.
    log_page = client.get("/quan-tri/agents/personaldataaccess/", {"q": "Một"}).content.decode()
    assert log_page.count("Nguyễn Văn Một") == 2
    logged_id = beneficiary.pk
    beneficiary.delete()
    assert list(PersonalDataAccess.objects.values_list("beneficiary_id", flat=True)) == [logged_id] * 2
    log_page = client.get("/quan-tri/agents/personaldataaccess/").content.decode()
    assert "Nguyễn Văn Một" not in log_page and log_page.count(f"#{logged_id} (đã xoá)") == 2


def test_the_admins_page_of_a_person_is_logged_too(client, person):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(f"/quan-tri/agents/participant/{person.pk}/change/", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200 and CCCD in response.content.decode()
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.participant, entry.outcome, entry.ip_address) == (
        admin, person, AccessOutcome.SHOWN_FULL, "10.0.0.5")


def _staff_with_view(unit, *codenames):
    from django.contrib.auth.models import Permission

    user = make_member(unit, Role.ADMINISTRATOR, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_an_administrator_with_the_admins_permissions_opens_no_ones_people_in_the_admin(client, district, person):
    """The admin is the superusers' tool: staff with the view permissions see no list, no person, and
    the refusal happens before the page could show (or log) anything."""
    other_district = district.parent.children.get(code="002")
    outsider = Participant.objects.create(bhxh_code="0119999999", personal_id="001090099999", full_name="Trần Thị Ngoài",
                                          birth_date=datetime.date(1985, 1, 1), commune=other_district.children.get())
    client.force_login(_staff_with_view(other_district, "view_participant", "view_personaldataaccess"))
    for url in ["/quan-tri/agents/participant/", f"/quan-tri/agents/participant/{person.pk}/change/",
                f"/quan-tri/agents/participant/{outsider.pk}/change/",
                f"/quan-tri/agents/participant/{person.pk}/history/", "/quan-tri/agents/personaldataaccess/"]:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 403, url
        assert CCCD not in body and "001090099999" not in body and "Nguyễn Văn An" not in body
    assert not PersonalDataAccess.objects.exists()


def test_an_administrator_with_the_admins_permissions_opens_no_agents_in_the_admin(client, district, agent):
    from agents.models import Agent, AgentKind

    other_district = district.parent.children.get(code="002")
    Agent.objects.create(name="Đại lý huyện khác", kind=AgentKind.COMMUNE, unit=other_district.children.get())
    client.force_login(_staff_with_view(other_district, "view_agent"))
    assert client.get("/quan-tri/units/agent/").status_code == 403
    assert client.get(f"/quan-tri/units/agent/{agent.pk}/change/").status_code == 403
