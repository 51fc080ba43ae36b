"""Collection records (receipts) and the agent page: collections per month against the agent's target."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agents.importers import ParticipantImport
from agents.models import Agent, AgentKind, Collection, Collector, Enrolment, Participant, Product
from agents.services import collection_record
from targets.models import Indicator, Target
from units.models import Role
from tests.agents.test_import_participants import person, xlsx
from tests.factories import make_member

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(district, staff, agent):
    """Two BHXH TN participants of Xã 1 (one new, one renewing) and one of Xã 2."""
    rows = [
        person(code="0100000001", cccd=None, name="Người Một") + ["Mới"],
        person(code="0100000002", cccd=None, name="Người Hai", start="01/10/2021") + ["Tái tục"],
        person(code="0100000003", cccd=None, name="Người Ba", commune="00002", village="X2-T1") + ["Mới"],
    ]
    headers = ["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn", "Loại hình",
               "Từ ngày", "Mức thu nhập", "Phương thức đóng", "Số tiền", "Mới/Tái tục"]
    outcome = ParticipantImport(user=staff, scope=district, dry_run=False).run(xlsx(rows, headers=headers),
                                                                                filename="ds.xlsx")[0]
    assert outcome.new == 3
    return {p.bhxh_code: p for p in Participant.objects.all()}


@pytest.fixture
def collector_user(agent):
    user = make_member(agent.unit, Role.COLLECTION_AGENT)
    Collector.objects.create(agent=agent, full_name="Phạm Văn Tâm", user=user)
    return user


def record(agent, participant, by, number="BL-001", amount=138_600, months=1, on=D(2021, 9, 5)):
    return collection_record(agent=agent, participant=participant, product=Product.objects.get(code="bhxh_tn"),
                             receipt_number=number, collected_on=on, months=months, amount=amount, by=by)


def test_a_receipt_keeps_the_amount_and_the_amount_the_rules_give(agent, registry, collector_user):
    recorded = record(agent, registry["0100000001"], collector_user, months=3, amount=415_800)
    collection = recorded.collection
    assert (collection.amount, collection.expected_amount, recorded.warning) == (415_800, 415_800, "")
    assert collection.enrolment == Enrolment.objects.get(participant=registry["0100000001"])
    assert collection.history.get().history_user == collector_user


def test_a_receipt_for_a_different_amount_is_kept_with_a_warning(agent, registry, collector_user):
    recorded = record(agent, registry["0100000001"], collector_user, amount=154_000)
    assert recorded.collection.amount == 154_000
    assert "khác số phải đóng theo quy định 138.600 đ" in recorded.warning


def test_receipt_number_is_unique_per_agent(agent, registry, collector_user, district):
    record(agent, registry["0100000001"], collector_user)
    with pytest.raises(ValidationError, match="đã được dùng"):
        record(agent, registry["0100000001"], collector_user, amount=100_000)  # another receipt, same number
    other = Agent.objects.create(name="Hội Phụ nữ xã 1", kind=AgentKind.WOMENS_UNION, unit=agent.unit)
    record(other, registry["0100000001"], make_member(district, Role.BHXH_STAFF))  # same number, other agent
    assert Collection.objects.filter(receipt_number="BL-001").count() == 2


def test_a_commune_official_cannot_record_collections(agent, registry):
    official = make_member(agent.unit, Role.COMMUNE_OFFICIAL)
    with pytest.raises(PermissionDenied):
        record(agent, registry["0100000001"], official)
    assert Collection.objects.count() == 0


def test_an_agent_collects_only_in_the_communes_it_serves(agent, registry, district):
    staff = make_member(district, Role.BHXH_STAFF)
    with pytest.raises(ValidationError, match="ngoài địa bàn"):
        record(agent, registry["0100000003"], staff)  # Xã 2; the agent belongs to Xã 1
    agent.communes.add(registry["0100000003"].commune)
    record(agent, registry["0100000003"], staff)


def test_collection_page_records_a_receipt(client, agent, registry, collector_user):
    client.force_login(collector_user)
    response = client.post(f"/dai-ly/{agent.pk}/thu-tien/", {
        "participant_code": "0100000001", "product": Product.objects.get(code="bhxh_tn").pk,
        "receipt_number": "BL-077", "collected_on": "05/09/2021", "months": "3", "amount": "415.800",
        "collector": agent.collectors.get().pk})
    assert response.status_code == 302
    collection = Collection.objects.get()
    assert (collection.receipt_number, collection.amount, collection.collector.full_name) == (
        "BL-077", 415_800, "Phạm Văn Tâm")


def test_collection_page_refuses_a_participant_outside_the_users_scope(client, agent, registry, collector_user):
    client.force_login(collector_user)
    response = client.post(f"/dai-ly/{agent.pk}/thu-tien/", {
        "participant_code": "0100000003", "product": Product.objects.get(code="bhxh_tn").pk,
        "receipt_number": "BL-078", "collected_on": "05/09/2021", "months": "1", "amount": "138600"})
    assert response.status_code == 200
    assert "trong phạm vi của bạn" in response.content.decode()
    assert Collection.objects.count() == 0


def test_commune_official_cannot_open_the_collection_page(client, agent):
    client.force_login(make_member(agent.unit, Role.COMMUNE_OFFICIAL))
    assert client.get(f"/dai-ly/{agent.pk}/thu-tien/").status_code == 403


def test_an_agent_of_another_district_is_not_found(client, agent, district):
    outsider = make_member(district.parent.children.get(code="002"), Role.COLLECTION_AGENT)
    client.force_login(outsider)
    assert client.get(f"/dai-ly/{agent.pk}/").status_code == 404
    assert client.get(f"/dai-ly/{agent.pk}/thu-tien/").status_code == 404
    assert agent.name not in client.get("/dai-ly/").content.decode()


def test_agent_page_shows_collections_per_month_against_the_target(client, agent, registry, collector_user):
    Target.objects.create(unit=agent.unit, agent=agent, indicator=Indicator.objects.get(code="bhxh_tn_moi"),
                          period_type="year", year=2021, period_number=1, kind="giao", entered_as="count", count=10)
    record(agent, registry["0100000001"], collector_user, number="BL-1", on=D(2021, 9, 5))
    record(agent, registry["0100000002"], collector_user, number="BL-2", on=D(2021, 10, 2))  # renewing
    record(agent, registry["0100000001"], collector_user, number="BL-3", on=D(2021, 10, 6))  # same person again

    from agents.selectors import agent_year

    sheet = agent_year(agent=agent, year=2021)
    assert sheet.targets == {"bhxh_tn_moi": 10}
    september, october = sheet.months[8], sheet.months[9]
    assert (september.receipts, september.amount) == (1, 138_600)
    assert (october.receipts, october.amount) == (2, 277_200)
    assert september.people == {"bhxh_tn": 1, "bhxh_tn_moi": 1}
    assert october.people == {"bhxh_tn": 2, "bhxh_tn_moi": 1}
    assert october.cumulative == {"bhxh_tn_moi": 1, "bhxh_tn": 2}   # the new one counts once in the year
    assert sheet.achieved_pct("bhxh_tn_moi") == 10.0

    client.force_login(collector_user)
    html = client.get(f"/dai-ly/{agent.pk}/?nam=2021").content.decode()
    assert "chỉ tiêu 10" in html and "10,00%" in html and "277.200" in html


def test_agent_page_defaults_to_the_latest_year_with_receipts(client, agent, registry, collector_user):
    record(agent, registry["0100000001"], collector_user)
    client.force_login(collector_user)
    assert "năm 2021" in client.get(f"/dai-ly/{agent.pk}/").content.decode()
