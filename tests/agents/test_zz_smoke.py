import time
from agents.importers import ParticipantImport
from agents.models import Participant, Enrolment
from agents.samples import participant_rows, write_xlsx, write_csv


def test_smoke(district, staff, areas, agent):
    rows = participant_rows(count=300, areas=areas, province_code="01", agents=[agent.name])
    data = write_xlsx(rows)
    imp = ParticipantImport(user=staff, scope=district, dry_run=True)
    out, copy = imp.run(data, filename="ds.xlsx")
    print(out.summary(), out.problems[:5], out.warnings[:5], out.timings)
    assert out.invalid == 0
    imp = ParticipantImport(user=staff, scope=district, dry_run=False)
    out, copy = imp.run(data, filename="ds.xlsx")
    print(out.summary())
    print(Participant.objects.count(), Enrolment.objects.count())
    out, copy = ParticipantImport(user=staff, scope=district, dry_run=False).run(data, filename="ds.xlsx")
    print(out.summary())
    out, copy = ParticipantImport(user=staff, scope=district, dry_run=True).run(write_csv(rows), filename="ds.csv")
    print(out.summary(), out.problems[:5])
    print(Participant.objects.filter(bhxh_code__startswith="0").count())
