"""The admin follows the rule of the pages: a staff user who is not a superuser sees and changes only
the rows of their units' subtrees (targets.admin_scoping.SubtreeScopedAdmin)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission

from campaigns.models import Employer
from targets.admin_scoping import SubtreeScopedAdmin
from targets.models import Membership, Role, Unit
from tests.factories import make_member, make_tree

pytestmark = pytest.mark.django_db


def test_every_admin_of_rows_that_belong_to_a_unit_is_scoped():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        belongs = model is Unit or any(getattr(f, "many_to_one", False) and f.related_model is Unit
                                       for f in model._meta.get_fields())
        if belongs and not isinstance(model_admin, SubtreeScopedAdmin):
            unscoped.append(model.__name__)
    assert unscoped == []


def _administrator(unit, *codenames):
    user = make_member(unit, Role.ADMINISTRATOR, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_a_province_administrator_sees_the_units_members_and_employers_of_their_province_only(client):
    mine, theirs = make_tree(province_code="84"), make_tree(province_code="27")
    their_commune = Unit.objects.filter(path__startswith=theirs.path, level__code="xa").first()
    my_commune = Unit.objects.filter(path__startswith=mine.path, level__code="xa").first()
    Employer.objects.create(name="Công ty Của Tôi", tax_code="0300000001", unit=my_commune, employees=10)
    Employer.objects.create(name="Công ty Tỉnh Khác", tax_code="0300000002", unit=their_commune, employees=10)
    make_member(their_commune, Role.COMMUNE_OFFICIAL, username="canbo.tinhkhac")
    client.force_login(_administrator(mine, "view_unit", "change_unit", "view_membership", "view_employer"))

    units = client.get("/quan-tri/targets/unit/").content.decode()
    assert my_commune.name in units and their_commune.code not in units
    assert client.get(f"/quan-tri/targets/unit/{their_commune.pk}/change/").status_code == 302
    assert "canbo.tinhkhac" not in client.get("/quan-tri/targets/membership/").content.decode()
    employers = client.get("/quan-tri/campaigns/employer/").content.decode()
    assert "Công ty Của Tôi" in employers and "Công ty Tỉnh Khác" not in employers
    # a unit of another province cannot be picked as a parent either
    form = client.get(f"/quan-tri/targets/unit/{my_commune.pk}/change/").context["adminform"].form
    assert not form.fields["parent"].queryset.filter(pk=theirs.pk).exists()
    assert Membership.objects.filter(user__username="canbo.tinhkhac").exists()
