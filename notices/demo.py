"""Demo notice schedules: Càng Long (a district with its communes' results) and the commune of Hải
Dương, each with its party committee's office as an extra address. Idempotent: a second run sets the
same values."""

import datetime

from units.models import Unit

from .models import UnitNoticeSettings

# code -> the extra address (the party committee's office; made-up demo addresses)
DEMO_SCHEDULES = {
    "CL": "vanphong.huyenuy.canglong@demo.bhxh.local",
    "HDUONG": "vanphong.danguy.haiduong@demo.bhxh.local",
}
DEMO_SCHEDULE = {"weekly_enabled": True, "weekly_weekday": 0, "weekly_hour": 7,
                 "reminder_enabled": True, "reminder_days_before": 3, "reminder_hour": 8,
                 "monthly_enabled": True, "monthly_day": 10, "monthly_hour": 7}
RESULTS_DAY = datetime.date(2023, 7, 1)


def load_notices_demo() -> str:
    names = []
    for code, address in DEMO_SCHEDULES.items():
        # the units of the results the notices are about (2023); they have been merged since 1/7/2025
        unit = Unit.objects.valid_on(RESULTS_DAY).get(code=code)
        UnitNoticeSettings.objects.update_or_create(unit=unit, defaults={**DEMO_SCHEDULE, "extra_addresses": address})
        names.append(unit.name)
    return (f"Lịch gửi thông báo: {', '.join(names)} (thứ Hai 7:00, nhắc trước hạn 3 ngày, "
            "bộ số liệu tháng ngày 10).")
