"""django-import-export resources, in the admin and in `run_resource_import` alike: headers as people write
them, text composed, what the table cannot store refused with its column, and all rows or none."""

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from bhxh_portal.search import fold_text

from .columns import spec_aliases, spec_limit_columns
from .limits import instance_limit_errors
from .problems import ImportFileError, ImportReport, RowProblem
from .reading import nfc

def rename_headers(dataset: tablib.Dataset, aliases: dict[str, list[str]], *, required: list[str],
                   filename: str) -> dict[str, str]:
    """Map the headers people write (Mã đơn vị, Tên, ...) to canonical names; refuse missing columns.

    Returns {canonical name: header as written in the file}, so messages can name the column
    the way the user wrote it.
    """
    lookup = {}
    for canonical, names in aliases.items():
        for name in [canonical, *names]:
            lookup[fold_text(name).replace("_", " ")] = canonical
    written = [str(h) if h is not None else "" for h in (dataset.headers or [])]
    renamed = [lookup.get(fold_text(h).replace("_", " "), h) for h in written]
    labels: dict[str, str] = {}
    for canonical, original in zip(renamed, written):
        if canonical in labels and canonical in aliases:
            raise ImportFileError(
                f"cột này cùng nghĩa với cột {labels[canonical]}; hãy bỏ một cột.",
                filename=filename, line=1, column=original,
            )
        labels.setdefault(canonical, original)
    dataset.headers = renamed
    missing = [c for c in required if c not in renamed]
    if missing:
        expected = ", ".join(f"{aliases[c][0].capitalize()} ({c})" if aliases.get(c) else c for c in missing)
        found = ", ".join(h for h in written if h) or "không có"
        raise ImportFileError(f"thiếu cột {expected}. Dòng tiêu đề có: {found}.", filename=filename, line=1)
    return labels


class StorableImportMixin:
    """For django-import-export resources: text composed (NFC) before any row is read, and a row holding
    what its table cannot store (too long, too large, a date out of range) refused as invalid, with
    the column, before anything is saved (see `check_fits`)."""

    # The columns as specs (bhxh_portal.importing.columns): a model field filled from a column of another
    # name (decision_number from "decision") is reported under that column.
    columns: list = []

    def limit_errors(self, instance) -> dict[str, list[str]]:
        """What the instance holds that its table cannot store, keyed by the column as the file wrote it."""
        labels = getattr(self, "column_labels", None) or {}
        by_attribute = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        limit_columns = spec_limit_columns(self.columns)
        errors: dict[str, list[str]] = {}
        for name, message in instance_limit_errors(instance).items():
            canonical = limit_columns.get(name) or by_attribute.get(name) or name
            errors.setdefault(labels.get(canonical, canonical), []).append(message)
        return errors

    def refuse_unstorable(self, instance, import_validation_errors=None) -> None:
        """Raise the row's errors with what cannot be stored added, if anything cannot."""
        too_big = self.limit_errors(instance)
        if too_big:
            errors = {k: list(v) if isinstance(v, list) else [v] for k, v in (import_validation_errors or {}).items()}
            for column, messages in too_big.items():
                errors.setdefault(column, []).extend(messages)
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        self.refuse_unstorable(instance, import_validation_errors)
        return super().validate_instance(instance, import_validation_errors, validate_unique)

    def import_data(self, dataset, **kwargs):
        compose_dataset(dataset)
        return super().import_data(dataset, **kwargs)


def compose_dataset(dataset: tablib.Dataset) -> None:
    """Every text cell and header of the dataset in NFC (a dataset from the admin's own reader)."""
    headers = [nfc(h) if isinstance(h, str) else h for h in (dataset.headers or [])]
    rows, changed = [], headers != list(dataset.headers or [])
    for row in dataset:
        composed = [nfc(v) if isinstance(v, str) else v for v in row]
        changed = changed or composed != list(row)
        rows.append(composed)
    if changed:
        dataset.wipe()
        dataset.headers = headers or None
        for row in rows:
            dataset.append(row)


class CheckedImportMixin(StorableImportMixin):
    """For django-import-export resources, in the admin and in `run_resource_import` alike.

    - headers as people write them and the required columns, both from the resource's `columns`
      (a list of ColumnSpec), checked before any row is read: a file with a missing column gives
      one clear message, not one per row;
    - a resource may reorder the rows in `before_import` (parents first) as long as it fills
      `self.source_rows` {position after reordering: position in the file}; the row numbers in
      the result are then the file's own again (1 = first row under the header).
    """

    def import_data(self, dataset, **kwargs):
        filename = kwargs.get("filename") or kwargs.get("file_name") or "tệp tải lên"
        self.source_rows = {}
        compose_dataset(dataset)
        try:
            required = [spec.name for spec in self.columns if spec.required]
            self.column_labels = rename_headers(dataset, spec_aliases(self.columns), required=required,
                                                filename=filename)
        except ImportFileError as exc:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(self.get_error_result_class()(exc))
            return result
        result = super().import_data(dataset, **kwargs)
        origin = self.source_rows
        if origin:
            for invalid in result.invalid_rows:
                invalid.number = origin.get(invalid.number, invalid.number)
            for error_row in result.error_rows:
                error_row.number = origin.get(error_row.number, error_row.number)
                for error in error_row.errors:
                    error.number = error_row.number
            result.invalid_rows.sort(key=lambda r: r.number)
            result.error_rows.sort(key=lambda r: r.number)
        return result


def run_resource_import(resource, dataset: tablib.Dataset, *, filename: str, dry_run: bool = False,
                        **kwargs) -> ImportReport:
    """Run a django-import-export resource; any problem rolls the whole file back.

    Row n of the result is line n + 1 of the file (the header is line 1).
    """
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True,
        filename=filename, **kwargs,
    )
    report = ImportReport(filename=filename, total=len(dataset), dry_run=dry_run)
    labels = getattr(resource, "column_labels", None) or {}
    columns = {f.attribute: labels.get(f.column_name, f.column_name) for f in resource.fields.values() if f.attribute}
    for error in result.base_errors:
        if isinstance(error.error, ImportFileError):
            report.problems.append(error.error.problem)
        else:
            report.problems.append(RowProblem(None, None, f"Lỗi không mong đợi khi nhập tệp: {error.error}"))
    if report.problems:
        return report  # the file as a whole is wrong; row messages would only repeat it
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else columns.get(attribute, attribute)
            for message in messages:
                report.problems.append(RowProblem(invalid.number + 1, column, message))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(
                RowProblem(number + 1, None, f"Lỗi không mong đợi khi ghi dòng này: {error.error}")
            )
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.ok:
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        report.unchanged = result.totals.get("skip", 0)
    return report
