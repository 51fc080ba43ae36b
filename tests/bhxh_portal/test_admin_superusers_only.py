"""The Django admin (/quan-tri/) is the superusers' tool (bhxh_portal.admin_site).

A province administrator who is staff with every permission walks every URL of every registered
ModelAdmin (changelist, add, change, delete, history, revert, import, export...) and of the site
itself (index, app lists, autocomplete, view on site...), GET and POST, with the key of a row of
another province where one is needed: every answer is a refusal and nothing is written.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.urls import URLPattern, reverse

from bhxh_portal.admin_site import SuperuserAdminSite
from units.models import Role, Unit
from units.services.official_units import OLD_TO
from tests.factories import UserFactory, make_member, make_tree

pytestmark = pytest.mark.django_db

User = get_user_model()

# How a row of each admin leads to its unit (the first lookup that a model has is used).
UNIT_PATHS = [
    "path", "unit__path", "commune__path", "province__path", "organiser__path", "agent__unit__path",
    "document__unit__path", "school__commune__path", "beneficiary_list__unit__path", "programme__province__path",
    "participant__commune__path", "activity__organiser__path", "memberships__unit__path",
]
POST_DATA = {"post": "yes", "_save": "Lưu", "action": "delete_selected", "index": "0", "select_across": "1",
             "name": "Đã bị sửa", "full_name": "Đã bị sửa", "format": "0", "resource": "0"}


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def province_administrator(demo):
    """quantri.travinh, made staff with every permission there is: what the admin used to trust."""
    user = User.objects.get(username="quantri.travinh")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    return user


def _pattern_args(pattern: URLPattern) -> list[str]:
    route = pattern.pattern
    converters = getattr(route, "converters", None)
    return list(converters) if converters else list(route.regex.groupindex)


def _foreign_row(model, home: Unit):
    """A row of the model that belongs to another province than `home`, else any row."""
    rows = model._default_manager.all()
    for lookup in UNIT_PATHS:
        try:
            row = rows.filter(**{f"{lookup}__isnull": False}).exclude(
                **{f"{lookup}__startswith": home.path}).order_by("pk").first()
        except FieldError:
            continue
        if row is not None:
            return row
    return rows.order_by("pk").first()


def _version_of(model, row) -> int:
    history = getattr(model, "history", None)
    if row is None or history is None:
        return 1
    version = history.filter(id=row.pk).order_by("history_id").first()
    return version.history_id if version else 1


def admin_urls(home: Unit) -> list[str]:
    """Every named URL of the site and of every registered ModelAdmin, with keys filled in."""
    urls = []
    unit = Unit.objects.exclude(path__startswith=home.path).order_by("pk").first()
    site_values = {"content_type_id": ContentType.objects.get_for_model(Unit).pk, "object_id": unit.pk,
                   "url": "khong-co-trang-nay/"}
    for pattern in admin.site.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        args = _pattern_args(pattern)
        if "app_label" in args:
            urls += [reverse(f"admin:{pattern.name}", kwargs={"app_label": label})
                     for label in sorted({m._meta.app_label for m in admin.site._registry})]
        elif pattern.name in {"login"}:
            continue  # the login form itself: see test_the_admin_login_opens_no_session_below_a_superuser
        else:
            urls.append(reverse(f"admin:{pattern.name}", kwargs={a: site_values[a] for a in args}))
    for model, model_admin in admin.site._registry.items():
        row = _foreign_row(model, home)
        pk = row.pk if row is not None else 1
        values = {"object_id": pk, "id": pk, "version_id": _version_of(model, row)}
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            names = _pattern_args(pattern)
            if names:
                urls.append(reverse(f"admin:{pattern.name}", kwargs={a: values[a] for a in names}))
            else:  # simple_history's revert form: (object id, version id) as unnamed groups
                positional = [values["object_id"], values["version_id"]][:pattern.pattern.regex.groups]
                urls.append(reverse(f"admin:{pattern.name}", args=positional))
    logout = reverse("admin:logout")
    return [u for u in urls if u != logout] + [logout]  # last: were it to work, it would end the walk


def database_state() -> dict:
    """Row counts of every table, and the rows an edit or a revert would change."""
    state = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    state["units"] = list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "valid_to"))
    state["users"] = list(User.objects.order_by("pk").values_list("pk", "username", "is_active", "is_staff",
                                                                  "is_superuser", "password"))
    return state


def test_the_admin_site_is_the_superusers_only_site():
    assert isinstance(admin.site, SuperuserAdminSite)
    assert len(admin.site._registry) > 30  # every app's admin registered on it


def test_a_province_administrator_with_every_permission_is_refused_on_every_admin_url(client, province_administrator):
    home = Unit.objects.valid_on(OLD_TO).get(code="84")  # the demo works on the tree before the mergers
    urls = admin_urls(home)
    assert len(urls) > 200
    assert any("/history/" in u for u in urls) and any(u.endswith("/import/") for u in urls)
    assert any(u.endswith("/export/") for u in urls) and "/quan-tri/autocomplete/" in urls
    client.force_login(province_administrator)
    before = database_state()
    answered = {}
    for url in urls:
        for method in (client.get, client.post):
            response = method(url, POST_DATA) if method is client.post else method(url)
            answered[(method.__name__, url)] = response.status_code
    wrong = {key: status for key, status in answered.items() if status != 403}
    assert wrong == {}
    assert database_state() == before


def test_anonymous_visitors_are_sent_to_log_in(client):
    home, _ = make_tree(province_code="84"), make_tree(province_code="52")
    login = reverse("admin:login")
    for url in admin_urls(home):
        response = client.get(url)
        assert response.status_code == 302, url
        # logging out when not logged in goes to the index, which sends to log in
        assert response["Location"].startswith(login) or url == reverse("admin:logout"), url


def test_the_admin_login_opens_no_session_below_a_superuser(client):
    user = make_member(make_tree(province_code="84"), Role.ADMINISTRATOR, username="quantri.thu", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    user.set_password("mat-khau-rat-dai-2025")
    user.save()
    response = client.post(reverse("admin:login"), {"username": "quantri.thu", "password": "mat-khau-rat-dai-2025"})
    assert response.status_code == 200 and "chỉ dành cho quản trị viên toàn hệ thống" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_inactive_superuser_is_refused_too(client):
    root = UserFactory(is_staff=True, is_superuser=True, is_active=False)
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code != 200


def test_a_superuser_still_opens_every_changelist_and_the_history_of_a_row(client, demo):
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    unit = Unit.objects.valid_on(OLD_TO).get(code="52")
    assert client.get(reverse("admin:units_unit_history", args=[unit.pk])).status_code == 200
    assert client.get(reverse("admin:units_unit_import")).status_code == 200
    assert client.get(reverse("admin:autocomplete"), {
        "app_label": "units", "model_name": "membership", "field_name": "unit", "term": "Bình"}).status_code == 200


def test_staff_are_refused_whatever_their_flags_and_the_index_names_nothing(client):
    make_tree(province_code="52")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Tỉnh Thử Nghiệm" not in body and 'href="/quan-tri/"' not in body  # the portal's own 403 page
