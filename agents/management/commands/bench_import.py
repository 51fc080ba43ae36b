"""manage.py bench_import --rows 100000 [--stock-rows 10000] [--repeat 1] [--json]

Generates a realistic participant list (xlsx, written row by row: a million rows never sit in
memory), imports it on the configured database through the same job and task as the web upload,
and prints, in the same run:

- the import: total time, rows/s, peak memory (the process's peak RSS during the import, VmHWM
  reset just before it; and the reading process's, most of whose pages it shares with the import's),
  the CPU seconds of the process, of its reading process and of its PostgreSQL backend;
- a floor: the same streaming reader on the same stored file, its raw rows COPY'd as they come
  into a bare temporary table (no index, no constraint; executemany on SQLite), and the ratio
  import / floor; with --repeat N, the import and the floor in turn N times, each run printed and the
  ratio taken between their medians (the floor alone moves by a quarter from run to run on a 2-core
  machine);
- importing the same file again (nothing to write);
- the stock django-import-export row-by-row path on a sample (10.000 rows by default; 0 skips it).

The bench works in its own units (codes BENCH-...) and removes its participants before and
after the run (--keep leaves them), so it can be repeated on any database.
"""

import contextlib
import gc
import io
import itertools
import json
import math
import os
import resource
import statistics
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files import File

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import override_settings

from agents import bulk
from agents.importers import PARTICIPANT_IMPORT
from agents.models import Agent, AgentKind, Enrolment, Participant
from agents.resources import ParticipantResource
from agents.samples import HEADERS, SampleArea, iter_participant_rows, participant_rows, write_xlsx, write_xlsx_file
from bhxh_portal.importing.streaming import open_sheet, read_ahead
from bhxh_portal.imports import load_dataset
from bhxh_portal.numbers import format_number as n
from jobs.services import job_create
from jobs.models import Job
from jobs.tasks import run_job
from units import services
from units.models import Membership, Role, Unit, UnitLevel

BENCH_USER = "bench_import"
COMMUNES = 20
VILLAGES = 8


class _Rollback(Exception):
    pass


def _peak_rss_reset() -> bool:
    """Reset the kernel's peak-RSS counter for this process (Linux), so the peak is the import's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> float:
    """The machine's load average over a minute: this bench shares its cores (say it beside the figures)."""
    return round(os.getloadavg()[0], 2)


def _children_cpu() -> float:
    """The CPU seconds of this process's children that have ended: the import's reading process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu() -> float:
    """The CPU seconds (user + system) of this connection's PostgreSQL backend so far, and of the server's
    backends that have ended (the import's own other connections: the one asking the registry beside the
    writes, the progress's; counted by the postmaster once it has reaped them, with any other backend that
    ended meanwhile: a quiet server's figure); 0 elsewhere (or when /proc cannot tell): the import's work on
    the server, which the wall clock mixes with the machine's load."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = Path(f"/proc/{fields[1]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + int(server[13]) + int(server[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _limits_for(path: Path, rows: int) -> dict:
    """The upload limits a list of this size needs beyond the settings (a million rows: 123 MB of xlsx,
    20.000.060 cells), as a deployment that imports whole provinces sets them."""
    limits = {}
    size_mb = path.stat().st_size / 1048576
    if size_mb > settings.IMPORT_MAX_UPLOAD_MB:
        limits["IMPORT_MAX_UPLOAD_MB"] = math.ceil(size_mb) + 1
    with zipfile.ZipFile(path) as package:
        unpacked_mb = sum(info.file_size for info in package.infolist()) / 1048576
    if unpacked_mb > settings.IMPORT_MAX_UNPACKED_MB:
        limits["IMPORT_MAX_UNPACKED_MB"] = math.ceil(unpacked_mb) + 1
    cells = (rows + 10) * (len(HEADERS) + 2)
    if cells > settings.IMPORT_MAX_CELLS:
        limits["IMPORT_MAX_CELLS"] = cells
    return limits


class Command(BaseCommand):
    help = "Đo tốc độ nhập danh sách người tham gia (100.000 dòng) so với mức sàn và đường django-import-export."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--stock-rows", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", dest="as_json", help="In một đối tượng JSON")
        parser.add_argument("--keep", action="store_true", help="Giữ lại dữ liệu đã nhập")
        parser.add_argument("--cache-dir", default="/tmp", help="Nơi giữ tệp đã sinh để chạy lại nhanh")
        parser.add_argument("--repeat", type=int, default=1,
                            help="Số lần đo nhập và mức sàn (xen kẽ); in từng lần và trung vị")

    def handle(self, *args, rows, stock_rows, seed, as_json: bool, keep, cache_dir, repeat, **options):
        say = (lambda *a: None) if as_json else self.stdout.write
        scope, areas, agents, user = self._setup()
        self._clean(scope)
        say(f"Cơ sở dữ liệu: {connection.vendor} ({connection.settings_dict['NAME']})")
        path = self._file(rows, seed, areas, agents, cache_dir, say)
        limits = _limits_for(path, rows)
        if limits:
            say(f"Giới hạn nhập nới cho tệp này (cấu hình khi triển khai): {limits}")
        with override_settings(**limits):
            self._measure(path, rows=rows, stock_rows=stock_rows, seed=seed, areas=areas, scope=scope, user=user,
                          as_json=as_json, keep=keep, say=say, repeat=max(1, repeat))

    def _measure(self, path: Path, *, rows, stock_rows, seed, areas, scope, user, as_json, keep, say, repeat):
        name = f"bench-{rows}.xlsx"
        floor_how = "COPY" if connection.vendor == "postgresql" else "executemany"

        # 1. The import, end to end (job row, task, read, validate, COPY/bulk, commit), and 2. the floor: the
        # same reader on the same stored file, raw rows COPY'd into a bare table; in turn, `repeat` times, so
        # that each is taken as its median over runs that shared the machine's moods alike.
        runs: list[dict] = []
        for number in range(1, repeat + 1):
            if runs:
                self._clean(scope)
                self._forget(runs[-1]["job"])
            run = self._import_once(path, name=name, scope=scope, user=user)
            run["floor_seconds"] = self._floor(run["job"])
            runs.append(run)
            which = f" (lần {number}/{repeat})" if repeat > 1 else ""
            say(f"Nhập {n(rows)} dòng{which}: {n(run['seconds'], 2)} s, {n(rows / run['seconds'])} dòng/s, bộ nhớ "
                f"đỉnh {n(run['peak_mb'])} MB{'' if run['measured'] else ' (đỉnh của cả tiến trình)'} (trước khi "
                f"nhập {n(run['before_mb'])} MB); {n(run['imported'])} quá trình tham gia đã ghi")
            say(f"  các bước: {run['timings']}")
            say(f"  CPU: tiến trình {n(run['cpu_s'], 1)} s, tiến trình đọc tệp {n(run['reader_cpu_s'], 1)} s, máy chủ "
                f"CSDL của nó {n(run['db_cpu_s'], 1)} s; tải máy (1 phút) {n(run['load'][0], 1)} → "
                f"{n(run['load'][1], 1)}")
            if run["reader_cpu_s"]:
                say(f"  tiến trình đọc tệp: bộ nhớ đỉnh {n(run['reader_peak_mb'])} MB (phần lớn là các trang dùng "
                    "chung với tiến trình nhập từ lúc tách ra)")
            say(f"Mức sàn{which} (cùng bộ đọc, đọc trước như khi nhập + {floor_how} dòng thô vào bảng trống): "
                f"{n(run['floor_seconds'], 2)} s; tỷ lệ nhập / sàn = {n(run['seconds'] / run['floor_seconds'], 2)}")
        job = runs[-1]["job"]
        seconds = statistics.median(run["seconds"] for run in runs)
        floor_seconds = statistics.median(run["floor_seconds"] for run in runs)
        ratio = seconds / floor_seconds
        peak_mb = max(run["peak_mb"] for run in runs)
        if repeat > 1:
            say(f"Trung vị của {repeat} lần: nhập {n(seconds, 2)} s, sàn {n(floor_seconds, 2)} s; tỷ lệ nhập / sàn = "
                f"{n(ratio, 2)}; bộ nhớ đỉnh lớn nhất {n(peak_mb)} MB")

        # 3. Importing the same file again changes nothing.
        again = Job.objects.create(kind=PARTICIPANT_IMPORT, requested_by=user, unit=scope,
                                   params={"dry_run": False, "filename": name}, input_file=job.input_file.name)
        started = time.perf_counter()
        run_job.apply(args=[again.pk])
        again_seconds = time.perf_counter() - started
        again.refresh_from_db()
        say(f"Nhập lại cùng tệp: {n(again_seconds, 2)} s — {again.message}")
        say(f"  các bước: {(again.result or {}).get('timings')}")

        # 4. The stock django-import-export path, row by row, on a sample.
        stock_rate = None
        if stock_rows:
            stock_seconds, stock_count = self._stock(stock_rows, seed, areas)
            stock_rate = stock_count / stock_seconds
            say(f"django-import-export từng dòng, {n(stock_count)} dòng: {n(stock_seconds, 2)} s, "
                f"{n(stock_rate)} dòng/s; nhanh hơn {n(rows / seconds / stock_rate, 1)} lần")

        if not keep:
            self._clean(scope)
        if again.output_file:  # its input is the first job's file, gone with it below
            again.output_file.delete(save=False)
        Job.objects.filter(pk=again.pk).delete()
        self._forget(job)
        if as_json:
            last = runs[-1]
            self.stdout.write(json.dumps({
                "rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds, 1),
                "peak_mb": round(peak_mb, 1), "before_mb": round(last["before_mb"], 1),
                "floor_seconds": round(floor_seconds, 3), "ratio": round(ratio, 3),
                "stock_rows_per_s": round(stock_rate, 1) if stock_rate else None,
                "reimport_seconds": round(again_seconds, 3), "database": connection.vendor,
                "cpu_s": round(last["cpu_s"], 2), "db_cpu_s": round(last["db_cpu_s"], 2),
                "reader_cpu_s": round(last["reader_cpu_s"], 2),
                "reader_peak_mb": round(last["reader_peak_mb"], 1) if last["reader_cpu_s"] else None,
                "load": last["load"], "timings": last["timings"],
                "runs": [{"seconds": round(run["seconds"], 3), "floor_seconds": round(run["floor_seconds"], 3),
                          "peak_mb": round(run["peak_mb"], 1)} for run in runs],
            }))

    def _import_once(self, path: Path, *, name: str, scope: Unit, user) -> dict:
        """One import of the file through the job and its task, with what it cost."""
        with path.open("rb") as stream:
            job = job_create(kind=PARTICIPANT_IMPORT, requested_by=user, unit=scope,
                             params={"dry_run": False, "filename": name}, input_name=name,
                             input_file=File(stream, name=name))
        gc.collect()
        measured = _peak_rss_reset()
        before_mb = _peak_rss_mb()  # what the process holds already (Django, the registry's rules, numpy)
        load_before = _load()
        cpu_before, db_cpu_before, reader_cpu_before = time.process_time(), _backend_cpu(), _children_cpu()
        started = time.perf_counter()
        run_job.apply(args=[job.pk])
        seconds = time.perf_counter() - started
        cpu_s, db_cpu_s = time.process_time() - cpu_before, _backend_cpu() - db_cpu_before
        reader_cpu_s = _children_cpu() - reader_cpu_before
        reader_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        load_after = _load()
        peak_mb = _peak_rss_mb()
        job.refresh_from_db()
        if job.state != "succeeded":
            raise SystemExit(f"Nhập thất bại: {job.message}\n{job.error[:2000]}")
        return {"job": job, "seconds": seconds, "measured": measured, "before_mb": before_mb, "peak_mb": peak_mb,
                "imported": Enrolment.objects.filter(last_import=job).count(), "timings": job.result.get("timings"),
                "cpu_s": cpu_s, "db_cpu_s": db_cpu_s, "reader_cpu_s": reader_cpu_s, "reader_peak_mb": reader_peak_mb,
                "load": [load_before, load_after]}

    @staticmethod
    def _forget(job: Job) -> None:
        """A finished bench job and its files gone."""
        for field in (job.output_file, job.input_file):
            if field:
                field.delete(save=False)
        Job.objects.filter(pk=job.pk).delete()

    # ----------------------------------------------------------------------------------------
    def _setup(self):
        levels = {lv.code: lv for lv in UnitLevel.objects.all()}

        def unit(code, name, level, parent=None):
            found = Unit.objects.filter(code=code, valid_to__isnull=True).first()
            return found or services.unit_create(code=code, name=name, level=levels[level], parent=parent,
                                                 code_is_official=False)

        province = unit("BENCH", "Tỉnh Đo Tốc Độ", "tinh")
        district = unit("BENCH-H", "Huyện Đo Tốc Độ", "huyen", province)
        areas = []
        for c in range(1, COMMUNES + 1):
            commune = unit(f"BENCH-X{c:02d}", f"Xã Đo {c}", "xa", district)
            villages = [unit(f"BENCH-X{c:02d}-T{v}", f"Thôn {v} xã Đo {c}", "thon", commune).code
                        for v in range(1, VILLAGES + 1)]
            areas.append(SampleArea(commune.code, villages, commune.path))
        agents = []
        for name, kind in (("Bưu điện huyện Đo Tốc Độ", AgentKind.POST_OFFICE),
                           ("Hội Phụ nữ huyện Đo Tốc Độ", AgentKind.WOMENS_UNION)):
            agent, _ = Agent.objects.get_or_create(unit=district, name=name, defaults={"kind": kind})
            agents.append(agent.name)
        user, _ = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"first_name": "Đo tốc độ"})
        Membership.objects.get_or_create(user=user, unit=district, role=Role.BHXH_STAFF)
        return district, areas, agents, user

    def _clean(self, scope: Unit) -> None:
        communes = list(Unit.objects.filter(path__startswith=scope.path).values_list("pk", flat=True))
        people = Participant.objects.filter(commune_id__in=communes)
        with transaction.atomic():
            Enrolment.objects.filter(participant__in=people)._raw_delete(Enrolment.objects.db)
            people._raw_delete(Participant.objects.db)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The rows just deleted (a million after a big run) would bloat the next run's index inserts.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Participant._meta.db_table}, {Enrolment._meta.db_table}")

    def _file(self, rows, seed, areas, agents, cache_dir, say) -> Path:
        path = Path(cache_dir) / f"bhxh-bench-{rows}-{seed}-v2.xlsx"
        if path.exists():
            say(f"Tệp mẫu: {path} (đã sinh trước)")
            return path
        started = time.perf_counter()
        partial = path.with_suffix(".part")
        write_xlsx_file(partial, iter_participant_rows(count=rows, areas=areas, province_code="01", agents=agents,
                                                       seed=seed, code_offset=90_000_000))
        partial.rename(path)
        say(f"Tệp mẫu: {n(rows)} dòng, {n(path.stat().st_size / 1048576, 1)} MB, sinh trong "
            f"{n(time.perf_counter() - started, 1)} s")
        return path

    def _floor(self, job: Job) -> float:
        gc.disable()  # as the import does: the floor is the fastest the same work can go
        try:
            with job.input_file.open("rb") as stream:
                return self._floor_run(stream, job.params["filename"])
        finally:
            gc.enable()

    def _floor_run(self, stream, filename: str) -> float:
        """The same reader (streamed, with its checks, reading ahead as the import does) on the
        same file, every raw row below the header COPY'd as text, as it comes, into a bare temporary table:
        the least any import of it must do."""
        started = time.perf_counter()
        width = len(HEADERS)
        sheet = open_sheet(stream, filename=filename)
        reader = read_ahead(itertools.dropwhile(lambda item: not item[1] or item[1][0] != "STT", sheet.rows()),
                            20_000, sheet=sheet)
        rows = ((list(r) + [None] * width)[:width] for batch in reader for _, r in batch)
        next(rows)  # the header
        with contextlib.closing(reader), transaction.atomic():
            with connection.cursor() as cursor:
                columns = ", ".join(f"c{i} text" for i in range(width))
                cursor.execute(f"CREATE TEMP TABLE bench_floor ({columns})")
            if connection.vendor == "postgresql":
                bulk.copy_into("bench_floor", [f"c{i}" for i in range(width)], rows)
            else:
                with connection.cursor() as cursor:
                    while batch := list(itertools.islice(rows, 20_000)):
                        cursor.executemany(f"INSERT INTO bench_floor VALUES ({', '.join(['%s'] * width)})",
                                           [[None if v is None else str(v) for v in row] for row in batch])
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_floor")
        return time.perf_counter() - started

    def _stock(self, count: int, seed: int, areas) -> tuple[float, int]:
        sample = participant_rows(count=count, areas=areas, province_code="01", seed=seed + 1,
                                  code_offset=80_000_000)
        resource_headers = ["Mã số BHXH", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã",
                            "Mã thôn", "Mã hộ gia đình"]
        picked = [[r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]] for r in sample]
        data = write_xlsx(picked, headers=resource_headers, title=None)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                dataset = load_dataset(io.BytesIO(data), filename="stock.xlsx")
                stock = ParticipantResource()
                stock.max_rows = None
                result = stock.import_data(dataset, dry_run=False, use_transactions=False)
                if result.has_errors() or result.has_validation_errors():
                    first = (result.invalid_rows[:1] or result.row_errors()[:1])
                    raise SystemExit(f"Đường django-import-export báo lỗi: {first}")
                elapsed = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return elapsed, count

