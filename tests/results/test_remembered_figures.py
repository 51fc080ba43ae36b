"""The figures the pages remember (bhxh_portal.memo) are never older than the last save: a cell
saved on the grid shows at once on the dashboards, the coverage page and the grid's foot; a target
or a denominator written shows at once; the months nobody wrote stay remembered."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from results.models import MonthlyResult
from results.selectors import participants_series
from tests.factories import make_demographics, make_target
from units.periods import Period

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree():
    return build_district(communes=2, villages=2)


def _dashboard_value(client, unit, code="bhyt"):
    response = client.get(reverse("dashboard:unit", args=[unit.pk]) + f"?thang={JUNE.key}")
    assert response.status_code == 200
    return next(r.value for r in response.context["dashboard"].rows if r.indicator.code == code)


def _save(client, commune, village, value, version):
    return client.post(reverse("results:results_cell", args=[commune.pk, JUNE.key]), {
        f"c-u{village.pk}-bhyt-participants": str(value), f"v-u{village.pk}-bhyt": str(version)}, **HTMX)


def test_a_saved_cell_shows_at_once_on_the_dashboards_the_coverage_page_and_the_grid(client, tree):
    commune = tree.communes[0]
    first, second = tree.villages[commune.pk]
    enter(first, 100)
    enter(second, 200)
    make_target(tree.district, "bhyt", year=2023, count=5000)
    leader, official = tree.users["district_leader"], tree.users["official"]
    coverage = reverse("coverage:page", args=[tree.district.pk]) + f"?table=bhyt&period={JUNE.key}"

    client.force_login(leader)
    assert _dashboard_value(client, tree.district) == 300
    assert _dashboard_value(client, tree.district) == 300  # now remembered
    assert "300" in client.get(coverage).content.decode()
    client.force_login(official)
    assert _dashboard_value(client, commune) == 300

    answer = _save(client, commune, first, 1234, version=1)

    assert answer.status_code == 200 and MonthlyResult.objects.get(unit=first).participants == 1234
    assert 'id="foot-bhyt-participants" hx-swap-oob="true">1.434' in answer.content.decode()
    assert _dashboard_value(client, commune) == 1434
    client.force_login(leader)
    assert _dashboard_value(client, tree.district) == 1434
    page = client.get(coverage).content.decode()
    assert "1.434" in page and ">300<" not in page

    # a write outside the pages (a service, an import) too
    enter(second, 1)
    assert _dashboard_value(client, tree.district) == 1235


def _table(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start:html.index("</table>", start)]


def test_the_dashboards_rows_printed_after_a_save_show_the_new_figure(client, tree):
    """The dashboard's rows are rendered once per content (bhxh_portal.fragments): after a save the
    rows that changed print the new figure, the others as before."""
    commune, other = tree.communes
    first = tree.villages[commune.pk][0]
    enter(first, 100)
    enter(tree.villages[other.pk][0], 77)
    make_target(tree.district, "bhyt", year=2023, count=5000)
    make_target(commune, "bhyt", year=2023, count=2500)
    make_target(other, "bhyt", year=2023, count=2500)
    client.force_login(tree.users["district_leader"])
    url = reverse("dashboard:unit", args=[tree.district.pk]) + f"?thang={JUNE.key}"
    before = client.get(url).content.decode()
    assert ">177<" in _table(before, "indicators") and ">100<" in _table(before, "ranking")

    client.force_login(tree.users["official"])
    assert _save(client, commune, first, 1234, version=1).status_code == 200
    client.force_login(tree.users["district_leader"])
    after = client.get(url).content.decode()

    assert ">1.311<" in _table(after, "indicators") and ">177<" not in _table(after, "indicators")
    ranking = _table(after, "ranking")
    assert ">1.234<" in ranking and ">100<" not in ranking and ">77<" in ranking
    assert ">1.234<" in _table(after, "sources")


def test_a_target_and_a_denominator_written_show_at_once(client, tree):
    commune = tree.communes[0]
    enter(tree.villages[commune.pk][0], 100)
    client.force_login(tree.users["district_leader"])
    url = reverse("dashboard:unit", args=[tree.district.pk]) + f"?thang={JUNE.key}"
    assert client.get(url).context["dashboard"].rows[0].target is None

    make_target(tree.district, "bhyt", year=2023, count=400)
    make_demographics(tree.district, 2023, population=1000)

    row = client.get(url).context["dashboard"].rows[0]
    assert row.target.count == 400 and row.denominator == 1000


def test_a_month_written_is_read_again_and_the_others_stay_remembered(django_assert_max_num_queries):
    tree = build_district(communes=2, villages=1, with_users=False)
    village = tree.villages[tree.communes[0].pk][0]
    enter(village, 10, month=MAY)
    enter(village, 11)
    start = Period.month(2022, 12)

    def series():
        return [f.value for _, f in participants_series(unit=tree.district, indicators=["bhyt"], start=start,
                                                        end=JUNE)["bhyt"]]

    assert series()[-2:] == [10, 11]
    with CaptureQueriesContext(connection) as remembered:
        assert series()[-2:] == [10, 11]
    assert len(remembered) == 0

    enter(village, 12)  # June only
    with django_assert_max_num_queries(2):
        assert series()[-2:] == [10, 12]


def _district_figures(unit, month=JUNE):
    from results.selectors import participants_for_children

    return participants_for_children(parent=unit, indicators=["bhyt"], month=month)[unit.pk]["bhyt"].value


def test_a_save_moves_on_the_month_of_its_own_ancestors_only():
    tree = build_district(communes=2, villages=1, with_users=False)
    village = tree.villages[tree.communes[0].pk][0]
    enter(village, 10)
    enter(tree.other_commune, 5)
    assert (_district_figures(tree.province), _district_figures(tree.district),
            _district_figures(tree.other_district), _district_figures(tree.communes[1])) == (15, 10, 5, None)

    enter(village, 12)  # in the district: its commune, the district and the province move on

    with CaptureQueriesContext(connection) as other_district:  # still valid: served as remembered
        assert _district_figures(tree.other_district) == 5
        assert _district_figures(tree.communes[1]) is None
    assert len(other_district) == 0
    assert _district_figures(tree.province) == 17  # never the stale 15
    assert _district_figures(tree.district) == 12
    assert _district_figures(tree.communes[0]) == 12
    assert participants_series(unit=village, indicators=["bhyt"], start=JUNE, end=JUNE)["bhyt"][0][1].value == 12

    enter(tree.other_commune, 6)  # and the other way round
    with CaptureQueriesContext(connection) as district:
        assert _district_figures(tree.district) == 12
    assert len(district) == 0
    assert (_district_figures(tree.province), _district_figures(tree.other_district)) == (18, 6)


def test_a_saved_cell_in_one_district_shows_on_the_province_and_leaves_the_other_district_remembered(client):
    tree = build_district(communes=2, villages=2)
    commune = tree.communes[0]
    first = tree.villages[commune.pk][0]
    enter(first, 100)
    enter(tree.other_commune, 50)
    official = tree.users["official"]
    from tests.factories import make_member
    from units.models import Role

    governor = make_member(tree.province, Role.LEADER, username="lanhdao.tinh")
    client.force_login(governor)
    assert _dashboard_value(client, tree.province) == 150
    assert _dashboard_value(client, tree.other_district) == 50

    client.force_login(official)
    assert _save(client, commune, first, 1234, version=1).status_code == 200

    client.force_login(governor)
    assert _dashboard_value(client, tree.province) == 1284
    assert _dashboard_value(client, tree.other_district) == 50
    coverage = reverse("coverage:page", args=[tree.province.pk]) + f"?table=bhyt&period={JUNE.key}"
    assert "1.284" in client.get(coverage).content.decode()


def test_a_report_approved_moves_on_the_figures_below_its_unit_too():
    from results.models import MonthlyReport, ReportState

    tree = build_district(communes=2, villages=1, with_users=False)
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    enter(village, 10)

    def approved(unit):
        from results.selectors import participants_for_children

        return participants_for_children(parent=unit, indicators=["bhyt"], month=JUNE)[unit.pk]["bhyt"].approved

    assert (approved(village), approved(tree.district)) == (False, False)
    report = MonthlyReport.objects.get(unit=commune)
    report.state = ReportState.APPROVED
    report.save()  # one object: its signal

    assert (approved(village), approved(commune), approved(tree.district)) == (True, True, True)


def test_the_values_alone_are_the_figures_values_and_move_with_a_save():
    from results.selectors import participant_values, participants_for_children
    from tests.factories import make_collection_agent

    tree = build_district(communes=2, villages=2, with_users=False)
    first, second = tree.communes
    enter(tree.villages[first.pk][0], 100, code="bhxh_tn", new=30, renewing=70)
    enter(tree.villages[first.pk][1], 50)
    enter(second, 80)  # its own entry, beside its villages' sum
    enter(tree.villages[second.pk][0], 60)
    enter(first, 5, agent=make_collection_agent(first))
    codes = ["bhyt", "bhxh_tn", "bhxh_tn_moi", "bhxh_tn_tai_tuc", "bhtn"]

    def expected(parent):
        return {(unit_id, code): figure.value for unit_id, by_code in participants_for_children(
            parent=parent, indicators=codes, month=JUNE).items() for code, figure in by_code.items()
            if figure.value is not None}

    for parent in (tree.district, first, tree.province):
        assert participant_values(parent=parent, indicators=codes, month=JUNE) == expected(parent)
    assert participant_values(parent=tree.district, indicators=codes, month=JUNE) == {
        (tree.district.pk, "bhyt"): 135, (tree.district.pk, "bhxh_tn"): 100, (tree.district.pk, "bhxh_tn_moi"): 30,
        (tree.district.pk, "bhxh_tn_tai_tuc"): 70, (first.pk, "bhyt"): 55, (first.pk, "bhxh_tn"): 100,
        (first.pk, "bhxh_tn_moi"): 30, (first.pk, "bhxh_tn_tai_tuc"): 70, (second.pk, "bhyt"): 80}

    enter(tree.villages[first.pk][1], 51)
    assert participant_values(parent=tree.district, indicators=["bhyt"], month=JUNE) == {
        (tree.district.pk, "bhyt"): 136, (first.pk, "bhyt"): 56, (second.pk, "bhyt"): 80}
