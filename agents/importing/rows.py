"""What one participant import holds while it runs: rows, the people they name, and the outcome."""

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from bhxh_portal.numbers import format_number
from bhxh_portal.search import fold_text

MAX_PROBLEMS_KEPT = 1000
# Names repeat down a list (a few thousand distinct in a district's hundred thousand rows): folded once each.
_folded = functools.lru_cache(maxsize=1 << 16)(fold_text)


class Row:
    __slots__ = ("line", "errors", "warnings", "bhxh_code", "personal_id", "full_name", "birth_date",
                 "birth_year_only", "sex", "commune_id", "commune_path", "village_id", "household_code",
                 "member_order", "product_id", "valid_from", "valid_to", "income", "payment_mode", "months",
                 "support_group", "is_new", "agent_id", "amount", "expected", "person", "status", "values",
                 "outside")

    def __init__(self, line: int):
        self.line = line
        self.errors: list[tuple[str | None, str]] = []
        self.warnings: list[str] = []
        self.person = None
        self.status = None
        self.expected = None
        self.values = None
        self.outside = None  # [(code, column)]: codes not in the uploader's subtree, refused after the check

    def __reduce__(self):
        # A checked batch crosses from the reading process as one tuple per row: pickle's own way for a
        # class with slots (a dict of them per row) costs ten times as much on both sides.
        try:
            return _row_from, _state(self)
        except AttributeError:  # a row not checked to the end (a test's): the slots it lacks are None
            return _row_from, tuple(getattr(self, name, None) for name in Row.__slots__)

    def participant_values(self) -> tuple:
        """The participant's columns as the row gives them (computed once: the folded name costs)."""
        if self.values is None:
            self.values = (self.bhxh_code, self.personal_id, self.full_name, _folded(self.full_name),
                           self.birth_date, self.birth_year_only, self.sex, self.commune_id, self.village_id,
                           self.household_code)
        return self.values


_state = operator.attrgetter(*Row.__slots__)


def _row_from(line, errors, warnings, bhxh_code, personal_id, full_name, birth_date, birth_year_only, sex, commune_id,
              commune_path, village_id, household_code, member_order, product_id, valid_from, valid_to, income,
              payment_mode, months, support_group, is_new, agent_id, amount, expected, person, status, values,
              outside) -> Row:
    """A Row again from its slots in order (`Row.__reduce__`), one store each: no loop over the names."""
    row = _new_row(Row)
    row.line, row.errors, row.warnings, row.bhxh_code, row.personal_id = line, errors, warnings, bhxh_code, personal_id
    row.full_name, row.birth_date, row.birth_year_only, row.sex = full_name, birth_date, birth_year_only, sex
    row.commune_id, row.commune_path, row.village_id, row.household_code = commune_id, commune_path, village_id, \
        household_code
    row.member_order, row.product_id, row.valid_from, row.valid_to = member_order, product_id, valid_from, valid_to
    row.income, row.payment_mode, row.months, row.support_group = income, payment_mode, months, support_group
    row.is_new, row.agent_id, row.amount, row.expected = is_new, agent_id, amount, expected
    row.person, row.status, row.values, row.outside = person, status, values, outside
    return row


_new_row = object.__new__


class Person:
    """One participant in the file (one or more rows), matched to the registry or new. A batch holds the
    people its rows name; those an earlier batch named come back from the `people.Register` with what
    was learnt then (`earlier`: their rows and registry row are gone, their first row's values hashed)."""

    __slots__ = ("first_line", "rows", "bhxh_code", "personal_id", "db", "participant_id", "changed_fields",
                 "index", "in_registry", "problem", "first_ok", "hashes", "earlier", "enrolments", "known_codes",
                 "gains")

    def __init__(self, first_line: int):
        self.first_line = first_line
        self.rows: list[Row] = []
        self.bhxh_code = self.personal_id = None
        self.db: dict | None = None
        self.participant_id: int | None = None
        self.changed_fields: list[str] = []
        self.index: int | None = None        # in the register, once a batch has named them
        self.in_registry = False             # matched to a participant already in the database
        self.problem: str | None = None      # the registry's refusal, said on each of their rows
        self.first_ok = False                # their first row had no error (later rows are compared to it)
        self.hashes: tuple = ()              # `people.field_hashes` of their first row
        self.earlier = False                 # named by an earlier batch
        self.enrolments: dict = {}           # (product, start ordinal) -> line, to refuse the same one twice
        self.known_codes: tuple = (None, None)
        self.gains = False                   # named by an earlier batch, brings a code their participant lacks


@dataclass
class ImportOutcome:
    filename: str
    dry_run: bool
    sheet: str = ""
    header_line: int = 0
    labels: dict = field(default_factory=dict)
    unknown: list = field(default_factory=list)
    needs_mapping: bool = False
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    warned: int = 0
    participants_created: int = 0
    participants_updated: int = 0
    enrolments_created: int = 0
    enrolments_updated: int = 0
    problems: list = field(default_factory=list)   # {"line", "column", "message"}, the first MAX_PROBLEMS_KEPT
    warnings: list = field(default_factory=list)   # {"line", "message"}, the first MAX_PROBLEMS_KEPT
    problems_total: int = 0
    warnings_total: int = 0
    timings: dict = field(default_factory=dict)
    committed: bool = False

    def as_result(self) -> dict:
        return {
            "filename": self.filename, "dry_run": self.dry_run, "sheet": self.sheet, "header_line": self.header_line,
            "columns": self.labels, "unknown_headers": self.unknown, "needs_mapping": self.needs_mapping,
            "total": self.total, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "invalid": self.invalid, "warned": self.warned,
            "participants_created": self.participants_created, "participants_updated": self.participants_updated,
            "enrolments_created": self.enrolments_created, "enrolments_updated": self.enrolments_updated,
            "problems": self.problems[:MAX_PROBLEMS_KEPT], "problems_total": self.problems_total,
            "warnings": self.warnings[:MAX_PROBLEMS_KEPT], "warnings_total": self.warnings_total,
            "timings": self.timings, "committed": self.committed,
        }

    def add_problem(self, line: int, column: str | None, message: str) -> None:
        """Counted always, kept up to MAX_PROBLEMS_KEPT: a million wrong rows must not fill the memory."""
        self.problems_total += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append({"line": line, "column": column, "message": message})

    def add_warning(self, line: int, message: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_PROBLEMS_KEPT:
            self.warnings.append({"line": line, "message": message})

    def add_time(self, step: str, seconds: float) -> None:
        self.timings[step] = round(self.timings.get(step, 0) + seconds, 3)

    def summary(self) -> str:
        if self.needs_mapping:
            return (f"Tệp {self.filename}: có cột chưa nhận ra ({', '.join(self.unknown)}); hãy chọn cột tương ứng "
                    "rồi kiểm tra lại.")
        verb = "sẽ" if self.dry_run else "đã"
        text = (f"Tệp {self.filename}: {format_number(self.total)} dòng; {verb} thêm {format_number(self.new)}, "
                f"{verb} cập nhật {format_number(self.updated)}, không đổi {format_number(self.unchanged)}, "
                f"không hợp lệ {format_number(self.invalid)}")
        if self.warned:
            text += f"; {format_number(self.warned)} dòng có cảnh báo về số tiền"
        return text + "."


Progress = Callable[[int, str], None]


def no_progress(pct: int, message: str = "") -> None:
    return None
