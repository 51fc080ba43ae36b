"""The import pipeline's core (bhxh_portal.importing): column specs matched to headers, rows parsed
into values and problems (line, column as written, Vietnamese reason), the database's limits,
all or nothing at commit, the leading-zero code restorer, month arithmetic and the template."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from bhxh_portal.importing import (
    ColumnSpec,
    ImportFileError,
    ImportReport,
    RowProblem,
    commit_all_or_nothing,
    match_headers,
    parse_row,
    parse_rows,
    restore_code,
    template_csv,
    template_xlsx,
)
from bhxh_portal.importing.codes import loose_identifier, pad_code
from bhxh_portal.months import add_months, month_end, period_end
from units.models import Unit


def _whole(value):
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    if not str(value).strip().isdigit():
        raise ValueError(f"'{value}' không phải là số nguyên")
    return int(value)


SPECS = [
    ColumnSpec("code", "Mã đơn vị", ("mã", "mã đv"), convert=lambda v: pad_code(str(v).strip(), 5) if v else None,
               required=True, model=Unit),
    ColumnSpec("name", "Tên đơn vị", ("tên",), required=True, model=Unit),
    ColumnSpec("count", "Số lượng", ("số người",), convert=_whole),
]


def test_headers_are_matched_by_their_folded_vietnamese_aliases_whatever_the_accents_and_case():
    match = match_headers(["MÃ ĐV", "Ten (bắt buộc)", "Ghi chú", "số người"], SPECS, filename="a.xlsx",
                          ignored=["Ghi chú"])
    assert match.columns == {"code": 0, "name": 1, "count": 3}
    assert match.labels["name"] == "Ten (bắt buộc)"
    assert match.unknown == []


def test_a_missing_required_column_is_refused_once_naming_the_file_the_header_line_and_what_is_there():
    with pytest.raises(ImportFileError) as refused:
        match_headers(["Mã", "Số lượng"], SPECS, filename="a.xlsx")
    assert str(refused.value) == "Tệp a.xlsx, dòng 1: thiếu cột Tên đơn vị. Dòng tiêu đề có: Mã, Số lượng."


def test_two_columns_of_one_meaning_are_refused():
    with pytest.raises(ImportFileError, match="hai cột cùng nghĩa 'Mã' và 'Mã đơn vị'"):
        match_headers(["Mã", "Mã đơn vị", "Tên"], SPECS, filename="a.xlsx", line=3)


def test_unknown_headers_are_listed_and_a_mapping_chooses_for_them():
    assert match_headers(["Mã", "Tên", "Cột lạ"], SPECS, filename="a.csv").unknown == ["Cột lạ"]
    mapped = match_headers(["Mã", "Tên", "Cột lạ"], SPECS, filename="a.csv", mapping={"Cột lạ": "count"})
    assert mapped.columns["count"] == 2


@pytest.mark.django_db
def test_a_row_parses_into_values_and_problems_naming_the_line_and_the_column_as_written():
    match = match_headers(["Mã", "Tên", "Số người"], SPECS, filename="a.csv")
    values, problems = parse_row(["12", "Xã Một", "mười"], match, SPECS, line=7)
    assert values == {"code": "00012", "name": "Xã Một", "count": None}
    assert problems == [RowProblem(7, "Số người", "'mười' không phải là số nguyên")]


@pytest.mark.django_db
def test_a_value_the_database_cannot_store_is_a_problem_of_its_row_with_the_model_fields_limit():
    match = match_headers(["Mã", "Tên"], SPECS, filename="a.csv")
    values, problems = parse_row(["1", "X" * 500], match, SPECS, line=2)
    assert values["name"] is None
    assert problems[0].line == 2 and problems[0].column == "Tên"
    assert "vượt quá" in problems[0].message and "ký tự" in problems[0].message


@pytest.mark.django_db
def test_blank_rows_are_skipped_and_lines_count_from_under_the_header():
    match = match_headers(["Mã", "Tên"], SPECS, filename="a.csv")
    parsed = list(parse_rows([["1", "A"], [None, ""], ["2", "B"]], match, SPECS))
    assert [line for line, _, _ in parsed] == [2, 4]
    assert parsed[1][1]["code"] == "00002"


@pytest.mark.django_db
def test_nothing_is_written_while_any_row_has_a_problem_and_everything_otherwise():
    written = []
    report = ImportReport(filename="a.csv", problems=[RowProblem(3, "B", "y"), RowProblem(2, "A", "x")])
    commit_all_or_nothing(report, lambda: written.append(1), dry_run=False)
    assert written == [] and [p.line for p in report.problems] == [2, 3]
    commit_all_or_nothing(ImportReport(filename="a.csv"), lambda: written.append(1), dry_run=True)
    assert written == []
    commit_all_or_nothing(ImportReport(filename="a.csv"), lambda: written.append(1), dry_run=False)
    assert written == [1]


@pytest.mark.parametrize(("value", "expected"), [
    (101000001, "0101000001"), (101000001.0, "0101000001"), ("0101000001", "0101000001"),
    ("'0101000001", "0101000001"), (None, None), ("", None),
])
def test_a_code_excel_turned_into_a_number_gets_its_leading_zeros_back(value, expected):
    assert restore_code(value, length=10, prefix=2, label="Mã số BHXH") == expected


@pytest.mark.parametrize(("value", "reason"), [
    (1000001, "đã mất số 0 ở đầu"), ("1,01E+09", "dạng số mũ"), ("01234567890", "có 11 chữ số"),
    ("01234x6789", "phải gồm 10 chữ số"), (12.5, "có phần thập phân"),
])
def test_a_code_whose_digits_are_gone_is_refused_with_the_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        restore_code(value, length=10, prefix=2, label="Mã số BHXH")


def test_loose_identifiers_and_padded_codes():
    assert loose_identifier(1234567890, 12) == "001234567890"
    assert loose_identifier("0012 3456.7890", 12) == "001234567890"
    assert pad_code("7", 2) == "07" and pad_code("A7", 3) == "A7" and pad_code("7", None) == "7"


def test_month_arithmetic():
    assert add_months(datetime.date(2025, 11, 1), 3) == datetime.date(2026, 2, 1)
    assert add_months(datetime.date(2025, 1, 1), -1) == datetime.date(2024, 12, 1)
    assert add_months(datetime.date(2024, 1, 31), 1, clamp=True) == datetime.date(2024, 2, 29)
    assert month_end(datetime.date(2023, 2, 10)) == datetime.date(2023, 2, 28)
    assert period_end(datetime.date(2021, 7, 23), 12) == datetime.date(2022, 7, 22)


def test_the_template_has_the_headers_and_the_guide():
    workbook = load_workbook(io.BytesIO(template_xlsx(["Mã", "Tên"], title="Mẫu", guide=[("Mã", "5 chữ số")],
                                                      text_columns=[1])))
    assert [c.value for c in workbook["Mẫu"][1]] == ["Mã", "Tên"]
    assert workbook["Mẫu"]["A2"].number_format == "@"
    assert [c.value for c in workbook["Hướng dẫn"][2]] == ["Mã", "5 chữ số"]
    assert template_csv(["Mã", "Tên"]) == "\ufeffMã,Tên\r\n".encode()


def test_spec_aliases_give_the_resources_their_headers_label_first():
    from bhxh_portal.importing import spec_aliases

    assert spec_aliases(SPECS)["code"] == ["mã đơn vị", "mã", "mã đv"]


def test_a_resources_columns_give_its_template_and_the_column_a_too_long_value_is_reported_under():
    from bhxh_portal.importing import spec_labels, spec_limit_columns
    from targets.resources import TARGET_COLUMNS, TARGET_TEMPLATE_HEADERS

    assert TARGET_TEMPLATE_HEADERS == spec_labels(TARGET_COLUMNS)[:-1] == [
        "Mã đơn vị", "Tên đơn vị", "Năm", "Kỳ", "Chỉ tiêu", "Đại lý thu", "Tỷ lệ (%)", "Số người",
        "Loại (giao/phấn đấu)", "Quyết định giao", "Ghi chú"]
    assert spec_limit_columns(TARGET_COLUMNS) == {
        "denominator": "count", "decision_number": "decision", "decision_date": "decision",
        "decision_issuer": "decision"}


@pytest.mark.django_db
def test_read_table_refuses_a_file_without_a_required_column_as_the_reports_one_problem():
    from bhxh_portal.importing import read_table

    report = ImportReport(filename="a.csv")
    assert read_table("Mã;Số người\n1;2\n".encode(), SPECS, filename="a.csv", report=report) is None
    assert report.messages() == ["Tệp a.csv, dòng 1: thiếu cột Tên đơn vị. Dòng tiêu đề có: Mã, Số người."]


@pytest.mark.django_db
def test_read_table_gives_each_row_its_line_values_and_problems():
    from bhxh_portal.importing import read_table

    report = ImportReport(filename="a.csv")
    table = read_table("Mã đv,Tên,Số người\n7,Xã Bảy,x\n".encode(), SPECS, filename="a.csv", report=report)
    [(line, values, problems)] = table.rows
    assert line == 2 and values["code"] == "00007" and values["name"] == "Xã Bảy"
    assert problems == [RowProblem(2, "Số người", "'x' không phải là số nguyên")]
    assert table.label("count") == "Số người" and table.cells[2][0] == "7"
