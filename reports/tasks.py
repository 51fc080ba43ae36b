"""Thin tasks: fetch the job by id, call the service. Idempotent, hence acks_late."""

from celery import shared_task

from . import jobs


@shared_task(name="reports.run_job", acks_late=True)
def run_job(job_id: int) -> str:
    return jobs.job_execute(job_id=job_id)


@shared_task(name="reports.sweep_stale_jobs")
def sweep_stale_jobs() -> int:
    return jobs.job_sweep_stale()
