"""Collection agents and their collectors, managed inside the subtree."""

import pytest
from django.urls import reverse

from agents.models import Agent, AgentKind, Collector
from units.models import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def state():
    return (sorted(Agent.objects.values_list("pk", "name", "unit_id", "kind", "code", "is_active")),
            sorted(Agent.communes.through.objects.values_list("agent_id", "unit_id")),
            sorted(Collector.objects.values_list("pk", "agent_id", "full_name", "user_id", "is_active")))


@pytest.fixture
def agents(world):
    mine = Agent.objects.create(name="Bưu điện huyện 1", kind=AgentKind.POST_OFFICE, unit=world.my_district)
    theirs = Agent.objects.create(name="Bưu điện Bên Kia", kind=AgentKind.POST_OFFICE, unit=world.their_district)
    return mine, theirs


def test_the_list_shows_the_agents_of_the_subtree_only(admin_client, agents):
    html = admin_client.get(reverse("administration:agent_list")).content.decode()
    assert "Bưu điện huyện 1" in html and "Bên Kia" not in html


def test_an_administrator_creates_edits_and_deactivates_an_agent(admin_client, world):
    response = admin_client.post(reverse("administration:agent_create"), {
        "name": "Hội Phụ nữ xã 1.1", "kind": AgentKind.WOMENS_UNION, "code": "HPN11", "unit": world.my_district.pk,
        "communes": [world.my_commune.pk]})
    agent = Agent.objects.get(code="HPN11")
    assert response.status_code == 302 and agent.unit == world.my_district
    assert list(agent.communes.all()) == [world.my_commune]
    url = reverse("administration:agent_detail", args=[agent.pk])
    assert admin_client.post(url, {"name": "Hội Phụ nữ xã 1.1 (mới)", "kind": AgentKind.WOMENS_UNION, "code": "HPN11",
                                   "unit": world.my_district.pk, "is_active": "on"}).status_code == 302
    agent.refresh_from_db()
    assert agent.name == "Hội Phụ nữ xã 1.1 (mới)" and not agent.communes.exists()
    assert agent.history.first().history_user == world.admin
    assert admin_client.post(reverse("administration:agent_set_active", args=[agent.pk]),
                             {"active": "0"}).status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active


def test_an_agent_on_a_unit_or_commune_of_another_province_is_refused(admin_client, world, agents):
    before = state()
    for data in [{"unit": world.their_district.pk}, {"unit": world.my_district.pk, "communes": [world.their_commune.pk]}]:
        response = admin_client.post(reverse("administration:agent_create"),
                                     {"name": "Đại lý lạc", "kind": AgentKind.OTHER, **data})
        assert response.status_code == 200 and "không thuộc phạm vi quản lý của bạn" in response.content.decode()
        assert "Bên Kia" not in response.content.decode()
    mine, _ = agents
    moved = admin_client.post(reverse("administration:agent_detail", args=[mine.pk]), {
        "name": mine.name, "kind": mine.kind, "unit": world.their_district.pk, "is_active": "on"})
    assert moved.status_code == 200
    assert state() == before


def test_a_commune_outside_the_agents_unit_is_explained(admin_client, world):
    other_district = world.mine.children.exclude(pk=world.my_district.pk).get()
    their_commune = other_district.children.first()
    response = admin_client.post(reverse("administration:agent_create"), {
        "name": "Đại lý huyện 1", "kind": AgentKind.OTHER, "unit": world.my_district.pk, "communes": [their_commune.pk]})
    assert response.status_code == 200 and f"{their_commune.name} không thuộc {world.my_district.name}" in (
        response.content.decode())
    assert not Agent.objects.filter(name="Đại lý huyện 1").exists()


def test_an_agent_of_another_province_is_not_found_and_left_alone(admin_client, world, agents):
    _, theirs = agents
    collector = Collector.objects.create(agent=theirs, full_name="Người Bên Kia")
    before = state()
    for method, url, data in [
        ("get", reverse("administration:agent_detail", args=[theirs.pk]), {}),
        ("post", reverse("administration:agent_detail", args=[theirs.pk]),
         {"name": "Sửa", "kind": AgentKind.OTHER, "unit": world.my_district.pk, "is_active": "on"}),
        ("post", reverse("administration:agent_set_active", args=[theirs.pk]), {"active": "0"}),
        ("get", reverse("administration:collector_create", args=[theirs.pk]), {}),
        ("post", reverse("administration:collector_create", args=[theirs.pk]), {"full_name": "Thêm", "is_active": "on"}),
        ("post", reverse("administration:collector_detail", args=[theirs.pk, collector.pk]),
         {"full_name": "Sửa", "is_active": "on"}),
    ]:
        response = getattr(admin_client, method)(url, data)
        assert response.status_code == 404, url
        assert "Bên Kia" not in response.content.decode()
    assert state() == before


def test_collectors_are_added_edited_and_linked_to_accounts_of_the_subtree_only(admin_client, world, agents):
    mine, theirs = agents
    my_user = make_member(world.my_commune, Role.COLLECTION_AGENT, username="thu.cuatoi")
    their_user = make_member(world.their_commune, Role.COLLECTION_AGENT, username="thu.benkia")
    url = reverse("administration:collector_create", args=[mine.pk])
    refused = admin_client.post(url, {"full_name": "Trần Văn Thu", "user": their_user.pk, "is_active": "on"})
    assert refused.status_code == 200 and not Collector.objects.exists()
    assert "thu.benkia" not in refused.content.decode()
    assert admin_client.post(url, {"full_name": "Trần Văn Thu", "phone": "0912345678", "user": my_user.pk}).status_code == 302
    collector = Collector.objects.get()
    assert (collector.agent, collector.user, collector.is_active) == (mine, my_user, True)
    edit = reverse("administration:collector_detail", args=[mine.pk, collector.pk])
    assert admin_client.post(edit, {"full_name": "Trần Văn Thu", "phone": "", "user": ""}).status_code == 302
    collector.refresh_from_db()
    assert (collector.user, collector.is_active) == (None, False)
    # a collector reached through another agent's URL is not found
    assert admin_client.get(reverse("administration:collector_detail", args=[theirs.pk, collector.pk])).status_code == 404
