"""Writes a plan DOCX and a coverage XLSX of the demo to a folder, for scripts/convert_docs.sh.

Run through Django: `python manage.py shell -c "exec(open('scripts/render_samples.py').read())"` with
OUT_DIR set; it needs the demo data (`manage.py load_demo`).
"""

import os
from pathlib import Path

from campaigns.models import PlanDocument
from campaigns.documents.render.docx import document_docx
from campaigns.documents.render.document import render_document
from reports.render.xlsx import as_xlsx
from reports.tables.coverage_tables import bhxh_table, bhyt_table
from reports.tables.inputs import load_inputs
from units.models import Unit
from units.periods import Period

out = Path(os.environ.get("OUT_DIR", "ci-artifacts/documents"))
out.mkdir(parents=True, exist_ok=True)
for document in PlanDocument.objects.select_related("unit").order_by("pk"):
    (out / f"ke-hoach-{document.unit.code}-{document.pk}.docx").write_bytes(document_docx(render_document(document)))
district = Unit.objects.get(code="CL")
inputs = load_inputs(parent=district, month=Period.month(2023, 6))
for table in (bhyt_table(inputs), bhxh_table(inputs)):
    (out / f"bang-{table.key}-CL-2023-06.xlsx").write_bytes(as_xlsx(table, unit_name=district.name))
print(out)
