"""Importing targets and denominators from csv/xlsx: `manage.py import_data`, the resources, the
blank templates' Vietnamese headers. A bad row is named by line and column and nothing is written."""

import csv
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from bhxh_portal.imports import load_dataset, run_resource_import
from targets.models import Demographics, EnteredAs, Target, TargetKind
from targets.resources import DemographicsResource, TargetResource
from tests.factories import make_demographics, make_unit

from .targets_fixtures import AGENT_NAME, build_hai_duong

pytestmark = pytest.mark.django_db

HEADERS = ["unit_code", "year", "indicator", "rate_pct", "count", "kind", "decision"]


def write_csv(path, headers, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, headers, rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append([None if v == "" else v for v in row])
    workbook.save(path)
    return path


def import_targets(path, **kwargs):
    return run_resource_import(TargetResource(**kwargs), load_dataset(path), filename=path.name)


def make_district():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    return make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL")


@pytest.fixture
def commune():
    district = make_district()
    cl01 = make_unit("Thị trấn Càng Long", parent=district, code="CL01")
    make_demographics(cl01, 2023, population=13737, labour_force=7000)
    return cl01


def test_rate_target_of_the_2023_plan_is_imported_with_its_count(commune, tmp_path):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [
        ["CL01", "2023", "bhyt", "95,00", "", "giao", "Quyết định 324/QĐ-UBND ngày 15/3/2023"],
    ])
    report = import_targets(path)
    assert report.ok, report.messages()
    target = Target.objects.get()
    assert (target.entered_as, target.rate_pct, target.count, target.denominator) == (
        EnteredAs.RATE, Decimal("95"), 13050, 13737)
    assert target.decision_label == "Quyết định 324/QĐ-UBND ngày 15/03/2023"
    assert report.created == 1


def test_count_target_gets_its_rate_with_two_decimals(commune, tmp_path):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [["CL01", "2023", "bhxh_tn", "", "1.234", "phấn đấu", ""]])
    assert import_targets(path).ok
    target = Target.objects.get()
    assert (target.kind, target.entered_as, target.count) == (TargetKind.SELF_SET, EnteredAs.COUNT, 1234)
    assert target.rate_pct == Decimal("17.63")  # 1.234 / 7.000 = 17,628...% → 17,63


def test_vietnamese_template_headers_and_xlsx_are_accepted(commune, tmp_path):
    headers = ["Mã đơn vị", "Tên đơn vị", "Năm", "Kỳ", "Chỉ tiêu", "Tỷ lệ (%)", "Số người", "Loại (giao/phấn đấu)",
               "Quyết định giao"]
    path = write_xlsx(tmp_path / "mau.xlsx", headers, [
        ["CL01", "Thị trấn Càng Long", 2023, "6 tháng cuối", "BHYT", 95, "", "Giao", ""],
        ["CL01", "Thị trấn Càng Long", 2023, "", "bhtn", "", 900, "giao", ""],
    ])
    report = import_targets(path)
    assert report.ok, report.messages()
    half = Target.objects.get(period_type="half")
    assert (half.period.label, half.count) == ("6 tháng cuối năm 2023", 13050)
    assert Target.objects.get(period_type="year").count == 900


def test_reimporting_an_export_changes_nothing(commune, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADERS, [["CL01", "2023", "bhyt", "95", "", "giao", ""],
                                                    ["CL01", "2023", "bhtn", "", "901", "giao", ""]])
    assert import_targets(path).ok
    exported = TargetResource().export(queryset=TargetResource().get_export_queryset())
    again = tmp_path / "export.csv"
    again.write_text(exported.export("csv"), encoding="utf-8-sig")
    report = import_targets(again)
    assert report.ok, report.messages()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert Target.history.count() == 2


def test_changed_row_updates_and_is_recorded(commune, tmp_path):
    assert import_targets(write_csv(tmp_path / "a.csv", HEADERS, [["CL01", "2023", "bhyt", "95", "", "giao", ""]])).ok
    report = import_targets(write_csv(tmp_path / "b.csv", HEADERS, [["CL01", "2023", "bhyt", "96", "", "giao", ""]]))
    assert (report.created, report.updated) == (0, 1)
    target = Target.objects.get()
    assert target.count == 13188  # 96% of 13.737 = 13.187,52
    old, new = target.history.order_by("history_id")
    assert (old.count, new.count, new.history_type) == (13050, 13188, "~")
    assert new.history_change_reason == "Nhập từ tệp b.csv"


@pytest.mark.parametrize(("bad_row", "line_column", "words"), [
    (["XX99", "2023", "bhyt", "95", "", "giao", ""], "dòng 3, cột unit_code", "Không có đơn vị mã 'XX99'"),
    (["CL01", "2023", "bhyt_xyz", "95", "", "giao", ""], "dòng 3, cột indicator", "Không có chỉ tiêu 'bhyt_xyz'"),
    (["CL01", "2023", "bhtn", "120", "", "giao", ""], "dòng 3, cột rate_pct", "vượt quá 100%"),
    (["CL01", "2023", "bhtn", "", "-5", "giao", ""], "dòng 3, cột count", "không được âm"),
    (["CL01", "2023", "bhyt", "", "13.000", "giao", ""], "dòng 3, cột indicator", "Trùng với dòng 2"),
    (["CL01", "2023", "bhtn", "", "10", "được nhờ", ""], "dòng 3, cột kind", "giao' hoặc 'phấn đấu"),
    (["CL01", "hai nghìn", "bhtn", "", "10", "giao", ""], "dòng 3, cột year", "không phải là số"),
    (["CL01", "2023", "bhtn", "", "10", "giao", "công văn gửi xã"], "dòng 3, cột decision", "Không đọc được số văn bản"),
    (["CL01", "2023", "bhyt_hoc_sinh", "99", "", "giao", ""], "dòng 3, cột rate_pct", "Chưa có học sinh, sinh viên"),
])
def test_bad_row_is_named_by_line_and_column_and_nothing_is_written(commune, tmp_path, bad_row, line_column, words):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [
        ["CL01", "2023", "bhyt", "95", "", "giao", ""],  # a good row first: it must be rolled back
        bad_row,
    ])
    report = import_targets(path)
    assert not report.ok
    messages = report.messages()
    assert any(line_column in m and words in m for m in messages), messages
    assert all(m.startswith("Tệp chi_tieu.csv, dòng 3") for m in messages), messages
    assert Target.objects.count() == 0
    assert Target.history.count() == 0


def test_every_bad_row_is_reported_at_once(commune, tmp_path):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [
        ["XX99", "2023", "bhyt", "95", "", "giao", ""],
        ["CL01", "2023", "khong_co", "95", "", "giao", ""],
        ["CL01", "2023", "bhtn", "101", "", "giao", ""],
        ["CL01", "2023", "bhxh", "", "-1", "giao", ""],
    ])
    report = import_targets(path)
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "unit_code"), (3, "indicator"), (4, "rate_pct"), (5, "count")]
    assert "4 lỗi, không dòng nào được ghi" in report.summary()


def test_vietnamese_headers_are_named_as_written_in_messages(commune, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Mã đơn vị", "Năm", "Chỉ tiêu", "Tỷ lệ (%)"], [["CL01", "2023", "bhyt", "150"]])
    report = import_targets(path)
    assert report.messages() == ["Tệp x.csv, dòng 2, cột Tỷ lệ (%): Tỷ lệ 150,00% vượt quá 100%."]


def test_file_without_rate_or_count_column_is_refused_as_a_whole(commune, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["unit_code", "year", "indicator"], [["CL01", "2023", "bhyt"]])
    report = import_targets(path)
    assert not report.ok
    assert "rate_pct" in report.messages()[0] and "count" in report.messages()[0]


def test_rate_and_count_that_disagree_are_refused(commune, tmp_path):
    path = write_csv(tmp_path / "x.csv", HEADERS, [["CL01", "2023", "bhyt", "95", "12000", "giao", ""]])
    report = import_targets(path)
    assert report.problems[0].column == "count"
    assert "không khớp" in report.problems[0].message and "13.050" in report.problems[0].message


# --- the 2021 commune plan through a file, with its agent -----------------------------------------


def test_hai_duong_allocation_imports_with_the_agent(db, tmp_path):
    tree = build_hai_duong()
    rows = [["HDUONG", "2021", "bhxh_tn_moi", "", "37", "giao", "Quyết định 324/QĐ-UBND ngày 15/3/2021", ""],
            ["HDUONG", "2021", "bhxh_tn_moi", "", "40", "phấn đấu", "Kế hoạch 162/KH-UBND ngày 19/3/2021", ""]]
    rows += [[v.code, "2021", "bhxh_tn_moi", "", "5", "giao", "Kế hoạch 162/KH-UBND ngày 19/3/2021", ""]
             for v in tree.villages]
    rows += [["HDUONG", "2021", "bhxh_tn_moi", "", "10", "giao", "Kế hoạch 162/KH-UBND ngày 19/3/2021", AGENT_NAME]]
    path = write_csv(tmp_path / "hai_duong.csv", [*HEADERS, "agent"], rows)
    report = import_targets(path)
    assert report.ok, report.messages()
    assert report.created == 9
    agent_target = Target.objects.get(agent=tree.agent)
    assert (agent_target.unit, agent_target.count, agent_target.rate_pct) == (tree.commune, 10, None)
    assert sum(Target.objects.filter(unit__parent=tree.commune).values_list("count", flat=True)) == 30


def test_unknown_agent_is_named(db, tmp_path):
    build_hai_duong()
    path = write_csv(tmp_path / "x.csv", [*HEADERS, "agent"],
                     [["HDUONG", "2021", "bhxh_tn_moi", "", "10", "giao", "", "Đại lý không có"]])
    report = import_targets(path)
    assert [(p.line, p.column) for p in report.problems] == [(2, "agent")]


def test_web_import_refuses_rows_the_user_may_not_write(db, tmp_path):
    tree = build_hai_duong()
    official = tree.users["commune_official"]
    path = write_csv(tmp_path / "x.csv", HEADERS, [
        ["HD-VT", "2021", "bhxh_tn_moi", "", "5", "giao", ""],  # own village: allowed
        ["HDUONG", "2021", "bhxh_tn_moi", "", "37", "giao", ""],  # giao for itself: only the level above
        ["HVINH", "2021", "bhxh_tn_moi", "", "5", "giao", ""],  # another branch: as if unknown
    ])
    report = import_targets(path, user=official)
    assert [(p.line, p.column) for p in report.problems] == [(3, "unit_code"), (4, "unit_code")]
    assert "chỉ tiêu giao do cấp trên" in report.problems[0].message
    assert report.problems[1].message == "Không có đơn vị mã 'HVINH'."
    assert Target.objects.count() == 0


# --- the command ----------------------------------------------------------------------------------


def test_import_data_targets_command(commune, tmp_path, capsys):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [["CL01", "2023", "bhyt", "95,00", "", "giao", ""]])
    call_command("import_data", "targets", str(path))
    assert "thêm 1" in capsys.readouterr().out
    assert Target.objects.get().count == 13050


def test_import_data_targets_command_dry_run_writes_nothing(commune, tmp_path):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [["CL01", "2023", "bhyt", "95,00", "", "giao", ""]])
    call_command("import_data", "targets", str(path), "--dry-run")
    assert Target.objects.count() == 0


def test_import_data_targets_command_fails_with_the_messages(commune, tmp_path, capsys):
    path = write_csv(tmp_path / "chi_tieu.csv", HEADERS, [["CL01", "2023", "bhyt", "", "-3", "giao", ""]])
    with pytest.raises(CommandError, match="không dòng nào được ghi"):
        call_command("import_data", "targets", str(path))
    assert "dòng 2, cột count" in capsys.readouterr().err
    assert Target.objects.count() == 0


def test_export_data_targets_roundtrip(commune, tmp_path):
    assert import_targets(write_csv(tmp_path / "a.csv", HEADERS, [["CL01", "2023", "bhyt", "95", "", "giao", ""]])).ok
    out = tmp_path / "out.xlsx"
    call_command("export_data", "targets", str(out))
    dataset = load_dataset(out)
    assert dataset.headers[:3] == ["unit_code", "unit_name", "year"]
    assert dataset.dict[0]["count"] == 13050


# --- demographics ---------------------------------------------------------------------------------


def test_import_data_demographics_with_vietnamese_numbers(db, tmp_path, capsys):
    make_district()
    path = write_csv(tmp_path / "dan_so.csv", ["unit_code", "year", "population", "labour_force"],
                     [["CL", "2023", "148.806", "75.890"]])
    call_command("import_data", "demographics", str(path))
    record = Demographics.objects.get()
    assert (record.year, record.population, record.labour_force) == (2023, 148806, 75890)
    assert "thêm 1" in capsys.readouterr().out


def test_demographics_bad_rows_name_line_and_column(db, tmp_path):
    make_district()
    path = write_csv(tmp_path / "dan_so.csv", ["Mã đơn vị", "Năm", "Dân số", "Lực lượng lao động"], [
        ["CL", "2023", "148.806", "75.890"],
        ["CL", "2023", "148.806", "75.890"],
        ["ZZ", "2023", "10", "5"],
        ["CL", "2024", "-1", "12,5"],
    ])
    report = run_resource_import(DemographicsResource(), load_dataset(path), filename=path.name)
    assert [(p.line, p.column) for p in report.problems] == [
        (3, "Mã đơn vị"), (4, "Mã đơn vị"), (5, "Dân số"), (5, "Lực lượng lao động")]
    assert "Trùng với dòng 2" in report.problems[0].message
    assert Demographics.objects.count() == 0


def test_demographics_import_rederives_rate_targets(commune, tmp_path):
    from tests.factories import make_target

    target = make_target(commune, "bhyt", year=2023, rate_pct=95)
    assert target.count == 13050
    path = write_csv(tmp_path / "d.csv", ["unit_code", "year", "population"], [["CL01", "2023", "14.000"]])
    report = run_resource_import(DemographicsResource(), load_dataset(path), filename=path.name)
    assert report.ok and report.updated == 1
    target.refresh_from_db()
    assert (target.rate_pct, target.count, target.denominator) == (Decimal("95"), 13300, 14000)
    assert Demographics.objects.get().labour_force == 7000  # a column not in the file is kept


def test_demographics_take_the_people_required_to_join_bhtn_under_a_vietnamese_header(db, tmp_path):
    make_district()
    bad = write_csv(tmp_path / "d.csv", ["Mã đơn vị", "Năm", "Lực lượng lao động", "Thuộc diện tham gia BHTN"],
                    [["CL", "2019", "49.923", "-4.427"]])
    report = run_resource_import(DemographicsResource(), load_dataset(bad), filename=bad.name)
    assert [(p.line, p.column) for p in report.problems] == [(2, "Thuộc diện tham gia BHTN")]
    assert "không được âm" in report.problems[0].message and Demographics.objects.count() == 0
    good = write_csv(tmp_path / "d2.csv", ["Mã đơn vị", "Năm", "Lực lượng lao động", "Thuộc diện tham gia BHTN"],
                     [["CL", "2019", "49.923", "4.427"]])
    assert run_resource_import(DemographicsResource(), load_dataset(good), filename=good.name).ok
    assert Demographics.objects.get().bhtn_required == 4427
    exported = DemographicsResource().export(queryset=Demographics.objects.all())
    assert exported.dict[0]["bhtn_required"] == 4427
