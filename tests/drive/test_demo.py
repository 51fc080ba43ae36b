"""The demo gives Xã Hải Dương a month of drive: lists, a population list, visits; each role sees its work."""


import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from drive import selectors
from drive.demo import MONTH
from drive.models import Contact, Resident, WorkItem
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_gives_hai_duong_a_month_of_drive_and_each_role_its_work(client):
    call_command("load_demo")
    commune = Unit.objects.valid_on(MONTH).get(code="HDUONG")
    counts = (Resident.objects.count(), WorkItem.objects.count(), Contact.objects.count())
    assert counts[0] == 8 and counts[2] == 5
    kinds = set(WorkItem.objects.filter(commune=commune, month=MONTH).values_list("kind", flat=True))
    assert kinds == {"due", "lapsed", "uninsured"}
    User = get_user_model()
    official, agent = User.objects.get(username="canbo.haiduong"), User.objects.get(username="daily.haiduong")
    total = selectors.funnel(user=official, unit=commune, month=MONTH)[-1]
    assert total.listed == counts[1] and total.contacted == 5 and total.promised == 2
    mine = selectors.work_rows(user=agent, unit=commune, month=MONTH, kind="due")
    assert mine and all("Phạm Văn Tâm" in r.assigned_to for r in mine)
    client.force_login(agent)
    url = reverse("drive:work_list", kwargs={"pk": commune.pk, "month": "2022-06", "kind": "due"})
    assert "Huỳnh Minh Trang" in client.get(url).content.decode()
    call_command("load_demo")  # a second run changes nothing
    assert (Resident.objects.count(), WorkItem.objects.count(), Contact.objects.count()) == counts
