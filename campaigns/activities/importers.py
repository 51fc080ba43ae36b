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
from bhxh_portal.imports import (
    ImportFileError,
    ImportReport,
    RowProblem,
    check_fits,
    load_dataset,
    parse_date,
    rename_headers,
)
from bhxh_portal.numbers import parse_whole_number
from units import access
from units.models import Unit
from bhxh_portal.search import fold_text

from ..models.activities import ActivityKind, ActivitySignUp, DriveActivity, Employer
from .services import PLAN_FIELDS, activity_create, activity_plan_update

HEADER_ALIASES = {
    "kind": ["loại hoạt động", "hoạt động", "loại"],
    "organiser": ["mã đơn vị tổ chức", "đơn vị tổ chức", "mã đơn vị"],
    "organiser_detail": ["bộ phận thực hiện", "bộ phận"],
    "title": ["nội dung", "tên hoạt động"],
    "place": ["địa điểm"],
    "start": ["từ ngày", "ngày bắt đầu", "dự kiến từ ngày"],
    "end": ["đến ngày", "ngày kết thúc", "dự kiến đến ngày"],
    "count": ["số cuộc", "số lượng", "số đơn vị làm việc"],
    "invited": ["số đơn vị mời", "số được mời", "số đơn vị dự kiến tham dự"],
    "invitees": ["thành phần mời", "thành phần", "đối tượng mời"],
    "attendance": ["số người dự kiến", "số người dự kiến tham dự", "số người tham dự"],
    "tax_code": ["mã số thuế", "mst"],
}
REQUIRED = ["kind", "organiser", "start", "end"]
TEMPLATE_HEADERS = ["Loại hoạt động", "Mã đơn vị tổ chức", "Bộ phận thực hiện", "Nội dung", "Địa điểm", "Từ ngày",
                    "Đến ngày", "Số cuộc", "Số đơn vị mời", "Thành phần mời", "Số người dự kiến", "Mã số thuế",
                    "Dự kiến BHXH BB", "Dự kiến BHXH TN", "Dự kiến BHYT HGĐ"]

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
    try:
        dataset = load_dataset(source, filename=filename)
        labels = rename_headers(dataset, HEADER_ALIASES, required=REQUIRED, filename=filename)
    except ImportFileError as exc:
        report.problems.append(exc.problem)
        return report
    product_columns = _product_columns(dataset.headers)
    for header in dataset.headers:
        if header and fold_text(header).startswith("du kien ") and header not in product_columns \
                and header not in HEADER_ALIASES:
            report.problems.append(RowProblem(1, header, "không nhận ra loại hình (vd: Dự kiến BHXH TN, "
                                                         "Dự kiến BHYT HGĐ, Dự kiến BHXH BB)."))
    if report.problems:
        return report
    kinds = _kind_lookup()
    codes = {str(r.get("organiser") or "").strip() for r in dataset.dict}
    units = {u.code: u for u in Unit.objects.current().filter(code__in=codes)}
    tax_codes = {str(r.get("tax_code") or "").strip() for r in dataset.dict} - {""}
    employers = {e.tax_code: e for e in Employer.objects.filter(tax_code__in=tax_codes)}
    label = labels.get

    def problem(line, column, message):
        report.problems.append(RowProblem(line, label(column, column) if column else None, message))

    planned = []
    for index, row in enumerate(dataset.dict):
        line = index + 2
        report.total += 1
        raw_kind = str(row.get("kind") or "").strip()
        kind = kinds.get(fold_text(raw_kind))
        if not kind:
            problem(line, "kind", f"loại hoạt động '{raw_kind}' không có trong danh mục "
                                  "(hội nghị đơn vị sử dụng lao động, làm việc trực tiếp, hội nghị khách hàng "
                                  "tiềm năng, tuyên truyền nhóm nhỏ, thanh tra kiểm tra, hội nghị phát động).")
        code = str(row.get("organiser") or "").strip()
        organiser = units.get(code)
        if organiser is None:
            problem(line, "organiser", f"không có đơn vị mang mã '{code}'." if code else "thiếu mã đơn vị tổ chức.")
        elif not access.can(user, "activities.import", organiser):
            whose = organiser.name if access.can_name(user, organiser) else "ngoài phạm vi của bạn"
            problem(line, "organiser", f"bạn không có quyền lập kế hoạch cho đơn vị {whose} ({code}).")
        dates = {}
        for column, stored_as in (("start", "planned_start"), ("end", "planned_end")):
            try:
                dates[column] = parse_date(row.get(column), label="ngày")
                if dates[column] is None:
                    problem(line, column, "thiếu ngày.")
                elif unstorable := check_fits(DriveActivity, stored_as, dates[column]):
                    problem(line, column, unstorable)
                    dates[column] = None
            except ValueError as exc:
                problem(line, column, f"{exc}.")
                dates[column] = None
        if dates.get("start") and dates.get("end") and dates["end"] < dates["start"]:
            problem(line, "end", "ngày kết thúc trước ngày bắt đầu.")
        numbers = {}
        for column, stored_as in (("count", "planned_count"), ("invited", "invited_count"),
                                  ("attendance", "expected_attendance")):
            value = row.get(column)
            try:
                numbers[column] = parse_whole_number(value) if value not in (None, "") else None
                if numbers[column] is not None and numbers[column] < 0:
                    raise ValueError
            except (ValueError, TypeError):
                problem(line, column, f"'{value}' không phải là số nguyên không âm.")
                numbers[column] = None
            if unstorable := check_fits(DriveActivity, stored_as, numbers[column]):
                problem(line, column, unstorable)
                numbers[column] = None
        texts = {}
        for column, stored_as in (("organiser_detail", "organiser_detail"), ("title", "title"), ("place", "place"),
                                  ("invitees", "invitees_note")):
            texts[column] = str(row.get(column) or "").strip()
            if unstorable := check_fits(DriveActivity, stored_as, texts[column]):
                problem(line, column, unstorable)
        count = numbers["count"] if numbers["count"] is not None else 1
        if numbers["count"] == 0:
            problem(line, "count", "số cuộc phải lớn hơn 0.")
        employer = None
        tax_code = str(row.get("tax_code") or "").strip()
        if tax_code:
            employer = employers.get(tax_code)
            if employer is None:
                problem(line, "tax_code", f"chưa có đơn vị sử dụng lao động mang mã số thuế '{tax_code}'.")
            elif count != 1:
                problem(line, "count", "làm việc với một đơn vị cụ thể (có mã số thuế) là 01 cuộc.")
        expected = {}
        for header, product in product_columns.items():
            value = row.get(header)
            if value in (None, ""):
                continue
            try:
                number = parse_whole_number(value)
                if number is None or number < 0:
                    raise ValueError
            except (ValueError, TypeError):
                problem(line, header, f"'{value}' không phải là số nguyên không âm.")
                continue
            if unstorable := check_fits(ActivitySignUp, "expected", number):
                problem(line, header, unstorable)
            else:
                expected[product] = number
        planned.append({
            "kind": kind, "organiser": organiser, "organiser_detail": texts["organiser_detail"],
            "title": texts["title"], "place": texts["place"],
            "planned_start": dates.get("start"), "planned_end": dates.get("end"), "planned_count": count,
            "invited_count": numbers["invited"], "invitees_note": texts["invitees"],
            "expected_attendance": numbers["attendance"], "employer": employer, "expected_sign_ups": expected,
        })
    first_line: dict[tuple, int] = {}
    for line, values in enumerate(planned, start=2):
        if values["kind"] and values["organiser"] and values["planned_start"] and values["planned_end"]:
            key = _key(values)
            if key in first_line:
                problem(line, None, f"trùng với dòng {first_line[key]} (cùng loại, đơn vị và bộ phận tổ chức, "
                                    "cùng ngày và nội dung): mỗi hoạt động một dòng.")
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
