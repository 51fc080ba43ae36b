"""The synthetic province of the benchmarks, built small: its shape, paths, sums and reuse."""

import pytest

from reports.coverage import coverage_table_build
from targets.models import Demographics, Target
from results.models import MonthlyReport, MonthlyResult, ReportState
from units.models import Unit
from results.selectors import participants_for_children
from results.synthetic import (
    INDICATORS,
    Shape,
    synthetic_province_ensure,
    synthetic_province_remove,
    synthetic_users_ensure,
)

pytestmark = pytest.mark.django_db

SMALL = Shape(districts=2, communes=3, villages=2, months=12)


def test_the_synthetic_province_has_the_shape_asked_for_with_right_paths():
    built = synthetic_province_ensure(year=2025, shape=SMALL)

    assert not built.reused
    units = list(Unit.objects.filter(path__startswith=built.province.path))
    assert sorted(u.depth for u in units).count(4) == 12 and len(units) == 1 + 2 + 6 + 12
    for unit in units:
        parent_path = next((p.path for p in units if p.pk == unit.parent_id), "/")
        assert unit.path == f"{parent_path}{unit.pk}/"
    assert MonthlyResult.objects.filter(year=2025).count() == 12 * 12 * len(INDICATORS) == SMALL.results
    assert MonthlyReport.objects.filter(year=2025, month=12, state=ReportState.DRAFT).count() == 6
    assert MonthlyReport.objects.filter(year=2025, month=11, state=ReportState.APPROVED).count() == 6
    assert Target.objects.filter(year=2025).count() == len(units) * len(INDICATORS)
    assert Demographics.objects.filter(year__in=[2024, 2025]).count() == 2 * len(units)


def test_every_parent_adds_up_its_children_and_the_tables_have_figures():
    built = synthetic_province_ensure(year=2025, shape=SMALL)
    district = built.districts[0]
    communes = list(Unit.objects.filter(parent=district))
    population = {d.unit_id: d.population for d in Demographics.objects.filter(year=2025)}
    assert population[district.pk] == sum(population[c.pk] for c in communes)

    figures = participants_for_children(parent=district, indicators=["bhyt", "bhxh"], month="2025-12")
    assert figures[district.pk]["bhyt"].value == sum(figures[c.pk]["bhyt"].value for c in communes)
    bb_tn = participants_for_children(parent=district, indicators=["bhxh_bb", "bhxh_tn"], month="2025-12")
    assert figures[district.pk]["bhxh"].value == bb_tn[district.pk]["bhxh_bb"].value + bb_tn[district.pk]["bhxh_tn"].value

    table = coverage_table_build(unit=built.province, table="bhyt", month=built.last_month)
    assert [r.values["unit"] for r in table.rows[:-1]] == ["Huyện Mẫu 01", "Huyện Mẫu 02"]
    assert all(r.values["coverage"] and r.values["achievement"] and r.values["change"] is not None
               for r in table.rows)


def test_the_province_is_reused_when_its_shape_matches_and_rebuilt_otherwise():
    first = synthetic_province_ensure(year=2025, shape=SMALL)

    again = synthetic_province_ensure(year=2025, shape=SMALL)
    assert again.reused and again.province.pk == first.province.pk
    assert "dùng lại" in again.summary()

    other = synthetic_province_ensure(year=2025, shape=Shape(districts=1, communes=2, villages=1))
    assert not other.reused and other.province.pk != first.province.pk
    assert Unit.objects.filter(code__startswith="SYN").count() == 1 + 1 + 2 + 2


def test_users_are_one_official_per_commune_and_one_leader_per_district_and_removed_with_it():
    built = synthetic_province_ensure(year=2025, shape=SMALL)

    users = synthetic_users_ensure(province=built.province)
    assert len(users["officials"]) == 6 and len(users["leaders"]) == 2
    user, commune = users["officials"][0]
    assert user.username == f"syn.{commune.code.lower()}" and not user.has_usable_password()
    assert synthetic_users_ensure(province=built.province)["officials"][0][0].pk == user.pk

    assert synthetic_province_remove() == 1 + 2 + 6 + 12
    assert not Unit.objects.filter(code__startswith="SYN").exists()
    assert not MonthlyResult.objects.exists()


def test_each_commune_has_three_schools_with_figures_for_the_students_table():
    built = synthetic_province_ensure(year=2025, shape=SMALL)

    table = coverage_table_build(unit=built.districts[0], table="students", month=built.last_month)

    schools = [r for r in table.rows if not r.is_total]
    assert len(schools) == 3 * 3
    assert all(r.values["pupils"] and r.values["insured"] is not None for r in schools)
    assert table.rows[-1].values["pupils"] == sum(r.values["pupils"] for r in schools)
