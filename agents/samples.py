"""Realistic participant lists for tests, the demo and `manage.py bench_import`.

The rows look like what BHXH offices receive: a title above the header, Vietnamese headers,
households of one to five members on BHYT hộ gia đình, people on BHXH tự nguyện with a chosen
income, codes that Excel turned into numbers (leading zero lost), dates as Excel dates and as
dd/mm/yyyy text, and the amount due computed with the dated rules.
"""

import csv
import datetime
import io
import itertools
import random
from dataclasses import dataclass

from bhxh_portal.months import period_end

from .contributions import RuleBook
from .models import Product

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Hồng", "Mỹ"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hùng", "Nam", "Tâm", "Tuấn", "Long", "Phúc", "Khoa", "Sơn", "Hải",
           "Thắng", "Việt", "Lộc"]
GIVEN_F = ["Hoa", "Lan", "Mai", "Phương", "Thảo", "Yến", "Hương", "Linh", "Trang", "Nhung", "Hạnh", "Vân", "Hằng",
           "Ngân", "Oanh", "Thủy"]

HEADERS = ["STT", "Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn",
           "Mã hộ gia đình", "Thành viên thứ", "Loại hình", "Từ ngày", "Đến ngày", "Mức thu nhập", "Phương thức đóng",
           "Số tháng", "Nhóm hỗ trợ", "Mới/Tái tục", "Đại lý thu", "Số tiền"]
TITLE = "DANH SÁCH NGƯỜI THAM GIA BHXH TỰ NGUYỆN, BHYT HỘ GIA ĐÌNH"

MODES = [("Hằng tháng", 1), ("3 tháng", 3), ("6 tháng", 6), ("12 tháng", 12)]
PRODUCT_LABEL = {"bhxh_tn": "BHXH TN", "bhyt_hgd": "BHYT HGĐ", "bhyt_can_ngheo": "BHYT cận nghèo"}
GROUP_LABEL = {"other": "Khác", "poor": "Hộ nghèo", "near_poor": "Cận nghèo", "ethnic_minority": "Dân tộc thiểu số"}


@dataclass
class SampleArea:
    commune_code: str
    village_codes: list[str]
    path: str


def participant_rows(*, count: int, areas: list[SampleArea], province_code: str = "84", agents: list[str] = (),
                     seed: int = 7, start: datetime.date = datetime.date(2024, 9, 1), code_offset: int = 0,
                     as_numbers_share: float = 0.1, text_dates_share: float = 0.3, bhxh_tn_share: float = 0.25,
                     incomes: tuple[int, ...] = (1_500_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000),
                     spread_days: int = 120) -> list[list]:
    """`count` data rows (without the header) in the column order of HEADERS."""
    return list(iter_participant_rows(
        count=count, areas=areas, province_code=province_code, agents=agents, seed=seed, start=start,
        code_offset=code_offset, as_numbers_share=as_numbers_share, text_dates_share=text_dates_share,
        bhxh_tn_share=bhxh_tn_share, incomes=incomes, spread_days=spread_days))


def iter_participant_rows(*, count: int, areas: list[SampleArea], province_code: str = "84", agents: list[str] = (),
                          seed: int = 7, start: datetime.date = datetime.date(2024, 9, 1), code_offset: int = 0,
                          as_numbers_share: float = 0.1, text_dates_share: float = 0.3, bhxh_tn_share: float = 0.25,
                          incomes: tuple[int, ...] = (1_500_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000),
                          spread_days: int = 120):
    """The rows of `participant_rows` one at a time (a million-row list is never held whole)."""
    rng = random.Random(seed)
    rules = RuleBook.load()
    products = {p.code: p for p in Product.objects.filter(code__in=PRODUCT_LABEL)}
    made = 0
    serial = code_offset
    household = 0
    while made < count:
        household += 1
        area = areas[rng.randrange(len(areas))]
        village = rng.choice(area.village_codes) if area.village_codes else None
        on_bhxh_tn = rng.random() < bhxh_tn_share
        members = 1 if on_bhxh_tn else rng.choice([1, 2, 2, 3, 3, 4, 4, 5])
        product = "bhxh_tn" if on_bhxh_tn else ("bhyt_can_ngheo" if rng.random() < 0.08 else "bhyt_hgd")
        family = rng.choice(FAMILY)
        valid_from = start + datetime.timedelta(days=rng.randrange(0, spread_days))
        label, months = rng.choice(MODES)
        group = "other"
        if product == "bhxh_tn":
            group = rng.choices(["other", "poor", "near_poor"], [0.85, 0.05, 0.10])[0]
        for member in range(1, members + 1):
            if made >= count:
                break
            serial += 1
            female = rng.random() < 0.5
            name = f"{family} {rng.choice(MIDDLE_F if female else MIDDLE_M)} {rng.choice(GIVEN_F if female else GIVEN_M)}"
            birth = datetime.date(rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
            bhxh = f"{province_code}{serial:08d}"
            cccd = f"0{province_code}{rng.randrange(0, 2):01d}{serial:08d}"[-12:]
            has_bhxh = rng.random() < 0.9
            income = None
            if product == "bhxh_tn":
                income = rng.choice(incomes)
            quote = rules.quote(product=products[product], on=valid_from, income=income, months=months, group=group,
                                member_order=member if product == "bhyt_hgd" else None, unit_path=area.path)
            bhxh_cell = bhxh if has_bhxh else None
            if bhxh_cell and rng.random() < as_numbers_share:
                bhxh_cell = int(bhxh_cell)  # Excel dropped the leading zero, if there was one
            cccd_cell = cccd
            if rng.random() < as_numbers_share:
                cccd_cell = int(cccd)
            text_dates = rng.random() < text_dates_share
            made += 1
            yield [
                made, bhxh_cell, cccd_cell, name,
                birth.strftime("%d/%m/%Y") if text_dates else birth,
                "Nữ" if female else "Nam", area.commune_code, village, f"HGD{household:07d}",
                member if product == "bhyt_hgd" else None, PRODUCT_LABEL[product],
                valid_from.strftime("%d/%m/%Y") if text_dates else valid_from,
                period_end(valid_from, months).strftime("%d/%m/%Y") if text_dates else period_end(valid_from, months),
                income, label, months, GROUP_LABEL[group], rng.choice(["Mới", "Tái tục"]),
                rng.choice(agents) if agents else None, quote.total_due,
            ]


def write_xlsx(rows: list[list], *, headers: list[str] = HEADERS, title: str | None = TITLE) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx_file(path, rows, *, headers: list[str] = HEADERS, title: str | None = TITLE) -> None:
    """`write_xlsx` for a list too long to hold: rows (any iterable) streamed into the file at `path`."""
    from bhxh_portal.importing.xlsx_writer import write_xlsx_rows

    head = [[title], []] if title else []
    write_xlsx_rows(path, itertools.chain(head, [headers], rows))


def write_csv(rows: list[list], *, headers: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v
                         for v in row])
    return buffer.getvalue().encode("utf-8-sig")
