"""The coverage table builders on the golden Càng Long inputs: the same printed figures as the plan."""

import csv
from decimal import Decimal
from pathlib import Path

from reports.render import as_csv
from reports.tables.coverage_tables import bhxh_table, bhyt_table, remaining_table
from reports.tables.inputs import CoverageInputs
from targets.models import Demographics
from units.models import Unit, UnitLevel
from units.periods import Period

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "cang_long_2023-06_bhyt.csv"


def golden_inputs() -> CoverageInputs:
    rows = list(csv.DictReader(GOLDEN.open(encoding="utf-8")))
    district_level, commune_level = UnitLevel(code="huyen", name="Huyện"), UnitLevel(code="xa", name="Xã")
    children = [Unit(pk=i, code=r["local_code"], name=r["unit"], level=commune_level) for i, r in enumerate(rows[:-1], 1)]
    parent = Unit(pk=100, code="CL", name="Huyện Càng Long", level=district_level)
    inputs = CoverageInputs(parent=parent, children=children, month=Period.month(2023, 6))
    for unit, row in zip([*children, parent], rows):
        inputs.demographics[unit.pk] = Demographics(unit_id=unit.pk, year=2023, population=int(row["population"]),
                                                    labour_force=75890 if unit is parent else None)
        inputs.target_rates[(unit.pk, "bhyt")] = Decimal("95")
        inputs.participants[(unit.pk, "bhyt")] = int(row["bhyt_participants"])
    return inputs


def test_bhyt_table_prints_the_plans_figures_parent_last():
    table = bhyt_table(golden_inputs())
    lines = as_csv(table).splitlines()
    assert lines[0].startswith("STT,Xã, phường") is False  # the header is quoted csv
    # plain numbers for programs; the printed form (13.737, 93,08%, (75)) is Excel's and the PDF's
    assert lines[1] == "1,Thị trấn Càng Long,13737,12787,0.9308,0.9500,0.9798,,263"
    assert lines[3] == "3,Xã An Trường A,7707,7397,0.9598,0.9500,1.0103,,-75"
    assert lines[-1] == ",Tổng cộng (Huyện Càng Long),148806,132600,0.8911,0.9500,0.9380,,8766"
    assert len(lines) == 1 + 14 + 1
    assert [c.formula for c in table.columns] == ["A", "B", "1", "2", "3=2/1", "4", "5=3/4", "6", "7"]


def test_change_versus_last_month_in_percentage_points():
    inputs = golden_inputs()
    unit = inputs.children[0]
    inputs.previous_demographics[unit.pk] = inputs.demographics[unit.pk]
    inputs.previous_participants[(unit.pk, "bhyt")] = 12577  # 91,56% in May
    row = bhyt_table(inputs).formatted_rows()[0]
    assert row[7] == "1,53%"


def test_bhxh_total_row_of_the_plan():
    inputs = golden_inputs()
    parent = inputs.parent
    inputs.target_rates[(parent.pk, "bhxh")] = Decimal("22.69")
    inputs.target_rates[(parent.pk, "bhxh_tn")] = Decimal("6.17")
    inputs.participants[(parent.pk, "bhxh_bb")] = 10841
    inputs.participants[(parent.pk, "bhxh_tn")] = 3497
    total = bhxh_table(inputs).formatted_rows()[-1]
    assert total[2:8] == ["75.890", "22,69%", "6,17%", "10.841", "3.497", "14.338"]
    assert total[8:10] == ["18,89", "4,61"]
    assert total[10] == "83,27"
    remaining = remaining_table(inputs).formatted_rows()[-1]
    assert remaining[5] == "8.766"  # BHYT column of the remaining table, the parent's own figure
