"""manage.py make_plan: render the prefilled draft of a kind of plan from the database, without saving it."""

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import PlanBlock, PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.docx import document_docx
from campaigns.documents.render.pdf import document_pdf
from campaigns.documents.selectors import resolve_unit
from campaigns.documents.starters import PLAN_KINDS, STARTERS, StarterError, build_draft


class Command(BaseCommand):
    help = ("Dựng bản dự thảo kế hoạch, báo cáo theo mẫu từ dữ liệu của đơn vị và ghi ra tệp PDF (hoặc DOCX), "
            "không lưu vào hệ thống. Vd: make_plan --kind commune-drive --unit \"Xã Hải Dương\" --year 2021 "
            "--output kh.pdf")

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=list(STARTERS),
                            help=f"Loại: {', '.join(PLAN_KINDS)} (kế hoạch); monthly-report, programme-report (báo cáo)")
        parser.add_argument("--unit", required=True, help="Mã đơn vị, hoặc tên đầy đủ nếu không trùng (vd: Xã Hải Dương)")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--period", help="Tháng YYYY-MM: tháng của kế hoạch tháng, tháng số liệu của kế hoạch 6 tháng")
        parser.add_argument("--number", default="", help="Số văn bản (vd: 162)")
        parser.add_argument("--date", default="", help="Ngày văn bản dd/mm/yyyy")
        parser.add_argument("--output", required=True, help="Tệp ra: .pdf hoặc .docx")

    def handle(self, *args, **options):
        month = None
        if options["period"]:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", options["period"].strip())
            if not match:
                raise CommandError(f"--period '{options['period']}' không đúng dạng YYYY-MM.")
            if int(match.group(1)) != options["year"]:
                raise CommandError(f"--period {options['period']} không thuộc năm {options['year']}.")
            month = int(match.group(2))
        try:
            # the unit of the plan's year (or month): a code names another unit after the 2025 mergers
            on = datetime.date(options["year"], month or 12, 1) if 1 <= (month or 12) <= 12 else None
            unit = resolve_unit(options["unit"], on=on)
        except (LookupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        try:
            draft = build_draft(kind=options["kind"], unit=unit, year=options["year"], month=month)
        except StarterError as exc:
            raise CommandError(str(exc)) from exc
        if options["number"]:
            draft.fields["number"] = options["number"]
        if options["date"]:
            try:
                draft.fields["issued_on"] = datetime.datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError(f"--date '{options['date']}' không đúng dạng dd/mm/yyyy.") from exc
        document = PlanDocument(unit=unit, **draft.fields)
        blocks = [PlanBlock(document=document, position=i, kind=b.kind, text=b.text, params=b.params)
                  for i, b in enumerate(draft.blocks, start=1)]
        rendered = render_document(document, blocks)
        output = Path(options["output"])
        if output.suffix.lower() == ".docx":
            output.write_bytes(document_docx(rendered))
            pages = ""
        elif output.suffix.lower() == ".pdf":
            pdf = document_pdf(rendered)
            output.write_bytes(pdf.content)
            pages = f", {pdf.pages} trang"
        else:
            raise CommandError("--output phải là tệp .pdf hoặc .docx.")
        for error in rendered.errors:
            self.stderr.write(f"Cảnh báo: {error}")
        self.stdout.write(f"Đã ghi {output}{pages}: {document.label} ({unit.name}).")
