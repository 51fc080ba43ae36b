"""Beneficiary lists on the forms 01/NQ-03, 02/NQ-03, 03/NQ-03 (reference plan 2021 Bắc Ninh):
import (all rows or none, each problem naming the file, line and column) and export to xlsx.

The reference text names the forms but does not print them; the columns here are the ones the plan
asks each body to report (identity, residence, and what makes the person eligible: enlistment date
for former soldiers, the village where the collector works, religion and title for dignitaries).
"""

import datetime
import hashlib

import tablib
from django.db import IntegrityError, transaction
from django.db.models import Q

from bhxh_portal.exports import safe_dataset
from bhxh_portal.idempotency import Repeated, when
from bhxh_portal.importing import ColumnSpec, loose_identifier, spec_aliases
from bhxh_portal.importing import template_xlsx as blank_template
from bhxh_portal.imports import (
    ImportFileError,
    ImportReport,
    RowProblem,
    check_fits,
    load_dataset,
    parse_date,
    rename_headers,
)
from bhxh_portal.personal_ids import is_masked_personal_id, mask_personal_id, mask_personal_ids_in
from units.models import Unit
from bhxh_portal.search import fold_text
from units import access

from ..models.programmes import (
    Beneficiary,
    BeneficiaryGroup,
    BeneficiaryList,
    BeneficiaryState,
    ListForm,
    SupportProgramme,
)
from ..holidays.workdays import deadline_after

COMMON = [
    ColumnSpec("full_name", "Họ và tên", ("họ tên",), required=True),
    ColumnSpec("birth_date", "Ngày sinh", ("ngày tháng năm sinh",)),
    ColumnSpec("sex", "Giới tính"),
    ColumnSpec("personal_id", "Số định danh cá nhân", ("số định danh", "số cccd", "cccd")),
    ColumnSpec("bhxh_code", "Mã số BHXH", ("mã bhxh", "số sổ bhxh")),
    ColumnSpec("commune", "Mã xã", ("mã xã nơi thường trú",)),
    ColumnSpec("address", "Nơi thường trú", ("địa chỉ thường trú", "địa chỉ")),
    ColumnSpec("support_from", "Hưởng từ ngày", ("hỗ trợ từ ngày",)),
    ColumnSpec("note", "Ghi chú"),
]
COMMON_HEADERS = [column.label for column in COMMON[:7]]

FORM_COLUMNS = {
    # form: the columns of its own, after the common ones
    ListForm.FORM_01: [ColumnSpec("enlisted_on", "Ngày nhập ngũ", ("nhập ngũ",), required=True),
                       ColumnSpec("discharged_on", "Ngày xuất ngũ", ("xuất ngũ",))],
    ListForm.FORM_02: [ColumnSpec("work_village", "Thôn, khu phố thu gom",
                                  ("thôn thu gom", "nơi thu gom", "thôn, khu phố"), required=True)],
    ListForm.FORM_03: [ColumnSpec("religion", "Tôn giáo", required=True),
                       ColumnSpec("religious_title", "Chức sắc, chức việc", ("chức sắc", "chức việc", "chức danh"),
                                  required=True),
                       ColumnSpec("religious_place", "Cơ sở tôn giáo", ("nơi sinh hoạt tôn giáo",))],
    ListForm.GENERAL: [],
}
ENLISTED_AFTER = datetime.date(1975, 4, 30)
ENLISTED_UNTIL = datetime.date(1989, 8, 31)
RELIGIONS = {"phat giao": "Phật giáo", "cong giao": "Công giáo"}
SEXES = {"nam": "M", "m": "M", "nu": "F", "f": "F"}
EXPORT_STATE_HEADERS = ["Trạng thái", "Hạn cấp thẻ", "Số thẻ BHYT", "Ngày cấp thẻ"]


def template_headers(form: str) -> list[str]:
    return ["STT", *COMMON_HEADERS, *[c.label for c in FORM_COLUMNS[form]], "Ghi chú"]


def import_beneficiary_list(source, *, filename: str, group: BeneficiaryGroup, unit: Unit,
                            received_on: datetime.date, user, dry_run: bool = False) -> ImportReport:
    """Check (and unless dry_run, write) one list; all rows or none.

    The same file for the same group, unit and day is written once (BeneficiaryList's unique
    content_sha256): sent again it raises Repeated naming the first list. Writes of one programme
    are serialised on its row, so two lists sent at once cannot both add the same person."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    programme = group.programme
    if not access.can(user, "programmes.import", unit):
        whose = unit.name if access.can_name(user, unit) else "đơn vị này: đơn vị ngoài phạm vi của bạn"
        report.problems.append(RowProblem(None, None, f"bạn không có quyền nhận danh sách của {whose}."))
        return report
    data = source if isinstance(source, bytes) else source.read()
    same = {"programme": programme, "group": group, "unit": unit, "received_on": received_on,
            "content_sha256": hashlib.sha256(data).hexdigest()}
    earlier = BeneficiaryList.objects.filter(**same).first()
    if earlier is not None:
        raise _list_repeated(earlier)
    if refusal := _list_refusal(programme=programme, unit=unit, received_on=received_on):
        report.problems.append(RowProblem(None, None, refusal))
        return report
    form_columns = FORM_COLUMNS[group.form]
    loaded = _load_rows(data, filename=filename, columns=[*COMMON, *form_columns], report=report)
    if loaded is None:
        return report
    rows, labels = loaded

    def problem(line, column, message):
        report.problems.append(RowProblem(line, labels.get(column, column) if column else None, message))

    checker = _RowChecker(programme=programme, unit=unit, user=user, received_on=received_on,
                          form_columns=form_columns, rows=rows, problem=problem)
    beneficiaries = []
    for index, row in enumerate(rows):
        report.total += 1
        beneficiaries.append(checker.check(row, line=index + 2))
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.problems:
        return report
    report.created = len(beneficiaries)
    if dry_run:
        return report
    batch = _write_list(same=same, filename=filename, user=user, beneficiaries=beneficiaries, seen=checker.seen,
                        report=report, problem=problem)
    if batch is not None:
        report.list_id = batch.pk
    return report


def _list_refusal(*, programme: SupportProgramme, unit: Unit, received_on: datetime.date) -> str | None:
    """Why no list of this unit and day belongs to the programme, or None."""
    if not unit.is_in_subtree_of(programme.province):
        return f"{unit.name} không thuộc {programme.province.name}."
    if not programme.valid_from <= received_on <= programme.valid_to:
        return ("ngày nhận danh sách ngoài thời gian thực hiện chương trình "
                f"({programme.valid_from:%d/%m/%Y} – {programme.valid_to:%d/%m/%Y}).")
    return None


def _load_rows(data: bytes, *, filename: str, columns: list[ColumnSpec],
               report: ImportReport) -> tuple[list[dict], dict[str, str]] | None:
    """The rows under canonical headers and the headers as written; None (the problem reported) when
    the file cannot be read or lacks a column."""
    aliases, required = spec_aliases(columns), [c.name for c in columns if c.required]
    try:
        dataset = load_dataset(data, filename=filename)
        labels = rename_headers(dataset, aliases, required=required, filename=filename)
    except ImportFileError as exc:
        report.problems.append(exc.problem)
        return None
    if "personal_id" not in dataset.headers and "bhxh_code" not in dataset.headers:
        report.problems.append(RowProblem(1, None, "thiếu cột Số định danh cá nhân (hoặc Mã số BHXH)."))
        return None
    return list(dataset.dict), labels


class _RowChecker:
    """Checks the rows of one list in order, each against the earlier rows and the programme's
    people; reports through `problem(line, column, message)`."""

    def __init__(self, *, programme: SupportProgramme, unit: Unit, user, received_on: datetime.date,
                 form_columns: list[ColumnSpec], rows: list[dict], problem):
        self.programme, self.unit, self.received_on = programme, unit, received_on
        self.form_columns, self.problem = form_columns, problem
        self.communes = {u.code: u for u in Unit.objects.current().filter(
            code__in={str(r.get("commune") or "").strip() for r in rows}, path__startswith=unit.path)}
        # Who already receives support, and whether the list is one the user sees: of another branch's
        # list the refusal says only that it lies outside the user's scope.
        active = Beneficiary.objects.filter(beneficiary_list__programme=programme,
                                            state__in=[BeneficiaryState.SUBMITTED, BeneficiaryState.CARD_ISSUED])
        seen_here = access.scope_by_unit(user, active, "beneficiary_list__unit")
        self.active_ids = {i for pair in active.values_list("personal_id", "bhxh_code") for i in pair if i}
        self.active_here = {i for pair in seen_here.values_list("personal_id", "bhxh_code") for i in pair if i}
        self.due_on = deadline_after(received_on, programme.card_issue_working_days)
        self.seen: dict[str, int] = {}  # identifier -> first line that gives it

    def check(self, row: dict, *, line: int) -> Beneficiary:
        problem = self.problem
        name = str(row.get("full_name") or "").strip()
        if not name:
            problem(line, "full_name", "thiếu họ và tên.")
        texts = {column: str(row.get(column) or "").strip() for column in ("address", "note")}
        for column, value in (("full_name", name), *texts.items()):
            if unstorable := check_fits(Beneficiary, column, value):
                problem(line, column, unstorable)
        personal_id, bhxh_code = self.identifiers(row, line=line)
        try:
            birth_date = parse_date(row.get("birth_date"), label="ngày sinh")
        except ValueError as exc:
            problem(line, "birth_date", f"{exc}.")
            birth_date = None
        if unstorable := check_fits(Beneficiary, "birth_date", birth_date):
            problem(line, "birth_date", unstorable)
        sex = ""
        if row.get("sex"):
            sex = SEXES.get(fold_text(str(row["sex"])), "")
            if not sex:
                problem(line, "sex", f"giới tính '{row['sex']}' phải là Nam hoặc Nữ.")
        commune = None
        code = str(row.get("commune") or "").strip()
        if code:
            commune = self.communes.get(code)
            if commune is None:
                problem(line, "commune", f"không có xã mang mã '{code}' thuộc {self.unit.name}.")
        support_from = self.support_from(row, line=line)
        details = self.details(row, line=line)
        return Beneficiary(
            line=line, full_name=name, birth_date=birth_date, sex=sex, personal_id=personal_id,
            bhxh_code=bhxh_code, commune=commune, address=texts["address"],
            details=details, support_from=support_from, due_on=self.due_on, note=texts["note"],
        )

    def identifiers(self, row: dict, *, line: int) -> tuple[str, str]:
        """The personal id and BHXH code, each checked for form and against earlier rows and lists."""
        problem = self.problem
        personal_id = loose_identifier(row.get("personal_id"), 12)
        bhxh_code = loose_identifier(row.get("bhxh_code"), 10)
        masked = is_masked_personal_id(personal_id)
        if masked:
            problem(line, "personal_id", f"số định danh '{personal_id}' đã bị che (tệp xuất từ hệ thống): ghi lại số "
                                         "đầy đủ, hoặc để trống nếu đã có mã số BHXH.")
            personal_id = ""
        elif personal_id and not (personal_id.isdigit() and len(personal_id) == 12):
            problem(line, "personal_id", f"số định danh '{mask_personal_ids_in(personal_id)}' phải gồm đúng 12 chữ số.")
        if bhxh_code and not (bhxh_code.isdigit() and len(bhxh_code) == 10):
            problem(line, "bhxh_code", f"mã số BHXH '{bhxh_code}' phải gồm đúng 10 chữ số.")
        if not personal_id and not bhxh_code and not masked:
            problem(line, "personal_id", "cần số định danh cá nhân hoặc mã số BHXH.")
        for key in (personal_id, bhxh_code):
            if not key:
                continue
            if key in self.seen:
                problem(line, "personal_id" if key == personal_id else "bhxh_code",
                        f"trùng với dòng {self.seen[key]} trong tệp.")
            elif key in self.active_here:
                problem(line, "personal_id" if key == personal_id else "bhxh_code",
                        "người này đã có trong danh sách của chương trình (đang chờ cấp thẻ hoặc đã cấp thẻ).")
            elif key in self.active_ids:
                problem(line, "personal_id" if key == personal_id else "bhxh_code",
                        "người này đã có trong danh sách của chương trình do đơn vị ngoài phạm vi của bạn gửi.")
            self.seen.setdefault(key, line)
        return personal_id, bhxh_code

    def support_from(self, row: dict, *, line: int) -> datetime.date:
        programme = self.programme
        try:
            support_from = (parse_date(row.get("support_from"), label="ngày")
                            or max(self.received_on, programme.valid_from))
        except ValueError as exc:
            self.problem(line, "support_from", f"{exc}.")
            support_from = self.received_on
        if not programme.valid_from <= support_from <= programme.valid_to:
            self.problem(line, "support_from", "ngày hưởng ngoài thời gian thực hiện chương trình.")
        return support_from

    def details(self, row: dict, *, line: int) -> dict[str, str]:
        """The columns of the group's form: what makes the person eligible."""
        problem = self.problem
        details = {}
        for canonical, header, needed in ((c.name, c.label, c.required) for c in self.form_columns):
            value = row.get(canonical)
            if value in (None, ""):
                if needed:
                    problem(line, canonical, f"thiếu {header.lower()}.")
                continue
            if canonical in ("enlisted_on", "discharged_on"):
                try:
                    value = parse_date(value, label=header.lower())
                except ValueError as exc:
                    problem(line, canonical, f"{exc}.")
                    continue
                if canonical == "enlisted_on" and not ENLISTED_AFTER < value <= ENLISTED_UNTIL:
                    problem(line, canonical, "chỉ hỗ trợ cựu quân nhân nhập ngũ sau ngày 30/4/1975 đến "
                                             f"31/8/1989; ngày nhập ngũ là {value:%d/%m/%Y}.")
                value = value.isoformat()
            elif canonical == "religion":
                religion = RELIGIONS.get(fold_text(str(value)))
                if religion is None:
                    problem(line, canonical, f"tôn giáo '{value}': chương trình hỗ trợ chức sắc, chức việc, nhà tu "
                                             "hành của Phật giáo và Công giáo.")
                value = religion or str(value)
            details[canonical] = str(value).strip() if not isinstance(value, str) else value.strip()
        return details


def _write_list(*, same: dict, filename: str, user, beneficiaries: list[Beneficiary], seen: dict[str, int],
                report: ImportReport, problem) -> BeneficiaryList | None:
    """Write the checked list under the programme's lock; None (the problems reported, nothing
    written) when a list written meanwhile has added the same people."""
    programme = same["programme"]
    try:
        with transaction.atomic():
            SupportProgramme.objects.select_for_update().filter(pk=programme.pk).first()
            earlier = BeneficiaryList.objects.filter(**same).first()
            if earlier is not None:
                raise _list_repeated(earlier)
            # Checked again under the lock: a list written meanwhile may have added the same people.
            ids, codes = [k for k in seen if len(k) == 12], [k for k in seen if len(k) == 10]
            taken = Beneficiary.objects.filter(
                Q(personal_id__in=ids) | Q(bhxh_code__in=codes), beneficiary_list__programme=programme,
                state__in=[BeneficiaryState.SUBMITTED, BeneficiaryState.CARD_ISSUED],
            ).values_list("personal_id", "bhxh_code")
            for key in sorted({k for pair in taken for k in pair if k in seen}, key=seen.get):
                problem(seen[key], "personal_id" if len(key) == 12 else "bhxh_code",
                        "người này vừa được nhập trong một danh sách khác của chương trình.")
            if report.problems:
                report.created = 0
                return None
            batch = BeneficiaryList.objects.create(source_filename=filename[:255], created_by=user, **same)
            for beneficiary in beneficiaries:
                beneficiary.beneficiary_list = batch
            Beneficiary.objects.bulk_create(beneficiaries)
    except IntegrityError:
        earlier = BeneficiaryList.objects.filter(**same).first()
        if earlier is None:
            raise
        raise _list_repeated(earlier) from None
    return batch


def _list_repeated(earlier: BeneficiaryList) -> Repeated:
    return Repeated(f"Danh sách này (cùng tệp, nhóm, đơn vị và ngày nhận) đã được nhập lúc {when(earlier.created_at)} "
                    f"(danh sách số {earlier.pk}); không nhập lại lần nữa.", obj=earlier)


def export_beneficiary_list(beneficiary_list: BeneficiaryList) -> bytes:
    """The list on its form, with each beneficiary's state. The số định danh is masked, as on the page;
    imported again (state columns ignored), a masked number is refused until written in full."""
    form = beneficiary_list.group.form
    columns = FORM_COLUMNS[form]
    dataset = tablib.Dataset(headers=[*template_headers(form), *EXPORT_STATE_HEADERS],
                             title=form.replace("/", "-"))
    for number, b in enumerate(beneficiary_list.beneficiaries.select_related("commune").order_by("line", "pk"), 1):
        extra = []
        for canonical in (c.name for c in columns):
            value = b.details.get(canonical, "")
            if canonical in ("enlisted_on", "discharged_on") and value:
                value = datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
            extra.append(value)
        dataset.append([
            number, b.full_name, b.birth_date.strftime("%d/%m/%Y") if b.birth_date else "",
            b.get_sex_display() if b.sex else "", mask_personal_id(b.personal_id), b.bhxh_code,
            b.commune.code if b.commune else "", b.address, *extra, b.note, b.get_state_display(),
            b.due_on.strftime("%d/%m/%Y"), b.card_number,
            b.card_issued_on.strftime("%d/%m/%Y") if b.card_issued_on else "",
        ])
    return safe_dataset(dataset).export("xlsx")


def template_xlsx(form: str) -> bytes:
    return blank_template(template_headers(form), title=form.replace("/", "-"))
