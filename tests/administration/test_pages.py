"""The management pages (/quan-ly/): open to administrators of a unit, in Vietnamese, in the portal's
layout; refused to every other role; reached from the menu and the home page."""

import pytest
from django.urls import reverse

from agents.models import Agent, AgentKind, Collector
from units.models import Role
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def page_urls(world) -> list[str]:
    agent = Agent.objects.create(name="Bưu điện huyện 1", kind=AgentKind.POST_OFFICE, unit=world.my_district)
    collector = Collector.objects.create(agent=agent, full_name="Nguyễn Văn Thu")
    member = make_member(world.my_commune, Role.COMMUNE_OFFICIAL, username="canbo.xa")
    return [
        reverse("administration:index"),
        reverse("administration:user_list"),
        reverse("administration:user_create"),
        reverse("administration:user_detail", args=[member.pk]),
        reverse("administration:unit_list"),
        reverse("administration:unit_list") + "?q=xa&ket_thuc=1",
        reverse("administration:unit_detail", args=[world.my_district.pk]),
        reverse("administration:unit_detail", args=[world.mine.pk]),
        reverse("administration:unit_add_child", args=[world.my_district.pk]),
        reverse("administration:unit_end", args=[world.my_commune.pk]),
        reverse("administration:unit_import"),
        reverse("administration:agent_list"),
        reverse("administration:agent_create"),
        reverse("administration:agent_detail", args=[agent.pk]),
        reverse("administration:collector_create", args=[agent.pk]),
        reverse("administration:collector_detail", args=[agent.pk, collector.pk]),
        reverse("administration:reference_data"),
    ]


def test_an_administrator_of_a_province_opens_every_management_page(admin_client, world):
    for url in page_urls(world):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="vi">' in html and 'class="topbar"' in html, url  # the portal's base layout
        assert "Tỉnh Bên Kia" not in html, url


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.LEADER, Role.COLLECTION_AGENT])
def test_other_roles_are_refused_on_every_management_page(client, world, role):
    urls = page_urls(world)
    unit = world.my_commune if role == Role.COMMUNE_OFFICIAL else world.mine
    client.force_login(make_member(unit, role, is_staff=True))
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, {"name": "x", "username": "x", "active": "0"}).status_code in (403, 404), url


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("administration:user_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_superuser_opens_them_too(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("administration:unit_list")).status_code == 200


def test_the_menu_and_the_home_page_lead_administrators_to_the_portal_pages_not_the_admin(admin_client):
    html = admin_client.get("/").content.decode()
    menu = html[html.index('<nav class="menu"'):html.index("</nav>", html.index('<nav class="menu"'))]
    assert '<a href="/quan-ly/">Tài khoản, đơn vị, đại lý thu</a>' in menu and "/quan-tri/" not in menu
    assert 'href="/quan-ly/nguoi-dung/"' in html and "/quan-tri/" not in html


def test_other_roles_see_no_management_entry(client, world):
    client.force_login(make_member(world.my_commune, Role.BHXH_STAFF, is_staff=True))
    html = client.get("/").content.decode()
    assert "/quan-ly/" not in html and "/quan-tri/" not in html


@pytest.mark.parametrize("data", [
    {},
    {"name": "x" * 500, "code": "x" * 50, "valid_from": "31/02/2025", "valid_to": "01/01/1900", "level": "abc",
     "unit": "abc", "communes": ["abc"], "role": "vua", "username": "a b", "email": "không-phải-thư",
     "password1": "1", "password2": "2", "user": "-1", "active": "x", "action": "confirm", "token": "x"},
    {"name": "Tên", "code": "C1", "valid_from": "01/07/2025", "valid_to": "30/06/2025", "kind": "post_office",
     "full_name": "Tên", "valid_to_only": "1"},
])
def test_bad_input_on_any_page_is_answered_in_vietnamese_never_with_a_500(admin_client, world, data):
    for url in page_urls(world):
        response = admin_client.post(url, data)
        assert response.status_code < 500, url
