"""The official unit tree: loaded from the pinned data package, twice without change, with both eras
and the links between them; figures of a date before a merger read from the predecessors."""

import datetime

import pytest
from django.db.models import F
from django.core.management import call_command
from django.db.models import Count

from reports.tables.inputs import load_inputs
from targets.models import Demographics
from units.models import Unit
from units.periods import Period
from units.selectors import unit_lineage, unit_predecessors_on
from units.services.official_units import NEW_FROM, OLD_TO, official_units_load
from tests.factories import make_unit
from tests.results.results_fixtures import enter

pytestmark = pytest.mark.django_db

JUNE_2023 = Period.month(2023, 6)


def in_force(day, level_code):
    return Unit.objects.valid_on(day).filter(level__code=level_code).count()


@pytest.fixture
def vinh_long():
    """Today's Vĩnh Long (86) and the old Vĩnh Long, Bến Tre and Trà Vinh it was formed from."""
    official_units_load(province="86", before_2025=True)
    return Unit.objects.get(code="86", valid_from=NEW_FROM)


def commune(name, *, new):
    era = {"valid_from": NEW_FROM} if new else {"valid_to": OLD_TO}
    return Unit.objects.get(name=name, level__code="xa", **era)


def test_whole_country_both_eras_counts_and_a_second_load_changes_nothing():
    first = official_units_load(before_2025=True)
    assert first.added == {"tinh": 34 + 63, "huyen": 696, "xa": 3321 + 10035}
    assert (in_force(OLD_TO, "tinh"), in_force(OLD_TO, "huyen"), in_force(OLD_TO, "xa")) == (63, 696, 10035)
    assert (in_force(NEW_FROM, "tinh"), in_force(NEW_FROM, "huyen"), in_force(NEW_FROM, "xa")) == (34, 0, 3321)
    # every old commune went somewhere
    assert not Unit.objects.filter(valid_to=OLD_TO, level__code="xa").annotate(n=Count("successors")).filter(n=0)
    snapshot = list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "parent_id", "path", "valid_from",
                                                            "valid_to"))
    links = Unit.predecessors.through.objects.count()

    second = official_units_load(before_2025=True)

    assert second.unchanged
    assert list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "parent_id", "path", "valid_from",
                                                        "valid_to")) == snapshot
    assert Unit.predecessors.through.objects.count() == links


def test_same_code_in_both_eras_new_hue_and_old_hue_are_two_units(vinh_long):
    official_units_load(province="46", before_2025=True)
    hue = Unit.objects.filter(code="46", level__code="tinh").order_by(F("valid_from").asc(nulls_first=True))
    assert [(u.valid_from, u.valid_to) for u in hue] == [(None, OLD_TO), (NEW_FROM, None)]
    assert list(hue[1].predecessors.all()) == [hue[0]]


def test_one_province_by_its_old_code_loads_the_new_province_it_went_into():
    report = official_units_load(province="84")
    assert report.provinces == ["86"]
    assert Unit.objects.current().get(code="86").name == "Tỉnh Vĩnh Long"
    assert Unit.objects.filter(level__code="xa", parent__code="86").count() == 124


def test_command_reports_in_vietnamese_and_refuses_an_unknown_province(capsys):
    call_command("load_official_units", "--province", "86")
    out = capsys.readouterr().out
    assert "Thêm mới: 1 tỉnh, 124 xã." in out
    call_command("load_official_units", "--province", "86")
    assert "Không có thay đổi" in capsys.readouterr().out
    with pytest.raises(Exception, match="Không có tỉnh mã '99'"):
        call_command("load_official_units", "--province", "99")


def test_a_hand_typed_old_province_still_in_force_ends_with_its_subtree_and_links_to_its_successor():
    tra_vinh = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=tra_vinh, code="CL")
    village_commune = make_unit("Xã Mỹ Cẩm", parent=district, code="CL02", code_is_official=False)

    report = official_units_load(province="86")

    assert report.ended == {"tinh": 1, "huyen": 1, "xa": 1}
    assert set(Unit.objects.filter(pk__in=[tra_vinh.pk, district.pk, village_commune.pk])
               .values_list("valid_to", flat=True)) == {OLD_TO}
    new = Unit.objects.current().get(code="86")
    assert tra_vinh in new.predecessors.all()


def test_cang_long_commune_2023_figure_is_the_sum_of_its_three_predecessors(vinh_long):
    new = commune("Xã Càng Long", new=True)
    parts = [commune(n, new=False) for n in ("Thị trấn Càng Long", "Xã Mỹ Cẩm", "Xã Nhị Long Phú")]
    for value, unit in zip((5000, 3000, 2000), parts):
        enter(unit, value, month=JUNE_2023)
        Demographics.objects.create(unit=unit, year=2023, population=value * 2)

    found = unit_predecessors_on(unit=new, on=JUNE_2023.end)
    assert sorted(p.unit.name for p in found) == sorted(u.name for u in parts)
    assert not any(p.split for p in found)

    inputs = load_inputs(parent=vinh_long, month=JUNE_2023, indicator_codes=["bhyt"])

    assert new in inputs.children
    assert inputs.value(new, "bhyt") == 10000
    assert inputs.denominator(new, "population") == 20000
    assert [p.unit for p in inputs.from_predecessors[new.pk]] == sorted(parts, key=lambda u: u.code)
    assert new.pk not in inputs.split_units


def test_a_commune_formed_partly_from_a_split_one_is_flagged_not_guessed(vinh_long):
    split_old = (Unit.objects.filter(valid_to=OLD_TO, level__code="xa", path__startswith="/")
                 .annotate(n=Count("successors")).filter(n__gt=1).first())
    assert split_old is not None
    receiving = split_old.successors.first()
    for part in receiving.predecessors.all():
        enter(part, 100, month=JUNE_2023)

    found = unit_predecessors_on(unit=receiving, on=JUNE_2023.end)
    assert [p.split for p in found if p.unit == split_old] == [True]
    inputs = load_inputs(parent=vinh_long, month=JUNE_2023, indicator_codes=["bhyt"])
    assert receiving.pk in inputs.split_units
    assert inputs.value(receiving, "bhyt") is None
    lineage = unit_lineage(unit=split_old)
    assert len(lineage.successors) > 1 and all(s.split for s in lineage.successors)


def test_a_unit_in_force_on_the_date_is_its_own_history(vinh_long):
    old = commune("Xã Mỹ Cẩm", new=False)
    assert [p.unit for p in unit_predecessors_on(unit=old, on=datetime.date(2023, 6, 30))] == [old]
    assert [p.unit for p in unit_predecessors_on(unit=vinh_long, on=NEW_FROM)] == [vinh_long]


def _import_units(text):
    from bhxh_portal.imports import load_dataset, run_resource_import
    from units.resources import UnitResource

    return run_resource_import(UnitResource(), load_dataset(text.encode(), filename="don_vi.csv"), filename="don_vi.csv")


def test_unit_import_links_the_predecessors_column_and_refuses_an_unknown_code():
    old = [make_unit(n, level_code="tinh", code=c) for n, c in (("Tỉnh Bắc Ninh", "27"), ("Tỉnh Bắc Giang", "24"))]
    for unit in old:
        Unit.objects.filter(pk=unit.pk).update(valid_to=OLD_TO)

    report = _import_units("mã,tên,cấp,mã cấp trên,hiệu lực từ,đơn vị trước sắp xếp\n"
                           "24,Tỉnh Bắc Ninh,tinh,,01/07/2025,\"27, 24\"\n")
    assert report.ok, report.messages()
    new = Unit.objects.current().get(code="24")
    assert set(new.predecessors.all()) == set(old)

    again = _import_units("mã,tên,cấp,mã cấp trên,hiệu lực từ,đơn vị trước sắp xếp\n"
                          "24,Tỉnh Bắc Ninh,tinh,,01/07/2025,\"27, 24, 99\"\n")
    assert not again.ok
    assert "mã '99'" in " ".join(again.messages())


def test_unit_page_shows_lineage_both_ways_and_marks_a_split_predecessor(admin_client):
    old = make_unit("Xã Tân Thành", level_code="tinh", code="T1", code_is_official=False)
    Unit.objects.filter(pk=old.pk).update(valid_to=OLD_TO)
    first, second = (make_unit(n, level_code="tinh", code=c, code_is_official=False) for n, c in (("Xã A", "A1"), ("Xã B", "B1")))
    for new in (first, second):
        new.predecessors.add(old)

    page = admin_client.get(f"/don-vi/{first.pk}/").content.decode()
    assert "Xã Tân Thành" in page and "một phần — đơn vị này bị chia" in page
    page = admin_client.get(f"/don-vi/{old.pk}/").content.decode()
    assert "Đã sáp nhập vào (bị chia)" in page and "Xã A" in page and "Xã B" in page
