"""Demo data: the planned activities of BHXH tỉnh Bình Định for October 2024 (reference plan 2024
Bình Định).

The plan gives totals (1 + 5 employer conferences, 144 direct-work employers and 1.110 expected
participants, 5 prospective-participant conferences a month per district office and 7 by the
province office, 88 + 28 small-group sessions, 15 inspections); the split of the totals between
district offices is made up here, and so are the district units' codes (BD-..., not official).
Quy Nhơn is served by the province office (Văn phòng BHXH tỉnh), as in the plan.
Idempotent: a second run adds nothing.
"""

import datetime

from django.db import transaction

from agents.models import Product
from units.models import Unit

from ..models import ActivitySignUp, ActivityStatus, DriveActivity
from .services import activity_create, activity_record_held

D = datetime.date
PROVINCE = "52"
# The ten district offices (BHXH huyện, thị xã); Quy Nhơn (BD-QN) is the province office's area.
DISTRICT_OFFICES = ["BD-AN", "BD-HN", "BD-AL", "BD-HA", "BD-PC", "BD-PM", "BD-TS", "BD-TP", "BD-VC", "BD-VT"]
EMPLOYER_CONFERENCE_DISTRICTS = ["BD-PC", "BD-PM", "BD-TS", "BD-TP", "BD-HN"]


def binh_dinh_rows(year: int = 2024, month: int = 10) -> list[dict]:
    """The plan's activity lines: kind, organiser code, detail, place, dates, count, invited,
    expected attendance, expected sign-ups {product code: n}."""
    def day(d):
        return D(year, month, d)

    last = day(31)
    rows = [dict(kind="employer_conference", organiser=PROVINCE, detail="Văn phòng BHXH tỉnh",
                 place="Hội trường UBND thành phố Quy Nhơn, số 30 Nguyễn Huệ, thành phố Quy Nhơn",
                 start=day(25), end=day(25), count=1, invited=100, attendance=130, expected={},
                 invitees="Đơn vị sử dụng lao động, thành viên BCĐ thành phố, BCĐ phường, xã")]
    for code in EMPLOYER_CONFERENCE_DISTRICTS:
        rows.append(dict(kind="employer_conference", organiser=code, detail="", place="Do BHXH huyện thống nhất với "
                         "BCĐ cấp huyện", start=day(12), end=last, count=1, invited=60, attendance=70, expected={},
                         invitees="Chủ sử dụng lao động, cán bộ nhân sự, kế toán; thành viên BCĐ cấp huyện"))
    rows.append(dict(kind="direct_work", organiser=PROVINCE, detail="Phòng Quản lý Thu - Sổ, Thẻ", place="Tại đơn vị",
                     start=day(5), end=last, count=34, invited=None, attendance=None, expected={"bhxh_bb": 260},
                     invitees=""))
    for code in DISTRICT_OFFICES:
        rows.append(dict(kind="direct_work", organiser=code, detail="", place="Tại đơn vị", start=day(5), end=last,
                         count=11, invited=None, attendance=None, expected={"bhxh_bb": 85}, invitees=""))
    rows.append(dict(kind="prospect_conference", organiser=PROVINCE, detail="Phòng Truyền thông",
                     place="Hội trường UBND phường, xã thuộc thành phố Quy Nhơn", start=day(10), end=last, count=7,
                     invited=None, attendance=None, expected={"bhxh_tn": 60, "bhyt_hgd": 70},
                     invitees="Hộ kinh doanh cá thể, người lao động tự do, tài xế công nghệ"))
    for code in DISTRICT_OFFICES:
        rows.append(dict(kind="prospect_conference", organiser=code, detail="",
                         place="Hội trường UBND xã, thị trấn hoặc nhà văn hóa thôn", start=day(10), end=last, count=5,
                         invited=None, attendance=None, expected={"bhxh_tn": 30, "bhyt_hgd": 70},
                         invitees="Hộ kinh doanh cá thể, người lao động tự do, làng nghề"))
    rows.append(dict(kind="small_group", organiser=PROVINCE, detail="Phòng Truyền thông; Tổ chức dịch vụ thu",
                     place="Khu dân cư, chợ (thành phố Quy Nhơn)", start=day(1), end=last, count=28, invited=None,
                     attendance=None, expected={"bhxh_tn": 25, "bhyt_hgd": 40}, invitees=""))
    for index, code in enumerate(DISTRICT_OFFICES):
        rows.append(dict(kind="small_group", organiser=code, detail="Tổ chức dịch vụ thu", place="Khu dân cư, hộ gia "
                         "đình, chợ", start=day(1), end=last, count=9 if index < 8 else 8, invited=None,
                         attendance=None, expected={"bhxh_tn": 12, "bhyt_hgd": 40}, invitees=""))
    rows.append(dict(kind="inspection", organiser=PROVINCE, detail="Phòng Thanh tra - Kiểm tra", place="Tại đơn vị",
                     start=day(10), end=last, count=5, invited=None, attendance=None, expected={"bhxh_bb": 150},
                     invitees="Đơn vị chậm đóng từ 03 tháng trở lên"))
    for code in DISTRICT_OFFICES:
        rows.append(dict(kind="inspection", organiser=code, detail="", place="Tại đơn vị", start=day(10), end=last,
                         count=1, invited=None, attendance=None, expected={"bhxh_bb": 20},
                         invitees="Đơn vị chậm đóng từ 03 tháng trở lên"))
    return rows


def plan_file_rows(rows: list[dict]) -> tuple[list[str], list[list]]:
    """The rows as the import file's header and lines (for tests and for a sample download)."""
    headers = ["Loại hoạt động", "Mã đơn vị tổ chức", "Bộ phận thực hiện", "Địa điểm", "Từ ngày", "Đến ngày",
               "Số cuộc", "Số đơn vị mời", "Thành phần mời", "Số người dự kiến", "Dự kiến BHXH BB",
               "Dự kiến BHXH TN", "Dự kiến BHYT HGĐ"]
    lines = [[r["kind"], r["organiser"], r["detail"], r["place"], r["start"].strftime("%d/%m/%Y"),
              r["end"].strftime("%d/%m/%Y"), r["count"], r["invited"], r["invitees"], r["attendance"],
              r["expected"].get("bhxh_bb"), r["expected"].get("bhxh_tn"), r["expected"].get("bhyt_hgd")]
             for r in rows]
    return headers, lines


@transaction.atomic
def load_activities_demo() -> str:
    october_2024 = datetime.date(2024, 10, 1)  # the units of the activity plan's month
    province = Unit.objects.valid_on(october_2024).filter(code=PROVINCE).first()
    if province is None:
        return "Hoạt động vận động: chưa có tỉnh Bình Định, bỏ qua."
    if DriveActivity.objects.filter(organiser__path__startswith=province.path).exists():
        return "Hoạt động vận động Bình Định 10/2024: đã có, không thêm."
    units = {u.code: u for u in Unit.objects.valid_on(october_2024).filter(code__in=[PROVINCE, *DISTRICT_OFFICES])}
    products = {p.code: p for p in Product.objects.all()}
    created = []
    for r in binh_dinh_rows():
        created.append(activity_create(
            kind=r["kind"], organiser=units[r["organiser"]], organiser_detail=r["detail"], place=r["place"],
            planned_start=r["start"], planned_end=r["end"], planned_count=r["count"], invited_count=r["invited"],
            invitees_note=r["invitees"], expected_attendance=r["attendance"],
            expected_sign_ups={products[c]: n for c, n in r["expected"].items() if c in products}, check=False,
        ))
    # The province's employer conference has been held (the report side of the monthly page); the
    # demo writes it directly (the logins are created after the data steps).
    conference = created[0]
    conference.status, conference.held_on, conference.held_count = ActivityStatus.HELD, D(2024, 10, 25), 1
    conference.attendance, conference.minutes = 126, "Hội nghị tổ chức đúng kế hoạch; 92/100 đơn vị tham dự."
    conference.save()
    if "bhxh_bb" in products:
        ActivitySignUp.objects.update_or_create(activity=conference, product=products["bhxh_bb"],
                                                defaults={"actual": 42})
    return f"Hoạt động vận động Bình Định 10/2024: đã thêm {len(created)} dòng kế hoạch."
