"""Signing in and out, changing the password, the Vietnamese locale and figures, the menu by role."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.utils import timezone

from portal.navigation import MENU, menu_for
from units.models import Role
from tests.factories import UserFactory, make_member, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="canbo.thu", first_name="Lê Thị Hoa")


def menu_links(html: str) -> str:
    start = html.index('<nav class="menu"')
    return html[start:html.index("</nav>", start)]


# --- signing in and out ------------------------------------------------------------------------

def test_login_page_is_in_vietnamese(client):
    response = client.get("/dang-nhap/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html


def test_wrong_password_shows_a_vietnamese_error_and_does_not_sign_in(client, user):
    response = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai-mat-khau"})

    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng. Xin nhập lại." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_goes_home(client, user):
    response = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "mat-khau-thu"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert "Xin chào, Lê Thị Hoa" in home.content.decode()


def test_login_returns_to_the_page_asked_for(client, user):
    response = client.post("/dang-nhap/?next=/don-vi/",
                           {"username": "canbo.thu", "password": "mat-khau-thu", "next": "/don-vi/"})
    assert response["Location"] == "/don-vi/"


def test_logout_is_a_post_and_ends_the_session(client, user):
    client.force_login(user)
    page = client.get("/dang-xuat/")  # a link cannot sign anyone out: it offers the button
    assert page.status_code == 200
    assert '<form method="post" action="/dang-xuat/"' in page.content.decode()
    assert client.get("/").status_code == 200

    response = client.post("/dang-xuat/")

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    assert client.get("/").status_code == 302


def test_every_page_offers_logout_as_a_form(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<form method="post" action="/dang-xuat/"' in html
    assert "Đăng xuất</button>" in html
    assert "js/confirm.js" in html


def test_password_change(client, user):
    client.force_login(user)
    page = client.get("/doi-mat-khau/")
    assert page.status_code == 200
    assert "<h1>Đổi mật khẩu</h1>" in page.content.decode()

    response = client.post("/doi-mat-khau/", {
        "old_password": "mat-khau-thu", "new_password1": "Vung-tau-2025!", "new_password2": "Vung-tau-2025!",
    })

    assert response.status_code == 302
    assert response["Location"] == "/doi-mat-khau/xong/"
    assert "Mật khẩu của bạn đã được thay đổi." in client.get(response["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Vung-tau-2025!")
    assert client.get("/").status_code == 200  # still signed in after the change


def test_password_change_refuses_a_wrong_old_password_in_vietnamese(client, user):
    client.force_login(user)

    response = client.post("/doi-mat-khau/", {
        "old_password": "khong-dung", "new_password1": "Vung-tau-2025!", "new_password2": "Vung-tau-2025!",
    })

    assert response.status_code == 200
    assert "Mật khẩu cũ không chính xác. Hãy nhập lại lần nữa" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("mat-khau-thu")


def test_password_change_refuses_a_weak_password_in_vietnamese(client, user):
    client.force_login(user)

    response = client.post("/doi-mat-khau/", {
        "old_password": "mat-khau-thu", "new_password1": "12345678", "new_password2": "12345678",
    })

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số.",
    ]
    assert "<li>Mật khẩu này quá phổ biến.</li>" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("mat-khau-thu")


def test_password_change_needs_a_signed_in_user(client):
    response = client.get("/doi-mat-khau/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/doi-mat-khau/"


# --- locale, time zone, figures and dates ------------------------------------------------------

def test_vietnamese_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ


def test_times_are_shown_in_vietnam_time():
    utc = datetime.datetime(2021, 3, 18, 20, 30, tzinfo=datetime.UTC)
    assert timezone.localtime(utc).strftime("%d/%m/%Y %H:%M") == "19/03/2021 03:30"
    rendered = Template('{{ t|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"t": utc}))
    assert rendered == "19/03/2021 03:30"


@pytest.mark.parametrize(("template", "value", "expected"), [
    ("{{ v|so }}", 148806, "148.806"),
    ("{{ v|so }}", Decimal("-75"), "-75"),
    ("{{ v|so:2 }}", Fraction(132600 * 100, 148806), "89,11"),
    ("{{ v|so_bang }}", -75, "(75)"),
    ("{{ v|so_bang }}", 8766, "8.766"),
    ("{{ v|phan_tram }}", Fraction(132600 * 100, 148806), "89,11%"),
    ("{{ v|phan_tram }}", Decimal("89.105"), "89,11%"),
    ("{{ v|so }}", None, ""),
])
def test_number_filters_render_vietnamese_figures(template, value, expected):
    assert Template(template).render(Context({"v": value})) == expected


@pytest.mark.parametrize(("fmt", "expected"), [
    ('"SHORT_DATE_FORMAT"', "19/03/2021"),
    ('"DATE_FORMAT"', "19/03/2021"),
    ('"d/m/Y"', "19/03/2021"),
])
def test_dates_render_as_dd_mm_yyyy(fmt, expected):
    assert Template("{{ d|date:" + fmt + " }}").render(Context({"d": datetime.date(2021, 3, 19)})) == expected


def test_a_date_on_a_unit_page_is_dd_mm_yyyy(client):
    province = make_unit("Tỉnh Vĩnh Long", level_code="tinh", code="86", valid_from=datetime.date(2025, 7, 1))
    client.force_login(UserFactory(is_superuser=True))
    assert "từ 01/07/2025" in client.get(f"/don-vi/{province.pk}/").content.decode()


# --- the menu, by role -------------------------------------------------------------------------

def test_the_menu_comes_from_navigation_and_marks_the_current_page(client, user):
    make_member(make_unit(level_code="tinh"), Role.COMMUNE_OFFICIAL, username="canbo.menu")
    client.force_login(get_user_model().objects.get(username="canbo.menu"))

    html = menu_links(client.get("/don-vi/").content.decode())

    assert '<a href="/">Trang chủ</a>' in html
    assert '<a href="/don-vi/" class="active" aria-current="page">Đơn vị</a>' in html
    assert "Quản trị" not in html and "/quan-tri/" not in html


def test_superusers_see_the_admin_link_and_staff_and_others_do_not(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    staff = UserFactory(is_staff=True)
    official = UserFactory()

    assert menu_for(superuser, "/")[-1] == {"label": "Quản trị", "url": "/quan-tri/", "active": False,
                                            "section": "manage"}
    assert "Quản trị" not in [entry["label"] for entry in menu_for(staff, "/")]
    assert "Quản trị" not in [entry["label"] for entry in menu_for(official, "/")]
    client.force_login(superuser)
    assert '<a href="/quan-tri/">Quản trị</a>' in menu_links(client.get("/").content.decode())
    client.force_login(staff)
    assert "/quan-tri/" not in menu_links(client.get("/").content.decode())


def test_menu_entries_limited_to_an_action_show_only_to_those_who_may_do_it(monkeypatch):
    from portal import navigation

    monkeypatch.setattr(navigation, "MENU", [
        *MENU, navigation.MenuEntry("Chỉ BHXH", "home", "participants.import"),
    ])
    province = make_unit(level_code="tinh")
    staff = make_member(province, Role.BHXH_STAFF)
    official = make_member(province, Role.COMMUNE_OFFICIAL)

    assert "Chỉ BHXH" in [e["label"] for e in navigation.menu_for(staff, "/")]
    assert "Chỉ BHXH" not in [e["label"] for e in navigation.menu_for(official, "/")]
    assert "Chỉ BHXH" in [e["label"] for e in navigation.menu_for(UserFactory(is_superuser=True), "/")]


def test_anonymous_visitors_get_no_menu(client):
    from django.contrib.auth.models import AnonymousUser

    assert menu_for(AnonymousUser()) == []
    assert '<nav class="menu"' not in client.get("/dang-nhap/").content.decode()


def test_the_header_names_the_user_and_their_roles(client):
    official = make_member(make_unit(level_code="tinh"), Role.COMMUNE_OFFICIAL, first_name="Trần Văn Minh")
    client.force_login(official)
    assert "Trần Văn Minh · Cán bộ xã" in client.get("/").content.decode()


def test_the_menu_groups_entries_in_sections_and_highlights_the_page_s_section(client):
    """A leader's menu fits one row as a few dropdowns; the grid and the dashboard mark 'Kết quả',
    not 'Đơn vị' (their addresses start with /don-vi/), a target page marks 'Đơn vị & chỉ tiêu'."""
    from portal import navigation

    district = make_unit(level_code="huyen", parent=make_unit(level_code="tinh"))
    leader = make_member(district, Role.LEADER)
    client.force_login(leader)
    html = menu_links(client.get(f"/don-vi/{district.pk}/tong-quan/").content.decode())
    assert '<details class="section active" name="menu"><summary>Kết quả</summary>' in html
    assert '<details class="section" name="menu"><summary>Đơn vị &amp; chỉ tiêu</summary>' in html
    assert 'class="active" aria-current="page">Đơn vị</a>' not in html
    assert "<script" not in html and "onclick" not in html  # CSP: no inline script
    grid = menu_links(client.get(f"/don-vi/{district.pk}/ket-qua/2023-06/").content.decode())
    assert '<details class="section active" name="menu"><summary>Kết quả</summary>' in grid
    targets = menu_links(client.get("/don-vi/chi-tieu/").content.decode())
    assert '<details class="section active" name="menu"><summary>Đơn vị &amp; chỉ tiêu</summary>' in targets
    assert 'class="active" aria-current="page">Chỉ tiêu</a>' in targets
    sections = navigation.menu_sections(navigation.menu_for(leader, "/", "home"), "home")
    assert [s["label"] for s in sections] == ["Trang chủ", "Đơn vị & chỉ tiêu", "Kết quả", "Vận động",
                                              "Kế hoạch & báo cáo", "Quản lý"]
    assert sections[0]["active"] and [e["label"] for e in sections[-1]["entries"]] == ["Thông báo"]
    assert {e.section for e in navigation.MENU} <= {s.key for s in navigation.SECTIONS}
