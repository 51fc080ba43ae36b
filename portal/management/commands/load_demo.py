from django.core.management.base import BaseCommand, CommandError

from bhxh_portal.demo import DemoDataError
from portal.demo import load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu từ các kế hoạch tham khảo và tạo tài khoản mẫu (chạy lại nhiều lần không sao)."

    def handle(self, *args, **options):
        try:
            summaries, logins = load_demo()
        except DemoDataError as exc:
            raise CommandError(f"Dữ liệu mẫu có lỗi:\n{exc}") from exc
        for line in summaries:
            self.stdout.write(line)
        self.stdout.write("\nTài khoản mẫu (tên đăng nhập / mật khẩu — vai trò — đơn vị):")
        for login in logins:
            self.stdout.write(f"  {login.username:<18} / {login.password} — {login.role} — {login.unit}")
