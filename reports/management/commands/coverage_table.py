"""manage.py coverage_table --unit CODE --table bhyt|bhxh|bhtn|remaining --period YYYY-MM --format csv|json|xlsx|pdf
[--boundaries YYYY-MM-DD]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.coverage import (FORMATS, TABLES, CoverageRequestError, coverage_table_build, coverage_table_render,
                              parse_boundaries, parse_month)
from units.models import Unit


class Command(BaseCommand):
    help = "In một bảng số liệu bao phủ của một đơn vị và một tháng (cùng số liệu với trang web, Excel, PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã đơn vị (vd CL) hoặc tên đầy đủ")
        parser.add_argument("--table", required=True, choices=sorted(TABLES))
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM")
        parser.add_argument("--format", default="csv", choices=sorted(FORMATS))
        parser.add_argument("--boundaries", help="Ranh giới đơn vị của ngày YYYY-MM-DD (so sánh nhiều năm)")
        parser.add_argument("--output", help="Ghi ra tệp thay vì màn hình")

    def handle(self, *args, unit, table, period, format, output, boundaries=None, **options):
        try:
            month = parse_month(period)
        except CoverageRequestError as exc:
            raise CommandError(str(exc)) from exc
        target = resolve_unit(unit, on=month.end)
        try:
            built = coverage_table_build(unit=target, table=table, month=month,
                                         boundaries=parse_boundaries(boundaries))
            data = coverage_table_render(table=built, unit=target, month=month, fmt=format)
        except CoverageRequestError as exc:
            raise CommandError(str(exc)) from exc
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Đã ghi {output}")
        elif format in ("csv", "json"):
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            sys.stdout.buffer.write(data)


def resolve_unit(text: str, *, on=None) -> Unit:
    """The unit of the month (a code names another unit after the 2025 mergers: 46 was Thừa Thiên Huế),
    else today's one (a unit formed since then reads the figures of the units it was formed from)."""
    found = []
    for units in ([Unit.objects.valid_on(on)] if on else []) + [Unit.objects.current()]:
        units = units.select_related("level")
        found = list(units.filter(code=text)) or list(units.filter(name__iexact=text))
        if found:
            break
    if not found:
        raise CommandError(f"Không có đơn vị mã hoặc tên '{text}'.")
    if len(found) > 1:
        raise CommandError(f"Có {len(found)} đơn vị tên '{text}'; hãy dùng mã đơn vị.")
    return found[0]
