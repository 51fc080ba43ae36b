"""What one participant import holds while it runs: rows, the people they name, and the outcome."""

from collections.abc import Callable
from dataclasses import dataclass, field

from bhxh_portal.numbers import format_number
from bhxh_portal.search import fold_text

MAX_PROBLEMS_KEPT = 1000


class Row:
    __slots__ = ("line", "errors", "warnings", "bhxh_code", "personal_id", "full_name", "birth_date",
                 "birth_year_only", "sex", "commune_id", "commune_path", "village_id", "household_code",
                 "member_order", "product_id", "valid_from", "valid_to", "income", "payment_mode", "months",
                 "support_group", "is_new", "agent_id", "amount", "expected", "person", "status")

    def __init__(self, line: int):
        self.line = line
        self.errors: list[tuple[str | None, str]] = []
        self.warnings: list[str] = []
        self.person = None
        self.status = None
        self.expected = None

    def participant_values(self) -> tuple:
        return (self.bhxh_code, self.personal_id, self.full_name, fold_text(self.full_name), self.birth_date,
                self.birth_year_only, self.sex, self.commune_id, self.village_id, self.household_code)


class Person:
    """One participant in the file (one or more rows), matched to the registry or new."""

    __slots__ = ("first_line", "rows", "bhxh_code", "personal_id", "db", "participant_id", "changed_fields")

    def __init__(self, first_line: int):
        self.first_line = first_line
        self.rows: list[Row] = []
        self.bhxh_code = self.personal_id = None
        self.db: dict | None = None
        self.participant_id: int | None = None
        self.changed_fields: list[str] = []


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
    problems: list = field(default_factory=list)   # {"line", "column", "message"}
    warnings: list = field(default_factory=list)   # {"line", "message"}
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
            "problems": self.problems[:MAX_PROBLEMS_KEPT], "problems_total": len(self.problems),
            "warnings": self.warnings[:MAX_PROBLEMS_KEPT], "warnings_total": len(self.warnings),
            "timings": self.timings, "committed": self.committed,
        }

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
