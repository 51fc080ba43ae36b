"""Every read in targets that is more than a lookup. One module per concern, re-exported here."""

from .units import unit_breadcrumbs, unit_children, unit_search, unit_subtree  # noqa: F401
