"""What goes wrong in an import, said in Vietnamese: a row's problem (line, column, reason), a file that
cannot be used at all, and the report every importer returns (counts, or the problems and nothing written)."""

from dataclasses import dataclass, field


@dataclass
class RowProblem:
    line: int | None
    column: str | None
    message: str

    def describe(self, filename: str = "") -> str:
        where = [f"Tệp {filename}"] if filename else []
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFileError(Exception):
    """The file as a whole cannot be used; the message says why, in Vietnamese, naming the file
    (and the line and column when one is to blame, e.g. a missing column in the header line)."""

    def __init__(self, message: str, *, filename: str = "", line: int | None = None, column: str | None = None):
        self.problem = RowProblem(line, column, message)
        self.filename = filename
        super().__init__(self.problem.describe(filename))


@dataclass
class ImportReport:
    filename: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [p.describe(self.filename) for p in self.problems]

    def summary(self) -> str:
        if not self.ok:
            return f"Tệp {self.filename}: có {len(self.problems)} lỗi, không dòng nào được ghi."
        verb = "sẽ" if self.dry_run else "đã"
        return (
            f"Tệp {self.filename}: {self.total} dòng; {verb} thêm {self.created}, "
            f"{verb} cập nhật {self.updated}, không đổi {self.unchanged}."
        )
