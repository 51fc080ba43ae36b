"""One import pipeline for every importer: read, check every row, commit all or nothing.

- reading (`load_dataset`, `read_raw_sheet`) after the refusals (`hostile`: not a spreadsheet,
  password, corrupt, zip bomb, far-flung cells, formulas), text composed (NFC);
- column specs (`ColumnSpec`: aliases, converter, required, model field) matched to the header
  (`match_headers`) and fed row by row through `parse_row`: values + problems (line, column,
  Vietnamese reason), with the database's limits (`check_fits`);
- `commit_all_or_nothing`: one transaction, only when no row has a problem;
- the repeats every importer needs in one place: codes with their leading zeros (`codes`),
  the downloadable template (`templates`); month arithmetic (`bhxh_portal.months`) and the history
  diff (`bhxh_portal.history`), which know no import, are re-exported here;
- django-import-export resources go through `CheckedImportMixin` and `run_resource_import`.
"""

from .codes import code_text, loose_identifier, pad_code, restore_code
from .columns import (
    ColumnSpec,
    HeaderMatch,
    alias_lookup,
    cell_text,
    header_key,
    is_blank_row,
    match_headers,
    parse_row,
    parse_rows,
    spec_aliases,
    spec_labels,
    spec_limit_columns,
)
from .commit import commit_all_or_nothing
from bhxh_portal.history import history_changes, history_pairs
from .hostile import (
    MAX_PACKAGE_MEMBERS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    OLE_MAGIC,
    ZIP_MAGIC,
    check_ods_extent,
    check_package_extent,
    check_sheet_extent,
    find_formula_cells,
    max_sheet_cells,
    max_unpacked_bytes,
    open_package,
    read_member,
)
from .limits import DATE_RANGE, FieldLimits, check_fits, field_limits, instance_limit_errors
from bhxh_portal.months import add_months, add_months_to_first, month_end, month_start, period_end
from .problems import ImportFileError, ImportReport, RowProblem
from .reading import (
    ENCODING_REFUSED,
    SPREADSHEET_SUFFIXES,
    TEXT_SUFFIXES,
    RawSheet,
    check_spreadsheet_bytes,
    decode_csv,
    load_dataset,
    looks_like_utf16,
    max_upload_bytes,
    nfc,
    read_raw_sheet,
)
from .resources import (
    CheckedImportMixin,
    StorableImportMixin,
    compose_dataset,
    rename_headers,
    run_resource_import,
)
from .table import Table, read_table, text_cell
from .templates import template_csv, template_xlsx
from .values import parse_date

__all__ = [
    "DATE_RANGE", "ENCODING_REFUSED", "MAX_PACKAGE_MEMBERS", "MAX_SHEET_COLUMNS", "MAX_SHEET_ROWS", "OLE_MAGIC",
    "SPREADSHEET_SUFFIXES", "TEXT_SUFFIXES", "ZIP_MAGIC",
    "CheckedImportMixin", "ColumnSpec", "FieldLimits", "HeaderMatch", "ImportFileError", "ImportReport", "RawSheet",
    "RowProblem", "StorableImportMixin", "Table",
    "add_months", "add_months_to_first", "alias_lookup", "cell_text", "check_fits", "check_ods_extent",
    "check_package_extent", "check_sheet_extent", "check_spreadsheet_bytes", "code_text", "commit_all_or_nothing",
    "compose_dataset", "decode_csv", "field_limits", "find_formula_cells", "header_key", "history_changes",
    "history_pairs", "instance_limit_errors", "is_blank_row", "load_dataset", "looks_like_utf16", "loose_identifier",
    "match_headers", "max_sheet_cells", "max_unpacked_bytes", "max_upload_bytes", "month_end", "month_start", "nfc",
    "open_package", "pad_code", "parse_date", "parse_row", "parse_rows", "period_end", "read_member",
    "read_raw_sheet", "read_table", "rename_headers", "restore_code", "run_resource_import", "spec_aliases", "spec_labels",
    "spec_limit_columns", "template_csv",
    "template_xlsx", "text_cell",
]
