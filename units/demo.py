"""The demo's unit tree and its logins (fixtures/demo_units.csv, demo_users.csv): the first step of
`manage.py load_demo` and what every other app's demo data hangs on."""

from collections import defaultdict

from django.contrib.auth import get_user_model

from bhxh_portal.demo import DEMO_PASSWORD, FIXTURES, DemoLogin, import_fixture
from bhxh_portal.imports import load_dataset
from bhxh_portal.search import fold_text
from units.models import Membership, Role, Unit
from units.resources import UnitResource
from units.services.official_units import NEW_FROM, OLD_TO, official_dataset, official_units_load


def load_units() -> str:
    return import_fixture("demo_units.csv", UnitResource())


def load_official_tree() -> str:
    """Today's official tree over the reference plans' units, which all end on 30/6/2025: the 34
    provinces and their communes from 1/7/2025, each new province linked to the old ones it took in,
    and each hand-typed commune to the new commune(s) its official namesake went into."""
    report = official_units_load()
    linked = demo_communes_link()
    return "\n".join([*report.lines(), f"  Xã mẫu nối với xã hiện nay: {linked}."])


def demo_communes_link() -> int:
    """Link the demo communes (made-up codes) to their successors by name: a hand-typed district
    matches the official old district of the same name in its province, a commune the official
    old commune of the same name in that district (or the only one of that name in the province, the
    plans' districts being those of their year); the new communes formed from it succeed it.
    A commune without a namesake is left to its province's successor. Returns the links added."""
    data = official_dataset()
    successors = defaultdict(set)  # old official commune code -> new commune codes
    for (level, new_code), olds in data.links.items():
        for old_level, old_code in olds:
            if level == old_level == "xa":
                successors[old_code].add(new_code)
    district_code = {(r.parent_code, fold_text(r.name)): r.code for r in data.old_districts}
    commune_code = {(r.parent_code, fold_text(r.name)): r.code for r in data.old_communes}
    province_of = {r.code: r.parent_code for r in data.old_districts}
    in_province = defaultdict(list)  # a commune the plan places under another district of its province
    for r in data.old_communes:
        in_province[(province_of[r.parent_code], fold_text(r.name))].append(r.code)
    new_communes = {u.code: u for u in Unit.objects.valid_on(NEW_FROM).filter(level__code="xa")}
    through = Unit.predecessors.through
    wanted = set()
    old_communes = Unit.objects.filter(valid_to=OLD_TO, code_is_official=False, level__code="xa",
                                       parent__level__code="huyen").select_related("parent__parent")
    for commune in old_communes:
        district = commune.parent
        official_district = district_code.get((district.parent.code, fold_text(district.name)))
        official_commune = commune_code.get((official_district, fold_text(commune.name)))
        namesakes = in_province[(district.parent.code, fold_text(commune.name))]
        if official_commune is None and len(namesakes) == 1:
            official_commune = namesakes[0]
        for new_code in successors.get(official_commune, ()):
            wanted.add((new_communes[new_code].pk, commune.pk))
    have = set(through.objects.filter(to_unit_id__in=[b for _, b in wanted]).values_list("from_unit_id", "to_unit_id"))
    through.objects.bulk_create([through(from_unit_id=a, to_unit_id=b) for a, b in wanted - have])
    return len(wanted - have)


def load_users() -> list[DemoLogin]:
    User = get_user_model()
    logins = []
    admin, _ = User.objects.get_or_create(username="admin", defaults={"first_name": "Quản trị hệ thống"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    logins.append(DemoLogin("admin", DEMO_PASSWORD, "Quản trị hệ thống (toàn quyền)", "Toàn quốc"))
    # the demo users work on the reference plans' data (2019-2025): they keep their old units, whose
    # pages show that history; the units' successors since 1/7/2025 are not theirs by default
    units = {u.code: u for u in Unit.objects.valid_on(OLD_TO)}
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
