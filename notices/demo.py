"""Demo notice schedules: Càng Long (a district with its communes' results) and the commune of Hải
Dương, each with its party committee's office as an extra address. Idempotent: a second run sets the
same values."""

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


def load_notices_demo() -> str:
    names = []
    for code, address in DEMO_SCHEDULES.items():
        unit = Unit.objects.current().get(code=code)  # a schedule belongs to the unit as it is today
        UnitNoticeSettings.objects.update_or_create(unit=unit, defaults={**DEMO_SCHEDULE, "extra_addresses": address})
        names.append(unit.name)
    return (f"Lịch gửi thông báo: {', '.join(names)} (thứ Hai 7:00, nhắc trước hạn 3 ngày, "
            "bộ số liệu tháng ngày 10).")
