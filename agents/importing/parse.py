"""Reading the participant list's rows: one pass, one converter per column (no ORM), lookups and
dates memoised per distinct value, then the contribution check against the dated rules."""

import datetime

from django.db.models import Q

from bhxh_portal.importing import check_fits, field_limits, nfc, pad_code
from bhxh_portal.numbers import format_number
from units.models import Unit
from units.selectors.lineage import unit_for_code

from ..contributions import ContributionError, IncomeError, RuleBook, months_for
from ..models import Agent, IncomeBase, PaymentMode, Product, SupportGroup
from .columns import (
    COLUMN_BY_FIELD,
    GROUP_NAMES,
    NEW_NAMES,
    PAYMENT_MODE_NAMES,
    SEX_NAMES,
    Bad,
    Choice,
    Header,
    _text,
    bhxh_code,
    normalise_header,
    personal_id,
    read_date,
    read_whole,
)
from .rows import Row

MODE_OF_MONTHS = {1: PaymentMode.MONTHLY, 3: PaymentMode.QUARTERLY, 6: PaymentMode.HALF_YEAR, 12: PaymentMode.YEARLY}
SUM_LINES = ("tong cong", "cong", "tong")


class _Reading:
    """What the pass over the rows keeps at hand: column positions, labels, converters and memos."""

    __slots__ = ("labels", "specs", "person_model", "name_max", "household_max", "sex", "mode", "group", "is_new",
                 "today", "product_names", "birth", "day", "product", "agent", "commune", "village", "mode_months",
                 "i_bhxh", "i_pid", "i_name", "i_birth",
                 "i_sex", "i_commune", "i_village", "i_household", "i_member", "i_product", "i_from", "i_to",
                 "i_income", "i_mode", "i_months", "i_group", "i_new", "i_agent", "i_amount")

    def __init__(self, header: Header, product_names: str):
        labels = self.labels = {f: header.labels.get(f, COLUMN_BY_FIELD[f].label) for f in COLUMN_BY_FIELD}
        self.specs = COLUMN_BY_FIELD
        self.person_model = COLUMN_BY_FIELD["full_name"].model  # the model the person's columns are stored in
        # check_fits is asked only about text longer than its column (or with a NUL): a million calls fewer.
        self.name_max = field_limits(self.person_model, "full_name").max_length or 10**9
        self.household_max = field_limits(self.person_model, "household_code").max_length or 10**9
        self.sex = Choice(SEX_NAMES, label=labels["sex"], expected="ghi Nam hoặc Nữ")
        self.mode = Choice(PAYMENT_MODE_NAMES, label=labels["payment_mode"],
                           expected="hằng tháng, 3 tháng, 6 tháng, 12 tháng, đóng trước nhiều năm hoặc đóng một lần")
        self.group = Choice(GROUP_NAMES, label=labels["support_group"],
                            expected="hộ nghèo, cận nghèo, dân tộc thiểu số, khác hoặc địa phương")
        self.is_new = Choice(NEW_NAMES, label=labels["is_new"], expected="ghi Mới hoặc Tái tục")
        self.today = datetime.date.today()
        self.product_names = product_names
        self.birth, self.day, self.product, self.agent = {}, {}, {}, {}
        self.commune, self.village, self.mode_months = {}, {}, {}
        # A missing column reads the None appended at the end of every row (index -1).
        i = {f: header.columns.get(f, -1) for f in COLUMN_BY_FIELD}
        self.i_bhxh, self.i_pid, self.i_name, self.i_birth, self.i_sex = (
            i["bhxh_code"], i["personal_id"], i["full_name"], i["birth_date"], i["sex"])
        self.i_commune, self.i_village, self.i_household, self.i_member = (
            i["commune_code"], i["village_code"], i["household_code"], i["member_order"])
        self.i_product, self.i_from, self.i_to, self.i_income, self.i_mode = (
            i["product"], i["valid_from"], i["valid_to"], i["income"], i["payment_mode"])
        self.i_months, self.i_group, self.i_new, self.i_agent, self.i_amount = (
            i["months"], i["support_group"], i["is_new"], i["agent"], i["amount"])


class RowParser:
    """The first step of `ParticipantImport`: the file's rows as `Row`s with their errors and warnings."""

    # 1. rows ----------------------------------------------------------------------------
    def _load_context(self):
        self.units = {}
        in_force = Unit.objects.valid_on(self.units_on) if self.units_on else Unit.objects.current()
        for unit in in_force.filter(path__startswith=self.scope.path).values(
                "id", "code", "path", "parent_id", "name", "level__code", "level__code_digits"):
            self.units[unit["code"]] = unit
        self.commune_digits = max((u["level__code_digits"] or 0 for u in self.units.values()
                                   if u["level__code"] == "xa"), default=0)
        self.products = {}
        self.product_objects = {}
        for product in Product.objects.all():
            self.product_objects[product.pk] = product
            for name in product.accepted_names():
                self.products[normalise_header(name)] = product.pk
        self.agents = {}
        agents = Agent.objects.filter(
            Q(unit__path__startswith=self.scope.path) | Q(communes__path__startswith=self.scope.path)
            | Q(pk__in=Agent.objects.filter(unit__in=self.scope.ancestor_ids).values("pk"))
        ).distinct().values("id", "name", "code")
        for agent in agents:
            self.agents[normalise_header(agent["name"])] = agent["id"]
            if agent["code"]:
                self.agents[normalise_header(agent["code"])] = agent["id"]
        self.rules = RuleBook.load()
        self.rules.learn_territories(u["path"] for u in self.units.values() if u["level__code"] == "xa")
        self.income_products = {r.product_id for r in self.rules.rates if r.base == IncomeBase.CHOSEN_INCOME}

    def _unit(self, value, *, label: str, level: str):
        """The unit of the subtree with this code; the code itself (str) if it is not in the subtree."""
        code = _text(value)
        if code is None:
            return None
        if isinstance(value, (int, float)) and level == "xa":
            code = pad_code(code, self.commune_digits)
        unit = self.units.get(code)
        if unit is None:
            return code
        if unit["level__code"] != level:
            raise Bad(f"{label} '{code}' là mã của {unit['name']}, không phải {'xã' if level == 'xa' else 'thôn'}")
        return unit

    def start_parsing(self, header: Header) -> _Reading:
        """What every batch's pass needs: the registry's units, products, agents and rules, the columns."""
        self._load_context()
        self.outside_messages: dict[str, str] = {}
        self.width = max(header.columns.values(), default=0) + 1
        return _Reading(header, ", ".join(str(p) for p in self.product_objects.values()))

    def parse_batch(self, lines: list[tuple[int, list]], c: _Reading) -> list[Row]:
        """One pass over a batch of (line, cells), one converter per column; lookups and dates memoised
        per distinct value for the whole file. No query: it runs where the file is read (read_ahead), in
        another process where the system allows; the codes outside the subtree are noted on their rows
        and refused afterwards, by `refuse_outside_codes`."""
        rows: list[Row] = []
        width = self.width
        # Bound once: the loop runs a million times.
        read_person, read_place, read_cover, read_terms = (self._read_person, self._read_place, self._read_cover,
                                                           self._read_terms)
        check_contribution = self._check_contribution
        for line, raw in lines:
            if len(raw) < width:
                raw = list(raw) + [None] * (width - len(raw))
            raw.append(None)
            first = None
            for value in raw:
                if value is not None and value != "":
                    first = value
                    break
            if first is None or (isinstance(first, str) and normalise_header(first) in SUM_LINES):
                continue
            row = Row(line)
            rows.append(row)
            read_person(raw, row, c)
            read_place(raw, row, c)
            read_cover(raw, row, c)
            read_terms(raw, row, c)
            if not row.errors:
                check_contribution(row, c.labels)
        return rows

    def _read_person(self, raw: list, row: Row, c: _Reading) -> None:
        """Identity: codes as text with their leading zeros, name, birth date, sex."""
        errors, labels = row.errors, c.labels
        value = raw[c.i_bhxh]
        if value.__class__ is str and len(value) == 10 and value.isdigit():
            row.bhxh_code = value
        else:
            try:
                row.bhxh_code = bhxh_code(value)
            except Bad as exc:
                row.bhxh_code = None
                errors.append((labels["bhxh_code"], str(exc)))
        value = raw[c.i_pid]
        if value.__class__ is str and len(value) == 12 and value.isdigit() and value[0] == "0" and value[:3] <= "096":
            row.personal_id = value
        else:
            try:
                row.personal_id = personal_id(value)
            except Bad as exc:
                row.personal_id = None
                errors.append((labels["personal_id"], str(exc)))
        if row.bhxh_code is None and row.personal_id is None and not errors:
            errors.append((None, "Thiếu cả mã số BHXH và số định danh cá nhân"))
        value = raw[c.i_name]
        name = " ".join(value.split()) if value.__class__ is str else _text(value)
        row.full_name = nfc(name) if name else ""
        if not row.full_name:
            errors.append((labels["full_name"], "Thiếu họ và tên"))
        elif (len(row.full_name) > c.name_max or "\x00" in row.full_name) and (
                problem := check_fits(c.person_model, "full_name", row.full_name)):
            errors.append((labels["full_name"], problem))
        value = raw[c.i_birth]
        try:
            parsed = c.birth.get(value)
            if parsed is None:
                parsed = c.birth[value] = read_date(value, label=labels["birth_date"], year_only=True)
            row.birth_date, row.birth_year_only = parsed
            if row.birth_date is None:
                errors.append((labels["birth_date"], "Thiếu ngày sinh"))
            elif row.birth_date > c.today or row.birth_date.year < 1900:
                errors.append((labels["birth_date"], f"Ngày sinh {row.birth_date:%d/%m/%Y} không hợp lệ"))
        except Bad as exc:
            row.birth_date, row.birth_year_only = None, False
            errors.append((labels["birth_date"], str(exc)))
        try:
            row.sex = c.sex(raw[c.i_sex]) or ""
        except Bad as exc:
            row.sex = ""
            errors.append((labels["sex"], str(exc)))

    def _read_place(self, raw: list, row: Row, c: _Reading) -> None:
        """Where: commune and village of the uploader's subtree, household and member order."""
        errors, labels = row.errors, c.labels
        row.commune_id = row.commune_path = row.village_id = None
        commune = village = None
        value = raw[c.i_commune]
        try:
            commune = c.commune[value] if value in c.commune else c.commune.setdefault(
                value, self._unit(value, label=labels["commune_code"], level="xa"))
            if commune is not None:
                if commune.__class__ is str:  # a code outside the subtree, or none
                    row.outside = [*(row.outside or ()), (commune, labels["commune_code"])]
                    commune = None
                else:
                    row.commune_id, row.commune_path = commune["id"], commune["path"]
            else:
                errors.append((labels["commune_code"], "Thiếu mã xã"))
        except Bad as exc:
            errors.append((labels["commune_code"], str(exc)))
        value = raw[c.i_village]
        if value is not None and value != "":
            try:
                village = c.village[value] if value in c.village else c.village.setdefault(
                    value, self._unit(value, label=labels["village_code"], level="thon"))
                if village.__class__ is str:
                    row.outside = [*(row.outside or ()), (village, labels["village_code"])]
                elif village is not None:
                    if commune is not None and village["parent_id"] != commune["id"]:
                        errors.append((labels["village_code"], f"Thôn '{village['code']}' ({village['name']}) "
                                                               f"không thuộc xã '{commune['code']}'"))
                    row.village_id = village["id"]
            except Bad as exc:
                errors.append((labels["village_code"], str(exc)))
        value = raw[c.i_household]
        household = value.strip() if value.__class__ is str else _text(value)
        row.household_code = nfc(household) if household else ""
        if (len(row.household_code) > c.household_max or "\x00" in row.household_code) and (
                problem := check_fits(c.person_model, "household_code", row.household_code)):
            errors.append((labels["household_code"], problem))
        try:
            value = raw[c.i_member]
            row.member_order = value if value.__class__ is int and 1 <= value <= 20 else read_whole(
                value, label=labels["member_order"], low=1, high=20)
        except Bad as exc:
            row.member_order = None
            errors.append((labels["member_order"], str(exc)))

    def _read_cover(self, raw: list, row: Row, c: _Reading) -> None:
        """What and when: product, start and end dates, income and amount."""
        errors, labels = row.errors, c.labels
        value = raw[c.i_product]
        if value in c.product:
            row.product_id = c.product[value]
        else:
            text = _text(value)
            row.product_id = c.product[value] = self.products.get(normalise_header(text)) if text else None
        if row.product_id is None:
            text = _text(value)
            errors.append((labels["product"], f"Loại hình '{text}' không có (dùng: {c.product_names})" if text
                           else "Thiếu loại hình tham gia"))
        for name, index in (("valid_from", c.i_from), ("valid_to", c.i_to)):
            value = raw[index]
            try:
                parsed = c.day.get(value)
                if parsed is None:
                    parsed = read_date(value, label=labels[name])[0]
                    problem = check_fits(c.specs[name].model, name, parsed)
                    if problem:
                        raise Bad(problem)
                    c.day[value] = parsed
                setattr(row, name, parsed)
            except Bad as exc:
                setattr(row, name, None)
                errors.append((labels[name], str(exc)))
        if row.valid_from is None and not any(column == labels["valid_from"] for column, _ in errors):
            errors.append((labels["valid_from"], "Thiếu ngày bắt đầu"))
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            errors.append((labels["valid_to"], "Ngày kết thúc trước ngày bắt đầu"))
        for name, index in (("income", c.i_income), ("amount", c.i_amount)):
            value = raw[index]
            # The reader gives a whole number as an int: no conversion, and far inside the column's range.
            if value.__class__ is int and 0 <= value < 10**15:
                setattr(row, name, value)
                continue
            if value.__class__ is float and value.is_integer() and 0 <= value < 1e15:
                setattr(row, name, int(value))
                continue
            try:
                number = read_whole(value, label=labels[name], low=0)
                spec = c.specs[name]
                problem = check_fits(spec.model, spec.model_field, number)
                if problem:
                    raise Bad(problem)
                setattr(row, name, number)
            except Bad as exc:
                setattr(row, name, None)
                errors.append((labels[name], str(exc)))

    def _read_terms(self, raw: list, row: Row, c: _Reading) -> None:
        """How: payment mode and months, support group, new or renewing, collection agent."""
        errors, labels = row.errors, c.labels
        key = (raw[c.i_mode], raw[c.i_months])
        try:
            chosen_months = c.mode_months.get(key)
            if chosen_months is None:
                months = read_whole(raw[c.i_months], label=labels["months"], low=1, high=600)
                chosen = c.mode(raw[c.i_mode])
                if chosen is None:
                    chosen = MODE_OF_MONTHS.get(months, PaymentMode.MONTHLY if months is None else None)
                    if chosen is None:
                        raise Bad(f"{labels['payment_mode']}: cần ghi phương thức đóng cho {months} tháng")
                chosen_months = c.mode_months[key] = (chosen, months_for(chosen, months))
            row.payment_mode, row.months = chosen_months
        except (Bad, ContributionError, TypeError) as exc:
            row.payment_mode, row.months = PaymentMode.MONTHLY, 1
            errors.append((labels["payment_mode"], str(exc) if not isinstance(exc, TypeError)
                           else f"{labels['payment_mode']} không hợp lệ"))
        try:
            row.support_group = c.group(raw[c.i_group]) or SupportGroup.OTHER
        except Bad as exc:
            row.support_group = SupportGroup.OTHER
            errors.append((labels["support_group"], str(exc)))
        try:
            row.is_new = c.is_new(raw[c.i_new])
        except Bad as exc:
            row.is_new = None
            errors.append((labels["is_new"], str(exc)))
        value = raw[c.i_agent]
        row.agent_id = None
        if value is not None and value != "":
            if value in c.agent:
                row.agent_id = c.agent[value]
            else:
                row.agent_id = c.agent[value] = self.agents.get(normalise_header(_text(value)))
            if row.agent_id is None:
                errors.append((labels["agent"], f"Không có đại lý thu '{_text(value)}' trong {self.scope.name}"))

    def _check_contribution(self, row: Row, labels: dict) -> None:
        product = self.product_objects[row.product_id]
        is_income_based = row.product_id in self.income_products
        if is_income_based and not row.income:
            row.errors.append((labels["income"], f"{product}: cần mức thu nhập lựa chọn"))
            return
        if row.payment_mode in (PaymentMode.YEARS_AHEAD, PaymentMode.LUMP_SUM):
            self._check_lump_sum(row, labels, product, is_income_based)
            return
        quote = self._quote(row, labels, lambda: self.rules.monthly_quote(
            product=product, on=row.valid_from, income=row.income if is_income_based else None,
            group=row.support_group, member_order=row.member_order, unit_path=row.commune_path))
        if quote is None:
            return
        row.expected = total = quote.monthly_due * row.months
        if row.amount is not None and row.amount != total:
            row.warnings.append(
                f"Số tiền {format_number(row.amount)} đ khác số phải đóng theo quy định {format_number(total)} đ"
                f" ({format_number(quote.monthly_due)} đ/tháng × {row.months} tháng: mức đóng "
                f"{format_number(quote.monthly_contribution)}, Nhà nước hỗ trợ {format_number(quote.state_support_monthly)}"
                + (f", địa phương hỗ trợ {format_number(quote.local_support_monthly)}" if quote.local_support_monthly else "")
                + ")")

    def _check_lump_sum(self, row: Row, labels: dict, product, is_income_based: bool) -> None:
        """Several years ahead is discounted and missing months compounded: not monthly × months."""
        quote = self._quote(row, labels, lambda: self.rules.quote(
            product=product, on=row.valid_from, income=row.income if is_income_based else None, months=row.months,
            group=row.support_group, member_order=row.member_order, unit_path=row.commune_path,
            mode=row.payment_mode))
        if quote is None:
            return
        row.expected = total = quote.total_due
        if row.amount is not None and row.amount != total:
            schedule = quote.schedule
            row.warnings.append(
                f"Số tiền {format_number(row.amount)} đ khác số phải đóng theo quy định {format_number(total)} đ"
                f" ({PaymentMode(schedule.mode).label.lower()} {row.months} tháng, lãi suất đầu tư quỹ năm "
                f"{schedule.rate_year} {format_number(schedule.rate_pct, 4)}%/tháng)")

    @staticmethod
    def _quote(row: Row, labels: dict, ask):
        """The rules' quote for the row, or None: an income the rules refuse is the row's error; a quote the
        rules cannot give leaves the amount unchecked (said as a warning when an amount was written)."""
        try:
            return ask()
        except IncomeError as exc:
            row.errors.append((labels["income"], str(exc)))
        except ContributionError as exc:
            if row.amount is not None:
                row.warnings.append(f"Không kiểm tra được số tiền: {exc}")
        return None

    def refuse_outside_codes(self, rows: list[Row]) -> None:
        """The rows of a checked batch whose commune or village code lies outside the subtree get their
        error (a query for the old codes among them, once per file)."""
        # A code of another branch is answered like an unknown one: nothing about that unit is told.
        # An old code (before a merger) whose territory the uploader sees is answered with today's unit:
        # people are registered under the commune of today. Each code is looked up once per file.
        outside: dict[str, list[tuple[Row, str]]] = {}
        for row in rows:
            if row.outside:
                for code, label in row.outside:
                    outside.setdefault(code, []).append((row, label))
        if not outside:
            return
        today = datetime.date.today()
        asked = [code for code in outside if code not in self.outside_messages]
        old_codes = set(Unit.objects.filter(code__in=asked, valid_to__lt=today)
                        .values_list("code", flat=True)) if asked else set()
        for code in asked:
            found = unit_for_code(code=code, start=today, user=None if self.trusted else self.user) \
                if code in old_codes else None
            self.outside_messages[code] = found.error if found is not None and found.ended else (
                f"Không có đơn vị mã '{code}' trong phạm vi {self.scope.name} của bạn: không được nhập")
        for code, uses in outside.items():
            for row, label in uses:
                row.errors.append((label, self.outside_messages[code]))
