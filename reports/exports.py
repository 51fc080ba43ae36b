"""The Celery job that builds a coverage table file (Excel, PDF, csv)."""

from units.models import Unit

from .coverage import coverage_table_build, coverage_table_render, output_name, parse_boundaries, parse_month
from jobs.services import JobError, JobOutcome


def coverage_export_job(*, job, progress) -> JobOutcome:
    params = job.params
    unit = Unit.objects.select_related("level").filter(pk=params.get("unit_id")).first()
    if unit is None:
        raise JobError("Đơn vị của bảng không còn tồn tại.")
    month = parse_month(params["period"])
    boundaries = parse_boundaries(params.get("boundaries"))
    progress(10, "Đang tổng hợp số liệu")
    table = coverage_table_build(unit=unit, table=params["table"], month=month, boundaries=boundaries)
    progress(50, "Đang tạo tệp")
    data = coverage_table_render(table=table, unit=unit, month=month, fmt=params["format"])
    name = output_name(unit=unit, table=params["table"], month=month, fmt=params["format"], boundaries=boundaries)
    return JobOutcome(message=f"Đã tạo {name}", output_name=name, output_bytes=data,
                      result={"rows": len(table.rows)})
