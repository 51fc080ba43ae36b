"""Property-based tests of every importer: whatever the cells hold (any text, formula-like text, huge,
negative, NaN and infinite numbers, values past what the columns store, dates out of range, codes that
nearly exist), in xlsx or in a csv saved as UTF-8, UTF-8 with a BOM or UTF-16, the import either
writes the file or refuses it with a message, never crashes, and a refused file writes nothing
(all or nothing).

Each importer gets its own template header (so that rows reach the row checks) and a few rows of
arbitrary cells, written as csv or xlsx. Examples run inside a savepoint that is rolled back, so they
do not see one another. Example counts are modest to keep the suite fast.
"""

import csv
import datetime
import io
import math

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bhxh_portal.imports import ImportFileError, check_fits, load_dataset, run_resource_import
from jobs.services import JobError
from units.models import Role
from tests.factories import make_collection_agent, make_member, make_unit

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=35, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

NEAR_MISSES = [
    "=1+1", "+84", "-5", "@SUM(1)", "1.234", "1.234,5", "95,00", "100,01", "-0", "0", "1e309", "NaN", "inf",
    "2024-05", "05/2024", "2024-13", "13/2024", "31/02/2024", "01/01/2024", "29/02/2023", "2024", "0001", "99999",
    "giao", "phấn đấu", "phan dau", "bhyt", "bhxh_tn", "BHYT", "bhyt_hgd", "tinh", "huyen", "xa", "thon", "Xã",
    "Thôn", "01", "001", "00001", "00002", "X1-T1", "0112345678", "001090012345", "BHXH TN", "BHYT HGĐ", "Nam",
    "Nữ", "Hằng tháng", "Mới", "Tái tục", "6 tháng đầu", "Quý 5", "Tháng 13", "Đại lý xã 1", "Hội nghị",
    "Quyết định 324/QĐ-UBND ngày 15/3/2021", "2023-2024", "2024-2023", " ", "\t", "١٢٣", "９９", "9" * 40,
    "'=1+1", "a\nb", "\"", ";", ",",
]
# Past what the columns store: integer and big-integer ranges, a 5.000-character text, a far date.
PAST_LIMITS = [2 ** 31, 10 ** 20, -(10 ** 20), 10 ** 23, 2 ** 63, "Ấ" * 5000, "x" * 201, "01/01/1800", "31/12/9999"]
cells = st.one_of(
    st.none(),
    st.sampled_from(NEAR_MISSES),
    st.sampled_from(PAST_LIMITS),
    st.text(max_size=25),
    st.integers(min_value=-10 ** 18, max_value=10 ** 18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10 ** 9, max_value=10 ** 9),
    st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 12, 31)),
)


def files(headers: list[str]):
    """(filename, bytes) of a csv or xlsx with `headers` (sometimes shuffled or one replaced) and 1-4 rows."""
    width = len(headers)
    header = st.one_of(st.just(headers), st.permutations(headers),
                       st.tuples(st.integers(0, width - 1), st.text(max_size=10)).map(
                           lambda pair: [pair[1] if i == pair[0] else h for i, h in enumerate(headers)]))
    rows = st.lists(st.lists(cells, min_size=width, max_size=width), min_size=1, max_size=4)
    return st.tuples(st.sampled_from(["csv", "xlsx", "utf-16", "utf-8-sig"]), header, rows).map(lambda t: write(*t))


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write(kind: str, header: list[str], rows: list[list]) -> tuple[str, bytes]:
    if kind != "xlsx":  # a csv, in one of the encodings Excel saves
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[_csv_text(v) for v in row] for row in rows])
        text = buffer.getvalue()
        if kind == "utf-16":
            return "tep.csv", text.encode("utf-16", "surrogatepass")
        return "tep.csv", text.encode("utf-8-sig" if kind == "utf-8-sig" else "utf-8", "surrogatepass")
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        clean = []
        for value in row:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            elif isinstance(value, float) and not math.isfinite(value):
                value = str(value)
            clean.append(value)
        sheet.append(clean)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "tep.xlsx", buffer.getvalue()


def snapshot():
    from agents.models import Enrolment, Participant
    from campaigns.models import Beneficiary, BeneficiaryList, DriveActivity
    from targets.models import Demographics, Target
    from results.models import MonthlyResult
    from units.models import Unit

    models = [Unit, Demographics, Target, MonthlyResult, Participant, Enrolment, DriveActivity, BeneficiaryList,
              Beneficiary]
    try:
        from targets.models import School, SchoolFigures
        models += [School, SchoolFigures]
    except ImportError:
        pass
    return {m: list(m.objects.order_by("pk").values()) for m in models}


def unstorable(state) -> list[str]:
    """What was stored past its column (SQLite keeps any length): nothing, ever."""
    return [f"{model.__name__}.{name}: {problem}" for model, rows in state.items() for row in rows
            for name, value in row.items() if (problem := check_fits(model, name, value))]


def check(run):
    """Run one import inside a rolled-back savepoint: a report, or a refusal that wrote nothing."""
    with transaction.atomic():
        before = snapshot()
        try:
            ok, changed = run()
        except (ImportFileError, JobError) as exc:
            assert str(exc).strip()
            ok, changed = False, None
        after = snapshot()
        assert not unstorable(after)
        if not ok:
            assert after == before, "a refused file wrote something"
        elif changed is False:
            assert after == before
        transaction.set_rollback(True)


def resource_run(resource, name, data):
    report = run_resource_import(resource, load_dataset(data, filename=name), filename=name)
    if not report.ok:
        assert report.messages() and all(m.strip() for m in report.messages())
    return report.ok, (report.created + report.updated) > 0 if report.ok else None


@pytest.fixture
def tree(db):
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    for c in (1, 2):
        commune = make_unit(f"Xã {c}", level_code="xa", parent=district, code=f"0000{c}")
        make_unit(f"Thôn {c}.1", level_code="thon", parent=commune, code=f"X{c}-T1")
        make_collection_agent(commune, name=f"Đại lý xã {c}")
    other = make_unit("Huyện Khác", level_code="huyen", parent=province, code="002")
    make_unit("Xã Ngoài", level_code="xa", parent=other, code="00009")
    return district, make_member(district, Role.BHXH_STAFF)


@PROPERTY
@given(upload=files(["code", "name", "level", "parent_code", "official", "valid_from", "valid_to"]))
def test_units_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from units.resources import UnitResource

    check(lambda: resource_run(UnitResource(), *upload))


@PROPERTY
@given(upload=files(["Mã đơn vị", "Năm", "Dân số", "Lực lượng lao động", "Học sinh, sinh viên"]))
def test_demographics_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from targets.resources import DemographicsResource

    check(lambda: resource_run(DemographicsResource(user=tree[1]), *upload))


@PROPERTY
@given(upload=files(["Mã đơn vị", "Năm", "Kỳ", "Chỉ tiêu", "Đại lý thu", "Tỷ lệ (%)", "Số người",
                     "Loại (giao/phấn đấu)", "Quyết định giao"]))
def test_targets_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from targets.resources import TargetResource

    check(lambda: resource_run(TargetResource(user=tree[1]), *upload))


@PROPERTY
@given(upload=files(["unit_code", "period", "indicator", "participants", "new", "renewing", "agent"]))
def test_results_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from results.resources import ResultResource

    check(lambda: resource_run(ResultResource(user=tree[1]), *upload))


@PROPERTY
@given(upload=files(["Mã trường", "Tên trường", "Cấp học", "Mã xã", "Hoạt động từ", "Hoạt động đến"]))
def test_schools_import_never_crashes_and_is_all_or_nothing(tree, upload):
    resources_schools = pytest.importorskip("targets.schools.resources")
    check(lambda: resource_run(resources_schools.SchoolResource(user=tree[1]), *upload))


@PROPERTY
@given(upload=files(["Mã trường", "Năm học", "Tổng số học sinh", "Đã tham gia BHYT", "Tham gia tại trường"]))
def test_school_figures_import_never_crashes_and_is_all_or_nothing(tree, upload):
    resources_schools = pytest.importorskip("targets.schools.resources")
    check(lambda: resource_run(resources_schools.SchoolFiguresResource(user=tree[1]), *upload))


@PROPERTY
@given(upload=files(["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn",
                     "Loại hình", "Từ ngày", "Mức thu nhập", "Phương thức đóng", "Số tiền"]))
def test_participants_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from agents.importers import ParticipantImport

    district, staff = tree

    def run():
        name, data = upload
        outcome = ParticipantImport(user=staff, scope=district, dry_run=False).run(data, filename=name)[0]
        if outcome.invalid:
            assert not outcome.committed  # one bad row: nothing is written
        return outcome.committed, None

    check(run)


@PROPERTY
@given(upload=files(["Loại hoạt động", "Mã đơn vị tổ chức", "Bộ phận thực hiện", "Nội dung", "Địa điểm",
                     "Từ ngày", "Đến ngày", "Số cuộc", "Số đơn vị mời", "Thành phần mời", "Số người dự kiến",
                     "Mã số thuế", "Dự kiến BHXH BB", "Dự kiến BHXH TN", "Dự kiến BHYT HGĐ"]))
def test_activities_import_never_crashes_and_is_all_or_nothing(tree, upload):
    from campaigns.activities.importers import import_activities

    def run():
        name, data = upload
        report = import_activities(data, filename=name, user=tree[1])
        return report.ok, None

    check(run)


@pytest.fixture
def programme(tree):
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import SupportProgramme

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    return SupportProgramme.objects.get(province=province), district, make_member(district, Role.BHXH_STAFF)


@PROPERTY
@given(upload=files(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Mã số BHXH", "Mã xã",
                     "Nơi thường trú", "Ngày nhập ngũ", "Ngày xuất ngũ", "Ghi chú"]))
def test_programme_list_import_never_crashes_and_is_all_or_nothing(programme, upload):
    from campaigns.programmes.importers import import_beneficiary_list

    found, district, staff = programme

    def run():
        name, data = upload
        report = import_beneficiary_list(data, filename=name, group=found.groups.get(form="01/NQ-03"), unit=district,
                                         received_on=datetime.date(2024, 8, 29), user=staff)
        return report.ok, None

    check(run)


def test_a_valid_file_still_imports_through_the_same_harness(tree):
    """The harness is not vacuous: a good demographics file is written, and its rollback undoes it."""
    from targets.models import Demographics
    from targets.resources import DemographicsResource

    name, data = write("csv", ["Mã đơn vị", "Năm", "Dân số"], [["00001", 2024, "1.200"]])
    with transaction.atomic():
        ok, changed = resource_run(DemographicsResource(user=tree[1]), name, data)
        assert (ok, changed) == (True, True)
        assert Demographics.objects.get().population == 1200
        transaction.set_rollback(True)
    assert not Demographics.objects.exists()
