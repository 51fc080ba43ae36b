"""The funnel reads the facts kept on the work items (drive.tally): after every kind of write they
depend on, they give the same figures as the counters found in the contacts and the registry at read
time (the funnel's former query, kept as the reference)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Enrolment, Participant
from agents.signals import registry_changed
from drive import selectors, services, tally
from drive.models import ListKind, WorkItem

from .conftest import D, MONTH
from .walks import walk_every_write


def assert_same_figures(user, unit):
    for by in ("commune", "village", "agent"):
        kept = selectors.funnel(user=user, unit=unit, month=MONTH, by=by)
        live = selectors.funnel(user=user, unit=unit, month=MONTH, by=by, live=True)
        assert [vars(line) for line in kept] == [vars(line) for line in live], by
    kept = selectors.funnel_summary(user=user, unit=unit, month=MONTH)
    live = selectors.funnel_summary(user=user, unit=unit, month=MONTH, live=True)
    assert [vars(line) for line in kept] == [vars(line) for line in live]
    return kept[-1]


def test_every_write_keeps_the_facts_the_funnel_reads(registry, official, agents, drawn):
    walk_every_write(registry=registry, official=official, agents=agents, drawn=drawn, check=assert_same_figures)


def test_the_registry_imports_bulk_writes_are_followed(registry, official, drawn):
    """The participant import writes by COPY and says so with agents.signals.registry_changed."""
    person = registry["people"]["voluntary_due"]
    item = WorkItem.objects.get(participant=person)
    Enrolment.objects.bulk_create([Enrolment(participant=person, product=item.product, valid_from=D(2024, 7, 1),
                                             valid_to=D(2024, 12, 31))])
    assert selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1].enrolled == 0  # not told yet
    registry_changed.send(sender=Participant, participant_ids=[person.pk])
    assert assert_same_figures(official, registry["xa1"]).enrolled == 1


def test_the_participant_import_tells_the_drive(registry, official, drawn):
    from agents.importers import ParticipantImport
    from units.models import Role
    from tests.factories import make_member

    person = registry["people"]["voluntary_due"]
    headers = "Mã số BHXH,Số CCCD,Họ và tên,Ngày sinh,Giới tính,Mã xã,Loại hình,Từ ngày,Đến ngày,Mức thu nhập\n"
    row = f"{person.bhxh_code},{person.personal_id},{person.full_name},01/01/1980,Nam,00001,BHXH TN,01/07/2024," \
          "31/12/2024,1500000\n"
    staff = make_member(registry["district"], Role.BHXH_STAFF)
    outcome = ParticipantImport(user=staff, scope=registry["district"], dry_run=False).run((headers + row).encode(),
                                                                            filename="ds.csv")[0]
    assert outcome.invalid == 0, outcome.problems
    assert Enrolment.objects.filter(participant=person, valid_from=D(2024, 7, 1)).exists()
    assert assert_same_figures(official, registry["xa1"]).enrolled == 1


@pytest.mark.parametrize("kind", ListKind.values)
def test_a_drawn_list_starts_with_its_facts(registry, official, kind):
    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=kind, by=official)
    assert_same_figures(official, registry["xa1"])
    assert WorkItem.objects.exists() and tally.refresh_all() == 0  # nothing left stale


@pytest.mark.parametrize("through_a_job", [False, True])
def test_an_import_in_batches_tells_the_drive_once_of_everyone_it_wrote(registry, official, drawn, through_a_job):
    """A renewal in one batch and a resident of the population list registered (by số định danh) in
    another: the import tells the drive once, at its end, and both are counted enrolled. With or without
    a job, the run names the people it noted as it wrote them (a temporary table on PostgreSQL), never by a
    search of the whole registry for the rows it stamped (last_import has no index)."""
    from agents.importers import ParticipantImport
    from jobs.models import Job
    from units.models import Role
    from tests.factories import make_member

    due = registry["people"]["not_renewed"]
    headers = "Mã số BHXH,Số CCCD,Họ và tên,Ngày sinh,Giới tính,Mã xã,Loại hình,Từ ngày,Đến ngày,Mức thu nhập\n"
    rows = (f"{due.bhxh_code},{due.personal_id},{due.full_name},01/01/1980,Nữ,00001,bhyt_hgd,16/06/2024,"
            "15/06/2025,\n"
            ",001099000003,Lý Chưa Tham Gia,01/01/1990,Nữ,00001,BHXH TN,01/06/2024,31/12/2024,1500000\n")
    assert assert_same_figures(official, registry["xa1"]).enrolled == 0
    staff = make_member(registry["district"], Role.BHXH_STAFF)
    job = Job.objects.create(kind="participants_import", requested_by=staff, unit=registry["district"]) \
        if through_a_job else None
    with CaptureQueriesContext(connection) as queries:
        outcome = ParticipantImport(user=staff, scope=registry["district"], dry_run=False, batch_size=1,
                                    job=job).run((headers + rows).encode(), filename="ds.csv")[0]
    assert (outcome.invalid, outcome.new, outcome.committed) == (0, 2, True), outcome.problems
    assert not [q["sql"] for q in queries if re.search(r'WHERE .*"last_import_id" (=|IN)', q["sql"])]
    total = assert_same_figures(official, registry["xa1"])
    assert (total.enrolled, total.renewed) == (2, 1)
