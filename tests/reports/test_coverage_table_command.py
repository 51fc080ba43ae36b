"""The golden Càng Long table through the real path: import_data (units, demographics, targets,
results) then coverage_table, whose csv must print every figure of the plan."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from bhxh_portal.numbers import format_number

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "cang_long_2023-06_bhyt.csv"

pytestmark = pytest.mark.django_db


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def golden_loaded(tmp_path):
    rows = list(csv.DictReader(GOLDEN.open(encoding="utf-8")))
    units = [["84", "Tỉnh Trà Vinh", "tinh", "", "có"], ["CL", "Huyện Càng Long", "huyen", "84", "không"]]
    units += [[r["local_code"], r["unit"], "xa", "CL", "không"] for r in rows[:-1]]
    call_command("import_data", "units", str(_write(tmp_path / "units.csv", ["code", "name", "level", "parent_code", "official"], units)))
    demographics = [[r["local_code"], 2023, format_number(int(r["population"])), ""] for r in rows]
    call_command("import_data", "demographics",
                 str(_write(tmp_path / "dem.csv", ["unit_code", "year", "population", "labour_force"], demographics)))
    targets = [[r["local_code"], 2023, "bhyt", r["target_rate_pct"], "", "giao"] for r in rows]
    call_command("import_data", "targets",
                 str(_write(tmp_path / "targets.csv", ["unit_code", "year", "indicator", "rate_pct", "count", "kind"], targets)))
    # communes only: the district row is their sum, as BHXH's own figure for the district would be
    results = [[r["local_code"], "2023-06", "bhyt", r["bhyt_participants"]] for r in rows[:-1]]
    call_command("import_data", "results",
                 str(_write(tmp_path / "results.csv", ["unit_code", "period", "indicator", "participants"], results)))
    return rows


def test_coverage_table_csv_prints_every_figure_of_the_golden_table(golden_loaded, capsys):
    call_command("coverage_table", "--unit", "CL", "--table", "bhyt", "--period", "2023-06", "--format", "csv")
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # UTF-8 with BOM: Excel reads the accents
    printed = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    body = printed[1:]
    assert len(body) == 15

    def ratio(printed_pct: str) -> str:  # the golden file's "93,08" (per cent) is 0.9308 in the csv
        return f"{Decimal(printed_pct.replace(',', '.')) / 100:.4f}"

    for line, row in zip(body, golden_loaded):
        assert line[1] in (row["unit"], f"Tổng cộng (Huyện Càng Long)")
        assert line[2] == row["population"]  # plain numbers: no thousands dot
        assert line[3] == row["bhyt_participants"]
        assert line[4] == ratio(row["printed_coverage_pct"])
        assert line[5] == "0.9500"
        assert line[6] == ratio(row["printed_achievement_pct"])
        remaining = row["printed_remaining"]
        expected = f"-{remaining[1:-1]}" if remaining.startswith("(") else remaining
        assert line[8] == expected  # -75, not the printed (75)
    assert body[-1][8] == "8766"


def test_coverage_table_xlsx_and_pdf_outputs(golden_loaded, tmp_path):
    from openpyxl import load_workbook

    call_command("coverage_table", "--unit", "CL", "--table", "bhyt", "--period", "2023-06", "--format", "xlsx",
                 "--output", str(tmp_path / "t.xlsx"))
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws["C21"].value == 148806 and ws["I21"].value == 8766
    call_command("coverage_table", "--unit", "CL", "--table", "bhyt", "--period", "2023-06", "--format", "pdf",
                 "--output", str(tmp_path / "t.pdf"))
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_unit_and_bad_period_are_refused_in_vietnamese(golden_loaded):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("coverage_table", "--unit", "XX", "--table", "bhyt", "--period", "2023-06")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("coverage_table", "--unit", "CL", "--table", "bhyt", "--period", "2023-13")
