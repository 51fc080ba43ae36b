from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access, selectors


@login_required
def unit_browser(request):
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query}
    if query:
        context["results"] = selectors.unit_search(user=request.user, text=query)
    else:
        context["top_units"] = access.top_units(request.user).order_by("code")
    template = "targets/_search_results.html" if request.htmx and query else "targets/unit_browser.html"
    return render(request, template, context)


@login_required
def unit_detail(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    return render(request, "targets/unit_detail.html", {
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit, user=request.user),
        "children": selectors.unit_children(unit=unit),
        "predecessors": unit.predecessors.select_related("level"),
        "successors": unit.successors.select_related("level"),
    })


@login_required
def unit_children_partial(request, pk: int):
    """The tree opens one level at a time (HTMX), so a province of 1.700 units stays light."""
    unit = access.get_visible_unit_or_404(request.user, pk)
    return render(request, "targets/_unit_children.html", {"children": selectors.unit_children(unit=unit)})
