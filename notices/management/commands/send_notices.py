"""Send (or, with --dry-run, show) what beat would send for a unit, kind and day."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from notices import services
from notices.models import NoticeKind
from units import access
from units.models import Unit


class Command(BaseCommand):
    help = "Gửi (hoặc xem trước với --dry-run) thông báo của một đơn vị cho một ngày, như Celery beat gửi."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=NoticeKind.values)
        parser.add_argument("--unit", required=True, help="mã đơn vị, vd CL")
        parser.add_argument("--date", help="YYYY-MM-DD (mặc định hôm nay)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không gửi")
        parser.add_argument("--as", dest="as_user", help="tên đăng nhập: chỉ đơn vị người này quản trị")

    def handle(self, *args, kind, unit, date, dry_run, as_user, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else datetime.date.today()
        except ValueError:
            raise CommandError(f"--date '{date}' không hợp lệ: ghi theo dạng YYYY-MM-DD, vd 2023-07-03.") from None
        # the unit of that day (a code names another unit after the 2025 mergers), else today's
        found = (Unit.objects.valid_on(day).filter(code=unit).select_related("level").first()
                 or Unit.objects.current().filter(code=unit).select_related("level").first())
        if as_user is not None:
            user = get_user_model().objects.filter(username=as_user, is_active=True).first()
            if user is None:
                raise CommandError(f"--as: không có người dùng '{as_user}'.")
            allowed = found is not None and (access.can_view(user, found) if dry_run
                                             else access.can(user, "notices.configure", found))
            if not allowed:
                # Same answer whether the unit exists or not: nothing leaks outside the user's scope.
                raise CommandError(f"Đơn vị '{unit}' nằm ngoài phạm vi của {as_user}.")
        if found is None:
            raise CommandError(f"Không có đơn vị mã '{unit}'.")
        outcomes = services.notices_send_for_unit(unit=found, kind=kind, on=day, dry_run=dry_run)
        if not outcomes:
            self.stdout.write(f"Không có thông báo '{kind}' nào cho {found.name} ngày {day:%d/%m/%Y}.")
        current = None
        for outcome in outcomes:
            if outcome.notice is not current:
                current = outcome.notice
                names = ", ".join(current.attachment_names)
                self.stdout.write(f"{current.subject} [{current.unit.code} {current.period}]"
                                  + (f" — đính kèm: {names}" if names else ""))
            line = f"  {outcome.recipient.address or outcome.recipient.name}: {outcome.label}"
            self.stdout.write(line + (f" ({outcome.error})" if outcome.error else ""))
        skipped = [o.recipient.name for o in outcomes if o.status == services.NO_ADDRESS]
        if skipped:
            self.stdout.write(f"Bỏ qua {len(skipped)} người chưa có địa chỉ e-mail, cần bổ sung địa chỉ cho tài khoản: "
                              + "; ".join(dict.fromkeys(skipped)))
        failed = [o for o in outcomes if o.status == services.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} thư gửi lỗi (đã ghi lại, sẽ gửi lại sau).")
