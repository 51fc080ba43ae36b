import pytest
from django.core.exceptions import PermissionDenied

from drive.importers import import_residents
from drive.models import Resident
from tests.factories import UserFactory

GOOD = ("Họ và tên,Ngày sinh,Số định danh,Hộ,Thôn\n"
        "Lý Văn Một,01/02/1990,001090000011,H10,Thôn Đông\n"
        "Lý Thị Hai,1992-03-04,001092000012,H10,X1-T2\n").encode()


def test_import_is_idempotent(tree, official):
    report = import_residents(GOOD, filename="dan-cu.csv", commune=tree["xa1"], user=official)
    assert report.ok and report.created == 2
    again = import_residents(GOOD, filename="dan-cu.csv", commune=tree["xa1"], user=official)
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert Resident.objects.get(personal_id="001092000012").village == tree["tay"]


def test_one_bad_row_writes_nothing_and_names_line_and_column(tree, official):
    data = GOOD + "Người Ba,31/02/1990,12345,H11,Thôn Không Có\n".encode()
    report = import_residents(data, filename="dan-cu.csv", commune=tree["xa1"], user=official)
    assert not report.ok and Resident.objects.count() == 0
    text = " | ".join(report.messages())
    assert "dòng 4, cột Ngày sinh" in text
    assert "dòng 4, cột Số định danh" in text and "12 chữ số" in text
    assert "dòng 4, cột Thôn" in text


def test_masked_or_repeated_ids_are_refused(tree, official):
    data = GOOD + "Lặp Lại,,001090000011,,Thôn Đông\nChe Số,,0010****0099,,Thôn Đông\n".encode()
    messages = import_residents(data, filename="x.csv", commune=tree["xa1"], user=official).messages()
    assert any("đã có ở dòng 2" in m for m in messages)
    assert any("bị che" in m for m in messages)
    assert not any("001090000011" in m for m in messages)  # the number itself is never echoed


def test_too_long_name_is_refused_by_the_column_limit(tree, official):
    data = ("Họ và tên,Số định danh,Thôn\n" + "A" * 201 + ",001090000011,Thôn Đông\n").encode()
    report = import_residents(data, filename="x.csv", commune=tree["xa1"], user=official)
    assert not report.ok and "vượt quá 200 ký tự" in report.messages()[0]


def test_missing_column_is_named(tree, official):
    report = import_residents("Họ và tên,Hộ\nA,B\n".encode(), filename="x.csv", commune=tree["xa1"], user=official)
    assert not report.ok and "thiếu cột" in report.messages()[0]


def test_import_outside_ones_commune_is_refused(tree, official):
    with pytest.raises(PermissionDenied):
        import_residents(GOOD, filename="x.csv", commune=tree["xa2"], user=official)
    with pytest.raises(PermissionDenied):
        import_residents(GOOD, filename="x.csv", commune=tree["xa1"], user=UserFactory())


def test_upload_page(client, tree, official):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(official)
    url = reverse("drive:resident_import", args=[tree["xa1"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("dan-cu.csv", GOOD)})
    assert response.status_code == 302 and Resident.objects.count() == 2
    response = client.post(url, {"file": SimpleUploadedFile("dan-cu.csv", b"")})
    assert response.status_code == 200
    assert client.get(reverse("drive:resident_import", args=[tree["xa2"].pk])).status_code == 404
