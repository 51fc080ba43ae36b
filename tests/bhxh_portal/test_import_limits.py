"""What the database cannot store is refused while the rows are checked, by every importer.

A 5.000-character name, a count of 10^20, an amount of 10^23, a negative count, a date in 1800 or
9999: each is refused with the line, the column and a Vietnamese reason, and nothing is written,
on SQLite (which keeps any length and overflows only at write time) as on PostgreSQL. The limits
come from the model fields (`bhxh_portal.imports.check_fits`), never typed again.

Text is stored composed (NFC) whatever the file's encoding: the same list saved as CSV UTF-8 (with
a BOM), Unicode text (UTF-16) and plain CSV on Vietnamese Windows (Windows-1258, whose accents are
combining marks) imports the same names, and importing it again in another encoding changes nothing.
"""

import codecs
import csv
import datetime
import io
import unicodedata
from decimal import Decimal

import pytest
import tablib

from agents.models import Agent, Enrolment, Participant
from bhxh_portal.imports import (
    ImportFileError,
    check_fits,
    decode_csv,
    field_limits,
    load_dataset,
    read_raw_sheet,
    run_resource_import,
)
from campaigns.models import Beneficiary, DriveActivity
from targets.models import Demographics, School, SchoolFigures, Target
from results.models import MonthlyResult
from units.models import Role, Unit
from tests.factories import make_collection_agent, make_member, make_unit

pytestmark = pytest.mark.django_db

D = datetime.date
LONG = "Nguyễn " * 715  # 5.005 characters
HUGE = 10 ** 20
VAST = 10 ** 23


# --- the helper -------------------------------------------------------------------------------

def test_limits_are_read_from_the_model_fields():
    assert field_limits(Participant, "full_name").max_length == Participant._meta.get_field("full_name").max_length
    assert (field_limits(Demographics, "population").low, field_limits(Demographics, "population").high) == (
        0, 2147483647)
    assert field_limits(Enrolment, "amount_paid").high == 9223372036854775807
    assert field_limits(Target, "rate_pct").whole_digits == 3


@pytest.mark.parametrize(("model", "field", "value", "expected"), [
    (Participant, "full_name", "x" * 200, None),
    (Participant, "full_name", "x" * 201, "Họ và tên dài 201 ký tự, vượt quá 200 ký tự được phép; hãy rút gọn."),
    (Demographics, "population", 2147483647, None),
    (Demographics, "population", 2147483648, "Dân số 2.147.483.648 quá lớn (tối đa 2.147.483.647)."),
    (Demographics, "population", -1, "Dân số -1 không được âm."),
    (Enrolment, "amount_paid", VAST, "quá lớn (tối đa 9.223.372.036.854.775.807)"),
    (Target, "rate_pct", Decimal("95.00"), None),
    (Target, "rate_pct", Decimal("1000"), "tối đa 3 chữ số phần nguyên"),
    (Target, "rate_pct", Decimal("95.123456"), "quá 4 chữ số thập phân"),
    (Enrolment, "valid_from", D(1800, 1, 1), "Từ ngày 01/01/1800 ngoài khoảng cho phép (01/01/1900–31/12/2100)."),
    (Enrolment, "valid_from", D(9999, 12, 31), "ngoài khoảng cho phép"),
    (Enrolment, "valid_from", D(2024, 1, 1), None),
    (Participant, "full_name", "a\x00b", "ký tự rỗng NUL"),
    (Participant, "full_name", None, None),
])
def test_check_fits_says_why_in_vietnamese(model, field, value, expected):
    problem = check_fits(model, field, value)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


# --- every importer ---------------------------------------------------------------------------

@pytest.fixture
def tree(db):
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    for c in (1, 2):
        commune = make_unit(f"Xã {c}", level_code="xa", parent=district, code=f"0000{c}")
        make_unit(f"Thôn {c}.1", level_code="thon", parent=commune, code=f"X{c}-T1")
        make_collection_agent(commune, name=f"Đại lý xã {c}")
    return district, make_member(district, Role.BHXH_STAFF)


def csv_bytes(headers, rows, *, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def resource_problems(resource, headers, rows):
    data = csv_bytes(headers, rows)
    report = run_resource_import(resource, load_dataset(data, filename="tep.csv"), filename="tep.csv")
    assert not report.ok
    return [(p.line, p.column, p.message) for p in report.problems]


def assert_refused(problems, line, column, words):
    found = [p for p in problems if p[0] == line and p[1] == column]
    assert found, problems
    assert any(words in p[2] for p in found), found
    assert not any("Lỗi không mong đợi" in p[2] or "Python" in p[2] for p in problems), problems


def test_units_import_refuses_a_name_too_long_and_a_date_out_of_range(tree):
    from units.resources import UnitResource

    before = Unit.objects.count()
    problems = resource_problems(UnitResource(), ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã cấp trên", "Hiệu lực từ"],
                                 [["00003", LONG, "xa", "001", ""], ["00004", "Xã Bốn", "xa", "001", "01/01/1800"]])
    assert_refused(problems, 2, "Tên đơn vị", "ký tự được phép")
    assert_refused(problems, 3, "Hiệu lực từ", "01/01/1800 ngoài khoảng cho phép")
    assert Unit.objects.count() == before


def test_demographics_import_refuses_a_count_past_the_column(tree):
    from targets.resources import DemographicsResource

    problems = resource_problems(DemographicsResource(user=tree[1]), ["Mã đơn vị", "Năm", "Dân số", "Nguồn số liệu"],
                                 [["00001", 2024, HUGE, ""], ["00002", 2024, "-5", ""], ["00002", 2023, 10, LONG]])
    assert_refused(problems, 2, "Dân số", "quá lớn (tối đa 2.147.483.647)")
    assert_refused(problems, 3, "Dân số", "không được âm")
    assert_refused(problems, 4, "Nguồn số liệu", "ký tự được phép")
    assert not Demographics.objects.exists()


def test_targets_import_refuses_a_count_and_a_note_past_the_columns(tree):
    from targets.resources import TargetResource

    problems = resource_problems(TargetResource(user=tree[1]),
                                 ["Mã đơn vị", "Năm", "Chỉ tiêu", "Số người", "Loại (giao/phấn đấu)", "Ghi chú"],
                                 [["00001", 2024, "bhyt", HUGE, "giao", ""],
                                  ["00002", 2024, "bhyt", 100, "giao", LONG]])
    assert_refused(problems, 2, "Số người", "quá lớn")
    assert_refused(problems, 3, "Ghi chú", "ký tự được phép")
    assert not Target.objects.exists()


def test_results_import_refuses_a_count_past_the_column_in_vietnamese(tree):
    from results.resources import ResultResource

    problems = resource_problems(ResultResource(user=tree[1]),
                                 ["Mã đơn vị", "Tháng", "Chỉ tiêu", "Số người tham gia", "Vận động mới"],
                                 [["00001", "2023-06", "bhyt", HUGE, ""], ["00002", "2023-06", "bhyt", 10, VAST]])
    assert_refused(problems, 2, "Số người tham gia", "quá lớn (tối đa 2.147.483.647)")
    assert_refused(problems, 3, "Vận động mới", "quá lớn")
    assert not MonthlyResult.objects.exists()


def test_schools_and_their_figures_refuse_what_the_columns_cannot_hold(tree):
    from targets.schools.resources import SchoolFiguresResource, SchoolResource

    problems = resource_problems(SchoolResource(user=tree[1]), ["Mã trường", "Tên trường", "Mã xã", "Hoạt động từ"],
                                 [["T1", LONG, "00001", ""], ["T" * 31, "Trường Hai", "00001", ""],
                                  ["T3", "Trường Ba", "00001", "31/12/2101"]])
    assert_refused(problems, 2, "Tên trường", "ký tự được phép")
    assert_refused(problems, 3, "Mã trường", "ký tự được phép")
    assert_refused(problems, 4, "Hoạt động từ", "ngoài khoảng cho phép")
    assert not School.objects.exists()

    School.objects.create(code="T1", name="Trường Một", commune=Unit.objects.get(code="00001"))
    problems = resource_problems(SchoolFiguresResource(user=tree[1]),
                                 ["Mã trường", "Năm học", "Tổng số học sinh", "Tham gia tại trường"],
                                 [["T1", "2023-2024", HUGE, 0]])
    assert_refused(problems, 2, "Tổng số học sinh", "quá lớn")
    assert not SchoolFigures.objects.exists()


PARTICIPANT_HEADERS = ["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã hộ gia đình",
                       "Loại hình", "Từ ngày", "Mức thu nhập", "Phương thức đóng", "Số tiền"]


def participant(name="Nguyễn Văn Ấn", code="0112345678", household="", start="01/09/2021", amount=138_600,
                income=700_000):
    return [code, "", name, "03/05/1980", "Nam", "00001", household, "BHXH TN", start, income, "Hằng tháng", amount]


def run_participants(tree, data, *, filename="ds.csv", dry_run=False):
    from agents.importers import ParticipantImport

    district, staff = tree
    return ParticipantImport(user=staff, scope=district, dry_run=dry_run).run(data, filename=filename)[0]


def test_participant_import_refuses_a_long_name_a_vast_amount_and_a_far_date(tree):
    rows = [participant(name=LONG), participant(code="0112345679", amount=VAST),
            participant(code="0112345670", start="01/01/9999"), participant(code="0112345671", household="H" * 21),
            participant(code="0112345672", income=VAST)]
    outcome = run_participants(tree, csv_bytes(PARTICIPANT_HEADERS, rows), dry_run=True)
    problems = [(p["line"], p["column"], p["message"]) for p in outcome.problems]
    assert_refused(problems, 2, "Họ và tên", "ký tự được phép")
    assert_refused(problems, 3, "Số tiền", "quá lớn (tối đa 9.223.372.036.854.775.807)")
    assert_refused(problems, 4, "Từ ngày", "01/01/9999 ngoài khoảng cho phép")
    assert_refused(problems, 5, "Mã hộ gia đình", "ký tự được phép")
    assert_refused(problems, 6, "Mức thu nhập", "quá lớn")
    assert outcome.invalid == 5 and outcome.new == 0
    from agents.importers import ImportRefused

    with pytest.raises(ImportRefused):
        run_participants(tree, csv_bytes(PARTICIPANT_HEADERS, rows))
    assert not Participant.objects.exists() and not Enrolment.objects.exists()


def test_activities_import_refuses_a_vast_attendance_and_a_long_text(tree):
    from campaigns.activities.importers import TEMPLATE_HEADERS, import_activities

    def line(**values):
        row = {h: "" for h in TEMPLATE_HEADERS}
        row.update({"Loại hoạt động": "Tuyên truyền nhóm nhỏ", "Mã đơn vị tổ chức": "001",
                    "Từ ngày": "01/10/2024", "Đến ngày": "31/10/2024"}, **values)
        return [row[h] for h in TEMPLATE_HEADERS]

    data = csv_bytes(TEMPLATE_HEADERS, [line(**{"Số người dự kiến": HUGE}), line(**{"Nội dung": LONG}),
                                        line(**{"Từ ngày": "01/01/1800"}), line(**{"Dự kiến BHXH TN": VAST}),
                                        line(**{"Số cuộc": "-2"})])
    report = import_activities(data, filename="kh.csv", user=tree[1])
    problems = [(p.line, p.column, p.message) for p in report.problems]
    assert_refused(problems, 2, "Số người dự kiến", "quá lớn (tối đa 2.147.483.647)")
    assert_refused(problems, 3, "Nội dung", "ký tự được phép")
    assert_refused(problems, 4, "Từ ngày", "ngoài khoảng cho phép")
    assert_refused(problems, 5, "Dự kiến BHXH TN", "quá lớn")
    assert_refused(problems, 6, "Số cuộc", "không phải là số nguyên không âm")
    assert not DriveActivity.objects.exists()


def test_programme_list_import_refuses_a_long_name_address_and_birth_date(tree):
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.programmes.importers import import_beneficiary_list
    from campaigns.models import SupportProgramme

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    staff = make_member(district, Role.BHXH_STAFF)
    headers = ["Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Nơi thường trú", "Ngày nhập ngũ"]
    data = csv_bytes(headers, [[LONG, "", "001090012345", "", "01/05/1980"],
                               ["Trần Văn Bình", "", "001090012346", LONG, "01/05/1980"],
                               ["Lê Văn Cường", "01/01/1800", "001090012347", "", "01/05/1980"]])
    report = import_beneficiary_list(data, filename="ds.csv", group=programme.groups.get(form="01/NQ-03"),
                                     unit=district, received_on=D(2024, 8, 29), user=staff)
    problems = [(p.line, p.column, p.message) for p in report.problems]
    assert_refused(problems, 2, "Họ và tên", "ký tự được phép")
    assert_refused(problems, 3, "Nơi thường trú", "ký tự được phép")
    assert_refused(problems, 4, "Ngày sinh", "ngoài khoảng cho phép")
    assert not Beneficiary.objects.exists()


def test_admin_agent_import_refuses_a_name_too_long(tree):
    from agents.resources import AgentResource

    dataset = tablib.Dataset(headers=["Tên đại lý", "Mã đại lý", "Loại", "Mã đơn vị", "Mã các xã phục vụ",
                                      "Đang hoạt động"])
    dataset.append([LONG, "", "", "00001", "", "1"])
    before = Agent.objects.count()
    result = AgentResource().import_data(dataset, dry_run=False, use_transactions=True,
                                         rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    messages = [m for row in result.invalid_rows for ms in row.error_dict.values() for m in ms]
    assert any("ký tự được phép" in str(m) for m in messages), messages
    assert Agent.objects.count() == before


# --- encodings and composed text --------------------------------------------------------------

def windows_1258(text: str) -> bytes:
    """As Vietnamese Windows saves "CSV": base letters â ê ô ơ ư ă đ precomposed, tones as combining marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    letters: list[list[str]] = []  # [base, other marks..., tones...] per letter
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and letters:
            letters[-1].append(char)
        else:
            letters.append([char])
    out = []
    for base, *marks in letters:
        out.append(unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones)))
        out.extend(m for m in marks if m in tones)
    return "".join(out).encode("cp1258")


NAMES = ["Nguyễn Thị Hồng Nhung", "Phạm Đức Lộc", "Trương Thị Ngọc Ánh"]


def participant_list(encoding: str) -> bytes:
    rows = [participant(name=name, code=f"011234567{i}") for i, name in enumerate(NAMES)]
    text = io.StringIO()
    csv.writer(text).writerows([PARTICIPANT_HEADERS, *rows])
    if encoding == "cp1258":
        return windows_1258(text.getvalue())
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.getvalue().encode("utf-16-le")
    return text.getvalue().encode(encoding)


def test_a_windows_1258_csv_is_read_as_composed_text():
    data = windows_1258("Họ và tên\nNguyễn Thị Hồng Nhung\n")
    assert unicodedata.normalize("NFC", data.decode("cp1258")) != data.decode("cp1258")  # decomposed as saved
    assert decode_csv(data) == "Họ và tên\nNguyễn Thị Hồng Nhung\n"
    assert unicodedata.is_normalized("NFC", decode_csv(data))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258", "utf-8"])
def test_each_encoding_of_a_participant_list_reads_the_same_cells(encoding):
    sheet = read_raw_sheet(participant_list(encoding), filename="ds.csv")
    assert [row[2] for row in sheet.rows[1:]] == NAMES


def test_a_utf16_csv_is_not_taken_for_a_renamed_spreadsheet():
    data = codecs.BOM_UTF16_LE + "Mã đơn vị\tNăm\tDân số\n00001\t2024\t1200\n".encode("utf-16-le")
    dataset = load_dataset(data, filename="dan-so.csv")
    assert dataset.headers == ["Mã đơn vị", "Năm", "Dân số"]
    assert list(dataset[0]) == ["00001", "2024", "1200"]


def test_a_csv_in_no_known_encoding_is_refused_with_the_reason():
    data = b"ma,ten\n01,\x81\x8d\xff\n"
    with pytest.raises(ImportFileError, match="không đọc được bằng mã UTF-8, UTF-16 hay Windows-1258"):
        load_dataset(data, filename="la.csv")
    with pytest.raises(ImportFileError, match="không đọc được bằng mã UTF-8, UTF-16 hay Windows-1258"):
        read_raw_sheet(data, filename="la.csv")


def test_the_same_list_in_three_encodings_is_stored_once_composed_and_found_by_a_decomposed_search(tree):
    from agents.selectors import participant_search

    outcome = run_participants(tree, participant_list("cp1258"))
    assert outcome.committed and outcome.new == 3, outcome.problems
    stored = list(Participant.objects.order_by("bhxh_code").values_list("full_name", flat=True))
    assert stored == NAMES
    assert all(unicodedata.is_normalized("NFC", name) for name in stored)
    for encoding in ("utf-8-sig", "utf-16", "utf-8"):
        again = run_participants(tree, participant_list(encoding))
        assert (again.new, again.updated, again.unchanged) == (0, 0, 3), encoding
    query = unicodedata.normalize("NFD", "Hồng Nhung")
    assert [p.full_name for p in participant_search(user=tree[1], text=query)] == ["Nguyễn Thị Hồng Nhung"]


def test_resource_imports_store_composed_text_from_a_windows_1258_csv(tree):
    from targets.schools.resources import SchoolResource

    data = windows_1258("Mã trường,Tên trường,Mã xã\nT1,Trường Tiểu học Hồng Phước,00001\n")
    report = run_resource_import(SchoolResource(user=tree[1]), load_dataset(data, filename="t.csv"), filename="t.csv")
    assert report.ok, report.messages()
    assert School.objects.get().name == "Trường Tiểu học Hồng Phước"
    data = "Mã trường,Tên trường,Mã xã\nT1,Trường Tiểu học Hồng Phước,00001\n".encode("utf-8-sig")
    report = run_resource_import(SchoolResource(user=tree[1]), load_dataset(data, filename="t.csv"), filename="t.csv")
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)


# --- the limits are PostgreSQL's own ----------------------------------------------------------

@pytest.mark.services
def test_the_limits_checked_are_exactly_what_postgresql_stores(tree):
    """At the limit the row is stored; one past it PostgreSQL refuses the write, and the check refuses it first."""
    from django.db import DataError, transaction

    from tests.services import require_postgresql

    require_postgresql()
    unit = Unit.objects.get(code="00001")
    high = field_limits(Demographics, "population").high
    Demographics.objects.create(unit=unit, year=2024, population=high)
    assert check_fits(Demographics, "population", high) is None
    assert check_fits(Demographics, "population", high + 1)
    with pytest.raises(DataError), transaction.atomic():
        Demographics.objects.create(unit=unit, year=2025, population=high + 1)
    longest = "Ấ" * Unit._meta.get_field("name").max_length
    Unit.objects.filter(pk=unit.pk).update(name=longest)
    assert check_fits(Unit, "name", longest) is None
    assert check_fits(Unit, "name", longest + "x")
    with pytest.raises(DataError), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(name=longest + "x")
    assert check_fits(Participant, "full_name", "a\x00b")
    with pytest.raises(ValueError), transaction.atomic():  # psycopg: NUL cannot be sent in a string
        Unit.objects.filter(pk=unit.pk).update(name="a\x00b")
