"""The printed round, back from the door-to-door visits: the same list as an xlsx to fill in (the
columns of the A4 sheet, with the outcome columns empty), and its upload, one contact a filled row.

The upload goes through the shared import pipeline (bhxh_portal.importing): every row checked first
(file, line, column, Vietnamese reason), then all contacts written or none. A row names its person by
the round's row key (Mã dòng, printed in the template) or by mã số BHXH; only the people of that
round the uploader may record a contact for are found (selectors.items_visible_to, the rule of the
phone page: a collection agent only their own people), and any other code gets one message that
says nothing of who or where that person is. A row whose contact is already recorded (same person,
date, outcome, reason, note and next date) is left as it is, so the same file twice writes once.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from bhxh_portal.exports import safe_cell
from bhxh_portal.importing import (
    ColumnSpec,
    ImportReport,
    RowProblem,
    commit_all_or_nothing,
    parse_date,
    read_table,
    restore_code,
    template_xlsx,
    text_cell,
)
from bhxh_portal.search import fold_text
from units import access
from units.models import Unit

from . import selectors, tally
from .models import Contact, ListKind, Outcome, RefusalReason, WorkItem
from .services import contact_errors

KEY_PREFIX = "VD-"
# The letters of the printed sheet's legend (drive/list_pdf.html), accepted as the labels are.
OUTCOME_LETTERS = {"g": Outcome.MET, "h": Outcome.PROMISED, "d": Outcome.PAID, "tc": Outcome.REFUSED,
                   "cd": Outcome.MOVED, "m": Outcome.DECEASED, "t": Outcome.DUPLICATE, "kg": Outcome.NOT_MET}


def row_key(item_id: int) -> str:
    return f"{KEY_PREFIX}{item_id}"


def _choices(enum, extra: dict | None = None) -> dict[str, str]:
    found = {fold_text(label): value for value, label in enum.choices}
    found.update({value: value for value in enum.values})
    found.update(extra or {})
    return found


OUTCOMES = _choices(Outcome, OUTCOME_LETTERS)
REASONS = _choices(RefusalReason)


def _from_list(value, choices: dict[str, str], what: str, labels, joiner: str) -> str:
    """A value of one of the round's lists, as printed, with or without accents ("" when empty)."""
    text = text_cell(value)
    if not text:
        return ""
    found = choices.get(" ".join(fold_text(text).split()))
    if found is None:
        raise ValueError(f"{what} '{text[:40]}' không có trong danh mục ({joiner.join(labels)}).")
    return found


def _outcome(value) -> str:
    return _from_list(value, OUTCOMES, "kết quả", Outcome.labels, ", ")


def _reason(value) -> str:
    return _from_list(value, REASONS, "lý do", RefusalReason.labels, "; ")


def _key(value) -> int | None:
    text = text_cell(value).replace(" ", "")
    if not text:
        return None
    match = re.fullmatch(r"(?:vd-?)?([0-9]{1,12})", text.lower())
    if match is None:
        raise ValueError(f"mã dòng '{text[:30]}' không đúng dạng {KEY_PREFIX}số (vd: {KEY_PREFIX}1024).")
    return int(match.group(1))


def _bhxh_code(value) -> str:
    return restore_code(value, length=10, prefix=2, label="mã số BHXH") or ""


def _day(label: str):
    def convert(value):
        try:
            return parse_date(value, label=label)
        except ValueError as exc:
            raise ValueError(f"{exc}.") from None
    return convert


COLUMNS = [
    ColumnSpec("key", "Mã dòng", ("mã phiếu", "mã dòng vận động"), convert=_key),
    ColumnSpec("bhxh_code", "Mã số BHXH", ("mã bhxh", "mã số bảo hiểm xã hội"), convert=_bhxh_code),
    ColumnSpec("contacted_on", "Ngày gặp", ("ngày tiếp xúc", "ngày đến"), convert=_day("ngày gặp")),
    ColumnSpec("outcome", "Kết quả", ("kết quả gặp",), convert=_outcome, required=True),
    ColumnSpec("refusal_reason", "Lý do từ chối", ("lý do",), convert=_reason),
    ColumnSpec("next_date", "Hẹn ngày", ("hẹn lần sau", "ngày hẹn"), convert=_day("ngày hẹn")),
    ColumnSpec("note", "Ghi chú", ("ghi chú, ký", "ghi chú ký"), convert=text_cell, model=Contact),
]
# The sheet as printed (STT … Hạn cuối), then the columns filled by hand; the importer reads only
# the columns above and leaves the others (names, thôn) as they are.
TEMPLATE_HEADERS = ["STT", "Mã dòng", "Mã số BHXH", "Họ và tên", "Hộ", "Thôn", "Loại hình", "Hạn cuối",
                    "Ngày gặp", "Kết quả", "Lý do từ chối", "Hẹn ngày", "Ghi chú"]
GUIDE = [
    ["Mã dòng", f"Mã của người trong đợt vận động ({KEY_PREFIX}số), giữ nguyên như tệp mẫu."],
    ["Mã số BHXH", "Có thể dùng thay cho Mã dòng; 10 chữ số."],
    ["Ngày gặp", "dd/mm/yyyy, không sau hôm nay. Bắt buộc khi có kết quả."],
    ["Kết quả", "Một trong: " + ", ".join(Outcome.labels) + " (có dấu hay không dấu đều được), hoặc chữ tắt "
     "trên tờ in: G, H, Đ, TC, CĐ, M, T, KG. Để trống: dòng chưa có kết quả, được bỏ qua."],
    ["Lý do từ chối", "Chỉ khi kết quả là Từ chối; một trong: " + "; ".join(RefusalReason.labels) + "."],
    ["Hẹn ngày", "dd/mm/yyyy, từ ngày gặp trở đi; có thể để trống."],
    ["Ghi chú", "Tối đa 500 ký tự."],
    ["Các cột khác", "Chỉ để đối chiếu; không được đọc khi tải lên."],
]


def round_template(rows: list[selectors.ListRow]) -> bytes:
    """The round as an xlsx to fill in: the people already on the month's list (with a row key), and
    the outcome columns empty."""
    lines = []
    for number, r in enumerate((r for r in rows if r.item_id is not None), start=1):
        lines.append([number, row_key(r.item_id), r.bhxh_code, safe_cell(r.full_name), safe_cell(r.household_code),
                      safe_cell(r.village_name), r.product_name,
                      f"{r.last_valid_to:%d/%m/%Y}" if r.last_valid_to else "", "", "", "", "", ""])
    return template_xlsx(TEMPLATE_HEADERS, title="Kết quả vận động", guide=GUIDE, rows=lines,
                         text_columns=(2, 3, 9, 12))


@dataclass
class RoundReport(ImportReport):
    blank: int = 0  # rows with nothing filled in (the people not met yet): skipped

    def summary(self) -> str:
        text = super().summary()
        return f"{text} Bỏ qua {self.blank} dòng chưa ghi kết quả." if self.ok and self.blank else text


def _round_people(*, user, unit: Unit, month: datetime.date, kind: str) -> tuple[dict, dict]:
    """{item id: item id} and {mã số BHXH: item id} of the round's people the user may record for."""
    items = selectors.items_visible_to(user, WorkItem.objects.filter(month=month, kind=kind)).filter(
        Q(village=unit) if unit.level.code == "thon" else Q(commune__path__startswith=unit.path))
    by_key, by_code = {}, {}
    for pk, code in items.values_list("pk", "participant__bhxh_code"):
        by_key[pk] = pk
        if code:
            by_code[code] = pk
    return by_key, by_code


def _fingerprint(item_id: int, values: dict) -> tuple:
    return (item_id, values["contacted_on"], values["outcome"], values["refusal_reason"], values["note"],
            values["next_date"])


def _recorded(item_ids) -> set[tuple]:
    return {(c.item_id, c.contacted_on, c.outcome, c.refusal_reason, c.note, c.next_date)
            for c in Contact.objects.filter(item_id__in=item_ids, activity__isnull=True)}


FILLED = ("contacted_on", "outcome", "refusal_reason", "next_date", "note")
ERROR_COLUMNS = {"outcome": "outcome", "refusal_reason": "refusal_reason", "refusal_reason_unused": "refusal_reason",
                 "contacted_on": "contacted_on", "next_date": "next_date"}


def import_round_contacts(source, *, filename: str, unit: Unit, month: datetime.date, kind: str, user,
                          dry_run: bool = False) -> RoundReport:
    """Record one contact per filled row of the round (unit, month, kind); see the module's note."""
    if not access.can(user, "drive.open", unit) or kind not in ListKind.values:
        raise PermissionDenied("Đơn vị này nằm ngoài phạm vi của bạn.")
    month = selectors.month_start(month)
    report = RoundReport(filename=filename, dry_run=dry_run)
    table = read_table(source, COLUMNS, filename=filename, report=report)
    if table is None:
        return report
    if "key" not in table.match.columns and "bhxh_code" not in table.match.columns:
        report.problems.append(RowProblem(1, None, "thiếu cột Mã dòng hoặc Mã số BHXH (để biết kết quả của ai)."))
        return report
    by_key, by_code = _round_people(user=user, unit=unit, month=month, kind=kind)
    round_name = f"danh sách {ListKind(kind).label.lower()} tháng {month:%m/%Y}"
    seen: dict[int, int] = {}
    planned: list[tuple[int, dict]] = []
    for line, values, problems in table.rows:
        values["note"] = (values["note"] or "").strip()
        values["refusal_reason"] = values["refusal_reason"] or ""
        where = {p.column for p in problems}
        filled = [values[name] for name in FILLED]
        if not any(filled) and not any(table.label(c) in where for c in FILLED):
            report.blank += 1  # nobody met yet: the person's other cells are only the template's
            continue
        report.total += 1
        report.problems.extend(problems)

        def problem(column: str, message: str) -> None:
            report.problems.append(RowProblem(line, table.label(column), message))

        item_id = _person(values, by_key=by_key, by_code=by_code, round_name=round_name, problem=problem,
                          broken=any(table.label(c) in where for c in ("key", "bhxh_code")),
                          first="key" if "key" in table.match.columns else "bhxh_code")
        if item_id is not None and item_id in seen:
            problem("key" if values["key"] else "bhxh_code", f"người này đã có ở dòng {seen[item_id]}.")
        elif item_id is not None:
            seen[item_id] = line
        if not any(table.label(c) in where for c in ("outcome", "refusal_reason", "contacted_on", "next_date")):
            errors = contact_errors(contacted_on=values["contacted_on"], outcome=values["outcome"],
                                    refusal_reason=values["refusal_reason"], next_date=values["next_date"])
            for field, message in errors.items():
                problem(ERROR_COLUMNS[field], message[0].lower() + message[1:])
        if item_id is not None:
            planned.append((item_id, values))
    if report.problems:
        return commit_all_or_nothing(report, lambda: None, dry_run=True)
    _count(report, planned, _recorded(seen))

    def write() -> None:
        # The round's items locked first: two uploads of one file at once wait for each other here,
        # and the second finds the first one's contacts.
        locked = WorkItem.objects.select_for_update().filter(pk__in=sorted(seen)).order_by("pk")
        list(locked.values_list("pk", flat=True))
        new = _count(report, planned, _recorded(seen))
        Contact.objects.bulk_create([Contact(item_id=item_id, recorded_by=user, **values) for item_id, values in new],
                                    batch_size=500)
        tally.refresh_items(item_id for item_id, _ in new)  # bulk_create sends no signal

    return commit_all_or_nothing(report, write, dry_run=dry_run)


def _count(report: RoundReport, planned: list, recorded: set) -> list:
    """The planned contacts not recorded yet; sets the report's counts."""
    new = [(item_id, {k: v for k, v in values.items() if k not in ("key", "bhxh_code")})
           for item_id, values in planned if _fingerprint(item_id, values) not in recorded]
    report.created, report.unchanged = len(new), len(planned) - len(new)
    return new


def _person(values: dict, *, by_key: dict, by_code: dict, round_name: str, problem, broken: bool,
            first: str) -> int | None:
    """The work item a row names, or None with the problem said. The same words whether the code is
    of nobody, of someone elsewhere, or of someone of the subtree given to another agent."""
    key, code = values["key"], values["bhxh_code"]
    if broken:
        return None
    if key is None and not code:
        problem(first, "thiếu Mã dòng hoặc Mã số BHXH (để biết kết quả của ai).")
        return None
    unknown = "không có trong {round} mà bạn được ghi kết quả; hãy dùng tệp mẫu của đợt này."
    by_row_key = by_key.get(key) if key is not None else None
    by_bhxh = by_code.get(code) if code else None
    if key is not None and by_row_key is None:
        problem("key", f"mã dòng {row_key(key)} {unknown.format(round=round_name)}")
        return None
    if code and by_bhxh is None:
        problem("bhxh_code", f"mã số BHXH {code} {unknown.format(round=round_name)}")
        return None
    if by_row_key is not None and by_bhxh is not None and by_row_key != by_bhxh:
        problem("bhxh_code", f"mã số BHXH {code} không phải của người có mã dòng {row_key(key)}.")
        return None
    return by_row_key if by_row_key is not None else by_bhxh
