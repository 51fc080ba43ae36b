"""Every read in targets that is more than a lookup. One module per concern, re-exported here."""

from .targets import (  # noqa: F401
    FILL_METHODS,
    AllocationSheet,
    Recipient,
    agents_of,
    allocation_proposal,
    allocation_sheet,
    demographics_of_subtree,
    demographics_sheet,
    target_history,
    target_overview,
    targets_of_subtree,
)
from .schools import SchoolRow, school_figures_of_subtree  # noqa: F401, E402
