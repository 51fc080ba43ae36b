"""manage.py export_data KIND FILE: csv or xlsx, chosen by the file's suffix, readable by import_data."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from .import_data import IMPORTERS


class Command(BaseCommand):
    help = "Xuất dữ liệu ra tệp csv/xlsx: " + ", ".join(IMPORTERS)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")

    def handle(self, *args, kind, file, **options):
        resource = import_string(IMPORTERS[kind])()
        dataset = resource.export(queryset=resource.get_export_queryset())
        suffix = Path(file).suffix.lower()
        if suffix == ".csv":
            Path(file).write_text(dataset.export("csv"), encoding="utf-8-sig")
        elif suffix == ".xlsx":
            Path(file).write_bytes(dataset.export("xlsx"))
        else:
            raise CommandError("Chỉ xuất được .csv hoặc .xlsx.")
        self.stdout.write(f"Đã xuất {len(dataset)} dòng ra {file}.")
