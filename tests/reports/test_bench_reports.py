"""manage.py bench_reports at a tiny size: every table of the registry in every format, for the
province and a district, with seconds, queries and units, and queries that do not depend on size."""

import io
import json

import pytest
from django.core.management import call_command

from reports.coverage import TABLES

pytestmark = pytest.mark.django_db


def test_bench_reports_prints_every_table_and_format_as_json():
    out = io.StringIO()

    call_command("bench_reports", "--districts", "2", "--communes", "3", "--villages", "2", "--year", "2025",
                 "--repeat", "1", "--json", stdout=out)

    figures = json.loads(out.getvalue())
    assert all({"table", "format", "seconds", "queries", "units"} <= set(f) for f in figures)
    measured = {(f["table"], f["scope"], f["format"]) for f in figures if f["table"] != "reference"}
    assert measured == {(t, s, fmt) for t in TABLES for s in ("province", "district") for fmt in ("html", "xlsx", "pdf")}
    assert {f["format"] for f in figures if f["table"] == "reference"} == {"query", "empty-html", "empty-pdf"}
    by_key = {(f["table"], f["scope"], f["format"]): f for f in figures}
    for fmt in ("html", "xlsx", "pdf"):
        assert by_key[("bhyt", "province", fmt)]["units"] == 2 and by_key[("bhyt", "district", fmt)]["units"] == 3
        assert all(by_key[(t, s, fmt)]["seconds"] > 0 for t in TABLES for s in ("province", "district"))
    for table in ("bhyt", "bhxh", "bhtn", "remaining"):
        # a district has 3 communes and 6 villages below it, the province 2 districts and 18 units:
        # the exports run the same queries
        assert by_key[(table, "province", "pdf")]["queries"] == by_key[(table, "district", "pdf")]["queries"]
        assert by_key[(table, "province", "xlsx")]["queries"] == by_key[(table, "district", "xlsx")]["queries"]


def test_bench_reports_prints_a_table_with_the_goals():
    out = io.StringIO()

    call_command("bench_reports", "--districts", "1", "--communes", "2", "--villages", "1", "--year", "2025",
                 "--repeat", "1", stdout=out)

    text = out.getvalue()
    assert "Tỉnh mẫu SYN năm 2025: 1 huyện, 2 xã, 2 thôn" in text and "đã tạo trong" in text
    assert "bhyt        province  html" in text and "reference   province  query" in text
