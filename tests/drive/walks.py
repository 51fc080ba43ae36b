"""One walk through every kind of write the drive's funnel depends on, shared by the tests that check
what the funnel reads after each one (the facts kept on the work items, the remembered funnel): a new
writer is added here once and both checks follow it."""

from agents.models import Collector, Participant
from campaigns.activities.services import activity_link_participants
from campaigns.models.activities import ActivityStatus, DriveActivity
from drive import services
from drive.models import Contact, ListKind, Outcome, WorkItem
from drive.rounds import import_round_contacts, row_key

from .conftest import D, MONTH, enrol


def walk_every_write(*, registry, official, agents, drawn, check) -> None:
    """Each write, then `check(user, unit)`, which returns the funnel's total line as it checked it."""
    xa1, people = registry["xa1"], registry["people"]
    total = check(official, xa1)
    assert (total.listed, total.contacted, total.promised, total.enrolled) == (7, 0, 0, 0)
    # a visit from the phone page, a refusal, then a promise recorded later
    services.contact_record(item=drawn["a"], by=official, contacted_on=D(2024, 6, 10), outcome=Outcome.MET)
    services.contact_record(item=drawn["b"], by=official, contacted_on=D(2024, 6, 10), outcome=Outcome.REFUSED,
                            refusal_reason="no_need")
    assert check(official, xa1).contacted == 2
    # the filled round uploaded (bulk)
    report = import_round_contacts(
        f"Mã dòng,Ngày gặp,Kết quả\n{row_key(drawn['a'].pk)},12/06/2024,Hẹn đóng\n".encode(), filename="k.csv",
        unit=xa1, month=MONTH, kind=ListKind.DUE, user=official)
    assert report.ok and report.created == 1
    assert check(official, xa1).promised == 1
    # a sign-up at a conference (bulk items and contacts)
    activity = DriveActivity.objects.create(kind="prospect_conference", organiser=xa1, title="Hội nghị",
                                            planned_start=D(2024, 6, 8), planned_end=D(2024, 6, 8),
                                            status=ActivityStatus.HELD, held_on=D(2024, 6, 8))
    activity_link_participants(activity=activity, by=official, identifiers=[people["lapsed"].bhxh_code])
    assert check(official, xa1).from_activity == 1
    # the registry receives the renewal, then loses it again
    renewal = enrol(people["not_renewed"], "bhyt_hgd", D(2024, 6, 16), D(2025, 6, 15))
    total = check(official, xa1)
    assert (total.enrolled, total.renewed) == (1, 1)
    renewal.delete()
    assert check(official, xa1).enrolled == 0
    # a resident of the population list found in the registry by a số định danh given later
    expired = people["expired_resident"]
    enrol(expired, "bhyt_hgd", D(2024, 6, 1), D(2025, 5, 31))
    assert check(official, xa1).enrolled == 1  # Mai Hết Thẻ, by her số định danh
    expired.personal_id = "001099000099"
    expired.save()
    assert check(official, xa1).enrolled == 0
    someone = Participant.objects.get(pk=people["lapsed"].pk)
    someone.personal_id = "001099000003"  # Lý Chưa Tham Gia's number, and her enrolment in force
    someone.save()
    enrol(someone, "bhxh_tn", D(2024, 5, 1), D(2024, 12, 31))
    assert check(official, xa1).enrolled == 2  # Lý Chưa Tham Gia, and the lapsed rejoined
    # a contact edited then deleted (the admin)
    contact = Contact.objects.get(item=drawn["b"])
    contact.outcome, contact.refusal_reason = Outcome.PAID, ""
    contact.save()
    assert check(official, xa1).promised == 3  # with the sign-up
    contact.delete()
    check(official, xa1)
    # an item assigned to an agent, then moved: the agent's own funnel follows, and its collectors
    agent_user = agents["b"]["user"]
    before = check(agent_user, xa1).listed
    services.work_item_assign(item=drawn["a"], by=official, agent=agents["b"]["agent"])
    assert check(agent_user, xa1).listed == before + 1
    services.work_item_move(item=drawn["a"], kind=ListKind.LAPSED, by=official)
    check(official, xa1)
    check(agent_user, xa1)
    collector = Collector.objects.filter(user=agent_user).first()
    collector.is_active = False
    collector.save()
    assert check(agent_user, xa1).listed < before + 1
    # items removed, a whole participant removed, the lists drawn again
    listed = check(official, xa1).listed
    WorkItem.objects.filter(pk=drawn["b"].pk).delete()
    assert check(official, xa1).listed == listed - 1
    Participant.objects.get(pk=people["moved"].pk).delete()
    check(official, xa1)
    for kind in ListKind.values:
        services.work_list_draw(unit=xa1, month=MONTH, kind=kind, by=official)
    check(official, xa1)
