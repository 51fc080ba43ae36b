"""The entry grid through the HTTP client: one cell saved on its own (HTMX), Vietnamese numbers,
last month and the target beside each cell, warnings, the concurrent-edit refusal, read-only
users, the no-JavaScript form, and a query count that does not grow with the number of thôn."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from results.models import MonthlyResult
from units.periods import Period
from results import services as services
from tests.factories import make_collection_agent, make_demographics, make_member, make_target, make_unit

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree():
    return build_district(communes=2, villages=2)


def grid_url(unit, month=JUNE, codes=""):
    return reverse("results:results_grid", args=[unit.pk, month.key]) + (f"?chi-tieu={codes}" if codes else "")


def cell_url(unit, month=JUNE):
    return reverse("results:results_cell", args=[unit.pk, month.key])


def save_cell(client, commune, row_key, code, field, value, version, month=JUNE):
    return client.post(cell_url(commune, month), {f"c-{row_key}-{code}-{field}": value,
                                                  f"v-{row_key}-{code}": version}, **HTMX)


def test_the_grid_has_the_commune_its_villages_and_its_agents_with_last_month_and_target(client, tree):
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    agent = make_collection_agent(commune, "Đại lý thu xã 1")
    make_demographics(village, 2023, population=1500)
    make_target(village, "bhyt", year=2023, count=1400)
    make_target(commune, "bhxh_tn_moi", year=2023, count=37)
    make_target(commune, "bhxh_tn_moi", year=2023, count=40, kind="phan_dau")
    enter(village, 1234, month=MAY)
    client.force_login(tree.users["official"])

    response = client.get(grid_url(commune))

    assert response.status_code == 200
    grid = response.context["grid"]
    assert [r.name for r in grid.rows] == [commune.name, *[v.name for v in tree.villages[commune.pk]], agent.name]
    assert [c.key for c in grid.columns] == ["bhyt-participants", "bhxh_tn-participants",
                                             "bhxh_tn-new_participants", "bhxh_tn-renewing"]
    cell = grid.cell(f"u{village.pk}", "bhyt", "participants")
    assert (cell.last_month, cell.target.count, cell.denominator, cell.version) == (1234, 1400, 1500, 0)
    new_cell = grid.cell(f"u{commune.pk}", "bhxh_tn", "new_participants")
    assert (new_cell.target.assigned, new_cell.target.self_set) == (37, 40)
    page = response.content.decode()
    assert "T.trước 1.234 · CT 1.400 · MS 1.500" in page and "CT 37 (PĐ 40)" in page
    assert f'name="c-u{village.pk}-bhyt-participants"' in page and 'hx-post="' in page
    assert f'name="c-a{agent.pk}-bhxh_tn-new_participants"' in page
    assert "js/grid.js" in page


def test_the_grid_saves_one_cell_written_the_vietnamese_way_and_keeps_who_and_when(client, tree):
    commune = tree.communes[0]
    village = tree.villages[commune.pk][1]
    client.force_login(tree.users["official"])

    response = save_cell(client, commune, f"u{village.pk}", "bhyt", "participants", "1.234", 0)

    assert response.status_code == 200
    result = MonthlyResult.objects.get()
    assert (result.unit, result.participants, result.version, result.updated_by) == (
        village, 1234, 1, tree.users["official"])
    body = response.content.decode()
    assert body.lstrip().startswith(f'<td id="cell-u{village.pk}-bhyt-participants"')
    assert 'value="1.234"' in body and "đã lưu" in body
    # the row's new version and the children's sum come back out of band
    assert f'id="v-u{village.pk}-bhyt" name="v-u{village.pk}-bhyt" value="1" hx-swap-oob="true"' in body
    assert 'id="foot-bhyt-participants" hx-swap-oob="true">1.234' in body
    record = result.history.get()
    assert (record.history_user, record.participants, record.history_change_reason) == (
        tree.users["official"], 1234, "Nhập trên bảng kết quả tháng")

    # the next field of the same result with the version the page now holds
    save_cell(client, commune, f"u{village.pk}", "bhyt", "participants", "1.300", 1)
    assert MonthlyResult.objects.get().participants == 1300


def test_a_second_save_of_the_same_cell_from_an_old_page_is_refused_with_the_current_value(client, tree):
    commune = tree.communes[0]
    row = f"u{commune.pk}"
    first, second = tree.users["official"], tree.users["official2"]
    # Both opened the grid when the cell was empty (version 0); the first saves.
    client.force_login(first)
    assert save_cell(client, commune, row, "bhyt", "participants", "5.000", 0).status_code == 200
    client.force_login(second)

    response = save_cell(client, commune, row, "bhyt", "participants", "5.100", 0)

    assert response.status_code == 409
    body = response.content.decode()
    assert "giá trị hiện tại là 5.000 do Lan" in body and "Số bạn nhập (5.100) chưa được lưu" in body
    assert 'value="5.000"' in body  # the cell shows what is stored
    assert 'value="1" hx-swap-oob="true"' in body  # and the version to save against, once read
    result = MonthlyResult.objects.get()
    assert (result.participants, result.version, result.updated_by) == (5000, 1, first)

    # The same between two stale saves of an existing value, and for a cleared cell.
    assert save_cell(client, commune, row, "bhyt", "participants", "5.200", 1).status_code == 200
    client.force_login(first)
    assert save_cell(client, commune, row, "bhyt", "participants", "", 1).status_code == 409
    assert MonthlyResult.objects.get().participants == 5200


def test_the_service_refuses_a_stale_version_even_between_reading_and_writing(tree):
    commune = tree.communes[0]
    result = enter(commune, 10)
    seen = result.version
    services.result_save(unit=commune, indicator=result.indicator, month=JUNE, participants=11,
                         expected_version=seen, by=tree.users["official"])
    with pytest.raises(services.StaleResult) as refused:
        services.result_save(unit=commune, indicator=result.indicator, month=JUNE, participants=12,
                             expected_version=seen, by=tree.users["official2"])
    assert refused.value.current.participants == 11
    assert MonthlyResult.objects.get().participants == 11


def test_warnings_when_a_value_drops_or_exceeds_the_denominator(client, tree):
    commune = tree.communes[0]
    make_demographics(commune, 2023, population=1000)
    enter(commune, 900, month=MAY)
    client.force_login(tree.users["official"])
    body = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "850", 0).content.decode()
    assert "Giảm 50 so với tháng trước (900)" in body
    body = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "1.020", 1).content.decode()
    assert "Vượt dân số (1.000)" in body and "Giảm" not in body
    assert MonthlyResult.objects.get(month=6).participants == 1020  # a warning, not a refusal


def test_a_cell_that_is_not_a_number_is_refused_and_kept_for_correction(client, tree):
    commune = tree.communes[0]
    client.force_login(tree.users["official"])
    for typed in ("12a", "-5", "1,5"):
        response = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", typed, 0)
        assert response.status_code == 422, typed
        assert "Không đọc được số" in response.content.decode() and f'value="{typed}"' in response.content.decode()
    assert not MonthlyResult.objects.exists()


def test_new_and_renewing_need_the_participants_first(client, tree):
    commune = tree.communes[0]
    client.force_login(tree.users["official"])
    response = save_cell(client, commune, f"u{commune.pk}", "bhxh_tn", "new_participants", "3", 0)
    assert response.status_code == 422 and "số người tham gia trước" in response.content.decode()
    save_cell(client, commune, f"u{commune.pk}", "bhxh_tn", "participants", "20", 0)
    save_cell(client, commune, f"u{commune.pk}", "bhxh_tn", "new_participants", "3", 1)
    save_cell(client, commune, f"u{commune.pk}", "bhxh_tn", "renewing", "17", 2)
    assert MonthlyResult.objects.get().values() == (20, 3, 17)


def test_clearing_the_communes_own_figure_gives_back_the_sum_of_its_villages(client, tree):
    commune = tree.communes[0]
    a, b = tree.villages[commune.pk]
    enter(a, 10)
    enter(b, 15)
    enter(commune, 30)
    client.force_login(tree.users["official"])
    grid = client.get(grid_url(commune)).context["grid"]
    assert grid.foot[0].children_sum == 25 and grid.foot[0].difference == 5
    response = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "", 1)
    assert response.status_code == 200
    assert 'placeholder="= 25"' in response.content.decode()
    assert not MonthlyResult.objects.filter(unit=commune).exists()
    assert MonthlyResult.history.filter(id__isnull=False, history_type="-").count() == 1


def test_saving_a_village_refreshes_the_sum_shown_in_the_communes_empty_cell(client, tree):
    commune = tree.communes[0]
    a, b = tree.villages[commune.pk]
    enter(b, 15)
    client.force_login(tree.users["official"])
    response = save_cell(client, commune, f"u{a.pk}", "bhyt", "participants", "1.010", 0)
    body = response.content.decode()
    assert response.status_code == 200
    own = body[body.index(f'id="cell-u{commune.pk}-bhyt-participants"'):]
    assert own.startswith(f'id="cell-u{commune.pk}-bhyt-participants" hx-swap-oob="true"')
    assert 'placeholder="= 1.025"' in own.split("</td>")[0]

    enter(commune, 2000)  # once the commune has its own figure there is no hint to refresh
    response = save_cell(client, commune, f"u{a.pk}", "bhyt", "participants", "1.020", 1)
    assert f'id="cell-u{commune.pk}-bhyt-participants"' not in response.content.decode()


def test_a_locked_month_answers_423_and_a_reader_403(client, tree):
    commune = tree.communes[0]
    enter(commune, 10)
    services.report_submit(unit=commune, month=JUNE, by=tree.users["official"])
    client.force_login(tree.users["official"])
    response = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "11", 1)
    assert response.status_code == 423 and "chờ cấp trên duyệt" in response.content.decode()
    page = client.get(grid_url(commune)).content.decode()
    assert "hx-post" not in page and "disabled" in page

    other = tree.communes[1]
    client.force_login(tree.users["agent_user"])  # a collection agent of commune 1 may look, not write
    page = client.get(grid_url(commune, MAY)).content.decode()
    assert "Bạn chỉ được xem bảng này" in page and "hx-post" not in page
    client.force_login(tree.users["commune_leader"])
    assert save_cell(client, other, f"u{other.pk}", "bhyt", "participants", "1", 0).status_code == 404
    response = save_cell(client, commune, f"u{tree.villages[commune.pk][0].pk}", "bhyt", "participants", "1", 0)
    assert response.status_code == 403
    assert MonthlyResult.objects.get().participants == 10


def test_cells_of_rows_outside_the_grid_are_refused(client, tree):
    client.force_login(tree.users["district_staff"])
    commune, other = tree.communes
    foreign_village = tree.villages[other.pk][0]
    assert save_cell(client, commune, f"u{foreign_village.pk}", "bhyt", "participants", "1", 0).status_code == 404
    assert save_cell(client, commune, f"u{tree.district.pk}", "bhyt", "participants", "1", 0).status_code == 404
    assert not MonthlyResult.objects.exists()


def test_a_future_month_has_a_read_only_grid(client, tree):
    client.force_login(tree.users["official"])
    commune = tree.communes[0]
    future = Period.month(2199, 1)  # within the years a page may be asked for (targets.periods.LAST_YEAR)
    page = client.get(grid_url(commune, future)).content.decode()
    assert "Tháng này chưa đến" in page and "hx-post" not in page
    response = save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "1", 0, month=future)
    assert response.status_code == 422 and "chưa đến" in response.content.decode()


def test_without_javascript_the_grid_is_one_form_and_stale_cells_are_listed(client, tree):
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    enter(commune, 100)
    client.force_login(tree.users["official"])
    grid = client.get(grid_url(commune)).context["grid"]
    form = {}
    for row in grid.rows:
        for name, version in row.version_inputs:
            form[name] = version
        for cell in row.cells:
            form[cell.name] = cell.shown
            form[cell.original_name] = cell.shown
    form[f"c-u{village.pk}-bhyt-participants"] = "40"
    form[f"c-u{commune.pk}-bhyt-participants"] = "120"
    enter(commune, 105, by=tree.users["official2"])  # someone else, meanwhile

    response = client.post(grid_url(commune), form)

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Đã lưu 1 ô." in messages
    assert any("giá trị hiện tại là 105" in m for m in messages)
    assert MonthlyResult.objects.get(unit=village).participants == 40
    assert MonthlyResult.objects.get(unit=commune).participants == 105


def _grid_queries(client, commune) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(grid_url(commune)).status_code == 200
    return len(queries)


def test_the_entry_page_query_count_does_not_grow_with_the_number_of_villages(client, tree):
    commune = tree.communes[0]
    client.force_login(tree.users["official"])
    for village in tree.villages[commune.pk]:
        enter(village, 10, month=MAY)
        enter(village, 11)
        make_target(village, "bhyt", year=2023, count=20)
        make_demographics(village, 2023, population=30)
    make_collection_agent(commune, "Đại lý 1")
    _grid_queries(client, commune)  # warm the per-user caches
    few = _grid_queries(client, commune)
    for n in range(10):
        village = make_unit(f"Thôn mới {n}", level_code="thon", parent=commune)
        enter(village, 10, month=MAY)
        enter(village, 11, code="bhxh_tn", new=1, renewing=10)
        make_target(village, "bhyt", year=2023, count=20)
        make_demographics(village, 2023, population=30)
    make_collection_agent(commune, "Đại lý 2")
    _grid_queries(client, commune)  # the writes moved the remembered tree and targets on: warm them again
    many = _grid_queries(client, commune)
    assert many == few
    assert len(client.get(grid_url(commune)).context["grid"].rows) == 1 + 12 + 2
    cache.clear()  # and with nothing remembered at all
    cold = _grid_queries(client, commune)
    for n in range(3):
        make_unit(f"Thôn mới nữa {n}", level_code="thon", parent=commune)
    cache.clear()
    assert _grid_queries(client, commune) == cold


def test_the_commune_official_lands_on_the_grid_of_their_commune(client, tree):
    client.force_login(tree.users["official"])
    response = client.get(reverse("results:results_entry_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/don-vi/{tree.communes[0].pk}/ket-qua/")
    member = make_member(tree.other_commune, username="canbo.hoaan")
    client.force_login(member)
    assert client.get(reverse("results:results_entry_home")).status_code == 302


def test_the_chosen_columns_survive_a_save_and_are_remembered_for_the_next_visit(client, tree):
    commune = tree.communes[0]
    client.force_login(tree.users["official"])
    default_codes = client.get(grid_url(commune)).context["grid"].codes
    assert default_codes != ["bhyt"]

    assert client.get(grid_url(commune, codes="bhyt")).context["grid"].codes == ["bhyt"]
    assert save_cell(client, commune, f"u{commune.pk}", "bhyt", "participants", "120", 0).status_code == 200

    # the next page, and a later visit without ?chi-tieu, have the chosen columns
    page = client.get(grid_url(commune))
    assert page.context["grid"].codes == ["bhyt"]
    assert f'name="c-u{commune.pk}-bhxh_tn-participants"' not in page.content.decode()
    # the form without JavaScript redirects back to the same columns
    response = client.post(grid_url(commune), {f"c-u{commune.pk}-bhyt-participants": "120",
                                               f"o-u{commune.pk}-bhyt-participants": "120"})
    assert response.status_code == 302
    assert client.get(response.url).context["grid"].codes == ["bhyt"]
    # 'Mặc định' forgets the choice
    assert "?chi-tieu=mac-dinh" in page.content.decode()
    assert client.get(grid_url(commune, codes="mac-dinh")).context["codes"] is None
    assert client.get(grid_url(commune)).context["codes"] is None
