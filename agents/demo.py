"""Demo data of participants, agents and collections; idempotent (a second run changes nothing).

- Xã Hải Dương (2021 plan): the commune agent "Đại lý BHYT, BHXH xã Hải Dương" (the targets demo
  gives it 10 newly mobilised BHXH TN for 2021) with its collector Phạm Văn Tâm (login
  daily.haiduong); 36 participants of the six thôn, imported from fixtures through the same bulk
  import as an upload, and one receipt per enrolment.
- Huyện Càng Long (2023): the Bưu điện agent serving the 14 communes; 60 participants; receipts.
- The Bắc Ninh 2021–2025 top-up (Nghị quyết 03/2021/NQ-HĐND) when the province is in the tree.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from units.models import Unit

from .contributions import RuleBook
from .importers import ParticipantImport
from .models import Agent, AgentKind, Collection, Collector, Enrolment, LocalTopUp, Product

HAI_DUONG_AGENT = "Đại lý BHYT, BHXH xã Hải Dương"
CANG_LONG_AGENT = "Bưu điện huyện Càng Long"
BAC_NINH_PROGRAMME = "Nghị quyết 03/2021/NQ-HĐND tỉnh Bắc Ninh: hỗ trợ người tham gia BHXH tự nguyện"


def _bac_ninh_top_up() -> str:
    from decimal import Decimal

    # the province the resolution was made for (Bắc Ninh before the 2025 merger, if the tree has both)
    province = Unit.objects.valid_on(datetime.date(2021, 8, 1)).filter(code="27", parent__isnull=True).first()
    if province is None:
        return "Không có tỉnh Bắc Ninh (27): bỏ qua hỗ trợ thêm của tỉnh."

    LocalTopUp.objects.update_or_create(
        province=province, product=Product.objects.get(code="bhxh_tn"), programme=BAC_NINH_PROGRAMME,
        valid_from=datetime.date(2021, 8, 1),
        defaults={"percent": Decimal("30"), "basis": "poverty_line_contribution", "amount": None,
                  "valid_to": datetime.date(2025, 12, 31),
                  "legal_basis": "Nghị quyết 03/2021/NQ-HĐND ngày 16/7/2021; Kế hoạch UBND tỉnh Bắc Ninh 23/9/2021"})
    return "Hỗ trợ thêm của tỉnh Bắc Ninh 2021–2025: 30% mức đóng theo chuẩn nghèo (46.200 đ/tháng năm 2021)."


def _agent(*, unit_code: str, name: str, kind: str, communes: list[str], collectors: list[tuple[str, str | None]],
           on: datetime.date):
    # the units of the list's date: a tree with the 2025 mergers has other units under these codes today
    unit = Unit.objects.valid_on(on).get(code=unit_code)
    agent, _ = Agent.objects.get_or_create(unit=unit, name=name, defaults={"kind": kind})
    if agent.kind != kind:
        agent.kind = kind
        agent.save(update_fields=["kind"])
    agent.communes.set(Unit.objects.valid_on(on).filter(code__in=communes))
    User = get_user_model()
    for full_name, username in collectors:
        user = User.objects.get_or_create(username=username)[0] if username else None
        Collector.objects.update_or_create(agent=agent, full_name=full_name, defaults={"user": user})
    return agent


def _receipts(agent: Agent, prefix: str, recorder) -> int:
    """One receipt per enrolment the agent collected for, on its start date, for the amount paid."""
    rules = RuleBook.load()
    collector = agent.collectors.order_by("pk").first()
    created = 0
    enrolments = (Enrolment.objects.filter(agent=agent).select_related("participant__commune", "product")
                  .order_by("valid_from", "participant__bhxh_code", "pk"))
    for number, enrolment in enumerate(enrolments, start=1):
        quote = rules.quote(product=enrolment.product, on=enrolment.valid_from, income=enrolment.chosen_income,
                            months=enrolment.months, group=enrolment.support_group,
                            member_order=enrolment.household_member_order,
                            unit_path=enrolment.participant.commune.path)
        _, made = Collection.objects.get_or_create(
            agent=agent, receipt_number=f"{prefix}{number:05d}",
            defaults={"collected_on": enrolment.valid_from, "participant": enrolment.participant,
                      "product": enrolment.product, "months": enrolment.months,
                      "amount": enrolment.amount_paid or quote.total_due, "expected_amount": quote.total_due,
                      "collector": collector, "enrolment": enrolment, "recorded_by": recorder})
        created += made
    return created


@transaction.atomic
def load_agents_demo() -> str:
    from bhxh_portal.demo import FIXTURES, DemoDataError

    lines = [_bac_ninh_top_up()]
    User = get_user_model()
    hai_duong = _agent(unit_code="HDUONG", name=HAI_DUONG_AGENT, kind=AgentKind.COMMUNE, communes=["HDUONG"],
                       collectors=[("Phạm Văn Tâm", "daily.haiduong")], on=datetime.date(2021, 1, 1))
    cang_long = _agent(unit_code="CL", name=CANG_LONG_AGENT, kind=AgentKind.POST_OFFICE,
                       communes=[f"CL{i:02d}" for i in range(1, 15)],
                       collectors=[("Nguyễn Văn Bưu", None), ("Trần Thị Thu", None)], on=datetime.date(2023, 1, 1))
    for agent, name, prefix, recorder, on in (
        (hai_duong, "demo_participants_hai_duong.csv", "HD21-", "daily.haiduong", datetime.date(2021, 1, 1)),
        (cang_long, "demo_participants_cang_long.csv", "BDCL23-", "bhxh.canglong", datetime.date(2023, 1, 1)),
    ):
        path = FIXTURES / name
        importer = ParticipantImport(user=None, scope=agent.unit, dry_run=False, trusted=True, units_on=on)
        outcome, _ = importer.run(path.read_bytes(), filename=path.name)
        if outcome.invalid:
            raise DemoDataError("\n".join(f"{path.name} dòng {p['line']}: {p['message']}" for p in outcome.problems))
        receipts = _receipts(agent, prefix, User.objects.get_or_create(username=recorder)[0])
        lines.append(f"{agent.name}: {outcome.summary()} Biên lai mới: {receipts}.")
    return "\n".join(lines)
