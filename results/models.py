"""Monthly results: how many people take part, per unit (or collection agent), month
and indicator, and the workflow of each unit's monthly report.

- MonthlyResult: participants at the end of the month; where known, the newly mobilised and the
  renewing (both counted from the start of the year to the end of the month, like the yearly
  targets they are measured against). A unit without a row of its own takes the sum of its
  children (results.selectors). Each row carries a `version`: a save that read an older
  version is refused (optimistic concurrency). Every change is kept by django-simple-history.
- MonthlyReport: the workflow of one reporting unit and month: draft → submitted → approved
  (locked). A village (thôn) reports inside its commune's report; a collection agent inside the
  report of the unit that allocates to it. MonthlyReportEvent records every transition.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bhxh_portal import memo
from units.periods import Period

# The scopes of bhxh_portal.memo that the monthly figures are remembered under: one per month and
# unit, for the figures of the unit's subtree (a saved cell moves on its month for its own unit and
# the unit's ancestors only: a district's month outlives the saves of the other districts), and one
# for all (a write of many rows at once, whichever months and units).
RESULTS = "results"
# Columns a write may change without changing any figure: the version a save claims before it writes.
_NO_FIGURE = {"version", "updated_at"}


def results_month(year: int, month: int, unit_id: int) -> str:
    """The scope of the figures of `unit_id`'s subtree in a month."""
    return f"{RESULTS}:{year}-{month:02d}:{unit_id}"


def results_month_written(year: int, month: int, path: str) -> list[str]:
    """The scopes a write of a unit's figures in a month moves on: the unit's and its ancestors'
    (`path`: the unit's materialised path of primary keys, itself last)."""
    return [results_month(year, month, int(pk)) for pk in path.strip("/").split("/") if pk]


class ResultsQuerySet(memo.WritesBump, models.QuerySet):
    memo_scopes = (RESULTS,)

    def update(self, **kwargs):
        if set(kwargs) <= _NO_FIGURE:  # the version claimed by a save, which then saves the row (its month moves on)
            return super(memo.WritesBump, self).update(**kwargs)
        return super().update(**kwargs)


class ReportState(models.TextChoices):
    DRAFT = "draft", "Đang nhập"
    SUBMITTED = "submitted", "Đã nộp, chờ duyệt"
    APPROVED = "approved", "Đã duyệt (khóa)"


class ReportAction(models.TextChoices):
    SUBMIT = "submit", "Nộp"
    APPROVE = "approve", "Duyệt"
    RETURN = "return", "Trả lại"
    REOPEN = "reopen", "Mở lại"


_MONTH_VALID = Q(month__gte=1, month__lte=12)


def display_name(user) -> str:
    """Who did it, for the pages: the full name, else the login; 'Hệ thống' for the system."""
    if user is None:
        return "Hệ thống"
    return user.get_full_name() or user.username


class MonthlyReport(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="monthly_reports",
                             verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    month = models.PositiveSmallIntegerField("tháng")
    state = models.CharField("trạng thái", max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="người nộp")
    submitted_at = models.DateTimeField("lúc nộp", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người duyệt")
    approved_at = models.DateTimeField("lúc duyệt", null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người trả lại")
    returned_at = models.DateTimeField("lúc trả lại", null=True, blank=True)
    return_reason = models.CharField("lý do trả lại", max_length=500, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người mở lại")
    reopened_at = models.DateTimeField("lúc mở lại", null=True, blank=True)
    reopen_reason = models.CharField("lý do mở lại", max_length=500, blank=True)

    objects = ResultsQuerySet.as_manager()

    class Meta:
        db_table = "targets_monthlyreport"  # the table from before results had an app of its own
        ordering = ["-year", "-month", "unit__path"]
        verbose_name = "báo cáo kết quả tháng"
        verbose_name_plural = "báo cáo kết quả tháng"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month"], name="monthly_report_unique"),
            models.CheckConstraint(condition=_MONTH_VALID, name="monthly_report_month_valid",
                                   violation_error_message="Tháng phải từ 1 đến 12."),
        ]
        indexes = [models.Index(fields=["year", "month", "state"])]

    def __str__(self):
        return f"{self.unit} — {self.period.label} — {self.get_state_display()}"

    @property
    def period(self) -> Period:
        return Period.month(self.year, self.month)

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.state == ReportState.DRAFT

    @property
    def submitted_by_name(self) -> str:
        return display_name(self.submitted_by)

    @property
    def approved_by_name(self) -> str:
        return display_name(self.approved_by)

    @property
    def was_returned(self) -> bool:
        """Sent back by the approver and not submitted again yet (the reason is cleared on submit)."""
        return self.state == ReportState.DRAFT and bool(self.return_reason)


class MonthlyReportEvent(models.Model):
    """One transition of a monthly report: who, when, from which state to which, and why."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events",
                               verbose_name="báo cáo")
    action = models.CharField("thao tác", max_length=12, choices=ReportAction.choices)
    from_state = models.CharField("từ trạng thái", max_length=12, choices=ReportState.choices)
    to_state = models.CharField("sang trạng thái", max_length=12, choices=ReportState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name="người thực hiện")
    at = models.DateTimeField("lúc", auto_now_add=True)
    reason = models.CharField("lý do", max_length=500, blank=True)

    class Meta:
        db_table = "targets_monthlyreportevent"
        ordering = ["at", "id"]
        verbose_name = "thao tác trên báo cáo tháng"
        verbose_name_plural = "thao tác trên báo cáo tháng"

    def __str__(self):
        return f"{self.get_action_display()} — {self.report}"

    @property
    def by_name(self) -> str:
        return display_name(self.by)


class MonthlyResult(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="results",
                               verbose_name="báo cáo tháng")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="monthly_results",
                             verbose_name="đơn vị",
                             help_text="Với kết quả của đại lý thu: đơn vị quản lý (phân bổ chỉ tiêu cho) đại lý")
    agent = models.ForeignKey("units.Agent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="monthly_results", verbose_name="đại lý thu")
    indicator = models.ForeignKey("targets.Indicator", on_delete=models.PROTECT, related_name="monthly_results",
                                  verbose_name="chỉ tiêu")
    year = models.PositiveSmallIntegerField("năm")
    month = models.PositiveSmallIntegerField("tháng")
    participants = models.PositiveIntegerField("số người tham gia cuối tháng")
    new_participants = models.PositiveIntegerField(
        "vận động mới", null=True, blank=True, help_text="Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ")
    renewing = models.PositiveIntegerField(
        "tái tục", null=True, blank=True, help_text="Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ")
    version = models.PositiveIntegerField("phiên bản", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người lưu")
    updated_at = models.DateTimeField("lúc lưu", auto_now=True)

    history = HistoricalRecords(verbose_name="lịch sử kết quả tháng", excluded_fields=["updated_at"],
                                table_name="targets_historicalmonthlyresult")
    objects = ResultsQuerySet.as_manager()

    class Meta:
        db_table = "targets_monthlyresult"
        ordering = ["year", "month", "unit__path", "indicator__display_order"]
        verbose_name = "kết quả tháng"
        verbose_name_plural = "kết quả tháng"
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "year", "month"], condition=Q(agent__isnull=True),
                                    name="monthly_result_unique_per_unit",
                                    violation_error_message="Đơn vị đã có kết quả chỉ tiêu này trong tháng."),
            models.UniqueConstraint(fields=["unit", "agent", "indicator", "year", "month"],
                                    condition=Q(agent__isnull=False), name="monthly_result_unique_per_agent",
                                    violation_error_message="Đại lý đã có kết quả chỉ tiêu này trong tháng."),
            models.CheckConstraint(condition=_MONTH_VALID, name="monthly_result_month_valid",
                                   violation_error_message="Tháng phải từ 1 đến 12."),
        ]
        indexes = [models.Index(fields=["year", "month", "indicator"])]

    def __str__(self):
        who = self.agent.name if self.agent_id else self.unit.name
        return f"{self.indicator} — {who} — {self.period.label}: {self.participants}"

    @property
    def period(self) -> Period:
        return Period.month(self.year, self.month)

    def values(self) -> tuple[int, int | None, int | None]:
        return (self.participants, self.new_participants, self.renewing)
