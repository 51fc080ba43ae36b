"""Signals sent by the activities' writes, for the apps above campaigns that act on them.

drive sits above campaigns (its lists note the activity a promise came from), so campaigns cannot
call it: it sends ``participants_linked`` and drive connects its receiver in its AppConfig.ready."""

from django.dispatch import Signal

# Sent inside the transaction of activity_link_participants, after the participants are linked, with
# activity=, participants= (the people just linked, each once) and by= (the user). A receiver that
# raises rolls the linking back.
participants_linked = Signal()
