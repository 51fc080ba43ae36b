"""The unit dashboard: target, latest figure, coverage, achievement, remaining, a month-by-month
line against the target path, the children ranked by achievement; SVG drawn on the server."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhxh_portal.numbers import format_number
from units.periods import Period
from reports.dashboard import unit_dashboard
from results.selectors import target_path
from tests.factories import make_demographics, make_target, make_unit

from .results_fixtures import JUNE, build_district, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tree = build_district(communes=3, villages=0)
    district = tree.district
    make_demographics(district, 2023, population=3000)
    make_target(district, "bhyt", year=2023, rate_pct="90")  # 2.700 people
    enter(district, 2400, month=Period.month(2022, 12))
    for commune, population, may, june in zip(tree.communes, (1000, 1000, 1000), (800, 900, 700), (850, 960, None)):
        make_demographics(commune, 2023, population=population)
        make_target(commune, "bhyt", year=2023, rate_pct="90")
        enter(commune, may, month=Period.month(2023, 5))
        if june is not None:
            enter(commune, june, month=JUNE)
    return tree


def test_the_dashboard_figures_and_the_ranking(tree):
    dashboard = unit_dashboard(unit=tree.district, month=JUNE)
    row = dashboard.rows[0]
    assert row.indicator.code == "bhyt" and len(dashboard.rows) == 1
    assert (row.target.count, row.denominator, row.latest_month, row.figure.value) == (2700, 3000, JUNE, 1810)
    assert format_number(row.progress.coverage_pct, 2) == "60,33"
    assert format_number(row.progress.achievement_pct, 2) == "67,04"
    assert row.progress.remaining == 890
    assert row.values[:7] == [None, None, None, None, 2400, 1810, None]
    assert row.path == target_path(baseline=2400, target=2700)
    assert row.path[5] == 2400 + 150 and row.path[11] == 2700
    assert [(r.unit.code, format_number(r.achievement, 2)) for r in dashboard.ranking] == [
        ("CL02", "106,67"), ("CL01", "94,44"), ("CL03", "")]


def test_the_target_path_uses_monthly_targets_and_falls_back_to_a_flat_line():
    assert target_path(baseline=None, target=120) == [120] * 12
    assert target_path(baseline=0, target=120, monthly={3: 50})[:4] == [10, 20, 50, 40]
    assert target_path(baseline=None, target=None) == [None] * 12


def test_the_dashboard_page_draws_svg_on_the_server_in_a_fixed_number_of_queries(client, tree):
    client.force_login(tree.users["district_leader"])
    url = reverse("dashboard:unit", args=[tree.district.pk]) + "?thang=2023-06"
    cache.clear()  # measured with nothing remembered (the session neither), as below
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "60,33%" in page and "67,04%" in page and "890" in page
    svgs = [page[i:page.index("</svg>", i) + 6] for i in range(len(page)) if page.startswith("<svg", i)]
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    assert "Lộ trình chỉ tiêu" in svgs[0] and "Xã 2" in svgs[1] and "100%" in svgs[1]
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0].replace('src="/static/js', "")
    assert "cộng cấp dưới" in page

    for n in range(6):
        commune = make_unit(f"Xã thêm {n}", level_code="xa", parent=tree.district)
        make_demographics(commune, 2023, population=500)
        make_target(commune, "bhyt", year=2023, count=400)
        enter(commune, 300)
    cache.clear()  # both read with nothing remembered (the session neither)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as remembered:
        again = client.get(url)
    assert len(remembered) < len(few) and "Xã thêm 5" in again.content.decode()
    client.force_login(tree.users["other_staff"])
    assert client.get(url).status_code == 404
