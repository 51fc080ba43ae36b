"""Import a commune's household / population list (danh sách hộ, dân cư): họ tên, ngày sinh, số định
danh, hộ, thôn. The same pipeline as every import: every row checked first (file, line, column,
Vietnamese reason), then all rows written or none; importing the same file again changes nothing."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bhxh_portal.importing import (
    ColumnSpec,
    ImportReport,
    RowProblem,
    commit_all_or_nothing,
    parse_date,
    read_table,
    text_cell,
)
from bhxh_portal.personal_ids import is_masked_personal_id, mask_personal_id
from units import access
from units.models import Unit
from bhxh_portal.search import fold_text

from .models import Resident


def _birth_date(value):
    try:
        return parse_date(value, label="ngày sinh")
    except ValueError as exc:
        raise ValueError(f"{exc}.") from None


COLUMNS = [
    ColumnSpec("full_name", "Họ và tên", ("họ tên", "tên"), convert=text_cell, required=True, model=Resident),
    ColumnSpec("birth_date", "Ngày sinh", ("ngày tháng năm sinh",), convert=_birth_date, model=Resident),
    ColumnSpec("personal_id", "Số định danh", ("số định danh cá nhân", "cccd", "số cccd", "căn cước công dân"),
               convert=text_cell, required=True),
    ColumnSpec("household_code", "Hộ", ("mã hộ", "mã hộ gia đình", "số hộ"), convert=text_cell, model=Resident),
    ColumnSpec("village", "Thôn", ("thôn, ấp", "ấp", "tổ dân phố", "mã thôn"), convert=text_cell, required=True),
]
TEMPLATE_HEADERS = [column.label for column in COLUMNS]


def import_residents(source, *, filename: str, commune: Unit, user, dry_run: bool = False) -> ImportReport:
    if not access.can(user, "drive.manage", commune):
        raise PermissionDenied("Xã này nằm ngoài phạm vi của bạn.")
    report = ImportReport(filename=filename, dry_run=dry_run)
    table = read_table(source, COLUMNS, filename=filename, report=report)
    if table is None:
        return report
    villages = {}
    for village in commune.children.all():
        villages[fold_text(village.code)] = village
        villages[fold_text(village.name)] = village
    existing = {r.personal_id: r for r in Resident.objects.filter(commune=commune)}

    def problem(line, column, message):
        report.problems.append(RowProblem(line, table.label(column), message))

    seen: dict[str, int] = {}
    planned = []
    for line, values, problems in table.rows:
        report.total += 1
        report.problems.extend(problems)
        name, raw_id = values["full_name"] or "", values["personal_id"] or ""
        if not name and not any(p.column == table.label("full_name") for p in problems):
            problem(line, "full_name", "thiếu họ và tên.")
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
        raw_village = values["village"] or ""
        village = villages.get(fold_text(raw_village))
        if not raw_village:
            problem(line, "village", "thiếu thôn.")
        elif village is None:
            problem(line, "village", f"xã {commune.name} không có thôn '{raw_village}'.")
        planned.append({"full_name": name, "personal_id": raw_id, "birth_date": values["birth_date"],
                        "household_code": values["household_code"] or "", "village": village})
    if report.problems:
        return commit_all_or_nothing(report, lambda: None, dry_run=True)
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

    def write() -> None:
        Resident.objects.bulk_create(to_create, batch_size=1000)
        Resident.objects.bulk_update(to_update, ["full_name", "birth_date", "household_code", "village", "updated_at"],
                                     batch_size=1000)

    return commit_all_or_nothing(report, write, dry_run=dry_run)
