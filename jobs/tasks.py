"""Thin tasks: fetch the job by id, call the service. Idempotent, hence acks_late: a worker that dies
mid-way leaves the message to be handed to another worker (see jobs/services.py, Faults).

Their outcome is on the job row, so no result is stored (ignore_result): sending a job then needs
the broker only, and fails fast when it is down."""

import dataclasses

from celery import shared_task

from . import services

# The names keep the "reports." prefix they had before jobs had an app of their own: messages already
# in the broker, and the beat schedule, still find them.


@shared_task(name="reports.run_job", acks_late=True, ignore_result=True, bind=True)
def run_job(self, job_id: int) -> str:
    return services.job_execute(job_id=job_id, heartbeat=not self.request.is_eager)


@shared_task(name="reports.sweep_stale_jobs", ignore_result=True)
def sweep_stale_jobs() -> dict:
    return dataclasses.asdict(services.job_sweep_stale())
