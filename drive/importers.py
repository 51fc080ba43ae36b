"""Import a commune's household / population list (danh sách hộ, dân cư): họ tên, ngày sinh, số định
danh, hộ, thôn. The same pipeline as every import: every row checked first (file, line, column,
Vietnamese reason), then all rows written or none; importing the same file again changes nothing."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bhxh_portal.imports import (
    ImportFileError,
    ImportReport,
    RowProblem,
    check_fits,
    load_dataset,
    parse_date,
    rename_headers,
)
from bhxh_portal.personal_ids import is_masked_personal_id, mask_personal_id
from units import access
from units.models import Unit
from bhxh_portal.search import fold_text

from .models import Resident

HEADER_ALIASES = {
    "full_name": ["họ và tên", "họ tên", "tên"],
    "birth_date": ["ngày sinh", "ngày tháng năm sinh"],
    "personal_id": ["số định danh", "số định danh cá nhân", "cccd", "số cccd", "căn cước công dân"],
    "household_code": ["hộ", "mã hộ", "mã hộ gia đình", "số hộ"],
    "village": ["thôn", "thôn, ấp", "ấp", "tổ dân phố", "mã thôn"],
}
REQUIRED = ["full_name", "personal_id", "village"]
TEMPLATE_HEADERS = ["Họ và tên", "Ngày sinh", "Số định danh", "Hộ", "Thôn"]


def import_residents(source, *, filename: str, commune: Unit, user, dry_run: bool = False) -> ImportReport:
    if not access.can(user, "drive.manage", commune):
        raise PermissionDenied("Xã này nằm ngoài phạm vi của bạn.")
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        dataset = load_dataset(source, filename=filename)
        labels = rename_headers(dataset, HEADER_ALIASES, required=REQUIRED, filename=filename)
    except ImportFileError as exc:
        report.problems.append(exc.problem)
        return report
    villages = {}
    for village in commune.children.all():
        villages[fold_text(village.code)] = village
        villages[fold_text(village.name)] = village
    existing = {r.personal_id: r for r in Resident.objects.filter(commune=commune)}

    def problem(line, column, message):
        report.problems.append(RowProblem(line, labels.get(column, column), message))

    seen: dict[str, int] = {}
    planned = []
    for index, row in enumerate(dataset.dict):
        line = index + 2
        report.total += 1
        name = str(row.get("full_name") or "").strip()
        if not name:
            problem(line, "full_name", "thiếu họ và tên.")
        elif unstorable := check_fits(Resident, "full_name", name):
            problem(line, "full_name", unstorable)
        raw_id = str(row.get("personal_id") or "").strip()
        if not raw_id:
            problem(line, "personal_id", "thiếu số định danh cá nhân.")
        elif is_masked_personal_id(raw_id):
            problem(line, "personal_id", "số định danh đã bị che (****); hãy dùng danh sách gốc.")
        elif not (raw_id.isdigit() and len(raw_id) == 12):
            problem(line, "personal_id", f"số định danh '{mask_personal_id(raw_id)}' phải có đúng 12 chữ số.")
        elif raw_id in seen:
            problem(line, "personal_id", f"số định danh {mask_personal_id(raw_id)} đã có ở dòng {seen[raw_id]}.")
        else:
            seen[raw_id] = line
        try:
            birth = parse_date(row.get("birth_date"), label="ngày sinh")
            if unstorable := check_fits(Resident, "birth_date", birth):
                problem(line, "birth_date", unstorable)
                birth = None
        except ValueError as exc:
            problem(line, "birth_date", f"{exc}.")
            birth = None
        household = str(row.get("household_code") or "").strip()
        if unstorable := check_fits(Resident, "household_code", household):
            problem(line, "household_code", unstorable)
        raw_village = str(row.get("village") or "").strip()
        village = villages.get(fold_text(raw_village))
        if not raw_village:
            problem(line, "village", "thiếu thôn.")
        elif village is None:
            problem(line, "village", f"xã {commune.name} không có thôn '{raw_village}'.")
        planned.append({"full_name": name, "personal_id": raw_id, "birth_date": birth,
                        "household_code": household, "village": village})
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.problems:
        return report
    to_create, to_update = [], []
    for values in planned:
        resident = existing.get(values["personal_id"])
        if resident is None:
            to_create.append(Resident(commune=commune, **values))
        elif any(getattr(resident, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(resident, k, v)
            resident.updated_at = timezone.now()
            to_update.append(resident)
        else:
            report.unchanged += 1
    report.created, report.updated = len(to_create), len(to_update)
    if dry_run:
        return report
    with transaction.atomic():
        Resident.objects.bulk_create(to_create, batch_size=1000)
        Resident.objects.bulk_update(to_update, ["full_name", "birth_date", "household_code", "village", "updated_at"],
                                     batch_size=1000)
    return report
