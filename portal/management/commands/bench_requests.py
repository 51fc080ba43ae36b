"""manage.py bench_requests [--requests 200] [--json]

The server's CPU per request of each kind in `manage.py loadtest`'s mix, measured in this process
(django.test.Client through the whole middleware stack, no network, no locust), on the same
database and synthetic province as the load test (built or reused the same way):

- grid (save a cell): a commune official's HTMX save of one village cell, a new value each time;
- dashboard (commune), dashboard (district), coverage page (district): the pages of the load, the
  coverage page cycling through its four tables, each right after a save of a cell of the same
  district and month (as in the load, where saves come dozens a second: the month is read afresh);
- the reference: /suc-khoe/ signed in (the middleware stack with the session and the user, one
  SELECT 1), measured in the same run.

For each kind: CPU milliseconds per request (time.process_time of this process, so the database's own
work is not counted, as gunicorn's CPU in loadtest), wall milliseconds, queries; then the mean CPU
of the load test's mix (the shares of loadtest: 3 officials saving 4 times for each commune dashboard,
2 leaders alternating dashboard and coverage page). A benchmark, not a test: it asserts nothing.
Run it with the settings gunicorn gets in loadtest (DEBUG off, persistent connections): the
command switches both itself.
"""

import json
import re
import time
from itertools import cycle

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from results.synthetic import Shape, synthetic_province_ensure, synthetic_users_ensure
from units.models import Unit

from .loadtest import OFFICIALS_SHARE, Command as LoadTest, open_session

TABLES = ["bhyt", "bhxh", "bhtn", "remaining"]
# Shares of the requests in loadtest's mix (bhxh_portal/loadtest_locust.py: task weights × user weights).
MIX = {
    "grid (save a cell)": OFFICIALS_SHARE * 4 / 5,
    "dashboard (commune)": OFFICIALS_SHARE * 1 / 5,
    "dashboard (district)": (1 - OFFICIALS_SHARE) / 2,
    "coverage page (district)": (1 - OFFICIALS_SHARE) / 2,
}
REFERENCE = "reference: /suc-khoe/ signed in"


class Command(BaseCommand):
    help = "Đo CPU máy chủ cho mỗi loại yêu cầu của loadtest, trong cùng tiến trình, với một yêu cầu tham chiếu."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="Số yêu cầu đo mỗi loại (200)")
        parser.add_argument("--warm-up", type=int, default=10, help="Số yêu cầu chạy trước khi đo, mỗi loại")
        parser.add_argument("--year", type=int, help="Năm của số liệu mẫu (mặc định: năm trước)")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, requests, warm_up, year, as_json, **options):
        if requests < 1:
            raise CommandError("Cần ít nhất 1 yêu cầu mỗi loại.")
        say = (lambda *a: None) if as_json else self.stdout.write
        LoadTest()._ensure_database(say)
        # What gunicorn runs with in loadtest: no DEBUG (no query log, cached templates) and a
        # connection kept between requests.
        settings.DEBUG = False
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 60
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        synthetic = synthetic_province_ensure(year=year, shape=Shape())
        kinds = self._kinds(synthetic)
        figures = {name: self._measure(request, requests, warm_up) for name, request in kinds.items()}
        mix = sum(share * figures[name]["cpu_ms"] for name, share in MIX.items())
        result = {"requests": requests, "by_request": figures, "mix_cpu_ms": round(mix, 1),
                  "reference": REFERENCE}
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        say(f"{'yêu cầu':<34}{'CPU ms':>8}{'tường ms':>10}{'truy vấn':>10}")
        for name, f in figures.items():
            say(f"{name:<34}{f['cpu_ms']:>8.1f}{f['wall_ms']:>10.1f}{f['queries']:>10}")
        say(f"Trung bình CPU theo tỷ lệ của loadtest: {mix:.1f} ms mỗi yêu cầu ({requests} yêu cầu mỗi loại).")

    def _kinds(self, synthetic) -> dict:
        month = synthetic.last_month.key
        people = synthetic_users_ensure(province=synthetic.province)
        (official, commune), (leader, district) = people["officials"][0], people["leaders"][0]
        village = Unit.objects.filter(parent=commune).order_by("code").first()
        clerk, chief = Client(), Client()
        clerk.cookies["sessionid"] = open_session(official)
        chief.cookies["sessionid"] = open_session(leader)
        grid = f"/don-vi/{commune.pk}/ket-qua/{month}/"
        row = f"u{village.pk}"
        version = re.compile(rf'id="v-{row}-bhyt" name="v-{row}-bhyt" value="(\d+)"')
        opened = clerk.get(grid)
        if opened.status_code != 200 or not version.search(opened.content.decode()):
            raise CommandError(f"Không mở được bảng nhập {grid}: HTTP {opened.status_code}.")
        cell = {"version": int(version.search(opened.content.decode()).group(1)), "value": 100}

        def save():
            cell["value"] += 1 if cell["value"] % 2 else -1
            answer = clerk.post(grid + "o/", {f"c-{row}-bhyt-participants": str(cell["value"]),
                                              f"v-{row}-bhyt": str(cell["version"])}, HTTP_HX_REQUEST="true")
            found = version.search(answer.content.decode())
            if found:
                cell["version"] = int(found.group(1))
            return answer

        tables = cycle(TABLES)
        # In the load a cell of the month is saved between any two views of a page (dozens of saves a
        # second): each page is measured right after a save, so that it reads the month afresh.
        return {
            REFERENCE: (lambda: clerk.get("/suc-khoe/"), None),
            "grid (save a cell)": (save, None),
            "dashboard (commune)": (lambda: clerk.get(f"/don-vi/{commune.pk}/tong-quan/?thang={month}"), save),
            "dashboard (district)": (lambda: chief.get(f"/don-vi/{district.pk}/tong-quan/?thang={month}"), save),
            "coverage page (district)": (lambda: chief.get(
                f"/bao-cao/{district.pk}/?table={next(tables)}&period={month}"), save),
        }

    @staticmethod
    def _measure(kind: tuple, count: int, warm_up: int) -> dict:
        request, before = kind
        before = before or (lambda: None)
        for _ in range(max(1, warm_up)):
            before()
            answer = request()
            if answer.status_code != 200:
                raise CommandError(f"HTTP {answer.status_code}: {answer.content[:300]!r}")
        before()
        with CaptureQueriesContext(connection) as captured:
            request()
        queries = len(captured)  # now: the next request empties the log
        cpu = wall = 0.0
        for _ in range(count):
            before()
            cpu_at, wall_at = time.process_time(), time.perf_counter()
            request()
            cpu += time.process_time() - cpu_at
            wall += time.perf_counter() - wall_at
        return {"cpu_ms": round(1000 * cpu / count, 2), "wall_ms": round(1000 * wall / count, 2),
                "queries": queries}
