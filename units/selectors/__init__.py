"""Every read of the unit tree that is more than a lookup. One module per concern, re-exported here."""

from .tree import (  # noqa: F401
    unit_breadcrumbs,
    unit_children,
    unit_search,
    unit_subtree,
    unit_subtree_counts,
    unit_tree_roots,
)
from .lineage import (  # noqa: F401, E402
    CodeLookup,
    Lineage,
    Predecessor,
    unit_counterpart_on,
    unit_for_code,
    unit_lineage,
    unit_predecessors_on,
)
