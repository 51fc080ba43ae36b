"""The unit tree: levels as data, codes, validity dates, mergers, re-parenting and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from units import access
from units import selectors, services
from units.models import Unit, UnitLevel
from bhxh_portal.search import fold_text
from tests.factories import level, make_member, make_tree, make_unit

pytestmark = pytest.mark.django_db

D = datetime.date


# --- levels are data ---------------------------------------------------------------------------

def test_the_four_levels_are_rows_with_their_allowed_parents_and_code_lengths():
    levels = {lv.code: lv for lv in UnitLevel.objects.prefetch_related("parent_levels")}
    assert [(lv.code, lv.name, lv.rank, lv.code_digits) for lv in UnitLevel.objects.all()] == [
        ("tinh", "Tỉnh", 1, 2), ("huyen", "Huyện", 2, 3), ("xa", "Xã", 3, 5), ("thon", "Thôn", 4, None),
    ]
    parents = {code: sorted(p.code for p in lv.parent_levels.all()) for code, lv in levels.items()}
    assert parents == {"tinh": [], "huyen": ["tinh"], "xa": ["huyen", "tinh"], "thon": ["xa"]}


def test_level_accepts_its_vietnamese_names_without_accents():
    assert {"huyen", "quan", "thi xa", "thanh pho thuoc tinh"} <= level("huyen").accepted_names()
    assert {"thon", "ap", "khom", "to dan pho"} <= level("thon").accepted_names()


def test_four_level_tree_before_the_2025_reform():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="844")
    commune = make_unit("Xã Mỹ Cẩm", level_code="xa", parent=district, code="29275")
    village = make_unit("Ấp Mỹ Hiệp", level_code="thon", parent=commune, code="29275-01", code_is_official=False)

    assert [u.depth for u in (province, district, commune, village)] == [1, 2, 3, 4]
    assert village.path == f"/{province.pk}/{district.pk}/{commune.pk}/{village.pk}/"
    assert village.ancestor_ids == [province.pk, district.pk, commune.pk]


def test_two_level_tree_a_commune_directly_under_a_province_is_allowed():
    province = make_unit("Tỉnh Vĩnh Long", level_code="tinh", code="86", valid_from=D(2025, 7, 1))
    commune = make_unit("Xã Càng Long", level_code="xa", parent=province, code="29242", valid_from=D(2025, 7, 1))

    assert commune.parent == province
    assert commune.depth == 2
    assert commune.path == f"/{province.pk}/{commune.pk}/"


def test_a_village_directly_under_a_province_is_refused_in_vietnamese():
    province = make_unit("Tỉnh Vĩnh Long", level_code="tinh", code="86")

    with pytest.raises(ValidationError) as caught:
        make_unit("Thôn Lạc", level_code="thon", parent=province)

    assert caught.value.message_dict["parent"] == [
        "Đơn vị cấp Thôn không thể trực thuộc đơn vị cấp Tỉnh (Tỉnh Vĩnh Long)."
    ]
    assert not Unit.objects.filter(name="Thôn Lạc").exists()


def test_a_commune_without_a_parent_is_refused():
    with pytest.raises(ValidationError) as caught:
        make_unit("Xã Mồ Côi", level_code="xa")
    assert caught.value.message_dict["parent"] == ["Đơn vị cấp Xã phải có đơn vị cấp trên (Tỉnh, Huyện)."]


# --- codes -------------------------------------------------------------------------------------

def test_search_name_is_the_accent_free_name_and_code():
    unit = make_unit("Xã Hải Dương", level_code="xa", parent=make_unit(level_code="tinh"), code="HDUONG")
    assert unit.search_name == "xa hai duong hduong"
    assert fold_text("Đặc khu Côn Đảo") == "dac khu con dao"


def test_two_current_units_cannot_share_a_code():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    with pytest.raises(ValidationError) as caught:
        make_unit("Tỉnh Trà Vinh (bản sao)", level_code="tinh", code="84")
    assert "Đã có đơn vị đang hiệu lực mang mã này." in caught.value.messages
    # and the database itself refuses it, whatever path the write takes
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="84", name="Bản sao", level=province.level, path="/x/")


def test_a_new_current_unit_may_take_the_code_of_a_closed_one():
    old = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84", valid_to=D(2025, 6, 30))
    new = make_unit("Tỉnh Vĩnh Long", level_code="tinh", code="84", valid_from=D(2025, 7, 1))

    assert Unit.objects.filter(code="84").count() == 2
    assert list(Unit.objects.current().filter(code="84")) == [new]
    assert old.pk != new.pk


def test_an_official_code_has_the_number_of_digits_of_its_level():
    province = make_unit("Thành phố Hà Nội", level_code="tinh", code="01")
    assert province.code_is_official

    with pytest.raises(ValidationError) as caught:
        make_unit("Quận Ba Đình", level_code="huyen", parent=province, code="1", code_is_official=True)
    assert caught.value.message_dict["code"] == [
        "Mã chính thức của cấp Huyện phải gồm 3 chữ số, '1' thì không; "
        "nếu là mã tự đặt, hãy ghi rõ đây không phải mã chính thức."
    ]
    with pytest.raises(ValidationError):
        make_unit("Xã Chữ", level_code="xa", parent=province, code="AB123", code_is_official=True)


def test_a_made_up_code_is_accepted_when_marked_not_official():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL", code_is_official=False)
    commune = make_unit("Xã Mỹ Cẩm", level_code="xa", parent=district, code="29275")
    village = make_unit("Ấp Mỹ Hiệp", level_code="thon", parent=commune, code="29275-01")

    assert not district.code_is_official
    assert commune.code_is_official
    assert not village.code_is_official  # villages have no national code


def test_validity_end_before_start_is_refused():
    with pytest.raises(ValidationError) as caught:
        make_unit(level_code="tinh", valid_from=D(2025, 7, 1), valid_to=D(2025, 6, 30))
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực." in caught.value.messages


# --- validity ----------------------------------------------------------------------------------

def test_valid_on_returns_the_units_in_force_that_day():
    always = make_unit("Tỉnh Mãi", level_code="tinh")
    closed = make_unit("Tỉnh Cũ", level_code="tinh", valid_to=D(2025, 6, 30))
    opened = make_unit("Tỉnh Mới", level_code="tinh", valid_from=D(2025, 7, 1))
    bounded = make_unit("Tỉnh Tạm", level_code="tinh", valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))

    def names(day):
        return set(Unit.objects.valid_on(day).values_list("name", flat=True))

    assert names(D(2023, 6, 30)) == {always.name, closed.name}
    assert names(D(2024, 1, 1)) == {always.name, closed.name, bounded.name}
    assert names(D(2025, 6, 30)) == {always.name, closed.name}
    assert names(D(2025, 7, 1)) == {always.name, opened.name}
    assert set(Unit.objects.current().values_list("name", flat=True)) == {always.name, opened.name}


# --- mergers -----------------------------------------------------------------------------------

@pytest.fixture
def two_communes():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="844")
    host = make_unit("Xã Mỹ Cẩm", level_code="xa", parent=district, code="29275")
    other = make_unit("Xã An Trường", level_code="xa", parent=district, code="29278")
    villages = [
        make_unit("Ấp Mỹ Hiệp", level_code="thon", parent=host, code_is_official=False),
        make_unit("Ấp 1", level_code="thon", parent=other, code_is_official=False),
        make_unit("Ấp 2", level_code="thon", parent=other, code_is_official=False),
    ]
    return province, district, host, other, villages


def test_merge_closes_the_predecessors_the_day_before_and_moves_their_children(two_communes):
    province, district, host, other, villages = two_communes

    merged = services.unit_merge(
        predecessors=[host, other], code="29275", name="Xã Mỹ Cẩm", level=level("xa"), parent=province,
        effective=D(2025, 7, 1),
    )

    host.refresh_from_db()
    other.refresh_from_db()
    assert host.valid_to == other.valid_to == D(2025, 6, 30)
    assert merged.valid_from == D(2025, 7, 1) and merged.valid_to is None
    assert merged.code == host.code == "29275"
    assert merged.parent == province and merged.depth == 2
    assert set(merged.predecessors.all()) == {host, other}
    assert set(host.successors.all()) == {merged}
    assert set(other.successors.all()) == {merged}
    assert set(merged.children.all()) == set(villages)
    for village in villages:
        village.refresh_from_db()
        assert village.path == f"{merged.path}{village.pk}/"
        assert village.depth == 3
    assert list(Unit.objects.current().filter(code="29275")) == [merged]
    # history still adds up: on the day before, the old communes are there; on the day, the new one
    assert set(Unit.objects.valid_on(D(2025, 6, 30)).filter(level__code="xa")) == {host, other}
    assert set(Unit.objects.valid_on(D(2025, 7, 1)).filter(level__code="xa")) == {merged}


def test_merge_refuses_a_predecessor_closed_long_before(two_communes):
    province, district, host, other, villages = two_communes
    Unit.objects.filter(pk=other.pk).update(valid_to=D(2020, 1, 1))
    other.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        services.unit_merge(predecessors=[host, other], code="29275", name="Xã Mỹ Cẩm",
                            level=level("xa"), parent=province, effective=D(2025, 7, 1))

    assert caught.value.messages == ["Đơn vị Xã An Trường đã hết hiệu lực từ 01/01/2020."]
    host.refresh_from_db()
    assert host.valid_to is None
    assert not Unit.objects.filter(valid_from=D(2025, 7, 1)).exists()


def test_merge_refuses_an_effective_date_not_after_a_predecessor_began(two_communes):
    province, _, host, _, _ = two_communes
    young = make_unit("Xã Mới Lập", level_code="xa", parent=province, valid_from=D(2025, 7, 1))

    with pytest.raises(ValidationError) as caught:
        services.unit_merge(predecessors=[host, young], code="29275", name="Xã Mỹ Cẩm", level=level("xa"),
                            parent=province, effective=D(2025, 7, 1))

    assert caught.value.messages == [
        "Đơn vị Xã Mới Lập bắt đầu hiệu lực từ 01/07/2025, không thể sáp nhập từ ngày 01/07/2025."
    ]
    host.refresh_from_db()
    assert host.valid_to is None


def test_merge_needs_at_least_one_predecessor():
    with pytest.raises(ValidationError) as caught:
        services.unit_merge(predecessors=[], code="1", name="X", level=level("tinh"), parent=None,
                            effective=D(2025, 7, 1))
    assert caught.value.messages == ["Cần ít nhất một đơn vị trước sáp nhập."]


# --- re-parenting ------------------------------------------------------------------------------

def test_reparenting_a_district_moves_the_whole_subtree_paths_and_depths():
    old_province = make_tree(districts=1, communes=2, villages=2)
    new_province = make_unit("Tỉnh Mới", level_code="tinh")
    district = old_province.children.get()
    subtree_pks = set(Unit.objects.subtree_of(district).values_list("pk", flat=True))
    assert len(subtree_pks) == 1 + 2 + 2 * 2

    district.parent = new_province
    services.unit_save(unit=district)

    assert district.path == f"/{new_province.pk}/{district.pk}/"
    assert set(Unit.objects.subtree_of(new_province, include_self=False).values_list("pk", flat=True)) == subtree_pks
    assert not Unit.objects.subtree_of(old_province, include_self=False).exists()
    for unit in Unit.objects.filter(pk__in=subtree_pks).select_related("parent"):
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
        assert unit.depth == unit.path.count("/") - 1
    assert sorted(Unit.objects.filter(pk__in=subtree_pks).values_list("depth", flat=True)) == [2, 3, 3, 4, 4, 4, 4]


def test_communes_moved_from_a_district_to_the_province_take_their_villages_along():
    # after 1/7/2025 communes hang directly under the province
    province = make_tree(districts=1, communes=2, villages=1)
    district = province.children.get()
    for commune in list(district.children.all()):
        commune.parent = province
        services.unit_save(unit=commune)
    assert Unit.objects.filter(parent=province, level__code="xa").count() == 2
    assert set(Unit.objects.filter(level__code="thon").values_list("depth", flat=True)) == {3}


# --- query counts ------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1, 1, 1), (3, 4, 5)])
def test_subtree_children_and_breadcrumbs_take_a_constant_number_of_queries(size, django_assert_num_queries):
    districts, communes, villages = size
    province = make_tree(districts=districts, communes=communes, villages=villages)
    district = province.children.order_by("pk").first()
    village = Unit.objects.filter(level__code="thon").order_by("-pk").first()
    official = make_member(province)
    access.grants_of(official)  # the grants load once per request

    with django_assert_num_queries(1):
        units = list(selectors.unit_subtree(unit=province))
    assert len(units) == 1 + districts * (1 + communes * (1 + villages))

    with django_assert_num_queries(1):
        children = list(selectors.unit_children(unit=district))
    assert [c.child_count for c in children] == [villages] * communes

    with django_assert_num_queries(1):
        crumbs = selectors.unit_breadcrumbs(unit=village, user=official)
    assert [c.level.code for c in crumbs] == ["tinh", "huyen", "xa", "thon"]

    with django_assert_num_queries(1):
        visible = list(access.visible_units(official))
    assert len(visible) == len(units)


def test_visible_units_loads_grants_once_then_one_query_per_list(django_assert_num_queries):
    province = make_tree(districts=2, communes=3, villages=2)
    user = make_member(province.children.first(), role="bhxh_staff")
    with django_assert_num_queries(2):
        first = list(access.visible_units(user))
    with django_assert_num_queries(1):
        second = list(access.visible_units(user))
    assert first == second and len(first) == 1 + 3 + 3 * 2


def test_children_list_current_units_before_closed_ones():
    province = make_unit("Tỉnh", level_code="tinh")
    closed = make_unit("Xã B đã giải thể", level_code="xa", parent=province, code="B", valid_to=D(2025, 6, 30))
    current = make_unit("Xã A", level_code="xa", parent=province, code="C")
    assert list(selectors.unit_children(unit=province)) == [current, closed]
    assert list(selectors.unit_children(unit=province, on=D(2025, 7, 1))) == [current]
