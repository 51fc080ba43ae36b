"""The demo loader is idempotent; bench_import runs end to end (tiny sizes here; figures in the README)."""

import json

import pytest
from django.core.management import call_command

from agents.demo import CANG_LONG_AGENT, HAI_DUONG_AGENT, load_agents_demo
from agents.models import Agent, Collection, Enrolment, LocalTopUp, Participant
from jobs.models import Job
from units.demo import load_units

pytestmark = pytest.mark.django_db


def counts():
    return (Agent.objects.count(), Participant.objects.count(), Enrolment.objects.count(),
            Collection.objects.count(), LocalTopUp.objects.count())


def test_agents_demo_loads_and_a_second_run_changes_nothing():
    load_units()
    load_agents_demo()
    first = counts()
    assert first == (2, 96, 96, 96, 1)
    hai_duong = Agent.objects.get(name=HAI_DUONG_AGENT)
    assert (hai_duong.unit.code, hai_duong.kind) == ("HDUONG", "commune")
    assert hai_duong.collectors.get().user.username == "daily.haiduong"
    assert Agent.objects.get(name=CANG_LONG_AGENT).communes.count() == 14
    assert Participant.objects.filter(commune__code="HDUONG", village__isnull=False).count() == 36
    updated = list(Participant.objects.values_list("updated_at", flat=True))
    summary = load_agents_demo()
    assert counts() == first
    assert list(Participant.objects.values_list("updated_at", flat=True)) == updated
    assert "không đổi 36" in summary and "không đổi 60" in summary


def test_bench_import_prints_its_figures_as_json_with_the_medians_of_its_runs(tmp_path, capsys):
    call_command("bench_import", rows=300, stock_rows=30, repeat=3, as_json=True, cache_dir=str(tmp_path))
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(figures) >= {"rows", "seconds", "rows_per_s", "peak_mb", "floor_seconds", "ratio", "stock_rows_per_s"}
    assert figures["rows"] == 300 and figures["seconds"] > 0 and figures["ratio"] > 0
    runs = figures["runs"]
    assert len(runs) == 3
    assert figures["seconds"] == sorted(run["seconds"] for run in runs)[1]
    assert figures["floor_seconds"] == sorted(run["floor_seconds"] for run in runs)[1]
    assert Participant.objects.count() == 0  # the bench removes what it imported
    assert not Job.objects.exists()  # and each run's job and files
