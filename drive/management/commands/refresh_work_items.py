"""manage.py refresh_work_items [--check]

The facts kept on every work item (drive.tally) computed again from the contacts and the registry.
The writes keep them current; this is for what bypasses the writes: a changed DRIVE_PRODUCTS
setting, rows restored or corrected by hand in the database. With --check nothing is written: the
command says how many items are out of date and fails if any is."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bhxh_portal.numbers import format_number
from drive import tally
from drive.models import WorkItem


class _CheckOnly(Exception):
    """Raised inside the check's transaction so that what it computed is rolled back."""


class Command(BaseCommand):
    help = "Tính lại các số kiểm đếm (đã gặp, hẹn đóng, đã tham gia…) của mọi người trong danh sách vận động."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Chỉ kiểm tra: không ghi gì, báo lỗi nếu có mục lệch")

    def handle(self, *args, check, **options):
        items = WorkItem.objects.count()
        if not check:
            with transaction.atomic():
                changed = tally.refresh_all()
            self.stdout.write(f"Đã tính lại {format_number(items)} mục; {format_number(changed)} mục được cập nhật.")
            return
        try:
            with transaction.atomic():
                stale = tally.refresh_all()
                raise _CheckOnly
        except _CheckOnly:
            pass
        if stale:
            raise CommandError(f"{format_number(stale)} trên {format_number(items)} mục có số kiểm đếm lệch: chạy "
                               "'manage.py refresh_work_items' để tính lại.")
        self.stdout.write(f"Cả {format_number(items)} mục đều đúng.")
