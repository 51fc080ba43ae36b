"""manage.py bench_national [--participants 10000000] [--provinces 34 --communes 3321] [--repeat 3] [--json]

Builds the synthetic two-level country (portal/synthetic_country.py: 34 provinces, 3.321 communes,
10 thôn each, a year of monthly results, N participants with their enrolments, the drive's work list
of the last month), or reuses it when it is there with the same sizes and year, then times, for the
last month of the year, with the query count and a size of each:

- each coverage table of the registry, for the largest province (its communes as rows) and for one
  of its communes (its thôn as rows), as the HTML page (through its view) and as the PDF;
- the province's dashboard (reports.dashboard.unit_dashboard and its charts);
- the registry's count of the province (agents.selectors.active_enrolment_counts);
- a commune's work list of people due (drive.selectors.work_rows) and the province's funnel by
  commune (drive.selectors.funnel).

References measured in the same run (bench_reports's): one bare query over the province's subtree,
an empty table as HTML and as PDF. Goals: every page under 0,5 s, every PDF under 3 s, and query
counts that do not grow with the country (compare two sizes with --json).
"""

import datetime
import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from agents.selectors import active_enrolment_counts
from drive.models import ListKind
from drive.selectors import funnel, work_rows
from reports.coverage import TABLES, coverage_table_build, coverage_table_render
from reports.dashboard import dashboard_charts, unit_dashboard
from reports.management.commands.bench_reports import Command as BenchReports
from portal.synthetic_country import CountryShape, synthetic_country_ensure
from reports.views_coverage import coverage_page
from units.models import Unit

GOALS = {"html": 0.5, "pdf": 3.0}  # seconds, on PostgreSQL


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

    def handle(self, *args, participants, provinces, communes, villages, year, repeat, as_json, **options):
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
            seconds, queries, result = _timed_keep(work, repeat)
            figures.append({"table": name, "scope": scope, "format": fmt, "seconds": round(seconds, 4),
                            "queries": queries, "size": size(result)})

        for table_key in TABLES:
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

        def dashboard():
            built = unit_dashboard(unit=province, month=period)
            return built, dashboard_charts(built)

        add("dashboard", "province", "html", dashboard, lambda built: len(built[0].rows) + len(built[0].ranking))
        add("registry", "province", "html", lambda: active_enrolment_counts(unit=province, month=month),
            lambda counts: sum(v for k, v in counts.items() if "_moi" not in k and "_tai_tuc" not in k))
        add("worklist", "commune", "html",
            lambda: work_rows(user=user, unit=commune, month=month, kind=ListKind.DUE), len)
        add("funnel", "province", "html", lambda: funnel(user=user, unit=province, month=month, by="commune"),
            lambda lines: lines[-1].listed)
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self._print(figures)

    def _print(self, figures: list[dict]) -> None:
        self.stdout.write(f"{'mục':<12}{'phạm vi':<10}{'định dạng':<12}{'giây':>9}{'truy vấn':>10}{'cỡ':>11}  mục tiêu")
        for f in figures:
            goal = GOALS.get(f["format"]) if f["table"] != "reference" else None
            verdict = "" if goal is None else ("đạt" if f["seconds"] < goal else f"CHƯA ĐẠT (< {goal} s)")
            seconds = f"{f['seconds']:.3f}".replace(".", ",")
            self.stdout.write(f"{f['table']:<12}{f['scope']:<10}{f['format']:<12}{seconds:>9}{f['queries']:>10}"
                              f"{f['size']:>11}  {verdict}")
        self.stdout.write("Cỡ: số đơn vị (truy vấn), số byte (bảng), số dòng (tổng quan, danh sách), số người "
                          "(sổ đăng ký, phễu).")



def _timed_keep(work, repeat: int):
    """As bench_reports's _timed (median of `repeat` runs after a warm-up, queries of one run), and
    what the last run returned, to measure its size without running it again."""
    result = work()
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = work()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, result
