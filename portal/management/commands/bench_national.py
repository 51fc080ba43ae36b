"""manage.py bench_national [--participants 10000000] [--provinces 34 --communes 3321] [--repeat 3] [--json]

Builds the synthetic two-level country (portal/synthetic_country.py: 34 provinces, 3.321 communes,
10 thôn each, a year of monthly results, N participants with their enrolments, the drive's work list
of the last month), or reuses it when it is there with the same sizes and year, then times, for the
last month of the year, with the query count and a size of each:

- each coverage table of the registry, for the largest province (its communes as rows) and for one
  of its communes (its thôn as rows), as the HTML page (through its view) and as the PDF;
- the province's dashboard (reports.dashboard.unit_dashboard and its charts);
- the registry's count of the province (agents.selectors.active_enrolment_counts), warm (the
  per-commune tally read) and cold (the province's sheets dropped before each run: every commune
  counted again), after a write to one commune (reg-1-xa: its sheet dropped before each run), beside
  the direct count over the enrolments it replaces (reg-before); and after an import into every
  commune of the province (reg-import), whose job counts the communes' sheets again before it commits
  (reg-job: what that costs the job), in a transaction rolled back after each run;
- a commune's work list of people due (drive.selectors.work_rows) and the province's funnel by
  commune (drive.selectors.funnel).

References measured in the same run (bench_reports's): one bare query over the province's subtree,
an empty table as HTML and as PDF. Goals: every page under 0,5 s, every PDF under 3 s, and query
counts that do not grow with the country (compare two sizes with --json).

Every run computes what it shows, as the first view after a write does, whatever CACHE_URL says:
what is remembered (bhxh_portal.memo) is kept in a cache of this process, emptied before each run,
so that what a page asks twice is computed once, as with the shared cache of a deployment.
"""

import datetime
import json
import statistics
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from agents.registry_tally import registry_count_direct, registry_tally_drop, registry_tally_held
from agents.selectors import active_enrolment_counts
from drive.models import ListKind
from drive.selectors import funnel, work_rows
from reports.coverage import TABLES, coverage_table_build, coverage_table_render
from reports.dashboard import dashboard_charts, unit_dashboard
from reports.management.commands.bench_reports import RUN_CACHE, timed_runs
from reports.management.commands.bench_reports import Command as BenchReports
from portal.synthetic_country import CountryShape, synthetic_country_ensure
from reports.views_coverage import coverage_page
from units.models import Unit

GOALS = {"html": 0.5, "pdf": 3.0}  # seconds, on PostgreSQL
NO_GOAL = ("reference", "reg-before", "reg-job")  # references, and work done by a job


class _RolledBack(Exception):
    """Leaves the country as it was after a timed write."""



class Command(BaseCommand):
    help = "Đo thời gian các trang và bản PDF chính trên một nước mẫu hai cấp (34 tỉnh, 3.321 xã, 10 triệu người)."

    def add_arguments(self, parser):
        shape = CountryShape()
        parser.add_argument("--participants", type=int, default=shape.participants,
                            help="Số người tham gia (10.000.000)")
        parser.add_argument("--provinces", type=int, default=shape.provinces, help="Số tỉnh (34)")
        parser.add_argument("--communes", type=int, default=shape.communes, help="Số xã cả nước (3.321)")
        parser.add_argument("--villages", type=int, default=shape.villages, help="Số thôn mỗi xã (10)")
        parser.add_argument("--year", type=int, help="Năm của số liệu mẫu (mặc định: năm trước)")
        parser.add_argument("--repeat", type=int, default=3, help="Số lần đo mỗi mục (lấy trung vị)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="In một danh sách JSON")
        parser.add_argument("--only", choices=["registry"],
                            help="Chỉ đo một mục (cùng các mốc so sánh), ví dụ: registry")

    def handle(self, *args, **options):
        with override_settings(CACHES=RUN_CACHE):
            self._handle(*args, **options)

    def _handle(self, *args, participants, provinces, communes, villages, year, repeat, as_json, only, **options):
        say = (lambda *a: None) if as_json else self.stdout.write
        if provinces < 1 or communes < provinces or villages < 1 or participants < 0:
            raise SystemExit("Cần ít nhất 1 tỉnh, mỗi tỉnh ít nhất 1 xã, mỗi xã ít nhất 1 thôn.")
        shape = CountryShape(provinces=provinces, communes=communes, villages=villages, participants=participants)
        country = synthetic_country_ensure(year=year, shape=shape)
        say(country.summary())
        say(f"Cơ sở dữ liệu: {connection.vendor} ({connection.settings_dict['NAME']}); "
            f"tháng {country.last_month.label.lower()}; trung vị của {repeat} lần đo, sau một lần chạy làm nóng.")
        period = country.last_month
        month = datetime.date(period.year, period.number, 1)
        province = country.largest
        commune = Unit.objects.filter(parent=province).order_by("code").first()
        bench = BenchReports()
        user = bench._user()
        factory = RequestFactory()

        figures = bench._references(province, period, repeat)
        for figure in figures:
            figure["size"] = figure.pop("units")

        def add(name, scope, fmt, work, size):
            seconds, queries, result = timed_runs(work, repeat)
            figures.append({"table": name, "scope": scope, "format": fmt, "seconds": round(seconds, 4),
                            "queries": queries, "size": size(result)})

        for table_key in TABLES if only is None else []:
            for scope, unit in (("province", province), ("commune", commune)):
                def page(unit=unit, table_key=table_key):
                    request = factory.get(f"/bao-cao/{unit.pk}/", {"table": table_key, "period": period.key})
                    request.user, request.session, request._messages = user, {}, []
                    response = coverage_page(request, unit.pk)
                    assert response.status_code == 200, response.status_code
                    return response

                def pdf(unit=unit, table_key=table_key):
                    table = coverage_table_build(unit=unit, table=table_key, month=period)
                    return coverage_table_render(table=table, unit=unit, month=period, fmt="pdf")

                add(table_key, scope, "html", page, lambda response: len(response.content))
                add(table_key, scope, "pdf", pdf, len)

        self._registry(figures, province, commune, month, repeat)
        if only is None:
            self._others(add, user, province, commune, period, month)
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self._print(figures)

    def _registry(self, figures: list[dict], province: Unit, commune: Unit, month: datetime.date,
                  repeat: int) -> None:
        def people(counts) -> int:
            return sum(v for k, v in counts.items() if "_moi" not in k and "_tai_tuc" not in k)

        rows = [("reg-before", lambda: registry_count_direct(unit=province, month=month), None,
                 lambda counts: sum(counts.values())),
                ("reg-cold", lambda: active_enrolment_counts(unit=province, month=month),
                 lambda: registry_tally_drop(unit=province, month=month), people),
                ("reg-1-xa", lambda: active_enrolment_counts(unit=province, month=month),
                 lambda: registry_tally_drop(unit=commune, month=month), people),
                ("registry", lambda: active_enrolment_counts(unit=province, month=month), None, people)]
        for name, work, prepare, size in rows:
            seconds, queries, result = timed_runs(work, repeat, prepare=prepare)
            figures.append({"table": name, "scope": "province", "format": "html", "seconds": round(seconds, 4),
                            "queries": queries, "size": size(result)})
        communes = list(Unit.objects.filter(path__startswith=province.path).values_list("pk", flat=True))
        job, read = [], []
        for _ in range(repeat + 1):  # the first is the warm-up
            cache.clear()
            try:
                with transaction.atomic():
                    # As the import's job ends (agents.importing.run): its communes bumped, their sheets
                    # counted again, in its transaction; then the first read after it.
                    started = time.perf_counter()
                    with registry_tally_held() as written:
                        written.update(communes)
                    job.append(time.perf_counter() - started)
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        result = active_enrolment_counts(unit=province, month=month)
                        read.append(time.perf_counter() - started)
                    raise _RolledBack
            except _RolledBack:
                pass
        for name, times, queries in (("reg-job", job, None), ("reg-import", read, len(captured))):
            figures.append({"table": name, "scope": "province", "format": "html",
                            "seconds": round(statistics.median(times[1:]), 4),
                            "queries": queries if queries is not None else "-", "size": people(result)})

    def _others(self, add, user, province, commune, period, month) -> None:
        def dashboard():
            built = unit_dashboard(unit=province, month=period)
            return built, dashboard_charts(built)

        add("dashboard", "province", "html", dashboard, lambda built: len(built[0].rows) + len(built[0].ranking))
        add("worklist", "commune", "html",
            lambda: work_rows(user=user, unit=commune, month=month, kind=ListKind.DUE), len)
        add("funnel", "province", "html", lambda: funnel(user=user, unit=province, month=month, by="commune"),
            lambda lines: lines[-1].listed)

    def _print(self, figures: list[dict]) -> None:
        self.stdout.write(f"{'mục':<12}{'phạm vi':<10}{'định dạng':<12}{'giây':>9}{'truy vấn':>10}{'cỡ':>11}  mục tiêu")
        for f in figures:
            goal = GOALS.get(f["format"]) if f["table"] not in NO_GOAL else None
            verdict = "" if goal is None else ("đạt" if f["seconds"] < goal else f"CHƯA ĐẠT (< {goal} s)")
            seconds = f"{f['seconds']:.3f}".replace(".", ",")
            self.stdout.write(f"{f['table']:<12}{f['scope']:<10}{f['format']:<12}{seconds:>9}{f['queries']:>10}"
                              f"{f['size']:>11}  {verdict}")
        self.stdout.write("Cỡ: số đơn vị (truy vấn), số byte (bảng), số dòng (tổng quan, danh sách), số người "
                          "(sổ đăng ký, phễu).")
