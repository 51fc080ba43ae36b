"""manage.py bench_drive at a tiny size: builds, reuses, and prints every figure."""

import io
import json

import pytest
from django.core.management import call_command

from drive.models import WorkItem

pytestmark = pytest.mark.django_db


def test_bench_drive_smoke():
    out = io.StringIO()
    call_command("bench_drive", participants=200, as_json=True, stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["participants"] == 200 and figures["built_seconds"] is not None
    assert figures["funnel_listed"] == WorkItem.objects.count() > 0
    assert {"list_due_seconds", "list_lapsed_seconds", "list_uninsured_seconds", "funnel_summary_seconds",
            "reference_count_seconds", "funnel_live_seconds", "funnel_summary_live_seconds"} <= set(figures)
    # the funnel read from the kept facts gives the figures of the one read at view time, renewals included
    assert figures["funnel_same"] is True
    assert WorkItem.objects.filter(enrolled=True).exists()
    out = io.StringIO()
    call_command("bench_drive", participants=200, stdout=out)
    assert "Dùng lại tỉnh mẫu" in out.getvalue() and "Kết quả vận động của tỉnh" in out.getvalue()
