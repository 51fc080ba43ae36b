"""What the registry tells the apps above it (they connect; agents imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction of a bulk write that bypasses the models' own signals (the participant
# import: once, at the end of its run, for everyone it wrote): participant_ids whose row or enrolments
# changed, as ids, or on PostgreSQL as a subquery of them (RawSQL: the import's temporary table, readable
# on the default connection in the sending transaction only, so receivers use it before returning),
# former_personal_ids replaced on them.
registry_changed = Signal()
