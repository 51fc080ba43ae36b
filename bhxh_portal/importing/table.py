"""The row-by-row importers' whole reading step: a file read (`load_dataset`), its header matched to
the column specs, every row parsed into values and problems. A file that cannot be used at all
becomes the report's one problem."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .columns import ColumnSpec, HeaderMatch, match_headers, parse_rows
from .problems import ImportFileError, ImportReport, RowProblem
from .reading import load_dataset


@dataclass
class Table:
    match: HeaderMatch
    rows: list[tuple[int, dict[str, Any], list[RowProblem]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)   # as written in the file
    cells: dict[int, Sequence] = field(default_factory=dict)  # line -> the row's cells, for columns no spec names

    def label(self, name: str) -> str:
        return self.match.labels.get(name, name)


def read_table(source, specs: Sequence[ColumnSpec], *, filename: str, report: ImportReport) -> Table | None:
    """The file's rows through the specs (line 2 is the first row under the header), or None with the
    refusal added to `report`."""
    try:
        dataset = load_dataset(source, filename=filename)
        match = match_headers(dataset.headers, specs, filename=filename)
    except ImportFileError as exc:
        report.problems.append(exc.problem)
        return None
    rows = list(dataset)
    return Table(match=match, rows=list(parse_rows(rows, match, specs, first_line=2)), headers=list(dataset.headers),
                 cells={line: row for line, row in enumerate(rows, start=2)})


def text_cell(value) -> str:
    """A cell as trimmed text ('' when empty); a whole number from Excel without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
