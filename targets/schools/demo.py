"""Demo schools of Càng Long with their pupils' BHYT for the school year 2022-2023, from the
appendix of the 2023 half-year plan (44 schools as printed). The plan's total row (26.564 pupils,
26.417 insured) covers more schools than the appendix lists; one made-up row, "Các trường khác",
carries the difference so that the district's total is the plan's. School codes (CLTR01...) are
made up, in the plan's order; the commune of a school whose name does not tell it is made up too.
Idempotent: a second run changes nothing."""


import datetime

from targets.schools.resources import SchoolFiguresResource, SchoolResource

SCHOOL_YEAR_END = datetime.date(2023, 5, 31)


def load_schools_demo() -> str:
    from bhxh_portal.demo import import_fixture

    schools = SchoolResource()
    schools.communes_on = SCHOOL_YEAR_END  # the communes of the appendix, before the 2025 mergers
    return "\n".join([import_fixture("demo_schools.csv", schools),
                      import_fixture("demo_school_figures.csv", SchoolFiguresResource())])


SYNTHETIC_PREFIX = "SYN-TR-"


def synthetic_schools_add(*, communes, school_year: int, per_commune: int = 2, seed: int = 1) -> int:
    """Schools with figures for benchmarks (e.g. the synthetic province of results.synthetic):
    `per_commune` schools in each commune, one in ten still with pupils to insure, in two bulk
    inserts. Codes start with SYN-TR-; remove them with `synthetic_schools_remove()` before the
    communes (School.commune is PROTECT). Returns the number of schools created."""
    import random

    from targets.models import School, SchoolFigures, SchoolLevel

    rng = random.Random(seed)
    levels = [SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY]
    schools = [School(code=f"{SYNTHETIC_PREFIX}{commune.pk}-{i}", name=f"Trường {levels[i % 3].label} {commune.name} {i}",
                      level=levels[i % 3], commune=commune)
               for commune in communes for i in range(1, per_commune + 1)]
    School.objects.bulk_create(schools, batch_size=1000)
    created = {s.code: s for s in School.objects.filter(code__startswith=SYNTHETIC_PREFIX, valid_to__isnull=True)}
    figures = []
    for school in schools:
        pupils = rng.randint(150, 1500)
        missing = rng.randint(1, 30) if rng.random() < 0.1 else 0
        other = rng.randint(0, pupils // 10)
        figures.append(SchoolFigures(school=created[school.code], school_year=school_year, pupils=pupils,
                                     insured_other_group=other, insured_at_school=pupils - missing - other))
    SchoolFigures.objects.bulk_create(figures, batch_size=1000)
    return len(schools)


def synthetic_schools_remove() -> int:
    from targets.models import School

    return School.objects.filter(code__startswith=SYNTHETIC_PREFIX).delete()[0]
