"""The participant list import: preview, commit all or nothing, re-import is a no-op, refusals.

Files are built the way offices send them (a title above the header, Vietnamese headers, codes
that Excel turned into numbers, Excel dates and dd/mm/yyyy text); every refusal leaves the
database as it was.
"""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from agents.importers import ParticipantImport, participant_import_commit, participant_import_start
from agents.models import Enrolment, Participant
from agents.samples import participant_rows, write_csv, write_xlsx
from bhxh_portal.imports import ImportFileError, OLE_MAGIC
from jobs import services as jobs
from jobs.services import JobError
from jobs.models import Job
from units.models import Role
from tests.factories import make_member

D = datetime.date
pytestmark = pytest.mark.django_db

BASIC = ["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn", "Loại hình",
         "Từ ngày", "Mức thu nhập", "Phương thức đóng", "Số tiền"]


def xlsx(rows: list[list], *, headers=BASIC, title: str | None = "DANH SÁCH NGƯỜI THAM GIA") -> bytes:
    """A workbook as Excel writes it (openpyxl, not write-only: formulas and types kept as given)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DS"
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(code="0112345678", cccd="001090012345", name="Nguyễn Văn An", born=D(1980, 5, 3), commune="00001",
           village="X1-T1", product="BHXH TN", start="01/09/2021", income=700_000, mode="Hằng tháng", amount=138_600):
    return [code, cccd, name, born, "Nam", commune, village, product, start, income, mode, amount]


def preview(user, unit, data, filename="ds.xlsx", mapping=None):
    return ParticipantImport(user=user, scope=unit, dry_run=True, mapping=mapping).run(data, filename=filename)[0]


def commit(user, unit, data, filename="ds.xlsx"):
    return ParticipantImport(user=user, scope=unit, dry_run=False).run(data, filename=filename)[0]


def snapshot():
    return (list(Participant.objects.order_by("pk").values_list("pk", "bhxh_code", "full_name", "updated_at")),
            list(Enrolment.objects.order_by("pk").values_list("pk", "valid_from", "amount_paid", "updated_at")))


# --- preview, commit, re-import ----------------------------------------------------------------

def test_preview_counts_new_rows_and_writes_nothing(district, staff):
    outcome = preview(staff, district, xlsx([person(), person(code="0112345679", cccd="001090012346")]))
    assert (outcome.total, outcome.new, outcome.updated, outcome.unchanged, outcome.invalid) == (2, 2, 0, 0, 0)
    assert outcome.header_line == 3  # under a title and an empty row
    assert Participant.objects.count() == Enrolment.objects.count() == 0


def test_commit_writes_every_row_and_reimporting_the_same_file_changes_nothing(district, staff, areas, agent):
    data = write_xlsx(participant_rows(count=200, areas=areas, province_code="01", agents=[agent.name]))
    first = commit(staff, district, data)
    assert (first.new, first.invalid, first.committed) == (200, 0, True)
    assert Enrolment.objects.count() == 200
    assert Enrolment.objects.filter(agent=agent).count() == 200
    before = snapshot()

    again = commit(staff, district, data)
    assert (again.total, again.new, again.updated, again.unchanged) == (200, 0, 0, 200)
    assert (again.participants_created, again.participants_updated, again.enrolments_created,
            again.enrolments_updated) == (0, 0, 0, 0)
    assert snapshot() == before  # not even updated_at moved


def test_csv_copy_of_the_same_list_is_also_unchanged(district, staff, areas):
    rows = participant_rows(count=50, areas=areas, province_code="01")
    commit(staff, district, write_xlsx(rows))
    outcome = commit(staff, district, write_csv(rows), filename="ds.csv")
    assert (outcome.unchanged, outcome.new, outcome.updated) == (50, 0, 0)


def test_a_changed_row_is_updated_and_keyed_by_bhxh_code_else_personal_id(district, staff):
    commit(staff, district, xlsx([person(), person(code=None, cccd="001090099999", name="Lê Thị Bình")]))
    outcome = commit(staff, district, xlsx([
        person(name="Nguyễn Văn An Khang"),                                   # same mã số BHXH, new name
        person(code=None, cccd="001090099999", name="Lê Thị Bình", income=1_000_000, amount=204_600),
    ]))
    assert (outcome.updated, outcome.new, outcome.unchanged) == (2, 0, 0)
    assert Participant.objects.get(bhxh_code="0112345678").full_name == "Nguyễn Văn An Khang"
    assert Enrolment.objects.get(participant__personal_id="001090099999").chosen_income == 1_000_000
    assert Participant.objects.count() == 2


def test_a_list_giving_the_bhxh_code_later_completes_the_person_found_by_personal_id(district, staff):
    commit(staff, district, xlsx([person(code=None)]))
    outcome = commit(staff, district, xlsx([person()]))
    assert (outcome.updated, outcome.participants_created) == (1, 0)
    assert Participant.objects.get().bhxh_code == "0112345678"


# --- codes, dates, numbers ----------------------------------------------------------------------

def test_leading_zeros_survive_and_numeric_codes_get_them_back(district, staff):
    commit(staff, district, xlsx([
        person(code=112345678, cccd=1090012345),            # Excel made numbers of 0112345678 and 001090012345
        person(code="0212345678", cccd="'002090012345", name="Trần Thị Hoa"),  # text, with Excel's apostrophe
    ]))
    assert sorted(Participant.objects.values_list("bhxh_code", "personal_id")) == [
        ("0112345678", "001090012345"), ("0212345678", "002090012345")]


@pytest.mark.parametrize("code, cccd, reason", [
    (12345678, "001090012345", "đã mất số 0 ở đầu và không khôi phục được"),     # 8 digits: "00" is no province
    ("1.12346E+11", None, "dạng số mũ"),
    ("0112345678", 123456789, "đã mất số 0 ở đầu"),
    ("01123456789", "001090012345", "có 11 chữ số, phải là 10"),
    ("0112345678", "099090012345", "mã tỉnh nơi đăng ký khai sinh"),
    ("01123X5678", "001090012345", "phải gồm 10 chữ số"),
])
def test_codes_that_lost_digits_or_are_not_codes_are_refused(district, staff, code, cccd, reason):
    outcome = preview(staff, district, xlsx([person(code=code, cccd=cccd)]))
    assert outcome.invalid == 1
    assert reason in outcome.problems[0]["message"]


def test_dates_as_excel_dates_serials_text_and_year_only(district, staff):
    commit(staff, district, xlsx([
        person(code="0100000001", cccd=None, born=D(1970, 3, 5), start=D(2021, 9, 1)),
        person(code="0100000002", cccd=None, born=25632, start=44440),              # Excel serials
        person(code="0100000003", cccd=None, born="05/03/1970", start="1/9/2021"),
        person(code="0100000004", cccd=None, born=1965, start="09/2021"),           # a year; a month
    ]))
    got = dict(Participant.objects.values_list("bhxh_code", "birth_date"))
    assert got == {"0100000001": D(1970, 3, 5), "0100000002": D(1970, 3, 5), "0100000003": D(1970, 3, 5),
                   "0100000004": D(1965, 1, 1)}
    assert Participant.objects.get(bhxh_code="0100000004").birth_year_only
    assert set(Enrolment.objects.values_list("valid_from", flat=True)) == {D(2021, 9, 1)}


def test_aliases_and_unordered_columns(district, staff):
    headers = ["STT", "Họ tên", "Số định danh cá nhân", "Mã số BHXH (10 số)", "Ngày, tháng, năm sinh", "Nam/Nữ",
               "Mã xã, phường", "Loại hình tham gia", "Hiệu lực từ", "Mức thu nhập lựa chọn", "Ghi chú"]
    row = [1, "Phạm Thị Mai", "001090012345", "0112345678", "01/02/1990", "Nữ", "00001", "BHXH tự nguyện",
           "01/09/2021", "700.000", "—"]
    outcome = commit(staff, district, xlsx([row], headers=headers))
    assert (outcome.new, outcome.invalid) == (1, 0)
    participant = Participant.objects.get()
    assert (participant.full_name, participant.sex, participant.village_id) == ("Phạm Thị Mai", "F", None)


def test_amount_that_differs_from_the_rules_is_flagged_but_not_refused(district, staff):
    outcome = commit(staff, district, xlsx([person(amount=154_000)]))
    assert (outcome.new, outcome.invalid, outcome.warned) == (1, 0, 1)
    assert "khác số phải đóng theo quy định 138.600 đ" in outcome.warnings[0]["message"]
    enrolment = Enrolment.objects.get()
    assert (enrolment.amount_paid, enrolment.amount_expected, enrolment.amount_differs) == (154_000, 138_600, True)


def test_invalid_rows_each_have_a_reason_and_a_commit_writes_nothing(district, staff):
    commit(staff, district, xlsx([person()]))
    before = snapshot()
    rows = [
        person(name="Nguyễn Văn An Mới"),                              # valid, would update
        person(code="0199999999", cccd=None, income=500_000),          # income below the 2021 minimum
        person(code="0199999998", cccd=None, product="BHYT xe máy"),   # unknown product
        person(code="0199999997", cccd=None, village="X2-T1"),         # village of another commune
        person(code=None, cccd=None),                                  # no identifier
        person(code="0199999996", cccd=None, born="31/02/1980"),       # no such date
    ]
    data = xlsx(rows)
    checked = preview(staff, district, data)
    assert (checked.total, checked.invalid, checked.updated) == (6, 5, 1)
    reasons = {p["line"]: p["message"] for p in checked.problems}
    assert "thấp hơn mức tối thiểu 700.000" in reasons[5]
    assert "Loại hình 'BHYT xe máy' không có" in reasons[6]
    assert "không thuộc xã '00001'" in reasons[7]
    assert "Thiếu cả mã số BHXH và số định danh cá nhân" in reasons[8]
    assert "31/02/1980" in reasons[9]
    with pytest.raises(JobError, match="có 5 dòng không hợp lệ; không dòng nào được ghi"):
        commit(staff, district, data)
    assert snapshot() == before


def test_the_same_person_product_and_start_twice_in_a_file_is_refused(district, staff):
    outcome = preview(staff, district, xlsx([person(), person()]))
    assert outcome.invalid == 1
    assert "Trùng với dòng 4" in outcome.problems[0]["message"]


def test_conflicting_identity_is_refused(district, staff):
    commit(staff, district, xlsx([person(), person(code="0112345679", cccd="001090012346", name="Lê Văn Bảo")]))
    outcome = preview(staff, district, xlsx([person(code="0112345678", cccd="001090012346")]))
    assert outcome.invalid == 1
    assert "thuộc hai người khác nhau" in outcome.problems[0]["message"]


# --- scope and permissions --------------------------------------------------------------------------

def test_a_row_outside_the_uploaders_subtree_is_refused_and_nothing_is_written(district, staff):
    data = xlsx([person(), person(code="0112345679", cccd=None, commune="00009", village=None)])
    checked = preview(staff, district, data)
    assert checked.invalid == 1
    assert "Không có đơn vị mã '00009' trong phạm vi Huyện Một của bạn" in checked.problems[0]["message"]
    assert "Xã Ngoài" not in checked.problems[0]["message"]
    with pytest.raises(JobError):
        commit(staff, district, data)
    assert Participant.objects.count() == 0


def test_a_person_registered_in_another_district_cannot_be_changed_from_here(district, staff):
    other = district.parent.children.get(code="002")
    other_staff = make_member(other, Role.BHXH_STAFF)
    commit(other_staff, other, xlsx([person(commune="00009", village=None)]))
    outcome = preview(staff, district, xlsx([person()]))
    assert outcome.invalid == 1
    assert "đã đăng ký ngoài phạm vi Huyện Một của bạn" in outcome.problems[0]["message"]
    assert "Xã Ngoài" not in outcome.problems[0]["message"]


def test_only_bhxh_staff_of_the_unit_may_import(district):
    official = make_member(district, Role.COMMUNE_OFFICIAL)
    with pytest.raises(JobError, match="không có quyền"):
        preview(official, district, xlsx([person()]))
    neighbour = make_member(district.parent.children.get(code="002"), Role.BHXH_STAFF)
    with pytest.raises(JobError, match="không có quyền"):
        participant_import_start(user=neighbour, unit=district, filename="ds.xlsx", data=xlsx([person()]))
    assert Job.objects.count() == 0


def test_commune_official_cannot_open_the_import_page(client, district):
    client.force_login(make_member(district, Role.COMMUNE_OFFICIAL))
    assert client.get("/nguoi-tham-gia/nhap/").status_code == 403


def test_another_users_import_cannot_be_seen_or_committed(client, district, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = participant_import_start(user=staff, unit=district, filename="ds.xlsx", data=xlsx([person()]))
    colleague = make_member(district, Role.BHXH_STAFF)
    client.force_login(colleague)
    assert client.get(f"/nguoi-tham-gia/nhap/{job.pk}/").status_code == 404
    assert client.post(f"/nguoi-tham-gia/nhap/{job.pk}/ghi/").status_code == 404
    with pytest.raises(JobError):
        participant_import_commit(user=colleague, preview=job)
    assert Participant.objects.count() == 0


# --- headers -------------------------------------------------------------------------------------

def test_an_unknown_header_stops_the_preview_and_the_mapping_imports_it(district, staff):
    headers = [*BASIC[:2], "Tên khai sinh", *BASIC[3:]]
    data = xlsx([person()], headers=headers)
    first = preview(staff, district, data)
    assert first.needs_mapping and first.unknown == ["Tên khai sinh"]
    assert Participant.objects.count() == 0
    mapped = preview(staff, district, data, mapping={"Tên khai sinh": "full_name"})
    assert (mapped.needs_mapping, mapped.new, mapped.invalid) == (False, 1, 0)
    ignored = preview(staff, district, xlsx([person()], headers=[*BASIC, "Số nhà"]), mapping={"Số nhà": "_ignore"})
    assert (ignored.needs_mapping, ignored.new) == (False, 1)


def test_a_sheet_with_no_recognisable_header_is_refused(district, staff):
    with pytest.raises(ImportFileError, match="không tìm thấy dòng tiêu đề"):
        preview(staff, district, xlsx([["a", "b", "c"]], headers=["Cột 1", "Cột 2", "Cột 3"]))


def test_a_missing_required_column_is_named(district, staff):
    headers = [h for h in BASIC if h != "Ngày sinh"]
    row = [v for i, v in enumerate(person()) if BASIC[i] != "Ngày sinh"]
    with pytest.raises(ImportFileError, match="thiếu cột Ngày sinh"):
        preview(staff, district, xlsx([row], headers=headers))


# --- refusals through the job: the database stays as it was ---------------------------------------

def _encrypted_xlsx() -> bytes:
    directory_entry = "EncryptionInfo".encode("utf-16-le")
    return OLE_MAGIC + b"\x00" * 504 + directory_entry + b"\x00" * 2000


def _formula_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(BASIC)
    sheet.append(person())
    sheet["L2"] = "=J2*22%-15400"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _truncated_xlsx() -> bytes:
    return xlsx([person()])[:900]


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    return buffer.getvalue()


REFUSALS = [
    ("ds.pdf", lambda: b"%PDF-1.7 ...", "không phải là bảng tính (chỉ nhận"),
    ("ds.xlsx", lambda: b"%PDF-1.7 not really a workbook", "không phải là bảng tính .xlsx"),
    ("ds.xlsx", _truncated_xlsx, "bị hỏng"),
    ("ds.xlsx", _zip_without_workbook, "bị hỏng"),
    ("ds.xlsx", _encrypted_xlsx, "được đặt mật khẩu"),
    ("ds.xls", _encrypted_xlsx, "được đặt mật khẩu"),
    ("ds.xlsx", _formula_xlsx, "ô L2 chứa công thức thay cho giá trị"),
    ("ds.xlsx", lambda: xlsx([["x"]], headers=["Cột A", "Cột B"]), "không tìm thấy dòng tiêu đề"),
    ("ds.csv", lambda: b"", "rỗng"),
    ("ds.csv", lambda: xlsx([person()]), "không phải là tệp văn bản csv"),
]


@pytest.mark.parametrize("filename, make, message", REFUSALS,
                         ids=["pdf", "pdf-named-xlsx", "truncated", "zip-not-workbook", "password",
                              "password-xls", "formula", "no-header", "empty", "xlsx-named-csv"])
def test_a_refused_file_fails_the_job_with_its_reason_and_leaves_the_database_unchanged(
        district, staff, filename, make, message, django_capture_on_commit_callbacks):
    commit(staff, district, xlsx([person()]))
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        job = participant_import_start(user=staff, unit=district, filename=filename, data=make())
    job.refresh_from_db()
    assert job.state == "failed"
    assert message in job.message
    assert snapshot() == before
    # Committing a refused preview is refused too.
    with pytest.raises(JobError):
        participant_import_commit(user=staff, preview=job)
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_before_anything_is_stored(district, staff, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    commit(staff, district, xlsx([person()]))
    before = snapshot()
    with pytest.raises(ImportFileError, match="quá lớn.*giới hạn là 1 MB"):
        participant_import_start(user=staff, unit=district, filename="ds.csv", data=b"x" * (1024 * 1024 + 1))
    assert Job.objects.count() == 0
    assert snapshot() == before


def test_the_upload_page_says_why_a_file_is_refused(client, district, staff, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(staff)
    big = SimpleUploadedFile("ds.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024 + 10))
    response = client.post("/nguoi-tham-gia/nhap/", {"unit": district.pk, "file": big})
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()
    assert Job.objects.count() == 0


# --- the copy of the file with an error column -------------------------------------------------------

def test_preview_offers_the_file_back_with_an_error_column(district, staff, django_capture_on_commit_callbacks):
    data = xlsx([person(), person(code="0199999999", cccd=None, income=500_000)])
    with django_capture_on_commit_callbacks(execute=True):
        job = participant_import_start(user=staff, unit=district, filename="danh sach.xlsx", data=data)
    job.refresh_from_db()
    assert job.state == "succeeded"
    assert job.result["invalid"] == 1 and job.result["new"] == 1
    assert job.output_name == "danh sach-loi.xlsx"
    sheet = load_workbook(job.output_file.open("rb"), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH NGƯỜI THAM GIA"
    assert rows[2] == (*BASIC, "Lỗi", "Cảnh báo")     # right after the file's own columns
    assert rows[3][-2] is None                       # the valid row
    assert "thấp hơn mức tối thiểu 700.000" in rows[4][-2]
    assert rows[4][0] == "0199999999"                # the row as it was in the file


# --- through the web and the job, with the progress bar -----------------------------------------------

def test_a_1000_row_list_through_the_job_reaches_100_percent(client, district, staff, areas, agent, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    seen: list[int] = []
    real = jobs.job_progress

    def spy(*, job, pct, message=""):
        seen.append(pct)
        real(job=job, pct=pct, message=message)

    monkeypatch.setattr(jobs, "job_progress", spy)
    rows = participant_rows(count=1000, areas=areas, province_code="01", agents=[agent.name])
    upload = SimpleUploadedFile("ds-1000.xlsx", write_xlsx(rows))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/nguoi-tham-gia/nhap/", {"unit": district.pk, "file": upload})
    preview_job = Job.objects.get()
    assert response.url == f"/nguoi-tham-gia/nhap/{preview_job.pk}/"
    assert (preview_job.state, preview_job.progress_pct) == ("succeeded", 100)
    assert preview_job.result["new"] == 1000 and Participant.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "Ghi 1.000 dòng vào hệ thống" in page

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/nguoi-tham-gia/nhap/{preview_job.pk}/ghi/")
    commit_job = Job.objects.exclude(pk=preview_job.pk).get()
    assert response.url == f"/nguoi-tham-gia/nhap/{commit_job.pk}/"
    assert (commit_job.state, commit_job.progress_pct, commit_job.result["new"]) == ("succeeded", 100, 1000)
    assert Enrolment.objects.filter(last_import=commit_job).count() == 1000
    assert seen == sorted(seen) and seen[0] < 20 and any(20 < p < 100 for p in seen)
    page = client.get(response.url).content.decode()
    assert 'value="100"' in page and "đã thêm 1.000" in page
    # The jobs page lists both, with their progress bars.
    listing = client.get("/cong-viec/").content.decode()
    assert listing.count("Nhập danh sách người tham gia #") == 2


def test_the_mapping_step_through_the_pages(client, district, staff, django_capture_on_commit_callbacks):
    headers = [*BASIC[:2], "Tên khai sinh", *BASIC[3:]]
    client.force_login(staff)
    upload = SimpleUploadedFile("ds.xlsx", xlsx([person()], headers=headers))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/nguoi-tham-gia/nhap/", {"unit": district.pk, "file": upload})
    first = Job.objects.get()
    page = client.get(response.url).content.decode()
    assert "Cột “Tên khai sinh”" in page and "Ghi " not in page.split("Chọn ý nghĩa")[1][:200]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/nguoi-tham-gia/nhap/{first.pk}/cot/", {"col_0": "full_name"})
    second = Job.objects.exclude(pk=first.pk).get()
    assert response.url == f"/nguoi-tham-gia/nhap/{second.pk}/"
    assert second.params["mapping"] == {"Tên khai sinh": "full_name"}
    assert (second.result["new"], second.result["invalid"]) == (1, 0)
    assert "Ghi 1 dòng vào hệ thống" in client.get(response.url).content.decode()
    assert Participant.objects.count() == 0


def test_an_old_commune_code_is_answered_with_the_commune_it_is_part_of_today(district, staff):
    from units.services.official_units import OLD_TO
    from tests.factories import make_unit

    old_province = make_unit("Tỉnh Cũ", level_code="tinh", code="02", valid_to=OLD_TO)
    old = make_unit("Xã Cũ", level_code="xa", parent=old_province, code="00077", valid_to=OLD_TO)
    district.children.get(code="00001").predecessors.add(old)
    checked = preview(staff, district, xlsx([person(commune="00077", village=None)]))
    assert checked.invalid == 1
    assert ("'00077' là mã xã cũ (Xã Cũ, hết hiệu lực 30/06/2025), nay thuộc Xã 1, hãy dùng mã 00001."
            in checked.problems[0]["message"])


def test_the_upload_page_offers_a_blank_template_with_the_headers_it_reads(client, district, staff):
    from agents.importers import ALIASES, COLUMNS, normalise_header

    client.force_login(staff)
    page = client.get("/nguoi-tham-gia/nhap/").content.decode()
    assert 'href="/nguoi-tham-gia/nhap/mau.xlsx"' in page and "Tải tệp mẫu" in page
    response = client.get("/nguoi-tham-gia/nhap/mau.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Mã số BHXH", "Số định danh cá nhân", "Họ và tên"]
    assert [ALIASES[normalise_header(h)] for h in headers] == [c.name for c in COLUMNS]
    assert sheet.max_row == 1 or all(cell.value is None for row in sheet.iter_rows(min_row=2) for cell in row)

    client.force_login(make_member(district, Role.COMMUNE_OFFICIAL))
    assert client.get("/nguoi-tham-gia/nhap/mau.xlsx").status_code == 403
