"""manage.py loadtest [--users 50] [--duration 60] [--workers N --threads 6] [--cache-url URL] [--json]

A load test of the portal on this machine, against the configured database (PostgreSQL; give it a
database of its own, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_load):

1. creates the database when it does not exist yet, migrates it, builds the synthetic province
   (targets/synthetic.py; reused when already there) with one commune official per commune and
   one leader per district, and opens a session for each virtual user (no password hashing in the
   measurement);
2. starts gunicorn on 127.0.0.1 on a free port with the deployment's settings (bhxh_portal/gunicorn_conf.py:
   one process per core, 6 threads each; DEBUG off, persistent database connections), the same settings
   module and database, and waits until /suc-khoe/ answers;
3. runs the load with locust as a library in a process of its own (bhxh_portal/loadtest_locust.py):
   --users concurrent users, 3 commune officials for 2 district leaders. Officials save their own
   cell of their commune's grid for the last month (a draft) with the HTMX POST of the page, and
   look at their commune's dashboard; leaders look at their district's dashboard and coverage page.
   Each user waits --wait-min to --wait-max seconds between requests. It stops after --duration
   seconds;
4. stops gunicorn and prints requests/s, p50, p95, p99 and errors (overall and per request), and
   gunicorn's CPU per request of the measured window (sampled when every user runs) and with the
   warm-up; or with --json one object: rps, p50_ms, p95_ms, p99_ms, errors, users,
   server_cpu_ms_per_request, server_cpu_ms_per_request_with_warm_up (and the details).

gunicorn gets --cache-url (default CACHE_URL) as its shared cache (Redis), or none: a cache in each
worker's memory would keep one worker's figures past another's writes.

Only 127.0.0.1 is ever a target. Goal on the 2-core machine: p95 under 300 ms, no errors.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, connections

from bhxh_portal import gunicorn_conf
from results.models import MonthlyResult
from units.models import Unit
from results.synthetic import Shape, synthetic_province_ensure, synthetic_users_ensure

ROOT = Path(settings.BASE_DIR)
GOAL_P95_MS = 300
OFFICIALS_SHARE = 3 / 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def open_session(user) -> str:
    """A logged-in session for `user`, as django.contrib.auth.login leaves it."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(settings.SESSION_COOKIE_AGE)
    session.save()
    return session.session_key


class Command(BaseCommand):
    help = "Đo tải cổng thông tin (gunicorn + PostgreSQL trên 127.0.0.1) với người dùng đồng thời (locust)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="Số người dùng đồng thời (50)")
        parser.add_argument("--duration", type=float, default=60, help="Thời gian đo, giây (60)")
        parser.add_argument("--spawn-rate", type=float, default=10, help="Số người dùng thêm mỗi giây (10)")
        parser.add_argument("--wait-min", type=float, default=2.0, help="Nghỉ tối thiểu giữa hai yêu cầu, giây")
        parser.add_argument("--wait-max", type=float, default=8.0, help="Nghỉ tối đa giữa hai yêu cầu, giây")
        parser.add_argument("--workers", type=int, default=gunicorn_conf.workers,
                            help=f"Số tiến trình gunicorn (như khi triển khai: {gunicorn_conf.workers}, một mỗi lõi)")
        parser.add_argument("--threads", type=int, default=gunicorn_conf.threads,
                            help=f"Số luồng mỗi tiến trình gunicorn (như khi triển khai: {gunicorn_conf.threads})")
        parser.add_argument("--districts", type=int, default=Shape.districts)
        parser.add_argument("--communes", type=int, default=Shape.communes, help="Số xã mỗi huyện")
        parser.add_argument("--villages", type=int, default=Shape.villages, help="Số thôn mỗi xã")
        parser.add_argument("--year", type=int, help="Năm của số liệu mẫu (mặc định: năm trước)")
        parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL", ""),
                            help="Bộ nhớ đệm dùng chung của các tiến trình gunicorn, vd redis://127.0.0.1:6379/1 "
                                 "(mặc định: CACHE_URL; không có thì không nhớ gì giữa các yêu cầu)")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, users, duration, spawn_rate, wait_min, wait_max, workers, threads, districts, communes,
               villages, year, cache_url, as_json, **options):
        if users < 2:
            raise CommandError("Cần ít nhất 2 người dùng (một cán bộ xã và một lãnh đạo huyện).")
        if connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:") \
                or "mode=memory" in str(connection.settings_dict["NAME"]):
            raise CommandError("Cơ sở dữ liệu trong bộ nhớ không dùng chung được với gunicorn: đặt DATABASE_URL.")
        say = (lambda *a: None) if as_json else self.stdout.write
        self._ensure_database(say)
        call_command("migrate", interactive=False, verbosity=0)
        synthetic = synthetic_province_ensure(year=year, shape=Shape(districts=districts, communes=communes,
                                                                    villages=villages))
        say(synthetic.summary())
        config = self._config(synthetic, users, duration, spawn_rate, wait_min, wait_max)
        connections.close_all()  # gunicorn and locust do the work from here on

        with tempfile.TemporaryDirectory(prefix="bhxh-loadtest-") as tmp:
            port = free_port()
            config["host"] = f"http://127.0.0.1:{port}"
            config["warm_up_each"] = workers * threads
            config_path, result_path = Path(tmp) / "config.json", Path(tmp) / "result.json"
            marker = Path(tmp) / "measuring"
            config["measuring_marker"] = str(marker)
            config_path.write_text(json.dumps(config), encoding="utf-8")
            # The workers are separate processes: a cache in each one's memory would keep one worker's
            # figures past another's writes, so it is a shared one (Redis) or none.
            cache_url = cache_url or "dummycache://"
            server = self._start_gunicorn(port, workers, threads, Path(tmp) / "gunicorn.log", cache_url)
            try:
                self._wait_ready(config["host"], server, Path(tmp) / "gunicorn.log")
                cpu_before = self._cpu_seconds(server)
                say(f"gunicorn trên {config['host']} ({workers} tiến trình × {threads} luồng), cơ sở dữ liệu "
                    f"{connection.vendor} ({connection.settings_dict['NAME']}); {config['official_users']} cán bộ xã "
                    f"lưu ô trên bảng nhập, {config['leader_users']} lãnh đạo huyện xem tổng quan và bảng số liệu; "
                    f"{duration:g} s.")
                returncode, stderr, cpu_measuring = self._run_locust(config_path, result_path, marker, server,
                                                                     timeout=duration + 120)
                if returncode != 0 or not result_path.exists():
                    raise CommandError(f"locust dừng với lỗi:\n{stderr[-3000:]}")
                result = json.loads(result_path.read_text(encoding="utf-8"))
                cpu_after = self._cpu_seconds(server)
                server_cpu = cpu_after - cpu_before
                steady_cpu = cpu_after - cpu_measuring if cpu_measuring is not None else None
            finally:
                self._stop(server)
        result["saves_stored"] = self._saves_stored(config)
        # the server's own work, whatever else the machine does: CPU seconds of gunicorn per request,
        # of the measured requests alone (from the moment every user runs: no warm-up, no ramp-up),
        # and of everything it served (warm-up and ramp-up in the total, divided by the measured requests)
        requests = max(1, result["requests"])
        result["server_cpu_ms_per_request"] = round(1000 * (steady_cpu if steady_cpu is not None else server_cpu)
                                                    / requests, 1)
        result["server_cpu_ms_per_request_with_warm_up"] = round(1000 * server_cpu / requests, 1)
        # what else the machine was doing: the figures of a busy machine are not those of an idle one
        result["cpus"], result["load_avg_1min"] = os.cpu_count(), round(os.getloadavg()[0], 2)
        result["workers"], result["threads"] = workers, threads
        result["cache"] = cache_url.split("://", 1)[0]
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._print(result)

    # ----------------------------------------------------------------------------------------
    def _ensure_database(self, say) -> None:
        """Create the configured PostgreSQL database when it does not exist yet."""
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            if connection.vendor != "postgresql" or "does not exist" not in str(exc):
                raise
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        say(f"Đã tạo cơ sở dữ liệu {name}.")

    def _config(self, synthetic, users, duration, spawn_rate, wait_min, wait_max) -> dict:
        people = synthetic_users_ensure(province=synthetic.province)
        month = synthetic.last_month
        official_users = min(max(1, round(users * OFFICIALS_SHARE)), users - 1)
        leader_users = users - official_users
        # One commune each while there are enough; past that, a second official of a commune saves
        # another village's cell (two users on one cell would refuse each other's saves as stale).
        everyone = people["officials"]
        officials = [(everyone[i % len(everyone)], i // len(everyone)) for i in range(official_users)]
        villages: dict[int, list[Unit]] = {}
        for village in Unit.objects.filter(parent__in=[c for (_, c), _ in officials]).order_by("code"):
            villages.setdefault(village.parent_id, []).append(village)
        officials = [(user, commune, villages[commune.pk][turn]) for (user, commune), turn in officials
                     if turn < len(villages.get(commune.pk, []))]
        current = {r.unit_id: r for r in MonthlyResult.objects.filter(
            unit__in=[v for _, _, v in officials], indicator__code="bhyt", year=month.year, month=month.number,
            agent__isnull=True)}
        official_slots = []
        for user, commune, village in officials:
            result = current.get(village.pk)
            official_slots.append({"session": open_session(user), "commune": commune.pk, "village": village.pk,
                                   "version": result.version if result else 0,
                                   "value": result.participants if result else 100})
        leader_slots = [{"session": open_session(user), "district": district.pk}
                        for user, district in (people["leaders"][i % len(people["leaders"])]
                                               for i in range(leader_users))]
        return {"month": month.key, "duration": duration, "spawn_rate": spawn_rate, "wait_min": wait_min,
                "wait_max": wait_max, "official_users": len(official_slots), "leader_users": leader_users,
                "officials": official_slots, "leaders": leader_slots}

    def _start_gunicorn(self, port: int, workers: int, threads: int, log: Path, cache_url: str) -> subprocess.Popen:
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings.local"),
            "DATABASE_URL": database_url(),
            "DEBUG": "False",
            "CONN_MAX_AGE": "60",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "CACHE_URL": cache_url,
        })
        # The deployment's settings (bhxh_portal/gunicorn_conf.py), on a free port of 127.0.0.1, with the
        # processes and threads asked for and no access log (as the measures of the README were taken).
        env["GUNICORN_ACCESS_LOG"] = ""
        command = [sys.executable, "-m", "gunicorn", "-c", "python:bhxh_portal.gunicorn_conf",
                   "bhxh_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "10",
                   "--log-level", "warning", "--error-logfile", str(log)]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def _run_locust(self, config_path: Path, result_path: Path, marker: Path, server: subprocess.Popen, *,
                    timeout: float) -> tuple[int, str, float | None]:
        """Run the load; sample gunicorn's CPU when the measured window starts (the marker file appears).
        Returns (exit code, stderr, CPU seconds at the start of the window or None)."""
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as stderr:
            load = subprocess.Popen([sys.executable, "-m", "bhxh_portal.loadtest_locust", str(config_path),
                                     str(result_path)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, text=True)
            deadline, cpu_measuring = time.monotonic() + timeout, None
            try:
                while load.poll() is None:
                    if cpu_measuring is None and marker.exists():
                        cpu_measuring = self._cpu_seconds(server)
                    if time.monotonic() > deadline:
                        raise CommandError(f"locust chưa xong sau {timeout:g} s.")
                    time.sleep(0.1)
            finally:
                if load.poll() is None:
                    load.kill()
                    load.wait(timeout=10)
            stderr.seek(0)
            return load.returncode, stderr.read(), cpu_measuring

    def _wait_ready(self, host: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn dừng ngay khi khởi động:\n{log.read_text()[-3000:] if log.exists() else ''}")
            try:
                with urllib.request.urlopen(f"{host}/suc-khoe/", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise CommandError(f"gunicorn không trả lời {host}/suc-khoe/ sau {timeout:g} s.")

    @staticmethod
    def _cpu_seconds(server: subprocess.Popen) -> float:
        """User + system CPU time of gunicorn's master and workers so far (psutil comes with locust)."""
        import psutil

        try:
            master = psutil.Process(server.pid)
            total = 0.0
            for process in [master, *master.children(recursive=True)]:
                times = process.cpu_times()
                total += times.user + times.system
            return total
        except psutil.Error:
            return 0.0

    def _stop(self, server: subprocess.Popen) -> None:
        """Stop gunicorn (its master and workers: the process group it was started in)."""
        if server.poll() is not None:
            return
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

    def _saves_stored(self, config: dict) -> int:
        """How many saves reached the database (the versions of the users' cells moved on)."""
        start = {s["village"]: s["version"] for s in config["officials"]}
        month = config["month"].split("-")
        stored = MonthlyResult.objects.filter(unit_id__in=list(start), indicator__code="bhyt", year=int(month[0]),
                                              month=int(month[1]), agent__isnull=True)
        return sum(r.version - start[r.unit_id] for r in stored)

    def _print(self, result: dict) -> None:
        def row(name, f):
            return (f"{name:<28}{f['requests']:>9}{f['errors']:>7}{f['p50_ms']:>8.0f}{f['p95_ms']:>8.0f}"
                    f"{f['p99_ms']:>8.0f}")

        self.stdout.write(f"{'yêu cầu':<28}{'số':>9}{'lỗi':>7}{'p50':>8}{'p95':>8}{'p99':>8}  (ms)")
        for name, figures in result["by_request"].items():
            self.stdout.write(row(name, figures))
        self.stdout.write(row("tổng", result))
        verdict = "đạt" if result["p95_ms"] < GOAL_P95_MS and result["errors"] == 0 else "CHƯA ĐẠT"
        self.stdout.write(
            f"{result['users']} người dùng, {result['seconds']:g} s: {result['rps']:.1f} yêu cầu/s, "
            f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
            f"{result['errors']} lỗi; {result['saves_stored']} lần lưu ô đã ghi vào cơ sở dữ liệu; máy "
            f"{result['cpus']} lõi, tải trung bình 1 phút {result['load_avg_1min']:g} khi kết thúc; gunicorn dùng "
            f"{result['server_cpu_ms_per_request']:g} ms CPU mỗi yêu cầu đo được "
            f"({result['server_cpu_ms_per_request_with_warm_up']:g} ms kể cả lúc khởi động; bộ nhớ đệm: "
            f"{result['cache']}). "
            f"Mục tiêu p95 < {GOAL_P95_MS} ms, không lỗi: {verdict}.")
        for error in result["error_messages"][:5]:
            self.stdout.write(f"  lỗi {error['count']}×: {error['request']}: {error['error'][:200]}")
