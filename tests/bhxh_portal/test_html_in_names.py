"""Unit and person names holding HTML (<script>, <img onerror>) are shown as text on every kind of page
that shows them: unit browser, tree and search, unit page, results grid, coverage page, dashboard with its
server-drawn SVG charts, participant search and page, plan preview."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from reports import charts
from targets.models import Indicator
from units.models import Role
from units.periods import Period
from results import services as results_services
from tests.factories import make_member, make_target, make_unit

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
HOSTILE_DISTRICT = f"Huyện {SCRIPT}"
HOSTILE_COMMUNE = f"Xã {IMG}"


def assert_shown_as_text(html: str, where: str = ""):
    assert "<script>alert(1)" not in html, where
    assert "<img src=x onerror" not in html, where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x onerror" in html, where


@pytest.fixture
def tree():
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit(HOSTILE_DISTRICT, level_code="huyen", parent=province, code="001")
    commune = make_unit(HOSTILE_COMMUNE, level_code="xa", parent=district, code="00001")
    make_unit(f"Thôn {SCRIPT}", level_code="thon", parent=commune, code="X1-T1")
    staff = make_member(district, Role.BHXH_STAFF)
    return province, district, commune, staff


def test_unit_browser_tree_search_and_unit_page(client, tree):
    _, district, commune, staff = tree
    client.force_login(staff)
    for url in ("/don-vi/", "/don-vi/?q=Huyện", "/don-vi/?q=Xã", "/don-vi/?q=001", f"/don-vi/{district.pk}/", f"/don-vi/{commune.pk}/",
                "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.content.decode(), url)


def test_results_grid_coverage_page_and_dashboard(client, tree):
    _, district, commune, staff = tree
    make_target(commune, "bhyt", year=2024, count=100)
    results_services.result_save(unit=commune, indicator=Indicator.objects.get(code="bhyt"),
                                 month=Period.month(2024, 5), participants=40)
    client.force_login(staff)
    for url in (f"/don-vi/{commune.pk}/ket-qua/2024-05/", f"/bao-cao/{district.pk}/?table=bhyt&period=2024-05",
                f"/don-vi/{district.pk}/tong-quan/?thang=2024-05&chi-tieu=bhyt",
                f"/don-vi/{district.pk}/chi-tieu/2024/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.content.decode(), url)


def test_participant_search_and_page(client, tree):
    from agents.models import Participant

    _, district, commune, staff = tree
    person = Participant.objects.create(bhxh_code="0112345678", full_name=f"Nguyễn {SCRIPT} {IMG}",
                                        birth_date=datetime.date(1980, 5, 3), commune=commune)
    client.force_login(staff)
    for url in ("/nguoi-tham-gia/?q=0112", f"/nguoi-tham-gia/{person.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.content.decode(), url)


def test_plan_preview(client, tree):
    from campaigns.documents import services

    _, district, commune, staff = tree
    document = services.document_create_from_starter(kind="commune-drive", unit=commune, year=2024)
    client.force_login(make_member(commune, Role.COMMUNE_OFFICIAL))
    response = client.get(f"/ke-hoach/{document.pk}/")
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), "plan preview")


@pytest.mark.parametrize("name", [SCRIPT, IMG, '"/><script>alert(3)</script>', "]]><x>", "Xã & thôn"])
def test_charts_escape_names_and_stay_well_formed_svg(name):
    line = charts.line_chart(labels=[name, "T2"], series=[charts.Series(name, [1, 2])], title=name)
    bars = charts.bar_chart(bars=[charts.Bar(name, 50, note=name)], title=name, reference=100, reference_label=name)
    for svg in (line, bars):
        root = ET.fromstring(svg)  # well-formed: no name broke out of its element or attribute
        assert root.tag.endswith("svg")
        assert not any(element.tag.split("}")[-1] in {"script", "img", "foreignObject", "x"} for element in root.iter())
        assert name in "".join(root.itertext()) or any(name in value for e in root.iter() for value in e.attrib.values())


def test_plan_pdf_prints_the_names_as_text(client, tree):
    """The PDF is made from the same escaped HTML: the name is printed literally, not run as markup."""
    from campaigns.documents import services
    from tests.campaigns.pdfcheck import text_of

    _, district, commune, staff = tree
    document = services.document_create_from_starter(kind="commune-drive", unit=commune, year=2024)
    client.force_login(make_member(commune, Role.COMMUNE_OFFICIAL))
    response = client.get(f"/ke-hoach/{document.pk}/pdf/")
    assert response.status_code == 200
    text = text_of(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "onerror" in text and "<img" in text  # printed as characters
