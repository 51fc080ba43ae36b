"""The admin screens of the catalogue, the denominators and the targets (with history and import)."""

import pytest
from django.urls import reverse

from targets.models import Indicator, Target
from units.models import Role
from tests.factories import UserFactory, make_member, make_target

from .targets_fixtures import build_cang_long

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    user.save()
    return user


def test_indicator_catalogue_is_listed_in_the_admin(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:targets_indicator_changelist")).content.decode()
    for code in ["bhyt", "bhyt_hgd", "bhyt_can_ngheo", "bhyt_hoc_sinh", "bhxh", "bhxh_bb", "bhxh_tn", "bhxh_tn_moi",
                 "bhxh_tn_tai_tuc", "bhtn"]:
        assert f">{code}<" in html
    indicator = Indicator.objects.get(code="bhyt")
    change = client.get(reverse("admin:targets_indicator_change", args=[indicator.pk]))
    assert 'name="code"' not in change.content.decode()  # the code is fixed once created


def test_catalogue_splits_voluntary_bhxh_into_new_and_renewing():
    parts = set(Indicator.objects.get(code="bhxh_tn").parts.values_list("code", flat=True))
    assert parts == {"bhxh_tn_moi", "bhxh_tn_tai_tuc"}
    assert Indicator.objects.get(code="bhyt_hoc_sinh").denominator == "pupils"
    assert Indicator.objects.get(code="bhtn").denominator == "labour_force"


def test_admin_adds_a_rate_target_and_the_count_is_derived(client, superuser):
    tree = build_cang_long()
    client.force_login(superuser)
    response = client.post(reverse("admin:targets_target_add"), {
        "unit": tree.communes["CL01"].pk, "indicator": Indicator.objects.get(code="bhyt").pk,
        "period_type": "year", "year": 2023, "period_number": 1, "kind": "giao", "entered_as": "rate",
        "rate_pct": "95", "count": "", "decision_number": "", "decision_date": "", "decision_issuer": "", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get()
    assert (target.count, target.denominator) == (13050, 13737)
    assert target.history.get().history_user == superuser
    history = client.get(reverse("admin:targets_target_history", args=[target.pk]))
    assert history.status_code == 200


def test_admin_refuses_a_target_above_100_percent(client, superuser):
    tree = build_cang_long()
    client.force_login(superuser)
    response = client.post(reverse("admin:targets_target_add"), {
        "unit": tree.communes["CL01"].pk, "indicator": Indicator.objects.get(code="bhyt").pk,
        "period_type": "year", "year": 2023, "period_number": 1, "kind": "giao", "entered_as": "rate",
        "rate_pct": "120", "count": "",
    })
    assert response.status_code == 200
    assert Target.objects.count() == 0


def test_an_administrator_with_every_targets_permission_is_refused_by_the_admin(client):
    tree = build_cang_long()
    make_target(tree.communes["CL01"], "bhyt", year=2023, rate_pct=95)
    admin_user = make_member(tree.province, Role.ADMINISTRATOR, is_staff=True)
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["targets", "units"]))
    client.force_login(admin_user)
    for name in ["admin:targets_demographics_changelist", "admin:targets_target_changelist",
                 "admin:targets_target_import", "admin:units_unit_changelist"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_admin_import_of_demographics_checks_then_confirms(client, superuser):
    import io

    build_cang_long(with_population=False)
    client.force_login(superuser)
    url = reverse("admin:targets_demographics_import")
    page = client.get(url)
    assert page.status_code == 200
    formats = dict(page.context["form"].fields["format"].choices)
    csv_format = next(k for k, v in formats.items() if str(v).lower() == "csv")
    upload = io.BytesIO("Mã đơn vị,Năm,Dân số,Lực lượng lao động\nCL,2023,148.806,75.890\n".encode())
    upload.name = "dan_so.csv"
    checked = client.post(url, {"resource": "0", "format": csv_format, "import_file": upload})
    assert checked.status_code == 200, checked.content.decode()[:3000]
    assert "confirm_form" in checked.context, checked.content.decode()[:3000]
    from targets.models import Demographics

    assert Demographics.objects.count() == 0
    confirm = checked.context["confirm_form"]
    data = {name: field.initial for name, field in confirm.fields.items() if field.initial is not None}
    data.update({k: v for k, v in confirm.initial.items()})
    done = client.post(reverse("admin:targets_demographics_process_import"), data)
    assert done.status_code == 302, done.content.decode()[:3000]
    record = Demographics.objects.get()
    assert (record.population, record.labour_force) == (148806, 75890)
    assert record.history.get().history_user == superuser
