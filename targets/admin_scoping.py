"""The admin follows the same rule as the pages: a staff user sees and changes only the rows of their
units' subtrees (targets.access). One mixin for every admin whose rows belong to a unit."""

from targets import access
from targets.models import Unit


class SubtreeScopedAdmin:
    """`unit_path_field` is the lookup from a row to its unit ("unit", "commune", "agent__unit" ...;
    None for the units themselves). Every choice of a unit in a form is limited to the units the user sees."""

    unit_path_field: str | None = "unit"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.unit_path_field is None:
            return access.visible_units(request.user, queryset)
        return access.scope_by_unit(request.user, queryset, self.unit_path_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Unit:
            kwargs["queryset"] = access.visible_units(request.user, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
