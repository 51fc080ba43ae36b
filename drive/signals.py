"""The ORM writes the funnel's kept facts depend on (drive.tally): each one recomputes the facts of
the work items it touches, in the same transaction. Bulk writes call drive.tally themselves."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from agents.models import Enrolment, Participant
from agents.signals import registry_changed

from . import tally
from .models import Contact, Resident, WorkItem

# The item's own fields the facts read; a save of others (assignment, list moved) changes nothing.
_FACT_FIELDS = {"participant", "resident", "product", "last_valid_to", "month"}


@receiver(post_save, sender=WorkItem)
def _item_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if not raw and (update_fields is None or _FACT_FIELDS & set(update_fields)):
        tally.refresh_items([instance.pk])


@receiver([post_save, post_delete], sender=Contact)
def _contact_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.item_id:
        tally.refresh_items([instance.item_id])


@receiver([post_save, post_delete], sender=Enrolment)
def _enrolment_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        tally.refresh_people(participant_ids=[instance.participant_id])


@receiver(pre_save, sender=Participant)
def _participant_before(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._drive_former_personal_id = (
            Participant.objects.filter(pk=instance.pk).values_list("personal_id", flat=True).first())


@receiver([post_save, post_delete], sender=Participant)
def _participant_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    former = getattr(instance, "_drive_former_personal_id", None)
    if kwargs.get("signal") is post_save and former == instance.personal_id and not kwargs.get("created"):
        return  # the số định danh stayed: the resident items are as they were
    tally.refresh_people(personal_ids=[p for p in (former, instance.personal_id) if p])


@receiver(post_save, sender=Resident)
def _resident_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        tally.refresh(WorkItem.objects.filter(resident=instance))


@receiver(registry_changed)
def _registry_changed(sender, participant_ids=(), former_personal_ids=(), **kwargs):
    tally.refresh_people(participant_ids=participant_ids, personal_ids=former_personal_ids)
