"""The demo's unit tree and its logins (fixtures/demo_units.csv, demo_users.csv): the first step of
`manage.py load_demo` and what every other app's demo data hangs on."""

from django.contrib.auth import get_user_model

from bhxh_portal.demo import DEMO_PASSWORD, FIXTURES, DemoLogin, import_fixture
from bhxh_portal.imports import load_dataset
from units.models import Membership, Role, Unit
from units.resources import UnitResource


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
