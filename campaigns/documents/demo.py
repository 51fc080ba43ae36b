"""Demo plans: a draft of each of the five kinds of the reference plans, for the demo units.

Runs after the other apps' demo steps (their targets and agents are then in place) and is
idempotent: a plan already made for the unit, kind and year is left as it is.
"""

import datetime

from units.models import Unit

from ..models import PlanDocument
from .services import document_create_from_starter, document_update

# unit code, starter, year, month, what the reference plan printed
PLANS = [
    ("HDUONG", "commune-drive", 2021, None, {"number": "162", "issued_on": datetime.date(2021, 3, 19)}),
    ("CL", "district-half-year", 2023, 6, {"number": "295", "issued_on": datetime.date(2023, 7, 31)}),
    ("HHOA", "district-yearly", 2020, None, {}),
    ("52", "province-monthly", 2024, 10, {}),
    ("27", "programme", 2021, None, {"issued_on": datetime.date(2021, 9, 23)}),
]


def load_plans() -> str:
    from units.demo import load_users

    load_users()  # the plans name their signer: the unit's leader must exist first
    made = 0
    for code, kind, year, month, printed in PLANS:
        # the unit the plan was written for, in force in its year (or month)
        unit = Unit.objects.valid_on(datetime.date(year, month or 1, 1)).filter(code=code).first()
        if unit is None or PlanDocument.objects.filter(unit=unit, starter=kind, year=year, version=1).exists():
            continue
        document = document_create_from_starter(kind=kind, unit=unit, year=year, month=month)
        if printed:
            document_update(document=document, values=printed)
        made += 1
    return f"Kế hoạch mẫu: tạo {made} dự thảo ({PlanDocument.objects.count()} văn bản trong hệ thống)."
