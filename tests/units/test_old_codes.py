"""Old and new names and codes across the 2025 mergers: one resolver for every import that takes a
unit code (the unit of the row's date; an old code for a later date answered with today's unit), and
the unit search finding an old unit by its old name or code within what the user sees."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bhxh_portal.imports import load_dataset, run_resource_import
from targets.models import Demographics
from results.models import MonthlyResult
from units.models import Role
from targets.resources import DemographicsResource
from units.selectors import unit_for_code, unit_search
from units.services.official_units import NEW_FROM, OLD_TO
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

AUGUST_2025 = datetime.date(2025, 8, 1)
JUNE_2023 = datetime.date(2023, 6, 1)


@pytest.fixture
def merger():
    """Old Tỉnh Bắc (commune 09001, 09002, 09003) to 30/6/2025; since 1/7/2025 Xã Hòa Bình (09001,
    formed from 09001 and 09002) in Tỉnh Mới, and Xã Ngoài (09100, from 09003) in another province."""
    old_province = make_unit("Tỉnh Bắc", level_code="tinh", code="27", valid_to=OLD_TO)
    district = make_unit("Huyện Cũ", level_code="huyen", code="270", parent=old_province, valid_to=OLD_TO)
    olds = {code: make_unit(name, parent=district, code=code, valid_to=OLD_TO)
            for code, name in [("09001", "Xã An Lạc"), ("09002", "Xã Đông Phú"), ("09003", "Xã Tây Sơn")]}
    province = make_unit("Tỉnh Mới", level_code="tinh", code="24", valid_from=NEW_FROM)
    other = make_unit("Tỉnh Khác", level_code="tinh", code="99", valid_from=NEW_FROM)
    new = make_unit("Xã Hòa Bình", parent=province, code="09001", valid_from=NEW_FROM)
    new.predecessors.set([olds["09001"], olds["09002"]])
    outside = make_unit("Xã Ngoài", parent=other, code="09100", valid_from=NEW_FROM)
    outside.predecessors.set([olds["09003"]])
    return {"province": province, "new": new, "outside": outside, **olds}


def test_a_code_names_the_unit_of_the_date_and_an_old_code_later_points_to_todays_unit(merger):
    assert unit_for_code(code="09001", start=JUNE_2023).unit == merger["09001"]
    assert unit_for_code(code="09001", start=AUGUST_2025).unit == merger["new"]
    assert unit_for_code(code="09002", start=JUNE_2023).unit == merger["09002"]
    # a year across the change takes the unit in force at its end
    assert unit_for_code(code="09001", start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)).unit \
        == merger["new"]

    later = unit_for_code(code="09002", start=AUGUST_2025)
    assert later.unit is None and later.ended
    assert later.error == ("'09002' là mã xã cũ (Xã Đông Phú, hết hiệu lực 30/06/2025), nay thuộc Xã Hòa Bình, "
                           "hãy dùng mã 09001.")
    # an old district went nowhere as a unit: its code is refused for later dates with why
    assert unit_for_code(code="270", start=AUGUST_2025).error == (
        "'270' là mã huyện cũ (Huyện Cũ, hết hiệu lực 30/06/2025); không dùng được cho thời kỳ sau ngày đó.")


def test_an_old_code_of_another_branch_is_answered_as_unknown(merger):
    user = make_member(merger["province"], Role.BHXH_STAFF)
    assert "nay thuộc Xã Hòa Bình" in unit_for_code(code="09002", start=AUGUST_2025, user=user).error
    outside = unit_for_code(code="09003", start=AUGUST_2025, user=user)
    assert outside.error == "Không có đơn vị mã '09003' trong phạm vi của bạn."
    assert not outside.ended


def test_search_finds_an_old_commune_by_old_name_or_code_and_says_where_it_is_now(client, merger):
    user = make_member(merger["province"], Role.BHXH_STAFF)
    client.force_login(user)

    html = client.get(reverse("units:unit_browser"), {"q": "dong phu"}).content.decode()

    assert "Xã Đông Phú" in html
    assert "mã xã cũ, nay thuộc" in html and "Xã Hòa Bình</a> (mã 09001)" in html
    # named, not opened, and its old district is not named
    assert reverse("units:unit_detail", args=[merger["09002"].pk]) not in html
    assert "Huyện Cũ" not in html
    by_code = unit_search(user=user, text="09002")
    assert [(u.name, [n.name for n in u.now_in], u.openable) for u in by_code] == [
        ("Xã Đông Phú", ["Xã Hòa Bình"], False)]


def test_search_never_shows_an_old_unit_whose_territory_lies_outside_the_users_scope(client, merger):
    client.force_login(make_member(merger["province"], Role.BHXH_STAFF))
    for query in ("tay son", "09003", "Tỉnh Bắc", "Huyện Cũ"):
        html = client.get(reverse("units:unit_browser"), {"q": query}).content.decode()
        assert "Không tìm thấy đơn vị nào" in html, query


def test_results_import_takes_an_old_code_for_an_old_month_and_refuses_it_for_a_current_one(merger, tmp_path,
                                                                                            capsys):
    good = tmp_path / "ket_qua.csv"
    good.write_text("unit_code,period,indicator,participants\n09002,2023-06,bhyt,120\n09001,2025-08,bhyt,300\n",
                    encoding="utf-8")
    call_command("import_data", "results", str(good))
    assert set(MonthlyResult.objects.values_list("unit__name", "participants")) == {
        ("Xã Đông Phú", 120), ("Xã Hòa Bình", 300)}

    bad = tmp_path / "sai.csv"
    bad.write_text("unit_code,period,indicator,participants\n09002,2025-08,bhyt,50\n", encoding="utf-8")
    with pytest.raises(CommandError, match="có 1 lỗi, không dòng nào được ghi"):
        call_command("import_data", "results", str(bad))
    assert ("dòng 2, cột unit_code: '09002' là mã xã cũ (Xã Đông Phú, hết hiệu lực 30/06/2025), nay thuộc "
            "Xã Hòa Bình, hãy dùng mã 09001.") in capsys.readouterr().err


def test_demographics_import_uses_the_unit_of_the_year(merger, tmp_path):
    path = tmp_path / "dan_so.csv"
    path.write_text("unit_code,year,population,labour_force\n09002,2023,1000,600\n09002,2026,1000,600\n",
                    encoding="utf-8")
    report = run_resource_import(DemographicsResource(), load_dataset(path), filename=path.name)
    assert [(p.line, p.message) for p in report.problems] == [
        (3, "'09002' là mã xã cũ (Xã Đông Phú, hết hiệu lực 30/06/2025), nay thuộc Xã Hòa Bình, hãy dùng mã 09001.")]
    assert Demographics.objects.count() == 0

    path.write_text("unit_code,year,population,labour_force\n09002,2023,1000,600\n", encoding="utf-8")
    report = run_resource_import(DemographicsResource(), load_dataset(path), filename=path.name)
    assert not report.problems
    assert Demographics.objects.get().unit == merger["09002"]
