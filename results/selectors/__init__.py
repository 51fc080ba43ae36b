"""Reads of the monthly results, each in a fixed number of queries whatever the size of
the tree: one query over the subtree by path prefix, aggregated bottom-up in Python.

Public API for the reports, the plans and the dashboards (stable; keyword arguments only):

``participants_for_children(*, parent, indicators, month, approved_only=False)``
    -> ``{unit_id: {indicator_code: Figure}}`` for `parent` and each of its children valid in the
    month. `indicators`: codes or Indicator objects; `month`: a month Period (or '2023-06', or a
    date in the month). Two queries (the subtree's units, the subtree's results).

``participant_values(*, parent, indicators, month, approved_only=False)``
    -> ``{(unit_id, indicator_code): value}``: the values alone of participants_for_children's
    figures, where one is known.

``participants_series(*, unit, indicators, start, end, approved_only=False)``
    -> ``{indicator_code: [(month, Figure), ...]}`` for every month from `start` to `end`
    (month Periods), the unit's own figure each month. Two queries; the database adds up the
    leaves (a thôn's own entry, else its agents') per parent, Python only the units above.

``participants_at(*, unit_ids, indicator_ids, period)``
    -> ``{(unit_id, indicator_id): participants}`` at the end of `period` or the latest month
    within it that has a figure; registered as the participants source of targets.progress.

The rule (DOMAIN.md, monthly results): a unit with an entry of its own shows it (BHXH's 132.600 for the
district); a unit without one takes the sum of its children's figures, recursively; a unit's
collection agents count among its children (their targets are part of the unit's split). The
breakdown indicators bhxh_tn_moi and bhxh_tn_tai_tuc are the `new_participants` and `renewing`
fields of bhxh_tn, summed by the same rule field by field.
"""

from .figures import (  # noqa: F401
    as_month,
    CHILDREN,
    default_month,
    due_date,
    due_day,
    EMPTY,
    Figure,
    is_future,
    latest_result_month,
    month_to_open,
    months_between,
    next_month,
    OWN,
    participant_values,
    participants_at,
    participants_for_children,
    participants_series,
    previous_month,
    ROW_COLUMNS,
    SOURCE_LABELS,
    target_path,
)
from .grid import (  # noqa: F401
    cell_warnings,
    denominator_label,
    entry_cell,
    entry_grid,
    EntryGrid,
    grid_columns,
    GridCell,
    GridColumn,
    GridFootCell,
    GridRow,
    RegistryLine,
    TargetFigure,
    targets_for_month,
)
from .review import (  # noqa: F401
    approved_above,
    Completeness,
    completeness,
    CompletenessRow,
    HistoryEntry,
    reports_to_review,
    results_history,
)
