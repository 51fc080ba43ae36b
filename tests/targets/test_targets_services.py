"""Targets through the services: rate and count, the 2021 commune allocation, who may do what,
the audit trail, periods and decisions, and progress against the 2023 golden table."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bhxh_portal.numbers import format_number
from targets import progress, services
from targets.decisions import Decision, parse_decision
from targets.models import EnteredAs, Indicator, Target, TargetKind
from units.periods import Period, PeriodType, parse_period_text
from targets.rates import derive
from tests.factories import make_demographics, make_member, make_target

from .targets_fixtures import build_cang_long, build_hai_duong, golden_rows

pytestmark = pytest.mark.django_db

DECISION_324 = "Quyết định 324/QĐ-UBND ngày 15/3/2021"


def indicator(code):
    return Indicator.objects.get(code=code)


# --- rate and count -------------------------------------------------------------------------------


def test_rate_target_of_the_2023_plan_95_percent_of_13737_is_13050():
    tree = build_cang_long()
    target = make_target(tree.communes["CL01"], "bhyt", year=2023, rate_pct="95")
    assert (target.entered_as, target.rate_pct, target.count, target.denominator) == (
        EnteredAs.RATE, Decimal("95"), 13050, 13737)


def test_district_rate_target_is_computed_from_its_own_population():
    tree = build_cang_long()
    assert make_target(tree.district, "bhyt", year=2023, rate_pct="95").count == 141366  # 141.365,7
    # BHXH, BHXH TN and BHTN rates of the plan on the labour force 75.890 (section II).
    assert make_target(tree.district, "bhxh", year=2023, rate_pct="22.69").count == 17219
    assert make_target(tree.district, "bhxh_tn", year=2023, rate_pct="6.17").count == 4682
    assert make_target(tree.district, "bhtn", year=2023, rate_pct="15.66").count == 11884


def test_count_target_keeps_the_count_and_derives_the_rate_half_up():
    tree = build_cang_long()
    target = make_target(tree.communes["CL01"], "bhyt", year=2023, count=13050)
    assert (target.entered_as, target.count, target.rate_pct) == (EnteredAs.COUNT, 13050, Decimal("95.00"))
    assert target.exact_rate == Fraction(1305000, 13737)  # 94,9989…%: kept exact for achievement %
    # 1/200 of a percent rounds up: 1 person of 20.000 is 0,005% → 0,01%.
    assert derive(rate_pct=None, count=1, denominator=20000).rate_pct == Decimal("0.01")


def test_count_target_without_denominator_has_no_rate():
    tree = build_hai_duong()
    target = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37)
    assert (target.count, target.rate_pct, target.denominator) == (37, None, None)


def test_rate_target_without_denominator_is_refused_in_vietnamese():
    tree = build_hai_duong()
    with pytest.raises(ValidationError) as exc:
        make_target(tree.commune, "bhyt", year=2021, rate_pct=95)
    assert "Chưa có dân số năm 2021 của Xã Hải Dương" in exc.value.message_dict["rate_pct"][0]
    assert Target.objects.count() == 0


@pytest.mark.parametrize(("rate", "count", "field", "words"), [
    ("100.5", None, "rate_pct", "vượt quá 100%"),
    ("-1", None, "rate_pct", "không được âm"),
    (None, -3, "count", "không được âm"),
    ("95.00001", None, "rate_pct", "tối đa 4 chữ số"),
    (None, None, "count", "Cần ghi tỷ lệ"),
])
def test_invalid_values_are_refused(rate, count, field, words):
    with pytest.raises(ValidationError) as exc:
        derive(rate_pct=Decimal(rate) if rate else None, count=count, denominator=1000)
    assert words in exc.value.message_dict[field][0]


def test_agent_targets_are_counts_only():
    tree = build_hai_duong()
    with pytest.raises(ValidationError) as exc:
        make_target(tree.commune, "bhxh_tn_moi", year=2021, rate_pct=5, agent=tree.agent)
    assert "đại lý thu ghi bằng số người" in exc.value.message_dict["rate_pct"][0]
    with pytest.raises(ValidationError):
        make_target(tree.commune, "bhxh_tn_moi", year=2021, count=5, agent=tree.agent, kind=TargetKind.SELF_SET)
    with pytest.raises(ValidationError) as exc:
        make_target(tree.sibling, "bhxh_tn_moi", year=2021, count=5, agent=tree.agent)
    assert "không thuộc Xã Hương Vinh" in exc.value.message_dict["agent"][0]


def test_demographics_change_rederives_targets_and_is_recorded():
    tree = build_cang_long()
    commune = tree.communes["CL01"]
    by_rate = make_target(commune, "bhyt", year=2023, rate_pct="95")
    by_count = make_target(commune, "bhyt", year=2023, count=13500, kind=TargetKind.SELF_SET)
    staff = make_member(tree.district, "bhxh_staff")
    services.demographics_save(unit=commune, year=2023, values={"population": 14000}, by=staff)
    by_rate.refresh_from_db()
    by_count.refresh_from_db()
    assert (by_rate.rate_pct, by_rate.count) == (Decimal("95"), 13300)
    assert (by_count.count, by_count.rate_pct) == (13500, Decimal("96.43"))
    last = by_rate.history.latest("history_id")
    assert last.history_user == staff and last.history_change_reason.startswith("Tính lại theo mẫu số mới")
    record = commune.demographics.get(year=2023).history.latest("history_id")
    assert (record.population, record.history_user) == (14000, staff)


def test_demographics_refuses_negative_and_other_branches():
    tree = build_hai_duong()
    official = tree.users["commune_official"]
    with pytest.raises(ValidationError):
        services.demographics_save(unit=tree.villages[0], year=2021, values={"population": -1}, by=official)
    # A commune official enters the village figures, not the commune's own, nor another commune's.
    services.demographics_save(unit=tree.villages[0], year=2021, values={"population": 812}, by=official)
    with pytest.raises(PermissionDenied):
        services.demographics_save(unit=tree.commune, year=2021, values={"population": 9000}, by=official)
    with pytest.raises(PermissionDenied):
        services.demographics_save(unit=tree.sibling_village, year=2021, values={"population": 9}, by=official)


# --- the 2021 commune plan ------------------------------------------------------------------------


def test_the_2021_commune_allocation_is_reproduced():
    """Thị xã giao 37, xã phấn đấu 40, six thôn × 5 and the commune agent 10 (Kế hoạch 162/KH-UBND)."""
    tree = build_hai_duong()
    users = tree.users
    assigned = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37, decision=DECISION_324,
                           by=users["town_staff"])
    self_set = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET,
                           decision="Kế hoạch 162/KH-UBND ngày 19/3/2021", by=users["commune_official"])
    assert self_set.count > assigned.count  # a self-set target may exceed the assigned one
    shares = {village: 5 for village in tree.villages}
    shares[tree.agent] = 10
    outcome = services.target_allocate(parent=self_set, shares=shares, by=users["commune_official"],
                                       decision=parse_decision("Kế hoạch 162/KH-UBND ngày 19/3/2021"))
    assert (outcome.created, outcome.check.status, outcome.check.allocated) == (7, "exact", 40)
    assert outcome.check.message == "Đã phân bổ đủ chỉ tiêu."
    village_targets = Target.objects.filter(unit__parent=tree.commune, indicator__code="bhxh_tn_moi", year=2021)
    assert sorted(village_targets.values_list("unit__code", "count", "kind")) == sorted(
        (v.code, 5, TargetKind.ASSIGNED) for v in tree.villages)
    agent_target = Target.objects.get(agent=tree.agent)
    assert (agent_target.unit, agent_target.count, agent_target.kind) == (tree.commune, 10, TargetKind.ASSIGNED)
    assert assigned.decision_label == "Quyết định 324/QĐ-UBND ngày 15/03/2021"
    assert agent_target.decision_label == "Kế hoạch 162/KH-UBND ngày 19/03/2021"


def test_allocation_that_falls_short_is_saved_and_reported_under():
    tree = build_hai_duong()
    parent = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    outcome = services.target_allocate(parent=parent, shares={tree.villages[0]: 5, tree.agent: 10})
    assert (outcome.check.status, outcome.check.difference) == ("under", -25)


def test_allocation_keeps_unchanged_rows_and_removes_emptied_ones():
    tree = build_hai_duong()
    parent = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    services.target_allocate(parent=parent, shares={v: 5 for v in tree.villages})
    history_before = Target.history.count()
    shares = {v: 5 for v in tree.villages}
    shares[tree.villages[0]] = None
    shares[tree.villages[1]] = 6
    outcome = services.target_allocate(parent=parent, shares=shares)
    assert (outcome.deleted, outcome.updated, outcome.unchanged) == (1, 1, 4)
    assert Target.history.count() == history_before + 2
    assert not Target.objects.filter(unit=tree.villages[0]).exists()


def test_allocation_refuses_a_unit_that_is_not_a_child():
    tree = build_hai_duong()
    parent = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    with pytest.raises(ValidationError, match="không phải đơn vị cấp dưới"):
        services.target_allocate(parent=parent, shares={tree.sibling_village: 5})
    assert Target.objects.count() == 1


# --- who may do what ------------------------------------------------------------------------------


def test_level_above_assigns_and_the_unit_sets_its_own():
    tree = build_hai_duong()
    users = tree.users
    period, bhxh_tn_moi = Period.of_year(2021), indicator("bhxh_tn_moi")
    # The commune may not assign its own giao target; the town's BHXH staff may.
    with pytest.raises(PermissionDenied, match="chỉ tiêu giao do cấp trên"):
        services.target_set(unit=tree.commune, indicator=bhxh_tn_moi, period=period, kind=TargetKind.ASSIGNED,
                            count=37, by=users["commune_official"])
    services.target_set(unit=tree.commune, indicator=bhxh_tn_moi, period=period, kind=TargetKind.ASSIGNED,
                        count=37, by=users["town_staff"])
    # Its own self-set target: yes. The sibling commune's: no.
    services.target_set(unit=tree.commune, indicator=bhxh_tn_moi, period=period, kind=TargetKind.SELF_SET,
                        count=40, by=users["commune_official"])
    with pytest.raises(PermissionDenied):
        services.target_set(unit=tree.sibling, indicator=bhxh_tn_moi, period=period, kind=TargetKind.SELF_SET,
                            count=40, by=users["commune_official"])
    # A collection agent's login sets nothing; a leader of the commune sets its self-set target.
    with pytest.raises(PermissionDenied):
        services.target_set(unit=tree.commune, indicator=bhxh_tn_moi, period=period, kind=TargetKind.SELF_SET,
                            count=41, by=users["agent_user"])
    services.target_set(unit=tree.commune, indicator=bhxh_tn_moi, period=period, kind=TargetKind.SELF_SET,
                        count=41, by=users["commune_leader"])
    assert sorted(Target.objects.values_list("kind", "count")) == [("giao", 37), ("phan_dau", 41)]


def test_nobody_allocates_in_another_branch():
    tree = build_hai_duong()
    sibling_target = make_target(tree.sibling, "bhxh_tn_moi", year=2021, count=20, kind=TargetKind.SELF_SET)
    own_target = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    with pytest.raises(PermissionDenied):
        services.target_allocate(parent=sibling_target, shares={tree.sibling_village: 20},
                                 by=tree.users["commune_official"])
    with pytest.raises(PermissionDenied):
        services.target_allocate(parent=own_target, shares={tree.villages[0]: 5}, by=tree.users["agent_user"])
    with pytest.raises(PermissionDenied):
        services.target_delete(target=sibling_target, by=tree.users["commune_official"])
    assert Target.objects.count() == 2


def test_town_staff_allocates_the_commune_target_only_from_above():
    tree = build_hai_duong()
    staff = tree.users["town_staff"]
    town = make_target(tree.town, "bhxh_tn_moi", year=2021, count=100, kind=TargetKind.SELF_SET, by=staff)
    outcome = services.target_allocate(parent=town, shares={tree.commune: 37, tree.sibling: 63}, by=staff)
    assert outcome.check.status == "exact"
    # Their own town's giao comes from the province: refused.
    with pytest.raises(PermissionDenied):
        make_target(tree.town, "bhxh_tn_moi", year=2021, count=100, by=staff)


# --- the audit trail ------------------------------------------------------------------------------


def test_every_change_is_recorded_with_who_when_old_and_new():
    tree = build_hai_duong()
    staff = tree.users["town_staff"]
    target = make_target(tree.commune, "bhxh_tn_moi", year=2021, count=35, by=staff)
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37, decision=DECISION_324, by=staff)
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37, decision=DECISION_324, by=staff)  # unchanged
    records = list(target.history.order_by("history_id"))
    assert [(r.history_type, r.count, r.history_user) for r in records] == [("+", 35, staff), ("~", 37, staff)]
    assert records[1].decision_number == "324/QĐ-UBND" and records[0].decision_number == ""
    assert records[1].history_date >= records[0].history_date
    services.target_delete(target=Target.objects.get(), by=staff, reason="Nhầm")
    deleted = Target.history.latest("history_id")
    assert (deleted.history_type, deleted.history_user, deleted.history_change_reason) == ("-", staff, "Nhầm")


# --- periods and decisions ------------------------------------------------------------------------


def test_periods_have_dates_labels_and_keys():
    h2 = Period.parse("2023-H2")
    assert (h2.start, h2.end, h2.label, h2.key) == (
        datetime.date(2023, 7, 1), datetime.date(2023, 12, 31), "6 tháng cuối năm 2023", "2023-H2")
    feb = Period.month(2024, 2)
    assert (feb.end, feb.label, feb.key) == (datetime.date(2024, 2, 29), "Tháng 2/2024", "2024-02")
    assert Period.of_year(2023).contains(Period.quarter(2023, 3)) and not h2.contains(Period.month(2023, 6))
    assert [p.key for p in Period.quarter(2023, 3).months] == ["2023-07", "2023-08", "2023-09"]
    assert Period.containing(datetime.date(2023, 6, 30), PeriodType.HALF) == Period.half(2023, 1)
    assert parse_period_text("Quý III", year=2023) == Period.quarter(2023, 3)
    assert parse_period_text("", year=2023) == Period.of_year(2023)
    with pytest.raises(ValueError, match="không có trong một năm"):
        Period.quarter(2023, 5)
    with pytest.raises(ValueError, match="không hợp lệ"):
        parse_period_text("mùa xuân", year=2023)


def test_targets_of_different_periods_coexist():
    tree = build_cang_long()
    commune = tree.communes["CL01"]
    make_target(commune, "bhyt", year=2023, rate_pct=95)
    half = make_target(commune, "bhyt", year=2023, rate_pct=94, period=Period.half(2023, 1))
    assert half.period.label == "6 tháng đầu năm 2023" and half.count == 12913  # 94% of 13.737 = 12.912,78
    assert Target.objects.filter(unit=commune).count() == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("Quyết định 324/QĐ-UBND ngày 15/3/2021", Decision("324/QĐ-UBND", datetime.date(2021, 3, 15))),
    ("QĐ số 324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND thị xã",
     Decision("324/QĐ-UBND", datetime.date(2021, 3, 15), "UBND thị xã")),
    ("Số: 295 /KH-BCĐ", Decision("295/KH-BCĐ")),
    ("Nghị quyết 12/2020/NQ-HĐND ngày 09/11/2020", Decision("12/2020/NQ-HĐND", datetime.date(2020, 11, 9))),
])
def test_decisions_are_read_the_ways_people_write_them(text, expected):
    assert parse_decision(text) == expected


def test_decision_label_names_the_document_type():
    assert Decision("324/QĐ-UBND", datetime.date(2021, 3, 15)).label == "Quyết định 324/QĐ-UBND ngày 15/03/2021"
    assert Decision("12/2020/NQ-HĐND").label == "Nghị quyết 12/2020/NQ-HĐND"
    assert parse_decision("") is None
    with pytest.raises(ValueError, match="không có thật"):
        parse_decision("324/QĐ-UBND ngày 31/2/2021")


# --- progress, once results exist -----------------------------------------------------------------


@pytest.fixture
def golden_results():
    """A participants source as the monthly results register: the golden figures."""
    rows = {r["local_code"]: int(r["bhyt_participants"]) for r in golden_rows()}

    def source(*, unit_ids, indicator_ids, period):
        from units.models import Unit

        codes = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "code"))
        bhyt = Indicator.objects.get(code="bhyt").pk
        return {(pk, bhyt): rows[code] for pk, code in codes.items() if code in rows and bhyt in indicator_ids}

    previous = progress.register_participants_source(source)
    yield
    progress.register_participants_source(previous)


def test_progress_reproduces_every_figure_of_the_2023_bhyt_table(golden_results):
    tree = build_cang_long()
    units = {**tree.communes, "CL": tree.district}
    period = Period.of_year(2023)
    for row in golden_rows():
        unit = units[row["local_code"]]
        target = make_target(unit, "bhyt", year=2023, rate_pct=row["target_rate_pct"].replace(",", "."))
        participants = progress.participants_for(unit_ids=[unit.pk], indicator_ids=[target.indicator_id],
                                                 period=period)[(unit.pk, target.indicator_id)]
        result = progress.progress_against(target, participants=participants, denominator=target.denominator)
        assert format_number(result.coverage_pct, 2) == row["printed_coverage_pct"], row["unit"]
        assert format_number(result.achievement_pct, 2) == row["printed_achievement_pct"], row["unit"]
        printed = row["printed_remaining"].replace(".", "")
        assert format_number(result.remaining, negative_in_parentheses=True).replace(".", "") == printed, row["unit"]


def test_no_results_source_means_no_progress():
    assert progress.participants_for(unit_ids=[1], indicator_ids=[1], period=Period.of_year(2023)) == {}
    assert progress.progress_against(None, participants=None, denominator=10) is None


def test_make_demographics_factory_and_rates_helper_agree():
    tree = build_hai_duong()
    make_demographics(tree.villages[0], 2021, labour_force=800)
    target = make_target(tree.villages[0], "bhxh_tn_moi", year=2021, count=5)
    assert target.rate_pct == Decimal("0.63")  # 5 / 800 = 0,625% → 0,63%
