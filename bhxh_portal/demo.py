"""Demo data drawn from the reference plans: loads units, then each app's data, then the demo logins.

Every step is idempotent: running it twice leaves the same database.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bhxh_portal.imports import load_dataset, run_resource_import
from targets.models import Membership, Role, Unit
from targets.resources import UnitResource

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "bhxh-demo-2025"


class DemoDataError(Exception):
    pass


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


def load_units() -> str:
    path = FIXTURES / "demo_units.csv"
    report = run_resource_import(UnitResource(), load_dataset(path), filename=path.name)
    if not report.ok:
        raise DemoDataError("\n".join(report.messages()))
    return report.summary()


def load_users() -> list[DemoLogin]:
    User = get_user_model()
    logins = []
    admin, _ = User.objects.get_or_create(username="admin", defaults={"first_name": "Quản trị hệ thống"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    logins.append(DemoLogin("admin", DEMO_PASSWORD, "Quản trị hệ thống (toàn quyền)", "Toàn quốc"))
    units = {u.code: u for u in Unit.objects.current()}
    dataset = load_dataset(FIXTURES / "demo_users.csv")
    for row in dataset.dict:
        unit = units[row["unit_code"]]
        user, _ = User.objects.get_or_create(username=row["username"])
        user.first_name = row["full_name"]
        user.is_staff = row["role"] == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, unit=unit, role=row["role"])
        logins.append(DemoLogin(user.username, DEMO_PASSWORD, Role(row["role"]).label, unit.name))
    return logins


# Later issues add their loaders (demographics, targets, results ...) to this list.
STEPS = [load_units]


@transaction.atomic
def load_demo() -> tuple[list[str], list[DemoLogin]]:
    summaries = [step() for step in STEPS]
    return summaries, load_users()


# Targets (issue #4): denominators of Càng Long 2023, the targets of the 2021 and 2023 plans.
from targets.demo import load_targets_demo  # noqa: E402

STEPS.append(load_targets_demo)


# Participants, agents and collections (issue #7): the Hải Dương and Càng Long agents, their lists.
from agents.demo import load_agents_demo  # noqa: E402

STEPS.append(load_agents_demo)


# Plans and reports (issue #8): a draft of each of the five reference plans. Keep it last: the
# drafts read the targets, the agents and the provincial programmes loaded above.
from campaigns.demo import load_plans  # noqa: E402

STEPS.append(load_plans)


# Drive activities and support programmes (issue #9): Bình Định's October 2024 activity plan, the
# Bắc Ninh programme of Nghị quyết 03/2021/NQ-HĐND.
from campaigns.demo_activities import load_activities_demo, load_programmes_demo  # noqa: E402

# Before the plan drafts, which stay last (a monthly plan's schedule may read the activities).
STEPS[STEPS.index(load_plans):STEPS.index(load_plans)] = [load_activities_demo, load_programmes_demo]


# Monthly results (issue #5): Càng Long May and June 2023, Hải Dương 2021; right after the targets.
from targets.demo_results import load_results_demo  # noqa: E402

STEPS.insert(STEPS.index(load_targets_demo) + 1, load_results_demo)


# Schools of Càng Long and their pupils' BHYT 2022-2023 (issue #6, the plan's appendix).
from targets.demo_schools import load_schools_demo  # noqa: E402

STEPS.insert(STEPS.index(load_targets_demo) + 1, load_schools_demo)
