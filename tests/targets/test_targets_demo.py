"""The demo data of the targets (manage.py load_demo): the two reference plans, safe to run twice."""

import pytest
from django.core.management import call_command

from targets.models import Demographics, Target, TargetKind

pytestmark = pytest.mark.django_db


def state():
    return (sorted(map(repr, Target.objects.values_list("pk", "unit__code", "agent__name", "indicator__code", "year",
                                                        "kind", "entered_as", "rate_pct", "count", "decision_number"))),
            sorted(map(repr, Demographics.objects.values_list("pk", "unit__code", "year", "population",
                                                              "labour_force"))))


def test_demo_loads_the_plans_and_a_second_run_changes_nothing(capsys):
    call_command("load_demo")
    first, history = state(), Target.history.count()
    call_command("load_demo")
    assert state() == first
    assert Target.history.count() == history
    out = capsys.readouterr().out
    assert "demo_targets.csv" in out and "không đổi" in out


def test_demo_reproduces_the_2021_commune_allocation():
    call_command("load_demo")
    tn_moi = Target.objects.filter(year=2021, indicator__code="bhxh_tn_moi")
    assert tn_moi.get(unit__code="HDUONG", agent__isnull=True, kind=TargetKind.ASSIGNED).count == 37
    assert tn_moi.get(unit__code="HDUONG", agent__isnull=True, kind=TargetKind.SELF_SET).count == 40
    assert sorted(tn_moi.filter(unit__parent__code="HDUONG").values_list("count", flat=True)) == [5] * 6
    agent = tn_moi.get(agent__name="Đại lý BHYT, BHXH xã Hải Dương")
    assert (agent.unit.code, agent.count) == ("HDUONG", 10)
    assert tn_moi.get(unit__code="HDUONG", kind="giao", agent__isnull=True).decision_label == (
        "Quyết định 324/QĐ-UBND ngày 15/03/2021 của UBND thị xã Hương Trà")
    counts = dict(Target.objects.filter(year=2021, unit__code="HDUONG", kind="giao", agent__isnull=True)
                  .values_list("indicator__code", "count"))
    assert counts == {"bhyt_hgd": 3300, "bhyt_can_ngheo": 152, "bhxh_tn": 115, "bhxh_tn_moi": 37,
                      "bhxh_tn_tai_tuc": 78}


def test_demo_has_the_2023_populations_and_rate_targets():
    call_command("load_demo")
    district = Demographics.objects.get(unit__code="CL", year=2023)
    assert (district.population, district.labour_force) == (148806, 75890)
    assert Target.objects.get(unit__code="CL01", indicator__code="bhyt", year=2023).count == 13050
    assert Target.objects.get(unit__code="CL", indicator__code="bhyt", year=2023).count == 141366
    assert Target.objects.get(unit__code="CL", indicator__code="bhxh", year=2023).count == 17219
    assert Target.objects.filter(unit__parent__code="CL", indicator__code="bhyt", year=2023).count() == 14
