"""Every write to the unit tree and its memberships. One module per concern, re-exported here."""

from .tree import (  # noqa: F401
    membership_grant,
    unit_create,
    unit_merge,
    unit_placement_errors,
    unit_save,
)
