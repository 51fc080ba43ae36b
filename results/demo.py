"""Demo data of the monthly results; idempotent (a second run changes nothing).

- Càng Long 2023: BHYT participants of the 14 communes for June (golden/cang_long_2023-06_bhyt.csv)
  and May, chosen so that the change vs last month is the printed one (May participants =
  population × (June coverage − printed change) / 100, rounded half up: every commune and the
  district reproduce their printed change); the district's own BHYT entry of 132.600 for June, and its
  own BHXH bắt buộc 10.841, BHXH tự nguyện 3.497 and BHTN 10.561 (the plan's total rows; it omits the
  communes' rows).
  May is approved everywhere; in June CL01–CL12 are approved, CL13 submitted (waiting for the
  district), CL14 entered but not submitted (late), the district's own entry approved.
- Hải Dương 2021 (illustrative figures, the plan gives none): April–June, BHYT hộ gia đình and
  cận nghèo for the commune, BHXH tự nguyện (participants, newly mobilised, renewing) for each
  thôn and the commune's collection agent; April and May approved, June a draft.
- Hướng Hóa: the district's own BHXH, BHXH bắt buộc, BHXH tự nguyện and BHTN participants at
  31/12/2018 and 31/12/2019 (golden/huong_hoa_2019_evaluation.csv), both months approved.
"""

import datetime

from django.utils import timezone

from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportState
from units.models import Unit
from units.periods import Period
from results.resources import ResultResource
from results import services

DEMO_STATES = [
    *[(f"CL{n:02d}", "2023-05", ReportState.APPROVED) for n in range(1, 15)],
    *[(f"CL{n:02d}", "2023-06", ReportState.APPROVED) for n in range(1, 13)],
    ("CL13", "2023-06", ReportState.SUBMITTED),
    ("CL", "2023-06", ReportState.APPROVED),
    ("HDUONG", "2021-04", ReportState.APPROVED),
    ("HDUONG", "2021-05", ReportState.APPROVED),
    ("HHOA", "2018-12", ReportState.APPROVED),
    ("HHOA", "2019-12", ReportState.APPROVED),
]


def load_results_demo() -> str:
    from bhxh_portal.demo import import_fixture

    summary = import_fixture("demo_results.csv", ResultResource())
    moved = 0
    for code, key, state in DEMO_STATES:
        month = Period.parse(key)
        unit = Unit.objects.valid_on(month.end).get(code=code)  # the unit of the month
        monthly = MonthlyReport.objects.get(unit=unit, year=month.year, month=month.number)
        steps = 0
        if monthly.state == ReportState.DRAFT:
            monthly = services.report_submit(unit=unit, month=month, by=None)
            steps += 1
        if state == ReportState.APPROVED and monthly.state == ReportState.SUBMITTED:
            monthly = services.report_approve(report=monthly, by=None)
            steps += 1
        if steps:
            _as_in_the_plan(monthly, month)
        moved += steps
    return f"{summary} Quy trình duyệt mẫu: {moved} bước."


def _as_in_the_plan(report: MonthlyReport, month: Period) -> None:
    """Dates of the demo as they would have been: entered on the 2nd of the next month, submitted on
    the 3rd, approved on the 4th (not on the day the demo is loaded, which would make all late)."""
    following = month.end + datetime.timedelta(days=1)
    submitted = timezone.make_aware(datetime.datetime(following.year, following.month, 3, 9, 0))
    approved = submitted + datetime.timedelta(days=1)
    MonthlyReport.objects.filter(pk=report.pk).update(
        submitted_at=submitted, approved_at=approved if report.state == ReportState.APPROVED else None)
    MonthlyReportEvent.objects.filter(report=report, action="submit").update(at=submitted)
    MonthlyReportEvent.objects.filter(report=report, action="approve").update(at=approved)
    entered = submitted - datetime.timedelta(days=1)
    MonthlyResult.objects.filter(report=report).update(updated_at=entered)
    MonthlyResult.history.filter(report_id=report.pk).update(history_date=entered)
