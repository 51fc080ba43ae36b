"""The unit browser: a tree opened one level at a time (HTMX), a search, a page per unit.

Every view that takes a unit id goes through access.get_visible_unit_or_404, so a unit the
user may not see answers 404 exactly like one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import access
from . import selectors
from .selectors.lineage import with_successor_count


def _wants_partial(request) -> bool:
    """An HTMX swap gets only the fragment; a history restore (back button, no cache) the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_required
def unit_browser(request):
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query}
    if query:
        context["results"] = list(selectors.unit_search(user=request.user, text=query))
    else:
        context["top_units"] = selectors.unit_tree_roots(user=request.user)
    template = "units/_unit_area.html" if _wants_partial(request) else "units/unit_browser.html"
    return render(request, template, context)


@login_required
def unit_detail(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    visible = access.visible_units(request.user)
    return render(request, "units/unit_detail.html", {
        "unit": unit,
        "parent_visible": unit.parent is not None and access.can_view(request.user, unit.parent),
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit, user=request.user),
        "children": selectors.unit_children(unit=unit),
        "subtree_counts": selectors.unit_subtree_counts(unit=unit),
        # a predecessor with several successors was split: only part of it went into this unit
        "predecessors": _linked(with_successor_count(unit.predecessors.select_related("level")), visible),
        "successors": _linked(unit.successors.select_related("level"), visible),
    })


def _linked(units, visible) -> list[tuple]:
    """(unit, may the user open it): a merger's other side may lie outside what the user sees."""
    units = list(units)
    open_ids = set(visible.filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)) if units else set()
    return [(u, u.pk in open_ids) for u in units]


@login_required
def unit_children_partial(request, pk: int):
    """The tree opens one level at a time (HTMX), so a province of 1.700 units stays light."""
    unit = access.get_visible_unit_or_404(request.user, pk)
    if not request.htmx:
        return redirect("units:unit_detail", pk=unit.pk)
    return render(request, "units/_unit_children.html", {"children": selectors.unit_children(unit=unit)})
