"""manage.py import_data KIND FILE: the same import, checks and messages as the web upload."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from bhxh_portal.imports import ImportFileError, load_dataset, run_resource_import

# Each kind names the resource that imports it.
IMPORTERS = {
    "units": "units.resources.UnitResource",
    "demographics": "targets.resources.DemographicsResource",
    "targets": "targets.resources.TargetResource",
    # monthly results: unit_code, period YYYY-MM, indicator, participants [, new, renewing]
    "results": "results.resources.ResultResource",
    # schools and their pupils' BHYT per school year (the students' coverage table)
    "schools": "targets.schools.resources.SchoolResource",
    "school_figures": "targets.schools.resources.SchoolFiguresResource",
    # a year's public holidays and make-up working days (working-day deadlines)
    "holidays": "campaigns.holidays.importers.PublicHolidayResource",
}


class Command(BaseCommand):
    help = "Nhập dữ liệu từ tệp csv/xlsx: " + ", ".join(IMPORTERS)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì")

    def handle(self, *args, kind, file, dry_run, **options):
        resource = import_string(IMPORTERS[kind])()
        try:
            dataset = load_dataset(file)
        except (ImportFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        report = run_resource_import(resource, dataset, filename=Path(file).name, dry_run=dry_run)
        if not report.ok:
            for message in report.messages():
                self.stderr.write(message)
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
