"""Import the planned activities of a month from a spreadsheet (xlsx, xls, ods or csv).

One row per activity line: kind, organiser unit code, dates, number of sessions, invitees, expected
attendance, and one "Dự kiến <loại hình>" column per product (Dự kiến BHXH TN, Dự kiến BHYT HGĐ,
Dự kiến BHXH BB ...). Every row is checked before anything is written; one problem anywhere and
nothing is written, each problem naming the file, the line and the column (bhxh_portal.imports).

A line already stored (same kind, organiser and its department, dates, title and employer: the
natural key DriveActivity's unique constraints hold) is updated in place or left unchanged, so
importing the same file again, or twice at once, adds nothing; two such lines in one file are refused.
"""

from django.db import IntegrityError, transaction

from agents.models import Product
from bhxh_portal.importing import (
    ColumnSpec,
    ImportReport,
    RowProblem,
    check_fits,
    parse_date,
    read_table,
    text_cell,
)
from bhxh_portal.numbers import parse_whole_number
from units import access
from units.models import Unit
from bhxh_portal.search import fold_text

from ..models.activities import ActivityKind, ActivitySignUp, DriveActivity, Employer
from .services import PLAN_FIELDS, activity_create, activity_plan_update



def _day(value):
    try:
        day = parse_date(value, label="ngày")
    except ValueError as exc:
        raise ValueError(f"{exc}.") from None
    if day is None:
        raise ValueError("thiếu ngày.")
    return day


def _count(value):
    if value in (None, ""):
        return None
    try:
        number = parse_whole_number(value)
        if number is not None and number < 0:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"'{value}' không phải là số nguyên không âm.") from None
    return number


def _text_of(name: str, label: str, aliases: tuple[str, ...], stored_as: str | None = None) -> ColumnSpec:
    return ColumnSpec(name, label, aliases, convert=text_cell, model=DriveActivity, model_field=stored_as or name)


COLUMNS = [
    ColumnSpec("kind", "Loại hoạt động", ("hoạt động", "loại"), convert=text_cell, required=True),
    ColumnSpec("organiser", "Mã đơn vị tổ chức", ("đơn vị tổ chức", "mã đơn vị"), convert=text_cell, required=True),
    _text_of("organiser_detail", "Bộ phận thực hiện", ("bộ phận",)),
    _text_of("title", "Nội dung", ("tên hoạt động",)),
    _text_of("place", "Địa điểm", ()),
    ColumnSpec("start", "Từ ngày", ("ngày bắt đầu", "dự kiến từ ngày"), convert=_day, required=True,
               model=DriveActivity, model_field="planned_start"),
    ColumnSpec("end", "Đến ngày", ("ngày kết thúc", "dự kiến đến ngày"), convert=_day, required=True,
               model=DriveActivity, model_field="planned_end"),
    ColumnSpec("count", "Số cuộc", ("số lượng", "số đơn vị làm việc"), convert=_count, model=DriveActivity,
               model_field="planned_count"),
    ColumnSpec("invited", "Số đơn vị mời", ("số được mời", "số đơn vị dự kiến tham dự"), convert=_count,
               model=DriveActivity, model_field="invited_count"),
    _text_of("invitees", "Thành phần mời", ("thành phần", "đối tượng mời"), "invitees_note"),
    ColumnSpec("attendance", "Số người dự kiến", ("số người dự kiến tham dự", "số người tham dự"), convert=_count,
               model=DriveActivity, model_field="expected_attendance"),
    ColumnSpec("tax_code", "Mã số thuế", ("mst",), convert=text_cell),
]
TEMPLATE_HEADERS = [*(column.label for column in COLUMNS), "Dự kiến BHXH BB", "Dự kiến BHXH TN", "Dự kiến BHYT HGĐ"]

KIND_ALIASES = {
    ActivityKind.EMPLOYER_CONFERENCE: ["hội nghị đơn vị sử dụng lao động", "hội nghị với đơn vị sử dụng lao động",
                                       "hội nghị đvsdlđ", "hội nghị doanh nghiệp", "hội nghị đơn vị"],
    ActivityKind.DIRECT_WORK: ["làm việc trực tiếp", "làm việc trực tiếp với đơn vị"],
    ActivityKind.PROSPECT_CONFERENCE: ["hội nghị khách hàng tiềm năng", "khách hàng tiềm năng", "hội nghị khách hàng"],
    ActivityKind.SMALL_GROUP: ["tuyên truyền nhóm nhỏ", "nhóm nhỏ", "tuyên truyền theo nhóm nhỏ",
                               "truyền thông nhóm nhỏ"],
    ActivityKind.INSPECTION: ["thanh tra, kiểm tra", "thanh tra", "kiểm tra", "thanh tra kiểm tra"],
    ActivityKind.COMMUNE_LAUNCH: ["hội nghị phát động", "phát động", "hội nghị phát động cấp xã"],
}


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for kind in ActivityKind:
        for name in [kind.value, kind.label, *KIND_ALIASES.get(kind, [])]:
            lookup[fold_text(name)] = kind.value
    return lookup


def _product_columns(headers: list[str]) -> dict[str, Product]:
    """'Dự kiến BHXH TN' -> the product whose accepted names include 'bhxh tn'."""
    products = list(Product.objects.all())
    found = {}
    for header in headers:
        folded = fold_text(header or "")
        if not folded.startswith("du kien "):
            continue
        rest = folded[len("du kien "):].strip()
        for product in products:
            if rest in product.accepted_names():
                found[header] = product
                break
    return found


def import_activities(source, *, filename: str, user, dry_run: bool = False) -> ImportReport:
    """Check (and unless dry_run, write) the planned activities of the file; all rows or none."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    table = read_table(source, COLUMNS, filename=filename, report=report)
    if table is None:
        return report
    product_columns = _product_columns(table.headers)
    for header in table.match.unknown:
        if fold_text(header).startswith("du kien ") and header not in product_columns:
            report.problems.append(RowProblem(1, header, "không nhận ra loại hình (vd: Dự kiến BHXH TN, "
                                                         "Dự kiến BHYT HGĐ, Dự kiến BHXH BB)."))
    if report.problems:
        return report
    lookups = {
        "kinds": _kind_lookup(),
        "units": {u.code: u for u in Unit.objects.current().filter(code__in={v["organiser"] for _, v, _ in table.rows})},
        "employers": {e.tax_code: e for e in Employer.objects.filter(
            tax_code__in={v["tax_code"] for _, v, _ in table.rows} - {None, ""})},
        "products": {table.headers.index(h): p for h, p in product_columns.items()},
    }
    planned = []
    for line, values, problems in table.rows:
        report.total += 1
        report.problems.extend(problems)
        planned.append(_check_row(line, values, table, lookups, report=report, user=user))
    first_line: dict[tuple, int] = {}
    for line, values in enumerate(planned, start=2):
        if values["kind"] and values["organiser"] and values["planned_start"] and values["planned_end"]:
            key = _key(values)
            if key in first_line:
                report.problems.append(RowProblem(
                    line, None, f"trùng với dòng {first_line[key]} (cùng loại, đơn vị và bộ phận tổ chức, "
                                "cùng ngày và nội dung): mỗi hoạt động một dòng."))
            first_line.setdefault(key, line)
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.problems:
        return report
    try:
        _write(planned, report=report, user=user, dry_run=dry_run)
    except IntegrityError:
        # Another import wrote some of these lines while this one ran (the unique key waited for it):
        # once more against what is now stored, those lines are found, not added.
        _write(planned, report=report, user=user, dry_run=dry_run)
    return report


def _check_row(line: int, values: dict, table, lookups: dict, *, report: ImportReport, user) -> dict:
    """The checks of one row beyond its cells: kind, organiser and the uploader's right, dates in
    order, one session with a given employer, the expected sign-ups per product."""

    def problem(column, message):
        report.problems.append(RowProblem(line, table.label(column), message))

    raw_kind = values["kind"] or ""
    kind = lookups["kinds"].get(fold_text(raw_kind))
    if not kind:
        problem("kind", f"loại hoạt động '{raw_kind}' không có trong danh mục "
                        "(hội nghị đơn vị sử dụng lao động, làm việc trực tiếp, hội nghị khách hàng "
                        "tiềm năng, tuyên truyền nhóm nhỏ, thanh tra kiểm tra, hội nghị phát động).")
    code = values["organiser"] or ""
    organiser = lookups["units"].get(code)
    if organiser is None:
        problem("organiser", f"không có đơn vị mang mã '{code}'." if code else "thiếu mã đơn vị tổ chức.")
    elif not access.can(user, "activities.import", organiser):
        whose = organiser.name if access.can_name(user, organiser) else "ngoài phạm vi của bạn"
        problem("organiser", f"bạn không có quyền lập kế hoạch cho đơn vị {whose} ({code}).")
    if values["start"] and values["end"] and values["end"] < values["start"]:
        problem("end", "ngày kết thúc trước ngày bắt đầu.")
    count = values["count"] if values["count"] is not None else 1
    if values["count"] == 0:
        problem("count", "số cuộc phải lớn hơn 0.")
    employer = None
    tax_code = values["tax_code"] or ""
    if tax_code:
        employer = lookups["employers"].get(tax_code)
        if employer is None:
            problem("tax_code", f"chưa có đơn vị sử dụng lao động mang mã số thuế '{tax_code}'.")
        elif count != 1:
            problem("count", "làm việc với một đơn vị cụ thể (có mã số thuế) là 01 cuộc.")
    expected = {}
    cells = table.cells[line]
    for index, product in lookups["products"].items():
        value = cells[index]
        if value in (None, ""):
            continue
        header = table.headers[index]
        try:
            number = _count(value)
            if number is None:
                raise ValueError(f"'{value}' không phải là số nguyên không âm.")
        except ValueError as exc:
            report.problems.append(RowProblem(line, header, str(exc)))
            continue
        if unstorable := check_fits(ActivitySignUp, "expected", number):
            report.problems.append(RowProblem(line, header, unstorable))
        else:
            expected[product] = number
    return {
        "kind": kind, "organiser": organiser, "organiser_detail": values["organiser_detail"] or "",
        "title": values["title"] or "", "place": values["place"] or "",
        "planned_start": values["start"], "planned_end": values["end"], "planned_count": count,
        "invited_count": values["invited"], "invitees_note": values["invitees"] or "",
        "expected_attendance": values["attendance"], "employer": employer, "expected_sign_ups": expected,
    }


def _key(values: dict) -> tuple:
    """DriveActivity's natural key (NATURAL_KEY, with the employer) of a checked row."""
    employer = values["employer"]
    return (values["kind"], values["organiser"].pk, values["organiser_detail"], values["planned_start"],
            values["planned_end"], values["title"], employer.pk if employer else None)


def stored_lines(planned: list[dict]) -> dict[tuple, DriveActivity]:
    """The lines already stored that the checked rows could be, by natural key (one query, and one
    for their sign-ups)."""
    stored = DriveActivity.objects.filter(
        organiser__in={v["organiser"].pk for v in planned},
        planned_start__in={v["planned_start"] for v in planned},
    ).prefetch_related("sign_ups")
    return {(a.kind, a.organiser_id, a.organiser_detail, a.planned_start, a.planned_end, a.title, a.employer_id): a
            for a in stored}


def _write(planned: list[dict], *, report: ImportReport, user, dry_run: bool) -> None:
    """Add the new lines, update the plan figures of the lines already stored (same natural key),
    leave the same ones alone: importing the same file again changes nothing. All or nothing."""
    report.created = report.updated = report.unchanged = 0
    with transaction.atomic():
        existing = stored_lines(planned)
        for values in planned:
            activity = existing.get(_key(values))
            if activity is None:
                report.created += 1
                if not dry_run:
                    activity_create(**values, by=user, check=False)  # permission checked per row above
                continue
            plan = {f: values[f] for f in PLAN_FIELDS}
            if dry_run:
                wanted = {p.pk: n for p, n in values["expected_sign_ups"].items() if n}
                stored_sign_ups = {s.product_id: s.expected for s in activity.sign_ups.all() if s.expected}
                differs = any(getattr(activity, f) != v for f, v in plan.items()) or wanted != stored_sign_ups
            else:
                differs = activity_plan_update(activity=activity, values=plan,
                                               expected_sign_ups=values["expected_sign_ups"], by=user)
            if differs:
                report.updated += 1
            else:
                report.unchanged += 1
