"""The answer to the save of one grid cell (results.selectors.entry_cell): the same cell, own cell
and foot as the whole grid shows, read from the cell's row and the commune's sums; its queries do
not grow with the number of thôn."""

import pytest
from django.urls import reverse

from results import selectors
from results.models import ReportState, MonthlyReport
from tests.factories import make_collection_agent, make_demographics, make_target, make_unit

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SHOWN = ("row_key", "value", "version", "last_month", "target", "denominator", "warnings", "editable", "computed",
         "row_name", "from_children", "shown", "dom_id", "version_id")


def _seen(cell):
    return None if cell is None else tuple(getattr(cell, name) for name in SHOWN) + (cell.column.key,)


def _foot(foot):
    return [(f.column.key, f.children_sum, f.difference) for f in foot]


def _assert_like_the_grid(commune, user, month=JUNE):
    from units.models import Agent

    grid = selectors.entry_grid(unit=commune, month=month, user=user, codes=["bhyt", "bhxh_tn"], with_registry=False)
    checked = 0
    for row in grid.rows:
        for cell in row.cells:
            agent = Agent.objects.get(pk=int(row.key[1:])) if row.key[0] == "a" else None
            answer = selectors.entry_cell(unit=commune, month=month, user=user, row_key=row.key, code=cell.column.code,
                                          field_name=cell.column.field, row_unit=row.unit, agent=agent)
            assert _seen(answer.cell) == _seen(cell)
            assert answer.row.versions == {cell.column.code: row.versions[cell.column.code]}
            own = grid.cell(f"u{commune.pk}", cell.column.code, "participants")
            expected_own = None if own is cell or own.from_children is None else own
            assert _seen(answer.own_cell) == _seen(expected_own)
            assert _foot(answer.foot) == _foot([f for f in grid.foot if f.column.code == cell.column.code])
            assert answer.has_children_rows == grid.has_children_rows
            checked += 1
    return checked


def test_every_cell_answers_as_the_whole_grid_shows_it():
    tree = build_district(communes=2, villages=3)
    commune = tree.communes[0]
    first, second, third = tree.villages[commune.pk]
    agent = make_collection_agent(commune, "Đại lý thu xã 1")
    make_collection_agent(commune, "Đại lý đã nghỉ", is_active=False)
    make_demographics(first, 2023, population=1500)
    make_demographics(commune, 2023, population=9000)
    make_target(first, "bhyt", year=2023, count=1400)
    make_target(commune, "bhyt", year=2023, count=8000)
    make_target(commune, "bhxh_tn_moi", year=2023, count=37)
    enter(first, 1234, month=MAY)
    enter(first, 1200)  # a drop from May: a warning
    enter(second, 1600)  # more than nothing known: no denominator
    enter(third, 30, code="bhxh_tn", new=4, renewing=20, month=MAY)
    enter(third, 31, code="bhxh_tn", new=5, renewing=21)
    enter(commune, 70, code="bhxh_tn", new=12, renewing=50)  # its own entry beside the villages' sum
    enter(commune, 5, code="bhxh_tn", new=1, renewing=2, agent=agent)
    user = tree.users["official"]

    assert _assert_like_the_grid(commune, user) == (1 + 3 + 1) * 4
    assert _assert_like_the_grid(tree.other_commune, tree.users["other_staff"]) == 4  # no children rows


def test_a_cell_outside_the_grid_has_no_answer():
    tree = build_district(communes=2, villages=1)
    commune, other = tree.communes
    stranger = tree.villages[other.pk][0]
    gone = make_collection_agent(commune, "Đại lý đã nghỉ", is_active=False)
    user = tree.users["official"]

    assert selectors.entry_cell(unit=commune, month=JUNE, user=user, row_key=f"u{stranger.pk}", code="bhyt",
                                field_name="participants", row_unit=stranger) is None
    assert selectors.entry_cell(unit=commune, month=JUNE, user=user, row_key=f"a{gone.pk}", code="bhyt",
                                field_name="participants", row_unit=commune, agent=gone) is None
    assert selectors.entry_cell(unit=commune, month=JUNE, user=user, row_key=f"u{commune.pk}", code="bhyt",
                                field_name="renewing", row_unit=commune) is None  # BHYT has no such column


def test_the_answer_of_a_locked_month_is_read_only():
    tree = build_district(communes=2, villages=1)
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    enter(village, 10)
    MonthlyReport.objects.filter(unit=commune).update(state=ReportState.APPROVED)

    answer = selectors.entry_cell(unit=commune, month=JUNE, user=tree.users["official"], row_key=f"u{village.pk}",
                                  code="bhyt", field_name="participants", row_unit=village)

    assert (answer.cell.value, answer.cell.editable) == (10, False)


def _save(client, commune, village, value, version):
    return client.post(reverse("results:results_cell", args=[commune.pk, JUNE.key]),
                       {f"c-u{village.pk}-bhyt-participants": value, f"v-u{village.pk}-bhyt": version}, **HTMX)


def test_the_save_answer_shows_the_new_sums_and_its_queries_do_not_grow_with_the_villages(
        client, django_assert_max_num_queries):
    tree = build_district(communes=2, villages=2)
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    enter(tree.villages[commune.pk][1], 5)
    client.force_login(tree.users["official"])
    assert _save(client, commune, village, "1", 0).status_code == 200  # the remembered tree and targets warmed

    # The user, the report under its lock, the row, the version claimed, the write and its history, the
    # grid's rows of the cell, the commune's month (the tree, the targets and last month remembered).
    with django_assert_max_num_queries(12) as few:
        answer = _save(client, commune, village, "2", 1)
    queries = len(few)  # now: the next request empties the log

    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'value="2"' in page and f'id="v-u{village.pk}-bhyt" name="v-u{village.pk}-bhyt" value="2"' in page
    assert f'id="foot-bhyt-participants" hx-swap-oob="true">7<' in page  # 2 + 5 at once
    assert f'placeholder="= 7"' in page  # the commune's empty cell
    for n in range(10):
        enter(make_unit(f"Thôn mới {n}", level_code="thon", parent=commune), 10)
    assert _save(client, commune, village, "3", 2).status_code == 200  # the new tree remembered
    with django_assert_max_num_queries(queries):
        answer = _save(client, commune, village, "4", 3)
    assert 'id="foot-bhyt-participants" hx-swap-oob="true">109<' in answer.content.decode()
