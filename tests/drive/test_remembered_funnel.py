"""The dashboard's funnel is remembered (bhxh_portal.memo) and never outlives a write it depends on:
after every kind of write of drive.tally's list, the remembered funnel is the one computed afresh."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from drive import selectors, services
from drive.models import Outcome
from units.periods import Period

from .conftest import D, MONTH
from .walks import walk_every_write

JUNE = Period.containing(MONTH)


def _lines(lines):
    return [(line.key, line.listed, line.contacted, line.promised, line.from_activity, line.enrolled, line.due,
             line.renewed) for line in lines]


def assert_remembered_is_fresh(user, unit):
    remembered = selectors.dashboard_funnel(user, unit, JUNE)
    assert _lines(remembered) == _lines(selectors.funnel_summary(user=user, unit=unit, month=MONTH))
    return remembered[-1]


def test_the_funnel_is_remembered_until_a_write_it_depends_on(registry, official, agents, drawn):
    xa1 = registry["xa1"]
    total = assert_remembered_is_fresh(official, xa1)
    assert (total.listed, total.contacted) == (7, 0)
    with CaptureQueriesContext(connection) as remembered:
        selectors.dashboard_funnel(official, xa1, JUNE)
    assert len(remembered) == 0

    walk_every_write(registry=registry, official=official, agents=agents, drawn=drawn,
                     check=assert_remembered_is_fresh)


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
