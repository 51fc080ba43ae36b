"""manage.py bench_national at a tiny size (2 provinces, 3 communes, 200 participants) on the test
database: it prints a line for every figure, and its query counts do not grow with the country."""

import io
import json

import pytest
from django.core.management import call_command

from reports.coverage import TABLES

pytestmark = pytest.mark.django_db

TINY = ["--provinces", "2", "--communes", "3", "--villages", "2", "--participants", "200", "--year", "2025",
        "--repeat", "1"]
EXTRA = [("dashboard", "province"), ("registry", "province"), ("reg-import", "province"), ("worklist", "commune"),
         ("funnel", "province")]


def bench(*args):
    out = io.StringIO()
    call_command("bench_national", *args, stdout=out)
    return out.getvalue()


def test_bench_national_prints_each_figure_line():
    text = bench(*TINY)

    assert "Nước mẫu NAT năm 2025: 2 tỉnh, 3 xã, 6 thôn" in text and "200 người tham gia" in text
    assert "đã tạo trong" in text
    lines = text.splitlines()
    for fmt in ("query", "empty-html", "empty-pdf"):
        assert any(line.startswith(f"reference   province  {fmt} ") for line in lines), fmt
    for table in TABLES:
        for scope in ("province", "commune"):
            for fmt in ("html", "pdf"):
                line = next(line for line in lines if line.split()[:3] == [table, scope, fmt])
                assert line.rstrip().endswith(("đạt", "s)")), line
    for name, scope in EXTRA:
        assert any(line.split()[:3] == [name, scope, "html"] for line in lines), name

    # The same sizes again: the country is reused, not built anew; --only keeps the registry's lines.
    again = bench(*TINY, "--only", "registry")
    assert "dùng lại nước mẫu đã có" in again
    names = [line.split()[0] for line in again.splitlines() if line.split()[1:2] == ["province"]]
    assert names == ["reference"] * 3 + ["reg-before", "reg-cold", "reg-1-xa", "registry", "reg-job", "reg-import"]


def test_bench_national_query_counts_do_not_grow_with_the_country():
    def figures(*args):
        return {(f["table"], f["scope"], f["format"]): f for f in json.loads(bench(*args, "--json"))}

    small = figures(*TINY)
    large = figures("--provinces", "2", "--communes", "6", "--villages", "3", "--participants", "600",
                    "--year", "2025", "--repeat", "1")
    assert large[("registry", "province", "html")]["size"] > small[("registry", "province", "html")]["size"]
    assert large[("worklist", "commune", "html")]["size"] >= small[("worklist", "commune", "html")]["size"] > 0
    assert large[("funnel", "province", "html")]["size"] > small[("funnel", "province", "html")]["size"] > 0
    # The tally's count, cold, after a write to one commune, after an import and warm, is the direct count's.
    for figures_ in (small, large):
        sizes = {figures_[(name, "province", "html")]["size"]
                 for name in ("reg-before", "reg-cold", "reg-1-xa", "reg-import")}
        assert sizes == {figures_[("registry", "province", "html")]["size"]}
    for key in [*((t, s, f) for t in TABLES for s in ("province", "commune") for f in ("html", "pdf")),
                *((name, scope, "html") for name, scope in EXTRA)]:
        assert large[key]["queries"] == small[key]["queries"], key
