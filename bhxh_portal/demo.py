"""Demo data drawn from the reference plans: loads units, then each app's data, then the demo logins.

Every step is idempotent: running it twice leaves the same database.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bhxh_portal.imports import load_dataset, run_resource_import
from units.models import Membership, Role, Unit
from units.resources import UnitResource

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


def import_fixture(name: str, resource) -> str:
    """Import fixtures/<name> through the same resource as an upload (all rows or none); the summary."""
    path = FIXTURES / name
    report = run_resource_import(resource, load_dataset(path), filename=path.name)
    if not report.ok:
        raise DemoDataError("\n".join(report.messages()))
    return report.summary()


def load_units() -> str:
    return import_fixture("demo_units.csv", UnitResource())


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
        user.email = row.get("email") or user.email
        user.is_staff = False  # administrators work in the portal (/quan-ly/); the admin is superusers'
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, unit=unit, role=row["role"])
        logins.append(DemoLogin(user.username, DEMO_PASSWORD, Role(row["role"]).label, unit.name))
    return logins


@transaction.atomic
def load_demo() -> tuple[list[str], list[DemoLogin]]:
    summaries = [step() for step in STEPS]
    return summaries, load_users()


# The steps in order; each app's loader reads what the steps before it wrote. The imports are down
# here because those modules read FIXTURES and DemoDataError from this one.
from agents.demo import load_agents_demo  # noqa: E402
from campaigns.activities.demo import load_activities_demo  # noqa: E402
from campaigns.documents.demo import load_plans  # noqa: E402
from campaigns.programmes.demo import load_programmes_demo  # noqa: E402
from drive.demo import load_drive_demo  # noqa: E402
from notices.demo import load_notices_demo  # noqa: E402
from targets.demo import load_targets_demo  # noqa: E402
from results.demo import load_results_demo  # noqa: E402
from targets.demo_schools import load_schools_demo  # noqa: E402

STEPS = [
    load_units,
    load_targets_demo,  # denominators of Càng Long 2023, the targets of the 2021 and 2023 plans
    load_results_demo,  # Càng Long May and June 2023, Hải Dương 2021; right after the targets
    load_schools_demo,  # Càng Long's schools and their pupils' BHYT 2022-2023 (the plan's appendix)
    load_agents_demo,  # the Hải Dương and Càng Long agents, their lists
    load_activities_demo,  # Bình Định's October 2024 activity plan
    load_programmes_demo,  # the Bắc Ninh programme of Nghị quyết 03/2021/NQ-HĐND
    load_notices_demo,  # the e-mail notice schedules of Càng Long and Hải Dương; needs only the units
    load_drive_demo,  # the door-to-door drive: Hải Dương's lists of June 2022, visits; after the agents
    load_plans,  # a draft of each reference plan; last, it reads everything above
]
