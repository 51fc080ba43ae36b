"""The end of every import: nothing is written while any row has a problem, and everything is written
in one transaction otherwise (a failure half-way leaves the database as it was)."""

from collections.abc import Callable

from django.db import transaction

from .problems import ImportReport


def commit_all_or_nothing(report: ImportReport, write: Callable[[], None], *, dry_run: bool) -> ImportReport:
    """Sort the report's problems (line, then column); unless there is one or this is a dry run, `write`
    inside one transaction. Returns the report."""
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        write()
    return report
