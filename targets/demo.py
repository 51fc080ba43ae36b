"""Demo data of denominators and targets, from the reference plans; idempotent (a second run changes nothing).

- Càng Long 2023: the population of the district and its 14 communes at 30/6/2023 and the
  district's labour force (golden/cang_long_2023-06_bhyt.csv); BHYT 95% assigned to every commune
  and the district; the district's BHXH 22,69%, BHXH TN 6,17%, BHTN 15,66% of the labour force.
- Hải Dương 2021: Thị xã Hương Trà assigns 37 newly mobilised BHXH TN (Quyết định 324/QĐ-UBND
  ngày 15/3/2021), the commune sets itself 40, split six thôn × 5 and the commune agent 10; with
  BHYT HGĐ 3.300, cận nghèo 152 and BHXH TN 115 (78 renewing).
- Hướng Hóa 2019/2020 (golden/huong_hoa_2019_evaluation.csv): labour force 49.923, required to join
  BHXH 5.400, voluntary eligible 45.079, required to join BHTN 4.427; the 2019 targets the province
  gave (BHXH 5.454, bắt buộc 4.826, tự nguyện 628, BHTN 3.851) and the 2020 targets (6.450, 5.200,
  1.250, 4.342; Kế hoạch 1086/KH-UBND ngày 18/3/2020 của UBND tỉnh Quảng Trị).
"""

import datetime


from units.models import Agent, AgentKind, Unit

from targets.resources import DemographicsResource, TargetResource

HAI_DUONG_AGENT = "Đại lý BHYT, BHXH xã Hải Dương"


def ensure_demo_agent() -> str:
    """The commune agent of Hải Dương; the agents demo may create it too (same unit and name)."""
    commune = Unit.objects.valid_on(datetime.date(2021, 1, 1)).get(code="HDUONG")  # the commune of the 2021 plan
    _, created = Agent.objects.get_or_create(unit=commune, name=HAI_DUONG_AGENT,
                                             defaults={"kind": AgentKind.COMMUNE})
    return f"Đại lý thu mẫu: {HAI_DUONG_AGENT} ({'đã tạo' if created else 'đã có'})."


def load_targets_demo() -> str:
    from bhxh_portal.demo import import_fixture

    return "\n".join([ensure_demo_agent(), import_fixture("demo_demographics.csv", DemographicsResource()),
                      import_fixture("demo_targets.csv", TargetResource())])
