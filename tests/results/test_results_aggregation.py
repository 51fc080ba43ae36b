"""Totals up the tree: a unit's own entry, else its children's sum; in a fixed number of queries."""

import pytest

from targets import progress
from targets.models import Indicator
from results.models import ReportState
from units.periods import Period
from results.selectors import CHILDREN, OWN, participants_at, participants_for_children, participants_series
from results import services as services
from tests.factories import make_collection_agent, make_unit

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db


def test_a_district_with_three_communes_and_two_levels_below_sums_up_the_tree():
    tree = build_district(communes=3, villages=2, with_users=False)
    a, b, c = tree.communes
    # Commune A: only its thôn report; it takes their sum.
    enter(tree.villages[a.pk][0], 100)
    enter(tree.villages[a.pk][1], 250)
    # Commune B: its thôn and its own figure (BHXH's count), which differs from their sum.
    enter(tree.villages[b.pk][0], 300)
    enter(tree.villages[b.pk][1], 400)
    enter(b, 720)
    # Commune C: only its own figure.
    enter(c, 500)

    figures = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE)

    assert set(figures) == {tree.district.pk, a.pk, b.pk, c.pk}
    fa, fb, fc = (figures[u.pk]["bhyt"] for u in (a, b, c))
    assert (fa.value, fa.source, fa.own, fa.children_sum, fa.difference) == (350, CHILDREN, None, 350, None)
    assert (fb.value, fb.source, fb.own, fb.children_sum, fb.difference) == (720, OWN, 720, 700, 20)
    assert (fc.value, fc.source, fc.children_sum) == (500, OWN, None)
    district = figures[tree.district.pk]["bhyt"]
    assert (district.value, district.source, district.reporting_children) == (350 + 720 + 500, CHILDREN, 3)

    # The district's own entry (BHXH's figure) is shown, with the difference from the communes' sum.
    enter(tree.district, 1600)
    district = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE)[
        tree.district.pk]["bhyt"]
    assert (district.value, district.source, district.children_sum, district.difference) == (1600, OWN, 1570, 30)


def test_a_unit_with_nothing_below_has_no_figure_and_other_months_do_not_mix():
    tree = build_district(communes=2, villages=1, with_users=False)
    enter(tree.communes[0], 10, month=MAY)
    figures = participants_for_children(parent=tree.district, indicators=["bhyt", "bhtn"], month=JUNE)
    assert figures[tree.district.pk]["bhyt"].value is None
    assert figures[tree.communes[1].pk]["bhtn"].source is None
    may = participants_for_children(parent=tree.district, indicators=["bhyt"], month="2023-05")
    assert may[tree.district.pk]["bhyt"].value == 10


def test_collection_agents_count_among_the_children_and_breakdowns_read_new_and_renewing():
    tree = build_district(communes=1, villages=2, with_users=False)
    commune = tree.communes[0]
    agent = make_collection_agent(commune, "Đại lý xã 1")
    enter(tree.villages[commune.pk][0], 18, code="bhxh_tn", new=5, renewing=13)
    enter(tree.villages[commune.pk][1], 14, code="bhxh_tn", new=1, renewing=13)
    enter(commune, 10, code="bhxh_tn", agent=agent, new=10, renewing=0)

    figures = participants_for_children(parent=tree.district, indicators=["bhxh_tn", "bhxh_tn_moi",
                                                                          "bhxh_tn_tai_tuc"], month=JUNE)
    mine = figures[commune.pk]
    assert (mine["bhxh_tn"].value, mine["bhxh_tn"].new, mine["bhxh_tn"].renewing) == (42, 16, 26)
    assert mine["bhxh_tn"].reporting_children == 3
    assert mine["bhxh_tn_moi"].value == 16 and mine["bhxh_tn_tai_tuc"].value == 26
    assert figures[tree.district.pk]["bhxh_tn_moi"].value == 16

    # An own entry wins field by field: known participants but unknown new → new from the children.
    enter(commune, 45, code="bhxh_tn")
    mine = participants_for_children(parent=commune, indicators=[Indicator.objects.get(code="bhxh_tn"),
                                                                 "bhxh_tn_moi"], month=JUNE)[commune.pk]
    assert (mine["bhxh_tn"].value, mine["bhxh_tn"].source, mine["bhxh_tn"].new) == (45, OWN, 16)
    assert mine["bhxh_tn_moi"].source == CHILDREN


def test_approved_only_counts_approved_reports_and_figures_say_whether_they_are_approved():
    tree = build_district(communes=2, villages=0, with_users=False)
    a, b = tree.communes
    enter(a, 100)
    enter(b, 200)
    services.report_submit(unit=a, month=JUNE)
    services.report_approve(report=services.find_report(unit=a, month=JUNE))
    everything = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE)
    assert everything[tree.district.pk]["bhyt"].value == 300
    assert everything[a.pk]["bhyt"].approved and not everything[b.pk]["bhyt"].approved
    assert not everything[tree.district.pk]["bhyt"].approved
    approved = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE, approved_only=True)
    assert approved[tree.district.pk]["bhyt"].value == 100
    assert services.find_report(unit=a, month=JUNE).state == ReportState.APPROVED


def _grow(tree, communes: int, villages: int):
    for c in range(communes):
        commune = make_unit(f"Xã thêm {c}", level_code="xa", parent=tree.district)
        for v in range(villages):
            village = make_unit(f"Thôn thêm {c}.{v}", level_code="thon", parent=commune)
            enter(village, 7)


def test_participants_for_children_takes_two_queries_whatever_the_size_of_the_tree(django_assert_num_queries):
    tree = build_district(communes=2, villages=2, with_users=False)
    enter(tree.villages[tree.communes[0].pk][0], 5)
    with django_assert_num_queries(2):
        small = participants_for_children(parent=tree.district, indicators=["bhyt", "bhxh_tn_moi"], month=JUNE)
    _grow(tree, communes=12, villages=6)
    with django_assert_num_queries(2):
        large = participants_for_children(parent=tree.district, indicators=["bhyt", "bhxh_tn_moi"], month=JUNE)
    assert small[tree.district.pk]["bhyt"].value == 5
    assert large[tree.district.pk]["bhyt"].value == 5 + 12 * 6 * 7
    with django_assert_num_queries(2):
        whole = participants_for_children(parent=tree.province, indicators=["bhyt"], month=JUNE)
    assert whole[tree.province.pk]["bhyt"].value == 5 + 12 * 6 * 7


def test_participants_series_gives_each_month_in_a_fixed_number_of_queries(django_assert_num_queries):
    tree = build_district(communes=2, villages=2, with_users=False)
    enter(tree.communes[0], 10, month=Period.month(2023, 1))
    enter(tree.communes[1], 20, month=Period.month(2023, 1))
    enter(tree.communes[0], 12, month=Period.month(2023, 3))
    _grow(tree, communes=5, villages=3)  # June figures of 15 more thôn
    with django_assert_num_queries(2):
        series = participants_series(unit=tree.district, indicators=["bhyt"], start=Period.month(2022, 12),
                                     end=JUNE)
    values = [f.value for _, f in series["bhyt"]]
    assert [p.key for p, _ in series["bhyt"]][:2] == ["2022-12", "2023-01"]
    assert values == [None, 30, None, 12, None, None, 15 * 7]
    assert {type(v) for v in values if v is not None} == {int}  # counts, not PostgreSQL's numeric sums


def test_targets_progress_reads_the_results_latest_month_within_the_period():
    tree = build_district(communes=2, villages=1, with_users=False)
    bhyt = Indicator.objects.get(code="bhyt")
    enter(tree.communes[0], 90, month=MAY)
    enter(tree.communes[0], 95, month=JUNE)
    enter(tree.communes[1], 40, month=MAY)
    ids = [tree.district.pk, *[c.pk for c in tree.communes]]
    year = progress.participants_for(unit_ids=ids, indicator_ids=[bhyt.pk], period=Period.of_year(2023))
    # the latest month with a figure: June for the district (95, commune 2 has no June figure) and commune 1
    assert year == {(tree.district.pk, bhyt.pk): 95, (tree.communes[0].pk, bhyt.pk): 95,
                    (tree.communes[1].pk, bhyt.pk): 40}
    assert participants_at(unit_ids=ids, indicator_ids=[bhyt.pk], period=MAY)[(tree.district.pk, bhyt.pk)] == 130


def _entries_of_every_kind():
    """A district whose month holds every case of the rule: thôn entries, one field empty, a thôn's agent
    beside its own entry and a thôn with its agent's figure only, a commune's own entry over its thôn, a
    commune's agent, another indicator, a month before, an approved report, a thôn gone before the months
    asked (counts nowhere)."""
    import datetime

    tree = build_district(communes=3, villages=3, with_users=False)
    a, b, c = tree.communes
    va, vb, vc = (tree.villages[u.pk] for u in (a, b, c))
    enter(va[0], 5, code="bhxh_tn", new=2, renewing=3)
    enter(va[1], 7, code="bhxh_tn", new=None, renewing=4)  # one field empty
    enter(va[2], 8, code="bhxh_tn")
    agent = make_collection_agent(va[2], "Đại lý thôn")
    enter(va[2], 9, code="bhxh_tn", agent=agent, new=6, renewing=None)  # the thôn's own field wins where set
    only_agents = make_collection_agent(vb[1], "Đại lý thôn 2")
    enter(vb[1], 4, code="bhxh_tn", agent=only_agents, new=1, renewing=3)  # a thôn with its agent's figure only
    enter(vb[0], 11, code="bhxh_tn", new=1, renewing=1)
    enter(vb[0], 12, code="bhyt")
    enter(b, 40, code="bhxh_tn")  # the commune's own entry wins over its thôn
    enter(c, 3, code="bhxh_tn", agent=make_collection_agent(c, "Đại lý xã"), new=3, renewing=0)
    enter(vc[0], 13, code="bhxh_tn", new=4, renewing=9)
    enter(vc[1], 17, code="bhxh_tn", month=MAY)
    enter(vc[2], 19, code="bhxh_tn", new=5, renewing=5)
    services.report_submit(unit=va[0], month=JUNE)
    services.report_approve(report=services.find_report(unit=va[0], month=JUNE))
    vc[2].valid_to = datetime.date(2020, 1, 1)
    vc[2].save()
    return tree, (a, b, c), (va, vb, vc)


def test_the_series_summed_by_the_database_equals_the_rule_applied_row_by_row():
    from results.selectors import figures

    tree, (a, b, c), (va, vb, vc) = _entries_of_every_kind()
    codes = ["bhxh_tn", "bhxh_tn_moi", "bhxh_tn_tai_tuc"]
    for unit in (tree.district, a, c, va[2]):
        for approved_only in (False, True):
            got = participants_series(unit=unit, indicators=codes, start=MAY, end=JUNE, approved_only=approved_only)
            keys = figures._stored_keys(codes)
            tree_ = figures._load_tree([unit], MAY.start, JUNE.end)
            rows = figures._by_month(figures._load_rows([unit], ["bhxh_tn"], MAY, JUNE, approved_only))
            for code in codes:
                expected = [figures._figure(figures._aggregate(tree_, rows.get((m.year, m.number), []), keys,
                                                               only={unit.pk}), unit.pk, code) for m in (MAY, JUNE)]
                assert [f for _, f in got[code]] == expected, (unit.name, code, approved_only)
    district = participants_series(unit=tree.district, indicators=codes, start=JUNE, end=JUNE)
    assert district["bhxh_tn"][0][1].value == 5 + 7 + 8 + 40 + 3 + 13
    assert district["bhxh_tn_moi"][0][1].value == 2 + 6 + (1 + 1) + (3 + 4)


def test_the_month_of_a_unit_and_its_children_summed_by_the_database_equals_the_rule_applied_row_by_row():
    from results.selectors import figures

    tree, (a, b, c), (va, vb, vc) = _entries_of_every_kind()
    codes = ["bhyt", "bhxh_tn", "bhxh_tn_moi", "bhxh_tn_tai_tuc"]
    checked = 0
    for parent in (tree.province, tree.district, a, b, c, va[2]):
        for approved_only in (False, True):
            got = participants_for_children(parent=parent, indicators=codes, month=JUNE, approved_only=approved_only)
            tree_ = figures._load_tree([parent], JUNE.start, JUNE.end)
            shown = {parent.pk, *tree_.children.get(parent.pk, [])}
            rows = figures._load_rows([parent], None, JUNE, JUNE, approved_only)
            keys = figures._stored_keys(codes)
            sums = figures._aggregate(tree_, rows, keys, only=shown)
            assert set(got) == shown
            for unit_id in shown:
                for code in codes:
                    assert got[unit_id][code] == figures._figure(sums, unit_id, code), (parent.name, code)
                    checked += 1
    assert checked > 100


def test_a_month_summed_by_the_database_equals_the_rule_applied_row_by_row_and_follows_a_write():
    import dataclasses

    from results.selectors import figures

    tree, (a, b, c), (va, vb, vc) = _entries_of_every_kind()

    def by_rows(unit, approved_only):
        """The rule applied row by row in Python, every row of the subtree read."""
        month_tree = figures._load_tree([unit], JUNE.start, JUNE.end)
        rows = figures._load_rows([unit], None, JUNE, JUNE, approved_only)
        keys = sorted({(row[figures._CODE], name) for row in rows for name in figures.FIELDS})
        shown = [unit.pk, *month_tree.children.get(unit.pk, [])]
        return shown, figures._aggregate(month_tree, rows, keys, only=set(shown))

    def plain(found):
        shown, sums = found
        return shown, {key: dataclasses.astuple(value) for key, value in sums.items()}

    for unit in (tree.province, tree.district, a, b, c, va[2], vb[1]):
        for approved_only in (False, True):
            got = figures._month_sums(parent=unit, month=JUNE, approved_only=approved_only)
            assert plain(got) == plain(by_rows(unit, approved_only)), (unit.name, approved_only)
            assert all(type(v.value) is int for v in got[1].values() if v.value is not None)
    codes = ["bhxh_tn", "bhxh_tn_moi", "bhxh_tn_tai_tuc", "bhyt"]
    district = participants_for_children(parent=tree.district, indicators=codes, month=JUNE)
    assert district[tree.district.pk]["bhxh_tn"].value == 5 + 7 + 8 + 40 + 3 + 13
    assert district[a.pk]["bhxh_tn_moi"].value == 2 + 6
    assert (district[b.pk]["bhxh_tn"].value, district[b.pk]["bhxh_tn"].children_sum) == (40, 11 + 4)
    assert district[b.pk]["bhxh_tn_tai_tuc"].value == 1 + 3
    # One thôn with a June figure and the commune's agent; the thôn gone before counts nowhere.
    assert (district[c.pk]["bhxh_tn"].value, district[c.pk]["bhxh_tn"].reporting_children) == (13 + 3, 2)

    # A saved cell shows at once, in the parent's month and in the series.
    enter(vb[2], 6, code="bhxh_tn", new=6, renewing=0)
    after = participants_for_children(parent=tree.district, indicators=codes, month=JUNE)
    assert after[b.pk]["bhxh_tn"].children_sum == 11 + 4 + 6
    assert after[b.pk]["bhxh_tn_moi"].value == 1 + 1 + 6
    series = participants_series(unit=b, indicators=["bhxh_tn_moi"], start=JUNE, end=JUNE)
    assert series["bhxh_tn_moi"][0][1].value == 1 + 1 + 6


def test_the_subtree_query_is_built_once_per_arguments_and_reads_the_data_afresh():
    from results.selectors.figures import _reduced_rows_query

    tree = build_district(communes=2, villages=1, with_users=False)
    village = tree.villages[tree.communes[0].pk][0]
    enter(village, 10)
    _reduced_rows_query.cache_clear()
    before = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE)
    enter(village, 25)  # a write: the figures are read again, with the query built before
    after = participants_for_children(parent=tree.district, indicators=["bhyt"], month=JUNE)

    assert before[tree.district.pk]["bhyt"].value == 10
    assert after[tree.district.pk]["bhyt"].value == 25
    assert _reduced_rows_query.cache_info().hits == 1
    # another subtree, another query: never the district's text
    commune = participants_for_children(parent=tree.communes[1], indicators=["bhyt"], month=JUNE)
    assert commune[tree.communes[1].pk]["bhyt"].value is None
    assert _reduced_rows_query.cache_info().misses == 2
