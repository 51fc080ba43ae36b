"""units.access.ACTIONS and can(): one table of actions, one check, and a menu derived from it."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from portal import navigation
from units import access
from units.models import Role
from tests.factories import UserFactory, make_member, make_unit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POSITIONS = ("own", "child", "parent", "other_province")


@pytest.fixture
def tree():
    """Thừa Thiên Huế → Hương Trà → Hải Dương → thôn 1; Trà Vinh → Càng Long."""
    t = SimpleNamespace()
    t.province = make_unit("Tỉnh Thừa Thiên Huế", level_code="tinh", code="46")
    t.district = make_unit("Thị xã Hương Trà", level_code="huyen", parent=t.province, code="479")
    t.commune = make_unit("Xã Hải Dương", level_code="xa", parent=t.district, code="19996")
    t.village = make_unit("Thôn Hải Dương 1", level_code="thon", parent=t.commune)
    far = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    t.far = make_unit("Huyện Càng Long", level_code="huyen", parent=far, code="844")
    return t


def _expected(rule: access.Rule, role: str, position: str) -> bool:
    """What the rule says, read from its fields: a role on the unit or above, strictly above
    where the rule says so; never on a parent or in another province."""
    if position == "own":
        return role in rule.roles and not rule.strictly_above
    if position == "child":
        return role in rule.roles or role in rule.above_roles
    return False


def test_every_action_for_every_role_on_its_own_unit_a_child_a_parent_and_another_province(tree):
    users = {role: make_member(tree.district, role) for role in Role.values}
    units = {"own": tree.district, "child": tree.commune, "parent": tree.province, "other_province": tree.far}
    wrong = [
        (action, role, position)
        for action, rule in access.ACTIONS.items()
        for role in Role.values
        for position in POSITIONS
        if access.can(users[role], action, units[position]) != _expected(rule, role, position)
    ]
    assert wrong == []


@pytest.mark.parametrize("action, role, own, child", [
    # Whoever may enter results enters them, at their own unit and below.
    ("results.enter", Role.COMMUNE_OFFICIAL, True, True),
    ("results.enter", Role.BHXH_STAFF, True, True),
    ("results.enter", Role.ADMINISTRATOR, True, True),
    ("results.enter", Role.LEADER, False, False),
    ("results.enter", Role.COLLECTION_AGENT, False, False),
    # The level above approves, returns, reopens: never the unit itself.
    ("results.approve", Role.BHXH_STAFF, False, True),
    ("results.approve", Role.LEADER, False, True),
    ("results.approve", Role.ADMINISTRATOR, False, True),
    ("results.approve", Role.COMMUNE_OFFICIAL, False, False),
    ("results.return", Role.LEADER, False, True),
    ("results.reopen", Role.BHXH_STAFF, False, True),
    ("targets.assign", Role.BHXH_STAFF, False, True),
    ("targets.assign", Role.COMMUNE_OFFICIAL, False, False),
    ("units.change", Role.ADMINISTRATOR, False, True),
    # A commune official enters the population of the commune's villages, not the commune's own.
    ("demographics.enter", Role.COMMUNE_OFFICIAL, False, True),
    ("demographics.enter", Role.LEADER, True, True),
    # Administrators record receipts; commune officials import nothing of the participants.
    ("collections.record", Role.ADMINISTRATOR, True, True),
    ("collections.record", Role.COMMUNE_OFFICIAL, False, False),
    ("participants.import", Role.COMMUNE_OFFICIAL, False, False),
    ("participants.view_full_id", Role.LEADER, False, False),
    ("documents.approve", Role.LEADER, True, True),
    ("documents.approve", Role.BHXH_STAFF, False, False),
])
def test_the_rules_the_portal_promises(tree, action, role, own, child):
    user = make_member(tree.commune, role)
    assert access.can(user, action, tree.commune) is own
    assert access.can(user, action, tree.village) is child
    assert not access.can(user, action, tree.far)


def test_superusers_may_do_everything_anonymous_visitors_nothing(tree):
    root = UserFactory(is_superuser=True)
    for action in access.ACTIONS:
        assert access.can(root, action, tree.far)
        assert access.can_any(root, action)
        assert not access.can(AnonymousUser(), action, tree.commune)
        assert not access.can_any(AnonymousUser(), action)


def test_an_unknown_action_is_a_programming_error(tree):
    with pytest.raises(LookupError, match="ACTIONS"):
        access.can(UserFactory(is_superuser=True), "results.enterr", tree.commune)


def test_can_any_and_units_where_agree_with_can(tree):
    staff = make_member(tree.commune, Role.BHXH_STAFF)
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    units = [tree.province, tree.district, tree.commune, tree.village, tree.far]
    for user in (staff, official):
        for action in access.ACTIONS:
            where = set(access.units_where(user, action).values_list("pk", flat=True))
            assert where == {u.pk for u in units if access.can(user, action, u)}, action
            rule = access.ACTIONS[action]
            assert access.can_any(user, action) == any(
                g.role in rule.roles | rule.above_roles for g in access.grants_of(user)), action
    assert access.can_any(official, "results.enter") and not access.can_any(official, "participants.import")


# --- every action named in the code is a row of the table ---------------------------------------

CHECKS = {"can": 1, "can_any": 1, "units_where": 1, "action_q": 1}


def _python_files():
    skip = {".venv", "node_modules", ".git", "migrations"}
    for path in ROOT.rglob("*.py"):
        if not skip & set(path.relative_to(ROOT).parts):
            yield path


def _named_actions() -> dict[str, list[str]]:
    """Every string literal passed as the action of can()/can_any()/units_where()/action_q(),
    as a MenuEntry's action, or as a value of a dict named *_RULES."""
    found: dict[str, list[str]] = {}

    def note(node, where):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.setdefault(node.value, []).append(where)

    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in CHECKS and len(node.args) > CHECKS[name]:
                    note(node.args[CHECKS[name]], where)
                if name == "MenuEntry":
                    if len(node.args) > 2:
                        note(node.args[2], where)
                    for kw in node.keywords:
                        if kw.arg == "action":
                            note(kw.value, where)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                    isinstance(t, ast.Name) and t.id.endswith("_RULES") for t in node.targets):
                for value in node.value.values:
                    note(value, where)
            if isinstance(node, ast.Subscript) and getattr(node.value, "attr", getattr(node.value, "id", "")) == (
                    "ACTIONS"):
                note(node.slice, where)
    return found


def test_every_action_named_in_the_code_is_in_the_table():
    named = _named_actions()
    assert {"results.enter", "results.approve", "collections.record", "drive.oversee"} <= set(named)
    unknown = {name: where for name, where in named.items() if name not in access.ACTIONS}
    unknown.pop("results.enterr", None)  # the test above names it on purpose
    assert unknown == {}


def test_every_menu_entry_names_a_known_action():
    assert [e.label for e in navigation.MENU if e.action is not None and e.action not in access.ACTIONS] == []


def test_no_module_but_units_access_checks_roles_itself():
    """The rule lives in the table: code outside units.access asks can(), never has_role() or
    a role set of its own."""
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "tests" or relative == Path("units/access.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("has_role(", "_ROLES = ", "in access.roles_of(", "& access.roles_of("):
            if needle in text:
                offenders.append(f"{relative}: {needle}")
    assert offenders == []


# --- the menu never offers what answers 403 --------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return get_user_model().objects.filter(is_active=True).order_by("username")


def test_every_menu_entry_of_every_demo_login_answers_200(client, demo):
    refused = []
    for user in demo:
        client.force_login(user)
        for entry in navigation.menu_for(user):
            response = client.get(entry["url"], follow=True)
            if response.status_code != 200:
                refused.append((user.username, entry["label"], entry["url"], response.status_code))
    assert refused == []


def test_the_menu_offers_each_demo_login_what_its_roles_may_do(demo):
    def labels(username):
        return {e["label"] for e in navigation.menu_for(demo.get(username=username))}

    assert "Nhập kết quả" in labels("canbo.haiduong")
    assert "Nhập kết quả" in labels("bhxh.canglong")  # BHXH staff may enter too
    assert "Nhập kết quả" in labels("quantri.travinh")
    assert "Đại lý thu" in labels("quantri.travinh")  # administrators may record receipts
    assert not {"Nhập danh sách", "Đại lý thu", "Duyệt kết quả"} & labels("canbo.haiduong")
    assert "Nhập kết quả" not in labels("daily.haiduong")
    assert "Quản trị" in labels("admin") and "Quản trị" not in labels("quantri.travinh")
