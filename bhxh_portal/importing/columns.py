"""Column specs: what an importer reads, said once, and the pipeline that reads it.

An importer is a list of `ColumnSpec` (canonical name, label, the Vietnamese headers people write,
a converter, whether the column is required, and the model field whose database limits apply).
`match_headers` finds the columns in a header row (refusing a missing required column or two
columns of one meaning), `parse_row` converts one row into values and problems (line, column,
Vietnamese reason). Converters raise ValueError with the reason; `check_fits` adds what the
database cannot store. Nothing here writes: `commit_all_or_nothing` does, once every row is checked.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bhxh_portal.search import fold_text

from .limits import check_fits
from .problems import ImportFileError, RowProblem


def header_key(text) -> str:
    """The folded form a header is matched by: 'Mã số BHXH (10 số)*' -> 'ma so bhxh'; 'Nam/Nữ' -> 'nam nu'."""
    text = fold_text(str(text or ""))
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class ColumnSpec:
    name: str                                   # canonical name (the key of the parsed values)
    label: str                                  # the header of the template, and of messages when absent
    aliases: tuple[str, ...] = ()               # other headers people write for it
    convert: Callable[[Any], Any] | None = None  # cell -> value; raises ValueError with a Vietnamese reason
    required: bool = False                      # the column must be in the file
    model: Any = None                           # with `model_field`: the limits the value must fit
    model_field: str | None = None              # defaults to `name`
    fills: tuple[str, ...] = ()                 # other model fields the row fills from this column: their
                                                # limits are reported under it (a decision's number, date, issuer)

    def header_names(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)

    def limited_fields(self) -> tuple[str, ...]:
        """The model fields whose database limits a value of this column must fit."""
        own = (self.model_field or self.name,) if self.model is not None else ()
        return (*own, *self.fills)


def spec_aliases(specs: Iterable[ColumnSpec]) -> dict[str, list[str]]:
    """{canonical name: [label, *aliases]}, the form `rename_headers` and the resources take."""
    return {spec.name: [spec.label.lower(), *spec.aliases] for spec in specs}


def spec_labels(specs: Iterable[ColumnSpec]) -> list[str]:
    """The headers of the blank template, in order."""
    return [spec.label for spec in specs]


def spec_limit_columns(specs: Iterable[ColumnSpec]) -> dict[str, str]:
    """{model field: canonical column} for the model fields filled from a column of another name."""
    return {f: spec.name for spec in specs for f in spec.limited_fields() if f != spec.name}


def alias_lookup(specs: Iterable[ColumnSpec]) -> dict[str, str]:
    """{header key: canonical name} for every name, label and alias of the specs."""
    return {header_key(a): spec.name for spec in specs for a in spec.header_names()}


@dataclass
class HeaderMatch:
    line: int                      # 1-based line of the header row
    columns: dict[str, int]        # canonical name -> column index
    labels: dict[str, str]         # canonical name -> header as written in the file
    unknown: list[str] = field(default_factory=list)  # headers no spec knows, in file order

    def label(self, name: str, specs_by_name: dict[str, ColumnSpec] | None = None) -> str:
        if name in self.labels:
            return self.labels[name]
        spec = (specs_by_name or {}).get(name)
        return spec.label if spec else name


def match_headers(headers: Sequence, specs: Sequence[ColumnSpec], *, filename: str, line: int = 1,
                  lookup: dict[str, str] | None = None, ignored: Iterable[str] = (),
                  mapping: dict[str, str] | None = None, ignore_marker: str = "_ignore",
                  check_required: bool = True) -> HeaderMatch:
    """Which column holds which spec. `mapping` {header as written: canonical name or `ignore_marker`}
    is the user's own choice for headers no alias knows; `ignored` headers carry nothing to import."""
    lookup = lookup if lookup is not None else alias_lookup(specs)
    known = {spec.name for spec in specs}
    mapping = {header_key(k): v for k, v in (mapping or {}).items()}
    skip = {header_key(h) for h in ignored}
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(headers):
        written = cell_text(cell)
        if not written:
            continue
        key = header_key(written)
        target = mapping.get(key) or lookup.get(key)
        if target == ignore_marker or (target is None and key in skip):
            continue
        if target is None or target not in known:
            unknown.append(written)
            continue
        if target in columns:
            raise ImportFileError(f"hai cột cùng nghĩa '{labels[target]}' và '{written}'.", filename=filename,
                                  line=line)
        columns[target], labels[target] = position, written
    match = HeaderMatch(line=line, columns=columns, labels=labels, unknown=unknown)
    if check_required:
        missing = [spec.label for spec in specs if spec.required and spec.name not in columns]
        if missing:
            found = ", ".join(cell_text(h) or "" for h in headers if cell_text(h)) or "không có"
            raise ImportFileError(f"thiếu cột {', '.join(missing)}. Dòng tiêu đề có: {found}.", filename=filename,
                                  line=line)
    return match


def cell_text(value) -> str | None:
    """A cell as trimmed text, None when empty; a whole number from Excel without its '.0'."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def is_blank_row(raw: Sequence) -> bool:
    return all(value is None or value == "" for value in raw)


def parse_row(raw: Sequence, match: HeaderMatch, specs: Sequence[ColumnSpec], *,
              line: int) -> tuple[dict[str, Any], list[RowProblem]]:
    """The values of one row by canonical name, and its problems (line, column as written, reason).

    A column absent from the file gives None; a cell whose converter refuses it gives None and a problem;
    a converted value the model field cannot store gives a problem too."""
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    width = len(raw)
    for spec in specs:
        index = match.columns.get(spec.name)
        cell = raw[index] if index is not None and index < width else None
        try:
            value = spec.convert(cell) if spec.convert is not None else cell
        except ValueError as exc:
            problems.append(RowProblem(line, match.label(spec.name) if index is not None else spec.label, str(exc)))
            values[spec.name] = None
            continue
        if spec.model is not None and (reason := check_fits(spec.model, spec.model_field or spec.name, value)):
            problems.append(RowProblem(line, match.labels.get(spec.name, spec.label), reason))
            value = None
        values[spec.name] = value
    return values, problems


def parse_rows(rows: Sequence[Sequence], match: HeaderMatch, specs: Sequence[ColumnSpec], *,
               first_line: int | None = None):
    """(line, values, problems) for each non-blank row under the header."""
    line = first_line if first_line is not None else match.line + 1
    for offset, raw in enumerate(rows):
        if is_blank_row(raw):
            continue
        values, problems = parse_row(raw, match, specs, line=line + offset)
        yield line + offset, values, problems
