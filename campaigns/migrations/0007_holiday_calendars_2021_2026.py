"""The public holidays of 2021–2026 for public bodies, each row with what decides it, and each of
those years marked as entered; then the card deadlines of the support programmes already stored are
worked out again with them (lists received in 2021–2023 were counted as if there were no holidays).

Fixed days and Tết's five days: Labour Code 2019 art. 112(1); which days of Tết and which day next
to 2/9: the yearly decision (art. 112(3)); a holiday on a Saturday or Sunday gives the next working
day off (art. 111(3)); a working day swapped for a Saturday: the government's yearly notice.
"""

import datetime

from django.db import migrations

LC = "Bộ luật Lao động 2019, Điều 112 khoản 1"
OFF = "Bộ luật Lao động 2019, Điều 111 khoản 3 (ngày lễ trùng ngày nghỉ hằng tuần được nghỉ bù vào ngày làm việc kế tiếp)"


def tet(year):
    return (f"Bộ luật Lao động 2019, Điều 112 khoản 1 điểm b và khoản 3; thông báo nghỉ Tết Âm lịch năm {year} "
            "của cán bộ, công chức, viên chức")


def national_day(year):
    return (f"Bộ luật Lao động 2019, Điều 112 khoản 1 điểm đ và khoản 3; thông báo nghỉ Quốc khánh năm {year} "
            "của cán bộ, công chức, viên chức")


def days(first, last):
    day = datetime.date.fromisoformat(first)
    end = datetime.date.fromisoformat(last)
    while day <= end:
        yield day.isoformat()
        day += datetime.timedelta(days=1)


SWAP_2024 = "Công văn 2450/VPCP-KGVX năm 2024: hoán đổi ngày làm việc dịp 30/4–1/5/2024 (nghỉ thứ Hai 29/4, làm bù thứ Bảy 04/5)"
SWAP_2025 = "Thông báo hoán đổi ngày làm việc dịp 30/4–1/5/2025 (nghỉ thứ Sáu 02/5, làm bù thứ Bảy 26/4)"
SWAP_2026_NEW_YEAR = ("Thông báo của Bộ Nội vụ về nghỉ Tết Dương lịch 2026 của cán bộ, công chức, viên chức: "
                      "hoán đổi ngày làm việc thứ Sáu 02/01/2026, làm bù thứ Bảy 10/01/2026")
SWAP_2026_NATIONAL_DAY = ("Thông báo hoán đổi ngày làm việc dịp Quốc khánh 2026 của cán bộ, công chức, viên chức "
                          "(nghỉ thứ Hai 31/8, làm bù thứ Bảy 22/8)")
CULTURE_DAY = "Nghị quyết 80-NQ/TW của Bộ Chính trị: Ngày Văn hóa Việt Nam 24/11, người lao động được nghỉ hưởng lương"

HOLIDAYS = [
    # 2021
    ("2021-01-01", "Tết Dương lịch", False, LC),
    *[(d, "Tết Nguyên đán Tân Sửu", False, tet(2021)) for d in days("2021-02-10", "2021-02-16")],
    ("2021-04-21", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2021-04-30", "Ngày Chiến thắng", False, LC),
    ("2021-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2021-05-03", "Nghỉ bù Ngày Quốc tế Lao động (01/5 là thứ Bảy)", False, OFF),
    ("2021-09-02", "Quốc khánh", False, LC),
    ("2021-09-03", "Quốc khánh (ngày liền kề)", False, national_day(2021)),
    # 2022
    ("2022-01-01", "Tết Dương lịch", False, LC),
    ("2022-01-03", "Nghỉ bù Tết Dương lịch (01/01 là thứ Bảy)", False, OFF),
    *[(d, "Tết Nguyên đán Nhâm Dần", False, tet(2022)) for d in days("2022-01-29", "2022-02-06")],
    ("2022-04-10", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2022-04-11", "Nghỉ bù Giỗ Tổ Hùng Vương (10/4 là Chủ nhật)", False, OFF),
    ("2022-04-30", "Ngày Chiến thắng", False, LC),
    ("2022-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2022-05-02", "Nghỉ bù Ngày Chiến thắng (30/4 là thứ Bảy)", False, OFF),
    ("2022-05-03", "Nghỉ bù Ngày Quốc tế Lao động (01/5 là Chủ nhật)", False, OFF),
    ("2022-09-01", "Quốc khánh (ngày liền kề)", False, national_day(2022)),
    ("2022-09-02", "Quốc khánh", False, LC),
    # 2023
    ("2023-01-01", "Tết Dương lịch", False, LC),
    ("2023-01-02", "Nghỉ bù Tết Dương lịch (01/01 là Chủ nhật)", False, OFF),
    *[(d, "Tết Nguyên đán Quý Mão", False, tet(2023)) for d in days("2023-01-20", "2023-01-26")],
    ("2023-04-29", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2023-04-30", "Ngày Chiến thắng", False, LC),
    ("2023-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2023-05-02", "Nghỉ bù Giỗ Tổ Hùng Vương (29/4 là thứ Bảy)", False, OFF),
    ("2023-05-03", "Nghỉ bù Ngày Chiến thắng (30/4 là Chủ nhật)", False, OFF),
    ("2023-09-01", "Quốc khánh (ngày liền kề)", False, national_day(2023)),
    ("2023-09-02", "Quốc khánh", False, LC),
    ("2023-09-04", "Nghỉ bù Quốc khánh (02/9 là thứ Bảy)", False, OFF),
    # 2024
    ("2024-01-01", "Tết Dương lịch", False, LC),
    *[(d, "Tết Nguyên đán Giáp Thìn", False, tet(2024)) for d in days("2024-02-08", "2024-02-14")],
    ("2024-04-18", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2024-04-29", "Nghỉ hoán đổi dịp 30/4 (làm bù thứ Bảy 04/5)", False, SWAP_2024),
    ("2024-04-30", "Ngày Chiến thắng", False, LC),
    ("2024-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2024-05-04", "Làm bù cho ngày nghỉ 29/4", True, SWAP_2024),
    ("2024-09-02", "Quốc khánh", False, LC),
    ("2024-09-03", "Quốc khánh (ngày liền kề)", False, national_day(2024)),
    # 2025
    ("2025-01-01", "Tết Dương lịch", False, LC),
    *[(d, "Tết Nguyên đán Ất Tỵ", False, "Thông báo 6150/TB-BLĐTBXH năm 2024 về nghỉ Tết Âm lịch 2025 của cán bộ, "
                                            "công chức, viên chức")
      for d in days("2025-01-25", "2025-02-02")],
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2025-04-26", "Làm bù cho ngày nghỉ 02/5", True, SWAP_2025),
    ("2025-04-30", "Ngày Chiến thắng", False, LC),
    ("2025-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2025-05-02", "Nghỉ hoán đổi dịp 30/4 (làm bù thứ Bảy 26/4)", False, SWAP_2025),
    ("2025-09-01", "Quốc khánh (ngày liền kề)", False, national_day(2025)),
    ("2025-09-02", "Quốc khánh", False, LC),
    # 2026
    ("2026-01-01", "Tết Dương lịch", False, LC),
    ("2026-01-02", "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01)", False, SWAP_2026_NEW_YEAR),
    ("2026-01-10", "Làm bù cho ngày nghỉ 02/01", True, SWAP_2026_NEW_YEAR),
    *[(d, "Tết Nguyên đán Bính Ngọ", False, tet(2026)) for d in days("2026-02-14", "2026-02-22")],
    ("2026-04-26", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False, LC),
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (26/4 là Chủ nhật)", False, OFF),
    ("2026-04-30", "Ngày Chiến thắng", False, LC),
    ("2026-05-01", "Ngày Quốc tế Lao động", False, LC),
    ("2026-08-22", "Làm bù cho ngày nghỉ 31/8", True, SWAP_2026_NATIONAL_DAY),
    ("2026-08-31", "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8)", False, SWAP_2026_NATIONAL_DAY),
    ("2026-09-01", "Quốc khánh (ngày liền kề)", False, national_day(2026)),
    ("2026-09-02", "Quốc khánh", False, LC),
    ("2026-11-24", "Ngày Văn hóa Việt Nam", False, CULTURE_DAY),
]

YEARS = {
    2021: "Bộ luật Lao động 2019 Điều 111–112; thông báo nghỉ Tết Âm lịch và Quốc khánh năm 2021",
    2022: "Bộ luật Lao động 2019 Điều 111–112; thông báo nghỉ Tết Âm lịch và Quốc khánh năm 2022",
    2023: "Bộ luật Lao động 2019 Điều 111–112; thông báo nghỉ Tết Âm lịch và Quốc khánh năm 2023",
    2024: f"Bộ luật Lao động 2019 Điều 111–112; thông báo nghỉ Tết Âm lịch và Quốc khánh năm 2024; {SWAP_2024}",
    2025: f"Bộ luật Lao động 2019 Điều 111–112; Thông báo 6150/TB-BLĐTBXH năm 2024; {SWAP_2025}",
    2026: (f"Bộ luật Lao động 2019 Điều 111–112; thông báo nghỉ Tết Âm lịch và Quốc khánh năm 2026; "
           f"{SWAP_2026_NEW_YEAR}; {SWAP_2026_NATIONAL_DAY}; {CULTURE_DAY}"),
}


def _deadline(start, count, holidays, working):
    day, counted = start, 0
    while counted < count:
        day += datetime.timedelta(days=1)
        if day in working or (day.weekday() < 5 and day not in holidays):
            counted += 1
    return day


def seed(apps, schema_editor):
    PublicHoliday = apps.get_model("campaigns", "PublicHoliday")
    HolidayYear = apps.get_model("campaigns", "HolidayYear")
    for day, name, working, source in HOLIDAYS:
        PublicHoliday.objects.update_or_create(day=datetime.date.fromisoformat(day), defaults={
            "name": name, "is_working_day": working, "source": source})
    for year, source in YEARS.items():
        HolidayYear.objects.update_or_create(year=year, defaults={"source": source})

    holidays, working = set(), set()
    for day, is_working in PublicHoliday.objects.values_list("day", "is_working_day"):
        (working if is_working else holidays).add(day)
    BeneficiaryList = apps.get_model("campaigns", "BeneficiaryList")
    Beneficiary = apps.get_model("campaigns", "Beneficiary")
    for batch in BeneficiaryList.objects.select_related("programme"):
        due = _deadline(batch.received_on, batch.programme.card_issue_working_days, holidays, working)
        Beneficiary.objects.filter(beneficiary_list=batch).exclude(due_on=due).update(due_on=due)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_holiday_sources_and_years")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
