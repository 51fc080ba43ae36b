"""The unit browser over HTTP: who may open which page, the HTMX tree, the search."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from units import services
from units.models import Role, Unit
from tests.factories import UserFactory, level, make_member, make_unit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree():
    t = SimpleNamespace()
    t.province = make_unit("Tỉnh Thừa Thiên Huế", level_code="tinh", code="46")
    t.district = make_unit("Thị xã Hương Trà", level_code="huyen", parent=t.province, code="479")
    t.commune = make_unit("Xã Hải Dương", level_code="xa", parent=t.district, code="19996")
    t.villages = [
        make_unit("Thôn Vĩnh Trị", level_code="thon", parent=t.commune, code="HD-VT"),
        make_unit("Thôn Thai Dương Thượng Tây", level_code="thon", parent=t.commune, code="HD-TDTT"),
    ]
    t.other_commune = make_unit("Xã Hải Lâm", level_code="xa", parent=t.district, code="19999")
    t.other_village = make_unit("Thôn Hải Lâm Một", level_code="thon", parent=t.other_commune, code="HL-1")
    t.other_district = make_unit("Huyện Hải Lăng", level_code="huyen", parent=t.province, code="471")
    t.far_commune = make_unit("Xã Hải Dương Nam", level_code="xa", parent=t.other_district, code="19301")
    t.other_province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    return t


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def official_client(client, tree):
    return login(client, make_member(tree.commune, Role.COMMUNE_OFFICIAL, username="canbo.haiduong"))


def page(response) -> str:
    return response.content.decode()


# --- a commune official stays in their commune --------------------------------------------------

@pytest.mark.parametrize("url", ["/don-vi/{pk}/", "/don-vi/{pk}/cap-duoi/"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_commune_official_cannot_open_another_communes_page(official_client, tree, url, htmx):
    response = official_client.get(url.format(pk=tree.other_commune.pk), **(HTMX if htmx else {}))

    assert response.status_code == 404
    html = page(response)
    for secret in ("Hải Lâm", "19999", "HL-1"):
        assert secret not in html


def test_commune_official_gets_the_same_404_for_a_unit_that_does_not_exist(official_client, tree):
    hidden = official_client.get(f"/don-vi/{tree.other_commune.pk}/")
    missing = official_client.get("/don-vi/987654/")
    assert hidden.status_code == missing.status_code == 404
    # the CSRF token differs per response; everything else must be identical
    token = re.compile(r'X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", page(hidden)) == token.sub("", page(missing))


def test_commune_official_sees_their_commune_and_its_villages(official_client, tree):
    response = official_client.get(f"/don-vi/{tree.commune.pk}/")

    assert response.status_code == 200
    html = page(response)
    assert "<h1>Xã Hải Dương</h1>" in html
    assert "Thôn Vĩnh Trị" in html and "Thôn Thai Dương Thượng Tây" in html
    assert "Đơn vị cấp dưới (2)" in html
    assert "Gồm</dt><dd>2 thôn</dd>" in html
    assert "Hải Lâm" not in html

    village = official_client.get(f"/don-vi/{tree.villages[0].pk}/")
    assert village.status_code == 200
    assert "<h1>Thôn Vĩnh Trị</h1>" in page(village)


def test_commune_official_cannot_open_the_district_or_province_page(official_client, tree):
    for unit in (tree.district, tree.province):
        response = official_client.get(f"/don-vi/{unit.pk}/")
        assert response.status_code == 404
    # the own commune names its district, but does not link to it
    html = page(official_client.get(f"/don-vi/{tree.commune.pk}/"))
    assert "<dt>Đơn vị cấp trên</dt><dd>Thị xã Hương Trà</dd>" in html
    assert f"/don-vi/{tree.district.pk}/" not in html


def test_breadcrumbs_show_only_what_the_user_may_open(official_client, tree):
    html = page(official_client.get(f"/don-vi/{tree.villages[0].pk}/"))
    crumbs = html[html.index('<nav class="breadcrumbs"'):html.index("</nav>", html.index('<nav class="breadcrumbs"'))]

    assert f'<a href="/don-vi/{tree.commune.pk}/">Xã Hải Dương</a>' in crumbs
    assert '<span aria-current="page">Thôn Vĩnh Trị</span>' in crumbs
    assert "Hương Trà" not in crumbs and "Thừa Thiên Huế" not in crumbs


def test_the_tree_of_a_commune_official_starts_at_their_commune(official_client, tree):
    html = page(official_client.get("/don-vi/"))

    assert f'hx-get="/don-vi/{tree.commune.pk}/cap-duoi/"' in html
    assert "2 đơn vị cấp dưới" in html
    assert "Hương Trà" not in html and "Hải Lâm" not in html and "Trà Vinh" not in html


def test_the_tree_opens_one_level_at_a_time_with_htmx(client, tree):
    login(client, make_member(tree.province, Role.BHXH_STAFF))

    response = client.get(f"/don-vi/{tree.district.pk}/cap-duoi/", **HTMX)

    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    # both communes have villages: each is a node that loads its own children when opened
    assert f'hx-get="/don-vi/{tree.commune.pk}/cap-duoi/"' in html
    assert f'hx-get="/don-vi/{tree.other_commune.pk}/cap-duoi/"' in html
    assert html.index("Xã Hải Dương") < html.index("Xã Hải Lâm")  # by code
    leaves = page(client.get(f"/don-vi/{tree.commune.pk}/cap-duoi/", **HTMX))
    assert "Thôn Vĩnh Trị" in leaves and "hx-get" not in leaves


def test_the_children_fragment_outside_htmx_goes_to_the_unit_page(official_client, tree):
    response = official_client.get(f"/don-vi/{tree.commune.pk}/cap-duoi/")
    assert response.status_code == 302
    assert response["Location"] == f"/don-vi/{tree.commune.pk}/"


# --- wider roles -------------------------------------------------------------------------------

def test_district_staff_sees_all_communes_of_the_district(client, tree):
    login(client, make_member(tree.district, Role.BHXH_STAFF))

    for unit in (tree.commune, tree.other_commune, tree.other_village):
        assert client.get(f"/don-vi/{unit.pk}/").status_code == 200
    assert client.get(f"/don-vi/{tree.far_commune.pk}/").status_code == 404
    assert client.get(f"/don-vi/{tree.province.pk}/").status_code == 404
    html = page(client.get(f"/don-vi/{tree.district.pk}/"))
    assert "Xã Hải Dương" in html and "Xã Hải Lâm" in html and "Hải Dương Nam" not in html
    assert "Gồm</dt><dd>2 xã, 3 thôn</dd>" in html


def test_superuser_sees_every_province(client, tree):
    login(client, UserFactory(is_superuser=True, is_staff=True))

    html = page(client.get("/don-vi/"))

    assert "Tỉnh Thừa Thiên Huế" in html and "Tỉnh Trà Vinh" in html
    assert client.get(f"/don-vi/{tree.far_commune.pk}/").status_code == 200


@pytest.mark.parametrize("url", ["/don-vi/", "/don-vi/{pk}/", "/don-vi/{pk}/cap-duoi/", "/"])
def test_anonymous_visitor_is_sent_to_login(client, tree, url):
    target = url.format(pk=tree.commune.pk)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={target}"


def test_a_merged_unit_links_only_the_predecessors_the_user_may_open(client, tree):
    import datetime

    merged = services.unit_merge(predecessors=[tree.commune, tree.far_commune], code="19996", name="Xã Hải Dương",
                                 level=level("xa"), parent=tree.province, effective=datetime.date(2025, 7, 1))
    login(client, make_member(merged, Role.COMMUNE_OFFICIAL))

    html = page(client.get(f"/don-vi/{merged.pk}/"))

    assert "Sáp nhập từ" in html
    assert "Xã Hải Dương Nam (19301)" in html
    assert f"/don-vi/{tree.far_commune.pk}/" not in html and f"/don-vi/{tree.commune.pk}/" not in html
    assert "Thôn Vĩnh Trị" in html  # the villages moved to the new commune
    assert "từ 01/07/2025" in html


# --- search ------------------------------------------------------------------------------------

def test_search_without_accents_finds_only_visible_units(client, tree):
    login(client, make_member(tree.district, Role.BHXH_STAFF))

    response = client.get("/don-vi/", {"q": "hai duong"})

    html = page(response)
    assert response.status_code == 200
    assert "Xã Hải Dương" in html
    assert "Hải Dương Nam" not in html  # in the other district
    assert "Hải Lâm" not in html
    assert [u.name for u in response.context["results"]] == ["Xã Hải Dương"]


def test_search_for_a_commune_official_never_leaves_the_commune(official_client, tree):
    response = official_client.get("/don-vi/", {"q": "Hải"})
    assert [u.name for u in response.context["results"]] == ["Xã Hải Dương"]
    response = official_client.get("/don-vi/", {"q": "thon"})
    assert sorted(u.name for u in response.context["results"]) == ["Thôn Thai Dương Thượng Tây", "Thôn Vĩnh Trị"]


def test_search_by_code_and_by_accented_words(client, tree):
    login(client, UserFactory(is_superuser=True))
    assert [u.code for u in client.get("/don-vi/", {"q": "19996"}).context["results"]] == ["19996"]
    assert [u.code for u in client.get("/don-vi/", {"q": "HẢI DƯƠNG"}).context["results"]] == ["19301", "19996"]
    assert [u.name for u in client.get("/don-vi/", {"q": "vinh tri"}).context["results"]] == ["Thôn Vĩnh Trị"]
    # words match at the start of a word: 'hai' is not the end of 'Thai'
    assert "Thôn Thai Dương Thượng Tây" not in [u.name for u in client.get("/don-vi/", {"q": "hai"}).context["results"]]
    assert [u.name for u in client.get("/don-vi/", {"q": "thai"}).context["results"]] == ["Thôn Thai Dương Thượng Tây"]
    empty = client.get("/don-vi/", {"q": "không có đơn vị này"})
    assert "Không tìm thấy đơn vị nào." in page(empty)


def test_search_over_htmx_returns_only_the_results_fragment(official_client, tree):
    response = official_client.get("/don-vi/", {"q": "hai duong"}, **HTMX)

    html = page(response)
    assert "<html" not in html and "<table" in html
    assert "Xã Hải Dương" in html
    assert "Kết quả tìm “hai duong”: 1 đơn vị." in html


def test_clearing_the_search_over_htmx_returns_the_tree_fragment(official_client, tree):
    response = official_client.get("/don-vi/", {"q": ""}, **HTMX)

    html = page(response)
    assert "<html" not in html
    assert f'hx-get="/don-vi/{tree.commune.pk}/cap-duoi/"' in html


def test_a_history_restore_gets_the_whole_page(official_client, tree):
    response = official_client.get("/don-vi/", {"q": "hai"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in page(response)


# --- the pages stay light ----------------------------------------------------------------------

def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **extra).status_code == 200
    return len(captured)


def test_unit_page_and_children_take_the_same_queries_whatever_the_number_of_villages(client, tree):
    login(client, make_member(tree.district, Role.BHXH_STAFF))
    small = (_queries(client, f"/don-vi/{tree.other_commune.pk}/"),
             _queries(client, f"/don-vi/{tree.other_commune.pk}/cap-duoi/", **HTMX))
    for i in range(12):
        make_unit(f"Thôn thêm {i}", level_code="thon", parent=tree.other_commune)
    large = (_queries(client, f"/don-vi/{tree.other_commune.pk}/"),
             _queries(client, f"/don-vi/{tree.other_commune.pk}/cap-duoi/", **HTMX))
    assert small == large
    assert Unit.objects.filter(parent=tree.other_commune).count() == 13


# --- every page that takes a unit id ------------------------------------------------------------

def _unit_pages():
    """Every route of the targets app that takes a unit id (`pk`), with sample values for the rest."""
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["targets"][1]
    samples = {"year": 2025, "indicator": "bhyt", "fmt": "xlsx", "kind": "chi-tieu"}
    for pattern in resolver.url_patterns:
        converters = getattr(pattern.pattern, "converters", {})
        if "pk" in converters:
            yield pattern.name, {name: samples.get(name, 0) for name in converters if name != "pk"}


@pytest.mark.parametrize(("name", "kwargs"), list(_unit_pages()), ids=[n for n, _ in _unit_pages()])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_unit_page_answers_not_found_for_a_unit_outside_the_users_tree(official_client, tree, name, kwargs,
                                                                              method):
    from django.urls import reverse

    url = reverse(f"targets:{name}", kwargs={"pk": tree.other_commune.pk, **kwargs})

    response = getattr(official_client, method)(url, **HTMX)

    assert response.status_code in (404, 405), url  # 405: the page takes only the other method
    html = page(response)
    assert "Hải Lâm" not in html and "19999" not in html
