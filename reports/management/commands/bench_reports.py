"""manage.py bench_reports [--districts 10 --communes 15 --villages 10] [--repeat 3] [--json]

Builds the synthetic province (targets/synthetic.py: 1 province, 10 districts, 150 communes,
1.500 villages, 12 months × 8 indicators), or reuses it when it is already there with the same
shape and year, then times each coverage table of the registry (reports.tables.coverage_tables
TABLES, whatever it holds) for the last month of the year, for two scopes:

- province: the province's page, its districts as rows;
- district: the first district's page, its communes as rows;

in three formats: html (the coverage page itself, `/bao-cao/<id>/`, through its view: access,
breadcrumbs, build and the template), xlsx and pdf (coverage_table_build + coverage_table_render,
what the export job runs). Each figure is the median of --repeat runs after one warm-up run, with
its query count and the number of units (the table's rows below the parent). Every run computes
what it shows, whatever CACHE_URL says: what is remembered (bhxh_portal.memo) is kept in a cache of
this process, emptied before each run, so that what a page asks twice is computed once, as with the
shared cache of a deployment.

References measured in the same run make the figures comparable across machines:
`query` is one bare query over the province's subtree (the month's results joined to their units
by path prefix), `empty-html` and `empty-pdf` render a table with no rows.
"""

import json
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from reports.coverage import TABLES, coverage_table_build, coverage_table_render
from reports.render.layout import table_context
from reports.tables.base import Table
from reports.views_coverage import coverage_page
from results.models import MonthlyResult
from units.models import Unit
from results.synthetic import USER_PREFIX, Shape, synthetic_province_ensure

FORMATS = ["html", "xlsx", "pdf"]
GOALS = {"html": 0.5, "pdf": 3.0}  # seconds on PostgreSQL, a whole province: a page at once, a PDF while one waits
BENCH_USER = f"{USER_PREFIX}bench"


# The cache the runs remember in (emptied before each): the memo's values of one run, never of the
# previous one, nor of another process (a shared CACHE_URL), nor nothing at all (the dummy cache).
RUN_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-run"}}


def timed_runs(work, repeat: int, prepare=None) -> tuple[float, int, object]:
    """Median seconds of `repeat` runs after a warm-up, the queries of one run and what the last run
    returned (to measure its size without running it again). Each run computes what it shows, as the
    first view after a write does: the run cache is emptied before it, then `prepare` runs, untimed
    (to time a cold read). Call it under override_settings(CACHES=RUN_CACHE)."""
    result = work()
    times, queries = [], 0
    for _ in range(repeat):
        cache.clear()
        if prepare is not None:
            prepare()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = work()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, result


class Command(BaseCommand):
    help = "Đo thời gian dựng các bảng số liệu bao phủ (HTML, Excel, PDF) trên một tỉnh mẫu đủ cỡ."

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, default=Shape.districts, help="Số huyện (10)")
        parser.add_argument("--communes", type=int, default=Shape.communes, help="Số xã mỗi huyện (15)")
        parser.add_argument("--villages", type=int, default=Shape.villages, help="Số thôn mỗi xã (10)")
        parser.add_argument("--year", type=int, help="Năm của số liệu mẫu (mặc định: năm trước)")
        parser.add_argument("--repeat", type=int, default=3, help="Số lần đo mỗi bảng (lấy trung vị)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="In một danh sách JSON")

    def handle(self, *args, **options):
        with override_settings(CACHES=RUN_CACHE):
            self._handle(*args, **options)

    def _handle(self, *args, districts, communes, villages, year, repeat, as_json, **options):
        say = (lambda *a: None) if as_json else self.stdout.write
        shape = Shape(districts=districts, communes=communes, villages=villages)
        synthetic = synthetic_province_ensure(year=year, shape=shape)
        say(synthetic.summary())
        say(f"Cơ sở dữ liệu: {connection.vendor} ({connection.settings_dict['NAME']}); "
            f"tháng {synthetic.last_month.label.lower()}; trung vị của {repeat} lần đo, sau một lần chạy làm nóng.")
        month = synthetic.last_month
        scopes = [("province", synthetic.province), ("district", synthetic.districts[0])]
        user = self._user()
        factory = RequestFactory()

        figures = self._references(synthetic.province, month, repeat)
        for table_key in TABLES:
            for scope, unit in scopes:
                built = coverage_table_build(unit=unit, table=table_key, month=month)
                units = sum(1 for row in built.rows if not row.is_total)

                def page(unit=unit, table_key=table_key):
                    request = factory.get(f"/bao-cao/{unit.pk}/", {"table": table_key, "period": month.key})
                    request.user, request.session, request._messages = user, {}, []
                    response = coverage_page(request, unit.pk)
                    assert response.status_code == 200, response.status_code

                def export(fmt, unit=unit, table_key=table_key):
                    table = coverage_table_build(unit=unit, table=table_key, month=month)
                    return coverage_table_render(table=table, unit=unit, month=month, fmt=fmt)

                for fmt in FORMATS:
                    work = page if fmt == "html" else (lambda fmt=fmt, export=export: export(fmt))
                    seconds, queries, _ = timed_runs(work, repeat)
                    figures.append({"table": table_key, "scope": scope, "format": fmt, "seconds": round(seconds, 4),
                                    "queries": queries, "units": units})
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self._print(figures)

    def _user(self):
        """A superuser of the bench (no usable password): sees every unit, as the page requires."""
        user, created = get_user_model().objects.get_or_create(
            username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True, "first_name": "Đo bảng"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _references(self, province: Unit, month, repeat: int) -> list[dict]:
        def bare_query():
            return list(MonthlyResult.objects.filter(unit__path__startswith=province.path, year=month.year,
                                                     month=month.number).values_list("unit_id", "participants"))

        units = Unit.objects.filter(path__startswith=province.path).count()
        built = coverage_table_build(unit=province, table="bhyt", month=month)
        empty = Table(built.key, built.title, built.columns, [], subtitle=built.subtitle)
        figures = []
        for fmt, work in (
            ("query", bare_query),
            ("empty-html", lambda: render_to_string("reports/_table.html", table_context(empty))),
            ("empty-pdf", lambda: coverage_table_render(table=empty, unit=province, month=month, fmt="pdf")),
        ):
            seconds, queries, _ = timed_runs(work, repeat)
            figures.append({"table": "reference", "scope": "province", "format": fmt, "seconds": round(seconds, 4),
                            "queries": queries, "units": units if fmt == "query" else 0})
        return figures

    def _print(self, figures: list[dict]) -> None:
        self.stdout.write(f"{'bảng':<12}{'phạm vi':<10}{'định dạng':<12}{'giây':>9}{'truy vấn':>10}{'đơn vị':>8}  mục tiêu")
        for f in figures:
            goal = GOALS.get(f["format"]) if f["table"] != "reference" else None
            verdict = "" if goal is None else ("đạt" if f["seconds"] < goal else f"CHƯA ĐẠT (< {goal} s)")
            seconds = f"{f['seconds']:.3f}".replace(".", ",")
            self.stdout.write(f"{f['table']:<12}{f['scope']:<10}{f['format']:<12}{seconds:>9}{f['queries']:>10}"
                              f"{f['units']:>8}  {verdict}")

