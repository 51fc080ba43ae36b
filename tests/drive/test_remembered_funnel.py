"""The dashboard's funnel is remembered (bhxh_portal.memo) and never outlives a write it depends on:
after every kind of write of drive.tally's list, the remembered funnel is the one computed afresh."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Collector, Participant
from campaigns.activities.services import activity_link_participants
from campaigns.models.activities import ActivityStatus, DriveActivity
from drive import selectors, services
from drive.models import Contact, ListKind, Outcome, WorkItem
from drive.rounds import import_round_contacts, row_key
from units.periods import Period

from .conftest import D, MONTH, enrol

JUNE = Period.containing(MONTH)


def _lines(lines):
    return [(line.key, line.listed, line.contacted, line.promised, line.from_activity, line.enrolled, line.due,
             line.renewed) for line in lines]


def assert_remembered_is_fresh(user, unit):
    remembered = selectors.dashboard_funnel(user, unit, JUNE)
    assert _lines(remembered) == _lines(selectors.funnel_summary(user=user, unit=unit, month=MONTH))
    return remembered[-1]


def test_the_funnel_is_remembered_until_a_write_it_depends_on(registry, official, agents, drawn):
    xa1, people = registry["xa1"], registry["people"]
    total = assert_remembered_is_fresh(official, xa1)
    assert (total.listed, total.contacted) == (7, 0)
    with CaptureQueriesContext(connection) as remembered:
        selectors.dashboard_funnel(official, xa1, JUNE)
    assert len(remembered) == 0

    services.contact_record(item=drawn["a"], by=official, contacted_on=D(2024, 6, 10), outcome=Outcome.MET)
    assert assert_remembered_is_fresh(official, xa1).contacted == 1
    report = import_round_contacts(
        f"Mã dòng,Ngày gặp,Kết quả\n{row_key(drawn['a'].pk)},12/06/2024,Hẹn đóng\n".encode(), filename="k.csv",
        unit=xa1, month=MONTH, kind=ListKind.DUE, user=official)
    assert report.ok
    assert assert_remembered_is_fresh(official, xa1).promised == 1
    activity = DriveActivity.objects.create(kind="prospect_conference", organiser=xa1, title="Hội nghị",
                                            planned_start=D(2024, 6, 8), planned_end=D(2024, 6, 8),
                                            status=ActivityStatus.HELD, held_on=D(2024, 6, 8))
    activity_link_participants(activity=activity, by=official, identifiers=[people["lapsed"].bhxh_code])
    assert assert_remembered_is_fresh(official, xa1).from_activity == 1
    renewal = enrol(people["not_renewed"], "bhyt_hgd", D(2024, 6, 16), D(2025, 6, 15))
    assert assert_remembered_is_fresh(official, xa1).enrolled == 1
    renewal.delete()
    assert assert_remembered_is_fresh(official, xa1).enrolled == 0
    contact = Contact.objects.filter(item=drawn["a"]).order_by("pk").first()
    contact.delete()
    assert_remembered_is_fresh(official, xa1)

    # who sees which items: an agent's own funnel follows its assignments and its collectors
    agent_user = agents["b"]["user"]
    before = assert_remembered_is_fresh(agent_user, xa1).listed
    services.work_item_assign(item=drawn["a"], by=official, agent=agents["b"]["agent"])
    assert assert_remembered_is_fresh(agent_user, xa1).listed == before + 1
    collector = Collector.objects.filter(user=agent_user).first()
    collector.is_active = False
    collector.save()
    assert assert_remembered_is_fresh(agent_user, xa1).listed < before + 1

    # the lists drawn again and items removed
    services.work_item_move(item=drawn["b"], kind=ListKind.LAPSED, by=official)
    assert_remembered_is_fresh(official, xa1)
    WorkItem.objects.filter(pk=drawn["b"].pk).delete()
    assert assert_remembered_is_fresh(official, xa1).listed == total.listed - 1
    Participant.objects.get(pk=people["moved"].pk).delete()
    assert_remembered_is_fresh(official, xa1)
    for kind in ListKind.values:
        services.work_list_draw(unit=xa1, month=MONTH, kind=kind, by=official)
    assert_remembered_is_fresh(official, xa1)


def test_the_dashboard_shows_the_remembered_funnel(client, registry, official, drawn):
    from django.urls import reverse

    client.force_login(official)
    unit = registry["xa1"]
    url = reverse("dashboard:unit", args=[unit.pk]) + f"?thang={JUNE.key}"
    first = client.get(url)
    services.contact_record(item=drawn["a"], by=official, contacted_on=D(2024, 6, 10), outcome=Outcome.MET)
    second = client.get(url)
    assert _lines(first.context["drive_funnel"])[-1][2] == 0
    assert _lines(second.context["drive_funnel"])[-1][2] == 1
