"""Demo of the door-to-door drive, idempotent: Xã Hải Dương in June 2022 (the month most of the
agent's 2021 household cards end), with its population list, the month's three lists drawn and
given to the thôn, some people given to the agent's collector Phạm Văn Tâm (daily.haiduong), and
the first visits recorded by the commune official canbo.haiduong."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from agents.models import Collector
from units.models import Membership, Role, Unit

from . import services
from .importers import import_residents
from .models import Contact, ListKind, Outcome, RefusalReason, WorkItem

MONTH = datetime.date(2022, 6, 1)
D = datetime.date
# (bhxh code, outcome, refusal reason, day, next date, note): the first round of visits
VISITS = [
    ("4602100004", Outcome.PROMISED, "", D(2022, 6, 6), D(2022, 6, 20), "Hẹn đóng cả hộ khi bán lúa"),
    ("4602100008", Outcome.MET, "", D(2022, 6, 6), D(2022, 6, 13), ""),
    ("4602100023", Outcome.REFUSED, RefusalReason.CANNOT_AFFORD, D(2022, 6, 7), None, "Xin chờ xét hộ cận nghèo"),
    ("4602100013", Outcome.NOT_MET, "", D(2022, 6, 7), D(2022, 6, 9), "Đi làm xa, đã gặp vợ"),
    ("4602100026", Outcome.PAID, "", D(2022, 6, 8), None, "Đã nộp tại đại lý"),
]
COLLECTOR = "Phạm Văn Tâm"


@transaction.atomic
def load_drive_demo() -> str:
    from bhxh_portal.demo import FIXTURES, DemoDataError

    commune = Unit.objects.valid_on(MONTH).get(code="HDUONG")
    official, _ = get_user_model().objects.get_or_create(username="canbo.haiduong")
    Membership.objects.get_or_create(user=official, unit=commune, role=Role.COMMUNE_OFFICIAL)
    path = FIXTURES / "demo_residents_hai_duong.csv"
    report = import_residents(path.read_bytes(), filename=path.name, commune=commune, user=official)
    if not report.ok:
        raise DemoDataError("\n".join(str(m) for m in report.messages))
    drawn = sum(services.work_list_draw(unit=commune, month=MONTH, kind=kind, by=official) for kind in ListKind)
    collector = Collector.objects.filter(agent__unit=commune, full_name=COLLECTOR).first()
    items = {i.participant.bhxh_code: i for i in WorkItem.objects.filter(month=MONTH, commune=commune,
                                                                         participant__isnull=False)
             .select_related("participant")}
    given = 0
    if collector is not None:
        # the agent's collector takes the household cards of the month and the people who stopped
        for item in items.values():
            if item.collector_id is None and item.kind in (ListKind.DUE, ListKind.LAPSED):
                services.work_item_assign(item=item, by=official, collector=collector)
                given += 1
    visits = 0
    for code, outcome, reason, day, next_date, note in VISITS:
        item = items.get(code)
        if item is None or Contact.objects.filter(item=item, contacted_on=day, outcome=outcome).exists():
            continue
        services.contact_record(item=item, by=official, contacted_on=day, outcome=outcome, refusal_reason=reason,
                                note=note, next_date=next_date)
        visits += 1
    return (f"Vận động xã Hải Dương tháng 06/2022: {report.summary()} {drawn} người mới vào danh sách, "
            f"{given} người giao cho nhân viên thu {COLLECTOR}, {visits} lần gặp mới.")
