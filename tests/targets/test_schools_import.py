"""Schools and their pupils' BHYT per school year: `manage.py import_data schools|school_figures`,
the web upload and the admin. A bad row is named by line and column and nothing is written."""

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bhxh_portal.imports import load_dataset, run_resource_import
from units.models import Role
from targets.models import School, SchoolFigures, SchoolLevel
from targets.schools.resources import SchoolFiguresResource, SchoolResource, parse_school_year
from tests.factories import UserFactory, make_member, make_unit

pytestmark = pytest.mark.django_db

SCHOOL_HEADERS = ["Mã trường", "Tên trường", "Cấp học", "Mã xã"]
FIGURE_HEADERS = ["Mã trường", "Năm học", "Tổng số học sinh", "Học sinh tham gia theo nhóm người khác",
                  "Học sinh tham gia tại trường"]


def write_csv(path, headers, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def import_file(resource, path):
    return run_resource_import(resource, load_dataset(path), filename=path.name)


@pytest.fixture
def district():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL")
    make_unit("Thị trấn Càng Long", parent=district, code="CL01")
    make_unit("Xã Mỹ Cẩm", parent=district, code="CL02")
    return district


@pytest.fixture
def other_district(district):
    other = make_unit("Huyện Cầu Kè", level_code="huyen", parent=district.parent, code="CK")
    make_unit("Xã Hòa Ân", parent=other, code="CK01")
    return other


@pytest.fixture
def schools(district, tmp_path):
    path = write_csv(tmp_path / "truong.csv", SCHOOL_HEADERS, [
        ["CLTR18", "Trường TH Mỹ Cẩm", "Tiểu học", "CL02"],
        ["CLTR19", "Trường THCS Mỹ Cẩm", "THCS", "CL02"],
    ])
    call_command("import_data", "schools", str(path))
    return School.objects.order_by("code")


def test_schools_and_figures_are_imported_from_the_plans_columns(schools, tmp_path):
    assert [(s.code, s.name, s.level, s.commune.code) for s in schools] == [
        ("CLTR18", "Trường TH Mỹ Cẩm", SchoolLevel.PRIMARY, "CL02"),
        ("CLTR19", "Trường THCS Mỹ Cẩm", SchoolLevel.LOWER_SECONDARY, "CL02")]
    # the appendix's own columns, the computed ones (còn lại, tỷ lệ) ignored; xlsx with numbers
    path = tmp_path / "so_lieu.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Tên trường", "Năm học", "Tổng số học sinh", "Tổng số học sinh đã tham gia BHYT",
                        "Học sinh tham gia theo nhóm người khác", "Học sinh tham gia tại trường",
                        "Tổng số học sinh còn lại phải tham gia BHYT", "Tỷ lệ % so với tổng số học sinh"])
    book.active.append(["CLTR18", "Trường TH Mỹ Cẩm", "2022-2023", 431, 431, 18, 413, "-", "100,00"])
    book.active.append(["CLTR19", "Trường THCS Mỹ Cẩm", "2022 - 2023", "1.258", "1.250", "21", "1.229", 8, "99,36"])
    book.save(path)
    call_command("import_data", "school_figures", str(path))
    figures = SchoolFigures.objects.order_by("school__code")
    assert [(f.school.code, f.school_year, f.pupils, f.insured_other_group, f.insured_at_school) for f in figures] == [
        ("CLTR18", 2022, 431, 18, 413), ("CLTR19", 2022, 1258, 21, 1229)]
    # the same file again changes nothing
    report = import_file(SchoolFiguresResource(), path)
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 0, 2)


def test_export_reimports_onto_itself(schools, tmp_path):
    school = schools.first()
    SchoolFigures.objects.create(school=school, school_year=2022, pupils=431, insured_other_group=18,
                                 insured_at_school=413)
    for kind, resource in (("schools", SchoolResource()), ("school_figures", SchoolFiguresResource())):
        path = tmp_path / f"{kind}.xlsx"
        call_command("export_data", kind, str(path))
        report = import_file(resource, path)
        assert report.ok, report.messages()
        assert report.created == report.updated == 0 and report.unchanged >= 1


def test_unknown_commune_district_code_negative_number_and_duplicate_are_refused(district, tmp_path):
    path = write_csv(tmp_path / "truong.csv", SCHOOL_HEADERS + ["Hoạt động từ"], [
        ["CLTR01", "Trường TH TT Càng Long B", "Tiểu học", "CL01", ""],
        ["CLTR02", "Trường TH A", "Tiểu học", "XX99", ""],
        ["CLTR03", "Trường TH B", "Đại học bách khoa", "CL01", ""],
        ["CLTR04", "Trường THCS C", "THCS", "CL", ""],
        ["CLTR01", "Trường TH TT Càng Long B", "Tiểu học", "CL01", ""],
        ["CLTR05", "", "THPT", "CL02", "31/02/2023"],
    ])
    report = import_file(SchoolResource(), path)
    assert report.messages() == [
        "Tệp truong.csv, dòng 3, cột Mã xã: Không có xã, phường mã 'XX99'.",
        "Tệp truong.csv, dòng 4, cột Cấp học: Cấp học 'Đại học bách khoa' không hợp lệ (dùng: Mầm non, Tiểu học, "
        "Trung học cơ sở, Trung học phổ thông, Liên cấp, Giáo dục thường xuyên, nghề nghiệp, Cao đẳng, đại học, Khác).",
        "Tệp truong.csv, dòng 5, cột Mã xã: Huyện Càng Long là đơn vị cấp Huyện; trường học thuộc một xã, phường "
        "hoặc thị trấn.",
        "Tệp truong.csv, dòng 6, cột Mã trường: Trùng với dòng 2 (cùng mã trường).",
        "Tệp truong.csv, dòng 7, cột Hoạt động từ: Ngày bắt đầu hoạt động '31/02/2023' không đúng dạng dd/mm/yyyy.",
        "Tệp truong.csv, dòng 7, cột Tên trường: Thiếu tên trường.",
    ]
    assert not School.objects.exists()
    with pytest.raises(CommandError, match="có 6 lỗi, không dòng nào được ghi"):
        call_command("import_data", "schools", str(path))
    assert not School.objects.exists()


def test_figures_negative_over_pupils_duplicate_and_bad_school_year_are_refused(schools, tmp_path):
    path = write_csv(tmp_path / "so_lieu.csv", FIGURE_HEADERS + ["Tổng số học sinh đã tham gia BHYT"], [
        ["CLTR18", "2022-2023", "431", "18", "413", "431"],
        ["CLTR19", "2022-2023", "258", "-21", "237", ""],
        ["CLTR19", "2019-2020", "258", "21", "240", ""],
        ["CLTR18", "2022-2023", "431", "18", "413", ""],
        ["CLTR18", "2022", "431", "18", "413", ""],
        ["CLTR99", "2022-2023", "10", "0", "10", ""],
        ["CLTR19", "2021-2022", "258", "21", "200", "230"],
        ["CLTR19", "2020-2021", "mười", "0", "", ""],
    ])
    report = import_file(SchoolFiguresResource(), path)
    assert report.messages() == [
        "Tệp so_lieu.csv, dòng 3, cột Học sinh tham gia theo nhóm người khác: "
        "Học sinh tham gia theo nhóm người khác -21 không được âm.",
        "Tệp so_lieu.csv, dòng 4, cột Học sinh tham gia tại trường: Số học sinh đã tham gia BHYT (261 = 21 theo "
        "nhóm khác + 240 tại trường) vượt quá tổng số học sinh (258).",
        "Tệp so_lieu.csv, dòng 5, cột Mã trường: Trùng với dòng 2 (cùng trường và năm học).",
        "Tệp so_lieu.csv, dòng 6, cột Năm học: Năm học '2022' không hợp lệ: ghi dạng 2022-2023.",
        "Tệp so_lieu.csv, dòng 7, cột Mã trường: Không có trường mã 'CLTR99'.",
        "Tệp so_lieu.csv, dòng 8, cột Tổng số học sinh đã tham gia BHYT: Tổng số đã tham gia BHYT 230 khác tổng "
        "hai cột theo nhóm người khác và tại trường (221).",
        "Tệp so_lieu.csv, dòng 9, cột Học sinh tham gia tại trường: Thiếu số học sinh tham gia tại trường "
        "(ghi 0 nếu không có).",
        "Tệp so_lieu.csv, dòng 9, cột Tổng số học sinh: 'mười' không phải là số hợp lệ.",
    ]
    assert not SchoolFigures.objects.exists()


def test_a_missing_column_is_named_once(schools, tmp_path):
    path = write_csv(tmp_path / "so_lieu.csv", ["Mã trường", "Năm học", "Tổng số học sinh"], [["CLTR18", "2022-2023", "1"]])
    report = import_file(SchoolFiguresResource(), path)
    assert report.messages() == [
        "Tệp so_lieu.csv, dòng 1: thiếu cột Học sinh tham gia tại trường (insured_at_school). "
        "Dòng tiêu đề có: Mã trường, Năm học, Tổng số học sinh."]


def test_school_year_text():
    assert parse_school_year("2022-2023") == parse_school_year("2022 / 2023") == 2022
    for bad in ("2022", "2022-2024", "năm nay"):
        with pytest.raises(ValueError):
            parse_school_year(bad)


def test_an_uploader_cannot_reach_a_commune_or_school_of_another_branch(schools, other_district, tmp_path):
    officer = make_member(other_district, Role.BHXH_STAFF)
    school_file = write_csv(tmp_path / "truong.csv", SCHOOL_HEADERS, [
        ["CKTR01", "Trường TH Hòa Ân", "Tiểu học", "CK01"],
        ["CKTR02", "Trường TH Mỹ Cẩm B", "Tiểu học", "CL02"],  # another district: answered as unknown
        ["CLTR18", "Trường TH đổi tên", "Tiểu học", "CK01"],  # a code taken in another district
    ])
    report = import_file(SchoolResource(user=officer), school_file)
    assert report.messages() == [
        "Tệp truong.csv, dòng 3, cột Mã xã: Không có xã, phường mã 'CL02'.",
        "Tệp truong.csv, dòng 4, cột Mã trường: Mã trường 'CLTR18' đã được dùng cho một trường ngoài phạm vi của "
        "bạn; hãy dùng mã khác.",
    ]
    figures = write_csv(tmp_path / "so_lieu.csv", FIGURE_HEADERS, [["CLTR18", "2022-2023", "431", "18", "413"]])
    assert import_file(SchoolFiguresResource(user=officer), figures).messages() == [
        "Tệp so_lieu.csv, dòng 2, cột Mã trường: Không có trường mã 'CLTR18'."]
    assert School.objects.count() == 2 and not SchoolFigures.objects.exists()
    assert School.objects.get(code="CLTR18").name == "Trường TH Mỹ Cẩm"


def test_a_commune_official_may_upload_for_their_commune_only(schools, district, tmp_path):
    official = make_member(district.children.get(code="CL01"), Role.COMMUNE_OFFICIAL)
    path = write_csv(tmp_path / "so_lieu.csv", FIGURE_HEADERS, [["CLTR18", "2022-2023", "431", "18", "413"]])
    # Mỹ Cẩm is outside the official's subtree (Thị trấn Càng Long)
    assert import_file(SchoolFiguresResource(user=official), path).messages() == [
        "Tệp so_lieu.csv, dòng 2, cột Mã trường: Không có trường mã 'CLTR18'."]
    own = make_member(district.children.get(code="CL02"), Role.COMMUNE_OFFICIAL)
    assert import_file(SchoolFiguresResource(user=own), path).ok
    assert SchoolFigures.objects.get().pupils == 431

    # every change is kept: who, when, old and new
    staff = make_member(district, Role.BHXH_STAFF)
    corrected = write_csv(tmp_path / "sua.csv", FIGURE_HEADERS, [["CLTR18", "2022-2023", "431", "20", "411"]])
    assert import_file(SchoolFiguresResource(user=staff), corrected).ok
    first, second = SchoolFigures.history.order_by("history_date", "history_id")
    assert (first.history_type, first.history_user, first.insured_other_group) == ("+", own, 18)
    assert (second.history_type, second.history_user, second.insured_other_group) == ("~", staff, 20)
    assert [c.field for c in second.diff_against(first).changes] == ["insured_at_school", "insured_other_group"]


def test_web_upload_checks_first_and_refuses_another_branch_writing_nothing(client, schools, other_district, tmp_path):
    client.force_login(make_member(other_district, Role.BHXH_STAFF))
    path = write_csv(tmp_path / "so_lieu.csv", FIGURE_HEADERS, [["CLTR18", "2022-2023", "431", "18", "413"]])
    with open(path, "rb") as f:
        response = client.post(reverse("targets:target_import"), {"kind": "school_figures", "file": f,
                                                                   "action": "check"})
    assert response.status_code == 200
    assert "dòng 2, cột Mã trường: Không có trường mã &#x27;CLTR18&#x27;." in response.content.decode()
    assert not SchoolFigures.objects.exists()


def test_web_upload_of_own_schools_is_written_on_confirm(client, schools, district, tmp_path):
    client.force_login(make_member(district, Role.BHXH_STAFF))
    path = write_csv(tmp_path / "so_lieu.csv", FIGURE_HEADERS, [["CLTR19", "2022-2023", "258", "21", "237"]])
    with open(path, "rb") as f:
        checked = client.post(reverse("targets:target_import"), {"kind": "school_figures", "file": f,
                                                                  "action": "check"})
    assert not SchoolFigures.objects.exists()  # checked, nothing written yet
    token = checked.context["pending"]["token"]
    client.post(reverse("targets:target_import"), {"action": "confirm", "token": token})
    assert SchoolFigures.objects.get().insured == 258


def test_an_administrator_with_the_admins_permissions_is_refused_by_the_schools_admin(client, schools, other_district):
    """The admin is the superusers' tool: an administrator, staff with the permissions, opens nothing
    and writes nothing there (the portal's pages do the same work inside their subtree)."""
    from django.contrib.auth.models import Permission

    admin_user = make_member(other_district, Role.ADMINISTRATOR, is_staff=True)
    admin_user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_school", "view_schoolfigures", "add_schoolfigures"]))
    client.force_login(admin_user)
    assert client.get(reverse("admin:targets_school_changelist")).status_code == 403
    form = {"school": schools[0].pk, "school_year": 2022, "pupils": 10, "insured_other_group": 0,
            "insured_at_school": 5, "source": ""}
    assert client.post(reverse("admin:targets_schoolfigures_add"), form).status_code == 403
    assert not SchoolFigures.objects.exists()


def test_admin_form_refuses_more_insured_than_pupils(client, schools):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {"school": schools[0].pk, "school_year": 2022, "pupils": 10, "insured_other_group": 0,
            "insured_at_school": 11, "source": ""}
    response = client.post(reverse("admin:targets_schoolfigures_add"), form)
    errors = response.context["adminform"].form.errors.as_text()
    assert response.status_code == 200 and "10" in errors, errors
    assert not SchoolFigures.objects.exists()


def test_blank_templates_carry_the_vietnamese_headers_and_are_accepted_back(client, district, tmp_path):
    client.force_login(make_member(district, Role.BHXH_STAFF))
    response = client.get(reverse("targets:import_template", args=["hoc-sinh-bhyt", "xlsx"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book["Mẫu"][1]]
    assert headers == ["Mã trường", "Tên trường", "Năm học", "Tổng số học sinh", "Tổng số học sinh đã tham gia BHYT",
                       "Học sinh tham gia theo nhóm người khác", "Học sinh tham gia tại trường", "Nguồn số liệu"]
    csv_template = client.get(reverse("targets:import_template", args=["truong-hoc", "csv"]))
    path = tmp_path / "truong.csv"
    path.write_bytes(csv_template.content + "CLTR18,Trường TH Mỹ Cẩm,TH,CL02,Xã Mỹ Cẩm,,\n".encode())
    assert import_file(SchoolResource(), path).ok
    assert School.objects.get().level == SchoolLevel.PRIMARY


def test_synthetic_schools_for_benchmarks(district):
    from targets.schools.demo import synthetic_schools_add, synthetic_schools_remove

    communes = list(district.children.all())
    assert synthetic_schools_add(communes=communes, school_year=2022, per_commune=3) == 6
    assert SchoolFigures.objects.filter(school__commune__in=communes, school_year=2022).count() == 6
    assert all(f.insured <= f.pupils for f in SchoolFigures.objects.all())
    assert synthetic_schools_remove() == 6 + 6  # schools and their figures
    assert not School.objects.exists()
