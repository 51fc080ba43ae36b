"""Importing and exporting the unit tree: command, service helper and the admin upload.

Every bad file is refused as a whole: the message names the line and the column, and the
database is exactly as it was.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from bhxh_portal.imports import ImportFileError, load_dataset, run_resource_import
from units import services
from units.models import Unit
from units.resources import UnitResource
from tests.factories import UserFactory, level, make_unit

pytestmark = pytest.mark.django_db

VI_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã cấp trên"]

# A good file, children before parents on purpose, Vietnamese level names and headers.
GOOD_ROWS = [
    ["HD-VT", "Thôn Vĩnh Trị", "Thôn", "19996"],
    ["19996", "Xã Hải Dương", "Xã", "474"],
    ["474", "Thị xã Hương Trà", "Thị xã", "46"],
    ["HD-TDT", "Thôn Thai Dương Thượng", "Thôn", "19996"],
    ["46", "Tỉnh Thừa Thiên Huế", "Tỉnh", ""],
    ["27", "Tỉnh Bắc Ninh", "Tỉnh", ""],
]


def write_csv(path, headers, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, headers, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    workbook.save(path)
    return path


def snapshot():
    """Everything the import could touch, to prove a refused file changed nothing."""
    return sorted(Unit.objects.values_list(
        "pk", "code", "name", "level__code", "parent_id", "path", "depth", "code_is_official", "valid_from", "valid_to",
    ))


@pytest.fixture
def existing():
    """A unit that is there before every import, so 'unchanged' means more than 'still empty'."""
    return make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")


def import_file(path):
    return run_resource_import(UnitResource(), load_dataset(path), filename=path.name)


# --- good files --------------------------------------------------------------------------------

WRITERS = pytest.mark.parametrize(("writer", "suffix"), [(write_csv, "csv"), (write_xlsx, "xlsx")],
                                  ids=["csv", "xlsx"])


@WRITERS
def test_good_file_in_any_row_order_builds_the_tree(tmp_path, existing, writer, suffix, capsys):
    path = writer(tmp_path / f"don_vi.{suffix}", VI_HEADERS, GOOD_ROWS)

    call_command("import_data", "units", str(path))

    assert f"Tệp {path.name}: 6 dòng; đã thêm 6, đã cập nhật 0, không đổi 0." in capsys.readouterr().out
    village = Unit.objects.get(code="HD-VT")
    commune, district, province = (Unit.objects.get(code=c) for c in ("19996", "474", "46"))
    assert (village.parent, commune.parent, district.parent) == (commune, district, province)
    assert province.parent is None
    assert [u.level.code for u in (village, commune, district, province)] == ["thon", "xa", "huyen", "tinh"]
    assert village.path == f"/{province.pk}/{district.pk}/{commune.pk}/{village.pk}/"
    assert village.depth == 4
    # an empty 'official' column is decided from the code: 5 digits for a commune is official
    assert commune.code_is_official and province.code_is_official and district.code_is_official
    assert not village.code_is_official
    assert Unit.objects.count() == 7


@WRITERS
def test_reimporting_the_same_file_changes_nothing(tmp_path, existing, writer, suffix):
    path = writer(tmp_path / f"don_vi.{suffix}", VI_HEADERS, GOOD_ROWS)
    first = import_file(path)
    before = snapshot()

    second = import_file(path)

    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    assert second.summary() == f"Tệp {path.name}: 6 dòng; đã thêm 0, đã cập nhật 0, không đổi 6."
    assert snapshot() == before


def test_reimport_with_a_new_name_updates_only_that_unit(tmp_path, existing):
    import_file(write_csv(tmp_path / "a.csv", VI_HEADERS, GOOD_ROWS))
    renamed = [r if r[0] != "474" else ["474", "Thành phố Hương Trà", "Thành phố thuộc tỉnh", "46"] for r in GOOD_ROWS]

    report = import_file(write_csv(tmp_path / "b.csv", VI_HEADERS, renamed))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert Unit.objects.get(code="474").name == "Thành phố Hương Trà"


def test_dry_run_checks_but_writes_nothing(tmp_path, existing, capsys):
    path = write_csv(tmp_path / "don_vi.csv", VI_HEADERS, GOOD_ROWS)
    before = snapshot()

    call_command("import_data", "units", str(path), "--dry-run")

    assert "6 dòng; sẽ thêm 6" in capsys.readouterr().out
    assert snapshot() == before


def test_a_numeric_code_from_excel_gets_its_leading_zeros_back(tmp_path):
    path = write_xlsx(tmp_path / "ha_noi.xlsx", VI_HEADERS, [
        [1, "Thành phố Hà Nội", "Thành phố trực thuộc trung ương", None],
        [1, "Quận Ba Đình", "Quận", 1],
        [4, "Phường Phúc Xá", "Phường", "001"],
    ])
    assert openpyxl.load_workbook(path).active["A2"].value == 1  # really a number in the file

    report = import_file(path)

    assert report.ok, report.messages()
    province, district, ward = (Unit.objects.get(code=c) for c in ("01", "001", "00004"))
    assert (province.level.code, district.level.code, ward.level.code) == ("tinh", "huyen", "xa")
    assert district.parent == province  # the parent '1' of a district can only be the province '01'
    assert ward.parent == district
    assert province.code_is_official and district.code_is_official and ward.code_is_official


def test_a_numeric_parent_code_that_could_be_two_units_is_refused(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", VI_HEADERS, [["01", "Thành phố Hà Nội", "Tỉnh", ""],
                                                           ["001", "Quận Ba Đình", "Quận", "01"]]))
    before = snapshot()
    assert_refused(
        write_xlsx(tmp_path / "b.xlsx", VI_HEADERS, [[4, "Phường Phúc Xá", "Phường", 1]]),
        "Tệp b.xlsx, dòng 2, cột Mã cấp trên: Mã cấp trên 1 không rõ là '001' hoặc '01' "
        "(Excel đã bỏ số 0 ở đầu); hãy ghi mã cấp trên dạng văn bản.",
        before=before,
    )


def test_export_then_reimport_round_trip(tmp_path, existing):
    import_file(write_csv(tmp_path / "a.csv", VI_HEADERS, GOOD_ROWS))
    before = snapshot()
    for name in ("xuat.csv", "xuat.xlsx"):
        call_command("export_data", "units", str(tmp_path / name))

        report = import_file(tmp_path / name)

        assert report.ok, report.messages()
        assert (report.total, report.created, report.updated, report.unchanged) == (7, 0, 0, 7)
        assert snapshot() == before
    exported = load_dataset(tmp_path / "xuat.xlsx")
    assert exported.headers == ["code", "name", "level", "parent_code", "official", "valid_from", "valid_to"]
    assert sorted(exported["code"]) == ["19996", "27", "46", "474", "84", "HD-TDT", "HD-VT"]
    village = next(row for row in exported.dict if row["code"] == "HD-VT")
    assert village == {"code": "HD-VT", "name": "Thôn Vĩnh Trị", "level": "thon", "parent_code": "19996",
                       "official": "không", "valid_from": None, "valid_to": None}


def test_export_round_trip_keeps_a_merger_history(tmp_path):
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="844")
    host = make_unit("Xã Mỹ Cẩm", level_code="xa", parent=district, code="29275")
    other = make_unit("Xã An Trường", level_code="xa", parent=district, code="29278")
    make_unit("Ấp Mỹ Hiệp", level_code="thon", parent=host, code="MH", code_is_official=False)
    services.unit_merge(predecessors=[host, other], code="29275", name="Xã Mỹ Cẩm", level=level("xa"),
                        parent=province, effective=datetime.date(2025, 7, 1))
    before = snapshot()
    path = tmp_path / "lich_su.xlsx"
    call_command("export_data", "units", str(path))

    report = import_file(path)

    assert report.ok, report.messages()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert snapshot() == before


# --- bad files ---------------------------------------------------------------------------------

def assert_refused(path, *expected, before):
    """The import is refused with exactly these messages and the database is unchanged."""
    report = import_file(path)
    assert not report.ok
    assert report.messages() == list(expected)
    assert report.summary() == f"Tệp {path.name}: có {len(expected)} lỗi, không dòng nào được ghi."
    assert snapshot() == before
    with pytest.raises(CommandError, match="không dòng nào được ghi"):
        call_command("import_data", "units", str(path))
    assert snapshot() == before


def test_unknown_parent_is_refused_naming_line_and_column(tmp_path, existing):
    rows = [*GOOD_ROWS, ["19997", "Xã Hải Lâm", "Xã", "999"]]
    assert_refused(
        write_csv(tmp_path / "sai.csv", VI_HEADERS, rows),
        "Tệp sai.csv, dòng 8, cột Mã cấp trên: Không có đơn vị cấp trên mã '999' (trong hệ thống hoặc trong tệp).",
        before=snapshot(),
    )


def test_duplicate_code_within_the_file_is_refused(tmp_path, existing):
    rows = [*GOOD_ROWS, ["474", "Thị xã Hương Thủy", "Thị xã", "46"]]
    assert_refused(
        write_csv(tmp_path / "trung.csv", VI_HEADERS, rows),
        "Tệp trung.csv, dòng 8, cột Mã đơn vị: Mã '474' trùng với dòng 4.",
        before=snapshot(),
    )


def test_level_that_does_not_fit_the_parent_is_refused(tmp_path, existing):
    rows = [*GOOD_ROWS, ["HT-X", "Thôn Lạc Chỗ", "Thôn", "474"]]
    assert_refused(
        write_csv(tmp_path / "cap.csv", VI_HEADERS, rows),
        "Tệp cap.csv, dòng 8, cột Mã cấp trên: "
        "Đơn vị cấp Thôn không thể trực thuộc đơn vị cấp Huyện (Thị xã Hương Trà).",
        before=snapshot(),
    )


def test_a_parent_listed_in_the_file_at_a_lower_level_is_refused(tmp_path, existing):
    rows = [*GOOD_ROWS, ["19997", "Xã Dưới Thôn", "Xã", "HD-VT"]]
    assert_refused(
        write_csv(tmp_path / "nguoc.csv", VI_HEADERS, rows),
        "Tệp nguoc.csv, dòng 8, cột Mã cấp trên: Đơn vị cấp Xã không thể trực thuộc đơn vị cấp Thôn "
        "(mã 'HD-VT', dòng 2).",
        before=snapshot(),
    )


def test_empty_name_is_refused(tmp_path, existing):
    rows = [r if r[0] != "19996" else ["19996", "", "Xã", "474"] for r in GOOD_ROWS]
    assert_refused(
        write_xlsx(tmp_path / "ten.xlsx", VI_HEADERS, rows),
        "Tệp ten.xlsx, dòng 2, cột Mã cấp trên: Đơn vị cấp trên mã '19996' (dòng 3) có lỗi nên chưa nhập được dòng này.",
        "Tệp ten.xlsx, dòng 3, cột Tên đơn vị: Tên đơn vị không được để trống.",
        "Tệp ten.xlsx, dòng 5, cột Mã cấp trên: Đơn vị cấp trên mã '19996' (dòng 3) có lỗi nên chưa nhập được dòng này.",
        before=snapshot(),
    )


def test_unknown_level_is_refused(tmp_path, existing):
    rows = [*GOOD_ROWS, ["HT-K", "Khu Lạ", "Liên xã", "474"]]
    assert_refused(
        write_csv(tmp_path / "cap_la.csv", VI_HEADERS, rows),
        "Tệp cap_la.csv, dòng 8, cột Cấp: Không có cấp hành chính 'Liên xã' "
        "(dùng tinh, huyen, xa, thon hoặc Tỉnh, Huyện, Xã, Thôn).",
        before=snapshot(),
    )


def test_official_code_of_the_wrong_length_is_refused(tmp_path, existing):
    assert_refused(
        write_csv(tmp_path / "ma.csv", [*VI_HEADERS, "Mã chính thức"], [["4611", "Huyện Sai Mã", "Huyện", "84", "có"]]),
        "Tệp ma.csv, dòng 2, cột Mã đơn vị: Mã chính thức của cấp Huyện phải gồm 3 chữ số, '4611' thì không; "
        "nếu là mã tự đặt, hãy ghi rõ đây không phải mã chính thức.",
        before=snapshot(),
    )


def test_a_child_of_a_refused_row_says_which_line_to_fix(tmp_path, existing):
    rows = [r if r[0] != "474" else ["474", "Thị xã Hương Trà", "Thị xã", "99"] for r in GOOD_ROWS]
    assert_refused(
        write_csv(tmp_path / "chuoi.csv", VI_HEADERS, rows),
        "Tệp chuoi.csv, dòng 2, cột Mã cấp trên: Đơn vị cấp trên mã '19996' (dòng 3) có lỗi nên chưa nhập được dòng này.",
        "Tệp chuoi.csv, dòng 3, cột Mã cấp trên: Đơn vị cấp trên mã '474' (dòng 4) có lỗi nên chưa nhập được dòng này.",
        "Tệp chuoi.csv, dòng 4, cột Mã cấp trên: Không có đơn vị cấp trên mã '99' (trong hệ thống hoặc trong tệp).",
        "Tệp chuoi.csv, dòng 5, cột Mã cấp trên: Đơn vị cấp trên mã '19996' (dòng 3) có lỗi nên chưa nhập được dòng này.",
        before=snapshot(),
    )


def test_missing_column_is_refused_once_for_the_file(tmp_path, existing):
    before = snapshot()
    path = write_csv(tmp_path / "thieu.csv", ["Mã đơn vị", "Tên đơn vị", "Mã cấp trên"],
                     [[r[0], r[1], r[3]] for r in GOOD_ROWS])
    assert_refused(
        path,
        "Tệp thieu.csv, dòng 1: thiếu cột Cấp (level). Dòng tiêu đề có: Mã đơn vị, Tên đơn vị, Mã cấp trên.",
        before=before,
    )


def test_two_columns_meaning_the_same_are_refused(tmp_path, existing):
    path = write_csv(tmp_path / "hai_cot.csv", [*VI_HEADERS, "Mã"], [[*GOOD_ROWS[4], "46"]])
    assert_refused(path, "Tệp hai_cot.csv, dòng 1, cột Mã: cột này cùng nghĩa với cột Mã đơn vị; hãy bỏ một cột.",
                   before=snapshot())


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ke_hoach.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n",
     "Tệp ke_hoach.pdf: không phải là bảng tính (chỉ nhận .xlsx, .xls, .ods hoặc .csv)."),
    ("gia.xlsx", bytes(range(256)) * 8,
     "Tệp gia.xlsx: tệp bị hỏng, có mật khẩu hoặc không phải là bảng tính"),
    ("rong.xlsx", b"", "Tệp rong.xlsx: tệp rỗng (0 byte)."),
    ("rong.csv", b"", "Tệp rong.csv: tệp rỗng (0 byte)."),
    ("trang.csv", b"\n\n ,, \n", "Tệp trang.csv: không có dữ liệu."),
    ("tieu_de.csv", "Mã đơn vị,Tên đơn vị,Cấp,Mã cấp trên\n".encode(),
     "Tệp tieu_de.csv: chỉ có dòng tiêu đề, không có dòng dữ liệu nào."),
])
def test_a_file_that_is_not_a_usable_spreadsheet_is_refused(tmp_path, existing, name, content, message):
    before = snapshot()
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ImportFileError) as caught:
        load_dataset(path)
    assert str(caught.value).startswith(message)
    with pytest.raises(CommandError) as caught:
        call_command("import_data", "units", str(path))
    assert str(caught.value).startswith(message)
    assert snapshot() == before


def test_empty_xlsx_workbook_is_refused(tmp_path, existing):
    path = tmp_path / "trong.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(CommandError, match="Tệp trong.xlsx: không có dữ liệu."):
        call_command("import_data", "units", str(path))


def test_semicolon_csv_from_a_vietnamese_excel_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Mã đơn vị;Tên đơn vị;Cấp;Mã cấp trên\n46;Tỉnh Thừa Thiên Huế;Tỉnh;\n".encode("utf-8-sig"))
    assert import_file(path).created == 1
    assert Unit.objects.get(code="46").name == "Tỉnh Thừa Thiên Huế"


# --- the admin upload (django-import-export) ---------------------------------------------------

@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def upload(superuser_client, name, content):
    formats = superuser_client.get("/quan-tri/units/unit/import/").context["form"].fields["format"].choices
    fmt = next(value for value, label in formats if label.lower() == name.rsplit(".", 1)[1])
    return superuser_client.post("/quan-tri/units/unit/import/", {
        "resource": "0", "format": fmt, "import_file": _named(name, content),
    })


def _named(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def csv_bytes(headers, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_admin_import_of_a_bad_file_shows_the_errors_and_writes_nothing(superuser_client, existing):
    before = snapshot()
    content = csv_bytes(VI_HEADERS, [*GOOD_ROWS, ["HT-X", "Thôn Lạc Chỗ", "Thôn", "474"]])

    response = upload(superuser_client, "sai.csv", content)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Đơn vị cấp Thôn không thể trực thuộc đơn vị cấp Huyện (Thị xã Hương Trà)." in html
    assert "confirm_form" not in html and 'name="import_file_name"' not in html
    result = response.context["result"]
    assert [(row.number, list(row.error_dict)) for row in result.invalid_rows] == [(7, ["parent"])]
    assert snapshot() == before


def test_admin_import_of_a_file_missing_a_column_shows_one_message(superuser_client, existing):
    before = snapshot()
    response = upload(superuser_client, "thieu.csv", csv_bytes(["Mã đơn vị", "Tên đơn vị"], [["46", "Huế"]]))
    assert "thiếu cột Cấp (level), Mã cấp trên (parent_code)" in response.content.decode()
    assert snapshot() == before


def xlsx_bytes(headers, rows, tmp_path):
    return write_xlsx(tmp_path / "tam.xlsx", headers, rows).read_bytes()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_admin_import_of_a_good_file_imports_after_confirm(superuser_client, existing, kind, tmp_path):
    before = snapshot()
    content = csv_bytes(VI_HEADERS, GOOD_ROWS) if kind == "csv" else xlsx_bytes(VI_HEADERS, GOOD_ROWS, tmp_path)
    response = upload(superuser_client, f"tot.{kind}", content)

    assert response.status_code == 200
    assert snapshot() == before  # the first step only previews
    confirm = response.context["confirm_form"]
    assert not response.context["result"].has_errors()
    assert not response.context["result"].has_validation_errors()

    assert set(confirm.initial) == {"import_file_name", "original_file_name", "format", "resource"}
    response = superuser_client.post("/quan-tri/units/unit/process_import/", confirm.initial)

    assert response.status_code == 302
    assert Unit.objects.count() == 7
    assert Unit.objects.get(code="HD-VT").parent == Unit.objects.get(code="19996")
    assert Unit.objects.get(code="19996").depth == 3


def test_admin_export_gives_a_file_the_import_reads(superuser_client, existing, tmp_path):
    formats = superuser_client.get("/quan-tri/units/unit/export/").context["form"].fields["format"].choices
    csv_format = next(value for value, label in formats if label == "csv")
    response = superuser_client.post("/quan-tri/units/unit/export/", {
        "format": csv_format, "resource": "0",
        **{f"unitresource_{f}": "on" for f in ("code", "name", "level", "parent_code", "official",
                                                "valid_from", "valid_to")},
    })
    assert response.status_code == 200
    path = tmp_path / "quan_tri.csv"
    path.write_bytes(response.content)
    before = snapshot()

    report = import_file(path)

    assert load_dataset(path).dict == [{"code": "84", "name": "Tỉnh Trà Vinh", "level": "tinh", "parent_code": None,
                                        "official": "có", "valid_from": None, "valid_to": None}]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert snapshot() == before


def test_old_admin_addresses_of_units_lead_to_the_new_ones(superuser_client):
    response = superuser_client.get("/quan-tri/targets/unit/import/?x=1")
    assert response.status_code == 301 and response["Location"] == "/quan-tri/units/unit/import/?x=1"
