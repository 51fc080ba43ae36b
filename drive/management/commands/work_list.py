"""manage.py work_list --unit CODE --month YYYY-MM --kind due|lapsed|uninsured --format csv|xlsx [--output FILE]

The same list as the page, one line per person, số định danh masked. Run by an operator: the whole
unit is listed, whoever it is assigned to."""

import datetime
import sys

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from drive import exports, selectors
from drive.models import ListKind
from units.models import Unit


class _Operator(AnonymousUser):
    """The command sees what a superuser sees (it runs on the server, by whoever runs the server)."""

    is_authenticated = True
    is_superuser = True


class Command(BaseCommand):
    help = "Danh sách vận động của một đơn vị và một tháng (đến hạn, dừng đóng, chưa tham gia) ra CSV hoặc Excel."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã đơn vị (xã, thôn, huyện)")
        parser.add_argument("--month", required=True, help="Tháng, dạng NNNN-TT (vd: 2024-06)")
        parser.add_argument("--kind", required=True, choices=ListKind.values)
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx"])
        parser.add_argument("--output", help="Tệp ghi ra (mặc định: màn hình, chỉ với csv)")

    def handle(self, *args, unit, month, kind, format, output, **options):
        try:
            start = datetime.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"Tháng '{month}' không đúng dạng NNNN-TT (vd: 2024-06).") from None
        units = list(Unit.objects.current().filter(code=unit).select_related("level")[:2])
        if not units:
            raise CommandError(f"Không có đơn vị mang mã '{unit}'.")
        if len(units) > 1:
            raise CommandError(f"Có nhiều đơn vị mang mã '{unit}'; hãy dùng mã của xã hoặc thôn cụ thể.")
        target = units[0]
        rows = selectors.work_rows(user=_Operator(), unit=target, month=start, kind=kind)
        if format == "xlsx":
            if not output:
                raise CommandError("Tệp Excel cần --output TEN_TEP.xlsx.")
            data = exports.list_xlsx(rows, title=exports.list_title(kind=kind, unit_name=target.name, month=start))
        else:
            data = exports.list_csv(rows)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"Đã ghi {len(rows)} người vào {output}.")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode("utf-8").lstrip("\ufeff"), ending="")
