"""Units of the subtree: list, add a child, edit, end, and load an official list (check, then confirm)."""

import datetime
import io

import pytest
from django.urls import reverse

from units.models import Role, Unit
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Unit.objects.values_list("pk", "code", "name", "level__code", "parent_id", "path", "code_is_official",
                                           "valid_from", "valid_to"))


def test_the_list_and_the_search_stay_in_the_subtree(admin_client, world):
    html = admin_client.get(reverse("administration:unit_list")).content.decode()
    assert world.my_commune.name in html and "Bên Kia" not in html
    found = admin_client.get(reverse("administration:unit_list"), {"q": "xa 1.2"}).content.decode()
    assert "Xã 1.2" in found and "Xã 1.1<" not in found and "Bên Kia" not in found
    searched = admin_client.get(reverse("administration:unit_list"), {"q": "Bên Kia"}).content.decode()
    assert world.their_commune.name not in searched and "Không có đơn vị nào" in searched


def test_an_administrator_adds_a_child_unit(admin_client, world):
    response = admin_client.post(reverse("administration:unit_add_child", args=[world.my_district.pk]), {
        "level": world.my_commune.level_id, "name": "Xã Mới Lập", "code": "XM01", "valid_from": "01/07/2025"})
    unit = Unit.objects.get(code="XM01")
    assert response.status_code == 302
    assert (unit.parent, unit.name, unit.valid_from, unit.code_is_official) == (
        world.my_district, "Xã Mới Lập", datetime.date(2025, 7, 1), False)
    assert unit.path.startswith(world.my_district.path)


def test_a_wrong_child_is_explained_and_writes_nothing(admin_client, world):
    before = snapshot()
    url = reverse("administration:unit_add_child", args=[world.my_district.pk])
    taken = admin_client.post(url, {"level": world.my_commune.level_id, "name": "Trùng mã",
                                    "code": world.their_commune.code})
    assert taken.status_code == 200 and "Đã có đơn vị đang hiệu lực mang mã này" in taken.content.decode()
    assert "Bên Kia" not in taken.content.decode()
    official = admin_client.post(url, {"level": world.my_commune.level_id, "name": "Mã sai", "code": "123",
                                       "code_is_official": "on"})
    assert official.status_code == 200 and "5 chữ số" in official.content.decode()
    assert snapshot() == before


def test_an_administrator_edits_and_ends_a_unit_below_theirs(admin_client, world):
    village = world.my_commune.children.get()
    url = reverse("administration:unit_detail", args=[world.my_commune.pk])
    response = admin_client.post(url, {"name": "Xã Đổi Tên", "code": "XDT01", "valid_from": "01/01/2020"})
    assert response.status_code == 302
    world.my_commune.refresh_from_db()
    assert (world.my_commune.name, world.my_commune.code, world.my_commune.valid_from) == (
        "Xã Đổi Tên", "XDT01", datetime.date(2020, 1, 1))
    end = reverse("administration:unit_end", args=[world.my_commune.pk])
    refused = admin_client.post(end, {"valid_to": "30/06/2025"})
    assert refused.status_code == 200 and "còn 1 đơn vị cấp dưới" in refused.content.decode()
    assert admin_client.post(reverse("administration:unit_end", args=[village.pk]),
                             {"valid_to": "30/06/2025"}).status_code == 302
    assert admin_client.post(end, {"valid_to": "30/06/2025"}).status_code == 302
    world.my_commune.refresh_from_db()
    assert world.my_commune.valid_to == datetime.date(2025, 6, 30)


def test_the_administrators_own_unit_is_changed_by_the_level_above(admin_client, world):
    before = snapshot()
    page = admin_client.get(reverse("administration:unit_detail", args=[world.mine.pk])).content.decode()
    assert "do quản trị viên cấp trên sửa" in page
    assert admin_client.post(reverse("administration:unit_detail", args=[world.mine.pk]),
                             {"name": "Tỉnh Khác Tên", "code": "84"}).status_code == 403
    assert admin_client.post(reverse("administration:unit_end", args=[world.mine.pk]),
                             {"valid_to": "01/01/2025"}).status_code == 403
    assert snapshot() == before


def test_a_unit_of_another_province_is_not_found_and_left_alone(admin_client, world):
    before = snapshot()
    for method, name, data in [("get", "unit_detail", {}), ("post", "unit_detail", {"name": "Sửa", "code": "S1"}),
                               ("get", "unit_add_child", {}),
                               ("post", "unit_add_child", {"level": world.my_commune.level_id, "name": "Con",
                                                           "code": "CON1"}),
                               ("get", "unit_end", {}), ("post", "unit_end", {"valid_to": "01/01/2025"})]:
        for unit in (world.theirs, world.their_district, world.their_commune):
            response = getattr(admin_client, method)(reverse(f"administration:{name}", args=[unit.pk]), data)
            assert response.status_code == 404, (name, unit)
            assert "Bên Kia" not in response.content.decode()
    assert snapshot() == before


# --- loading an official list ---------------------------------------------------------------------

def upload(client, rows, headers=("Mã đơn vị", "Tên đơn vị", "Cấp", "Mã cấp trên")):
    text = "\n".join(",".join(map(str, r)) for r in [headers, *rows]) + "\n"
    data = io.BytesIO(text.encode("utf-8"))
    data.name = "don-vi.csv"
    return client.post(reverse("administration:unit_import"), {"action": "check", "file": data})


def test_an_official_list_is_checked_then_written_on_confirmation(admin_client, world):
    before = snapshot()
    checked = upload(admin_client, [["XN01", "Xã Nhập Một", "Xã", world.my_district.code],
                                    ["TN01", "Thôn Nhập Một", "Thôn", "XN01"],
                                    [world.my_commune.code, "Xã Đổi Tên Qua Tệp", "Xã", world.my_district.code]])
    html = checked.content.decode()
    assert checked.status_code == 200 and "Kiểm tra xong" in html and "sẽ thêm 2, sẽ cập nhật 1" in html, html
    assert snapshot() == before
    pending = checked.context["pending"]
    done = admin_client.post(reverse("administration:unit_import"), {"action": "confirm", "token": pending["token"]})
    assert done.status_code == 302
    assert Unit.objects.get(code="TN01").parent == Unit.objects.get(code="XN01")
    world.my_commune.refresh_from_db()
    assert world.my_commune.name == "Xã Đổi Tên Qua Tệp"
    again = admin_client.post(reverse("administration:unit_import"), {"action": "confirm", "token": pending["token"]})
    assert again.status_code == 302 and Unit.objects.filter(code="TN01").count() == 1  # a double click writes once


def test_rows_outside_the_subtree_are_refused_with_line_and_column_and_nothing_is_written(admin_client, world):
    before = snapshot()
    checked = upload(admin_client, [
        ["XN02", "Xã Nhập Hai", "Xã", world.my_district.code],        # fine on its own
        ["XN03", "Xã Dưới Tỉnh Khác", "Xã", world.their_district.code],  # parent of another province
        [world.their_commune.code, "Đổi tên xã tỉnh khác", "Xã", world.my_district.code],  # their unit
        ["TX99", "Tỉnh Tự Lập", "Tỉnh", ""],                           # a new root
        ["84", "Tỉnh Của Tôi Đổi Tên", "Tỉnh", ""],                    # their own unit, changed
    ])
    html = checked.content.decode()
    assert checked.status_code == 200 and "Tệp có lỗi" in html and checked.context.get("pending") is None
    messages = checked.context["report"].messages()
    assert any("dòng 3" in m and "cột Mã cấp trên" in m
               and f"Không có đơn vị cấp trên mã '{world.their_district.code}' trong phạm vi quản lý của bạn" in m
               for m in messages), messages
    assert any("dòng 4" in m and "cột Mã đơn vị" in m and "ngoài phạm vi quản lý của bạn" in m for m in messages)
    assert any("dòng 5" in m and "Thiếu mã cấp trên" in m for m in messages), messages
    assert any("dòng 6" in m and "chỉ cấp trên sửa được" in m for m in messages), messages
    assert "Bên Kia" not in html  # nothing about the other province but the codes the file gave
    assert snapshot() == before


def test_a_parent_code_that_exists_nowhere_reads_like_one_outside(admin_client, world):
    outside = upload(admin_client, [["XN05", "Xã Năm", "Xã", world.their_district.code]]).context["report"]
    nowhere = upload(admin_client, [["XN05", "Xã Năm", "Xã", "KHONGCO"]]).context["report"]
    assert outside.messages()[0].replace(world.their_district.code, "?") == nowhere.messages()[0].replace("KHONGCO", "?")


def test_a_district_administrator_cannot_reach_the_province_or_the_other_district(client, world):
    district_admin = make_member(world.my_district, Role.ADMINISTRATOR)
    other_district = Unit.objects.filter(parent=world.mine).exclude(pk=world.my_district.pk).get()
    client.force_login(district_admin)
    assert client.get(reverse("administration:unit_detail", args=[world.mine.pk])).status_code == 404
    assert client.get(reverse("administration:unit_detail", args=[other_district.pk])).status_code == 404
    report = upload(client, [["XN06", "Xã Sáu", "Xã", other_district.code]]).context["report"]
    assert not report.ok and "trong phạm vi quản lý của bạn" in report.messages()[0]
