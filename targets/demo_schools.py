"""Demo schools of Càng Long with their pupils' BHYT for the school year 2022-2023, from the
appendix of the 2023 half-year plan (44 schools as printed). The plan's total row (26.564 pupils,
26.417 insured) covers more schools than the appendix lists; one made-up row, "Các trường khác",
carries the difference so that the district's total is the plan's. School codes (CLTR01...) are
made up, in the plan's order; the commune of a school whose name does not tell it is made up too.
Idempotent: a second run changes nothing."""

from bhxh_portal.imports import load_dataset, run_resource_import

from .resources_schools import SchoolFiguresResource, SchoolResource


def load_schools_demo() -> str:
    from bhxh_portal.demo import FIXTURES, DemoDataError

    lines = []
    for name, resource in (("demo_schools.csv", SchoolResource()), ("demo_school_figures.csv", SchoolFiguresResource())):
        path = FIXTURES / name
        report = run_resource_import(resource, load_dataset(path), filename=path.name)
        if not report.ok:
            raise DemoDataError("\n".join(report.messages()))
        lines.append(report.summary())
    return "\n".join(lines)
