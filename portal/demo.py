"""Demo data drawn from the reference plans: loads units, then each app's data, then the demo logins.

Every step is idempotent: running it twice leaves the same database.
"""

from django.db import transaction

from agents.demo import load_agents_demo
from bhxh_portal.demo import DemoLogin
from campaigns.activities.demo import load_activities_demo
from campaigns.documents.demo import load_plans
from campaigns.programmes.demo import load_programmes_demo
from drive.demo import load_drive_demo
from notices.demo import load_notices_demo
from results.demo import load_results_demo
from targets.demo import load_targets_demo
from targets.schools.demo import load_schools_demo
from units.demo import load_official_tree, load_units, load_users


@transaction.atomic
def load_demo() -> tuple[list[str], list[DemoLogin]]:
    summaries = [step() for step in STEPS]
    return summaries, load_users()


# The steps in order; each app's loader reads what the steps before it wrote.
STEPS = [
    load_units,
    load_official_tree,  # today's 34 provinces; the units above end on 30/6/2025 and lead to them
    load_targets_demo,  # denominators of Càng Long 2023, the targets of the 2021 and 2023 plans
    load_results_demo,  # Càng Long May and June 2023, Hải Dương 2021; right after the targets
    load_schools_demo,  # Càng Long's schools and their pupils' BHYT 2022-2023 (the plan's appendix)
    load_agents_demo,  # the Hải Dương and Càng Long agents, their lists
    load_activities_demo,  # Bình Định's October 2024 activity plan
    load_programmes_demo,  # the Bắc Ninh programme of Nghị quyết 03/2021/NQ-HĐND
    load_notices_demo,  # the e-mail notice schedules of Càng Long and Hải Dương; needs only the units
    load_drive_demo,  # the door-to-door drive: Hải Dương's lists of June 2022, visits; after the agents
    load_plans,  # a draft of each reference plan; last, it reads everything above
]
