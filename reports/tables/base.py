"""The shape every printed table shares: columns with the formula row (A, B, 1, 2, 3=2/1 ...),
data rows, and a parent row computed from the parent's own figures."""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from bhxh_portal.numbers import format_number

Value = int | Fraction | Decimal | str | None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    formula: str  # the formula row label printed under the header: A, B, 1, 3=2/1 ...
    kind: str = "int"  # text | int | percent | pp (percentage points)
    group: str = ""  # a two-row header groups columns under this label
    places: int = 0
    zero_text: str = ""  # printed instead of 0 when set (the students' appendix prints "-")

    def format(self, value: Value) -> str:
        if value is None or value == "":
            return ""
        if self.zero_text and self.kind != "text" and value == 0:
            return self.zero_text
        if self.kind == "text":
            return str(value)
        if self.kind == "int":
            return format_number(value, 0, negative_in_parentheses=True)
        if self.kind == "percent":
            return f"{format_number(value, self.places or 2)}%"
        if self.kind == "pp":
            return f"{format_number(value, self.places or 2)}%"
        if self.kind == "decimal":
            return format_number(value, self.places or 2)
        raise ValueError(self.kind)


@dataclass
class Row:
    values: dict[str, Value]
    is_total: bool = False
    # where the row's figures come from when not the unit's own (read from predecessors, or left
    # empty rather than divided by guess): printed as a numbered note under the table
    note: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    subtitle: str = ""

    @property
    def notes(self) -> list[tuple[str, str, str]]:
        """(marker, unit name, note) of the rows with a note, numbered in row order."""
        noted = [r for r in self.rows if r.note]
        return [(f"({n})", str(r.values.get("unit") or r.values.get("name") or ""), r.note)
                for n, r in enumerate(noted, start=1)]

    @property
    def name_key(self) -> str:
        """The column that names the row's unit, which carries the row's marker."""
        return next((c.key for c in self.columns if c.key in ("unit", "name")), "")

    def markers(self) -> list[str]:
        """The marker of each row ("(1)" ...), "" for a row without a note."""
        found, n = [], 0
        for row in self.rows:
            n += bool(row.note)
            found.append(f"({n})" if row.note else "")
        return found

    @property
    def total(self) -> Row | None:
        return next((r for r in self.rows if r.is_total), None)

    def formatted_rows(self) -> list[list[str]]:
        return [[c.format(r.values.get(c.key)) for c in self.columns] for r in self.rows]

    def header_groups(self) -> list[tuple[str, int]]:
        """(label, span) for the first header row; an ungrouped column spans both rows."""
        groups: list[tuple[str, int]] = []
        for column in self.columns:
            label = column.group or column.header
            if column.group and groups and groups[-1][0] == column.group:
                groups[-1] = (label, groups[-1][1] + 1)
            else:
                groups.append((label, 1))
        return groups

