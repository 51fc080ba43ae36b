"""Pages asked without a month (or year) open on the latest one with data for the user, and say so;
a month asked is shown as asked. One query picks the month."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.activities.selectors import latest_activity_month
from units.periods import Period
from results.selectors import latest_result_month, month_to_open
from tests.campaigns.test_activities_pages import binh_dinh  # noqa: F401 (fixture)
from tests.campaigns.test_programmes_pages import bac_ninh, upload  # noqa: F401 (fixture)
from tests.campaigns.test_programmes import soldiers
from tests.factories import make_member
from tests.results.results_fixtures import JUNE, build_district, enter
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    tree = build_district(communes=2, villages=0)
    enter(tree.communes[0], 850, month=Period.month(2023, 5))
    enter(tree.communes[1], 900, month=JUNE)
    return tree


def test_the_latest_month_with_results_of_a_subtree_in_one_query(district):
    with CaptureQueriesContext(connection) as queries:
        assert latest_result_month(unit=district.district, up_to=Period.month(2026, 11)) == JUNE
    assert len(queries) == 1
    assert latest_result_month(unit=district.communes[0], up_to=Period.month(2026, 11)) == Period.month(2023, 5)
    assert latest_result_month(unit=district.district, up_to=Period.month(2023, 5)) == Period.month(2023, 5)
    assert latest_result_month(unit=district.district, up_to=Period.month(2022, 12)) is None


def test_a_month_with_results_opens_as_it_is(district):
    month, note = month_to_open(unit=district.district, today=datetime.date(2023, 7, 1))  # June still reported
    assert (month, note) == (JUNE, "")
    enter(district.communes[0], 870, month=Period.month(2023, 7))
    month, note = month_to_open(unit=district.district, today=datetime.date(2023, 7, 20))
    assert (month, note) == (Period.month(2023, 7), "")


def test_dashboard_and_progress_open_on_the_latest_month_with_results(client, district):
    client.force_login(district.users["district_leader"])
    page = client.get(reverse("dashboard:unit", args=[district.district.pk]))
    assert page.context["month"] == JUNE
    assert "Đang xem tháng 06/2023 — tháng gần nhất có số liệu" in page.content.decode()
    asked = client.get(reverse("dashboard:unit", args=[district.district.pk]), {"thang": "2023-05"})
    assert asked.context["month"] == Period.month(2023, 5) and "gần nhất" not in asked.content.decode()
    progress = client.get(reverse("results:results_progress_home"), follow=True)
    assert progress.redirect_chain[-1][0] == reverse("results:results_completeness",
                                                     args=[district.district.pk, "2023-06"])
    assert "tháng gần nhất có số liệu" in progress.content.decode()


def test_activities_open_on_the_latest_month_with_activities(client, binh_dinh):  # noqa: F811
    staff = make_member(binh_dinh, Role.BHXH_STAFF)
    with CaptureQueriesContext(connection) as queries:
        assert latest_activity_month(user=staff, up_to=datetime.date(2030, 1, 1)) == (2024, 10)
    assert len([q for q in queries if "campaigns_driveactivity" in q["sql"]]) == 1
    client.force_login(staff)
    page = client.get(reverse("activities:activity_list"))
    assert (page.context["year"], page.context["month"]) == (2024, 10)
    assert "Đang xem tháng 10/2024 — tháng gần nhất có hoạt động" in page.content.decode()
    assert page.context["activities"]
    asked = client.get(reverse("activities:activity_list"), {"thang": "2024-09"})
    assert asked.context["month"] == 9 and not asked.context["opened_on"]


def test_a_programme_opens_on_the_latest_year_with_lists(client, bac_ninh):  # noqa: F811
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    empty = client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    assert empty.context["year"] == min(datetime.date.today().year, programme.valid_to.year)
    upload(client, programme, district, soldiers(3), received="29/08/2024")
    page = client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    assert page.context["year"] == 2024 and page.context["budget"].amount == 3 * 67_050 * 5
    assert "Đang xem năm 2024 — năm gần nhất có danh sách" in page.content.decode()
