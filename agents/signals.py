"""What the registry tells the apps above it (they connect; agents imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction of a bulk write that bypasses the models' own signals (the participant
# import: once, at the end of its run, for everyone it wrote; a million ids then): participant_ids whose
# row or enrolments changed, former_personal_ids replaced on them.
registry_changed = Signal()
