"""manage.py loadtest, tiny: gunicorn on 127.0.0.1 against the test database, three users for a
few seconds; the JSON has the figures, no request failed, the grid saves reached the database,
and nothing the command started is left running."""

import io
import json

import psutil
import pytest
from django.core.management import call_command

from tests.services import require_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _gunicorns() -> set[int]:
    return {p.pid for p in psutil.process_iter(["cmdline"])
            if "gunicorn" in " ".join(p.info["cmdline"] or []) and "bhxh_portal.wsgi" in " ".join(p.info["cmdline"] or [])}


def test_loadtest_runs_tiny_and_reports_without_errors():
    require_postgresql()
    before = _gunicorns()
    out = io.StringIO()

    call_command("loadtest", "--users", "3", "--duration", "4", "--districts", "1", "--communes", "2",
                 "--villages", "1", "--year", "2025", "--workers", "1", "--threads", "2", "--wait-min", "0.1",
                 "--wait-max", "0.3", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert {"rps", "p50_ms", "p95_ms", "p99_ms", "errors", "users"} <= set(result)
    assert result["users"] == 3 and result["errors"] == 0, result["error_messages"]
    assert result["server_cpu_ms_per_request"] > 0
    assert result["rps"] > 0 and 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert {"grid (save a cell)", "dashboard (district)", "coverage page (district)"} <= set(result["by_request"])
    assert result["saves_stored"] >= result["by_request"]["grid (save a cell)"]["requests"] > 0
    assert _gunicorns() == before
