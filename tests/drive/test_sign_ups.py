"""Sign-ups at a conference or small-group session enter the month's lists as promised contacts."""

import pytest
from django.urls import reverse

from campaigns.models.activities import ActivityStatus, DriveActivity
from campaigns.activities.services import activity_link_participants
from drive import selectors, services
from drive.models import Contact, ListKind, Outcome, WorkItem

from .conftest import D, MONTH, person


def session(unit, kind="prospect_conference"):
    return DriveActivity.objects.create(kind=kind, organiser=unit, title="Hội nghị khách hàng thôn Đông",
                                        planned_start=D(2024, 6, 8), planned_end=D(2024, 6, 8),
                                        status=ActivityStatus.HELD, held_on=D(2024, 6, 8))


def test_linked_sign_ups_become_promises_on_their_list(registry, official):
    people = registry["people"]
    never = person("Tạ Chưa Có Thẻ", registry["dong"])  # in the registry, nothing in force
    activity = session(registry["xa1"])
    linked, missing = activity_link_participants(
        activity=activity, by=official,
        identifiers=[people["not_renewed"].bhxh_code, people["lapsed"].personal_id, never.bhxh_code,
                     people["insured_resident"].bhxh_code, "999"])
    assert linked == 4 and missing == ["999"]
    items = {i.participant_id: i for i in WorkItem.objects.filter(month=MONTH)}
    assert items[people["not_renewed"].pk].kind == ListKind.DUE
    assert items[people["lapsed"].pk].kind == ListKind.LAPSED
    assert items[never.pk].kind == ListKind.UNINSURED
    assert people["insured_resident"].pk not in items  # insured: nothing to promise
    contacts = Contact.objects.filter(activity=activity)
    assert contacts.count() == 3 and {c.outcome for c in contacts} == {Outcome.PROMISED}
    assert all(c.contacted_on == D(2024, 6, 8) and "hội nghị khách hàng" in c.note for c in contacts)
    total = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1]
    assert (total.listed, total.promised, total.from_activity) == (3, 3, 3)


def test_linking_again_records_nothing_twice_and_keeps_the_assignee(registry, official, agents):
    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=ListKind.DUE, by=official)
    item = WorkItem.objects.get(participant=registry["people"]["not_renewed"])
    services.work_item_assign(item=item, by=official, collector=agents["a"]["collector"])
    activity = session(registry["xa1"], kind="small_group")
    code = registry["people"]["not_renewed"].bhxh_code
    activity_link_participants(activity=activity, identifiers=[code], by=official)
    activity_link_participants(activity=activity, identifiers=[code], by=official)
    item.refresh_from_db()
    assert item.contacts.filter(activity=activity).count() == 1 and item.collector == agents["a"]["collector"]
    assert services.activity_sign_ups_record(activity=activity, by=official) == 0


def test_an_employer_conference_is_not_a_door_to_door_promise(registry, official):
    activity = session(registry["xa1"], kind="employer_conference")
    activity_link_participants(activity=activity, identifiers=[registry["people"]["not_renewed"].bhxh_code],
                               by=official)
    assert not Contact.objects.exists()


def test_a_registry_person_put_on_the_uninsured_list_is_shown_there(client, registry, official):
    never = person("Tạ Chưa Có Thẻ", registry["dong"])
    activity_link_participants(activity=session(registry["xa1"]), identifiers=[never.bhxh_code], by=official)
    client.force_login(official)
    url = reverse("drive:work_list", kwargs={"pk": registry["xa1"].pk, "month": "2024-06", "kind": "uninsured"})
    text = client.get(url).content.decode()
    assert "Tạ Chưa Có Thẻ" in text and "Hẹn đóng" in text


@pytest.mark.parametrize("fmt", ["csv"])
def test_funnel_download_has_the_sign_up_column(client, registry, official, fmt):
    activity_link_participants(activity=session(registry["xa1"]),
                               identifiers=[registry["people"]["not_renewed"].bhxh_code], by=official)
    client.force_login(official)
    url = reverse("drive:funnel", kwargs={"pk": registry["xa1"].pk, "month": "2024-06"})
    assert "đăng ký tại hội nghị" in client.get(url + f"?dinh_dang={fmt}").content.decode("utf-8-sig")
