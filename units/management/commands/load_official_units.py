from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from units.services.official_units import official_units_load


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính chính thức: 34 tỉnh và 3.321 xã từ 1/7/2025; với --before-2025 thêm "
        "63 tỉnh, các huyện và xã đến 30/6/2025 và liên kết xã mới với các xã cũ. Chạy lại nhiều lần không sao."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Mã tỉnh (mới, hoặc mã tỉnh cũ: nạp tỉnh mới chứa nó); mặc định cả nước")
        parser.add_argument("--before-2025", action="store_true",
                            help="Nạp cả cây đơn vị trước 1/7/2025 (tỉnh, huyện, xã) và liên kết sắp xếp")

    def handle(self, *args, province=None, before_2025=False, **options):
        try:
            report = official_units_load(province=province, before_2025=before_2025)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.unchanged:
            self.stdout.write("Không có thay đổi: dữ liệu đã khớp danh mục chính thức.")
