"""Every write in targets. One module per concern, re-exported here."""

from .units import (  # noqa: F401
    membership_grant,
    unit_create,
    unit_merge,
    unit_placement_errors,
    unit_save,
)
