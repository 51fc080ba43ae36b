"""What the registry tells the apps above it (they connect; agents imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction of a bulk write that bypasses the models' own signals (the participant
# import: once, at the end of its run, for everyone it wrote): participant_ids whose
# row or enrolments changed (their ids, or a queryset of them: the import's are the rows it stamped with
# its job), former_personal_ids replaced on them.
registry_changed = Signal()
