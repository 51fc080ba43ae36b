"""Every write in targets. One module per concern, re-exported here."""

from .demographics import (  # noqa: F401
    DEMOGRAPHIC_FIELDS,
    demographics_prepare,
    demographics_save,
    demographics_store,
)
from .targets import (  # noqa: F401, E402
    AllocationOutcome,
    can_edit_target,
    denominator_of,
    find_target,
    target_allocate,
    target_delete,
    target_prepare,
    target_save,
    target_set,
    targets_rederive,
)
from .schools import (  # noqa: F401, E402
    school_figures_prepare,
    school_figures_save,
    school_figures_set,
    school_prepare,
    school_save,
)
