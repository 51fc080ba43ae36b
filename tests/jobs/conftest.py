"""Fixtures of the fault tests (test_faults_*.py): a private stack of Redis and workers, an area to import into."""

import pytest

from tests import services

INCLUDE = ["tests.jobs.fault_kinds"]
FAST = {"JOBS_HEARTBEAT_SECONDS": "1", "JOBS_STALE_AFTER_SECONDS": "3"}


@pytest.fixture
def stack(transactional_db, settings, tmp_path):
    """A private Redis, a queue, and a way to start workers on them; everything stopped at the end."""
    services.require_services()
    redis_process, url = services.start_redis()
    queue = services.new_queue()
    workers = []

    class Stack:
        broker, log = url, tmp_path / "workers.log"

        def worker(self, pool="solo", **env):
            process = services.start_worker(queue, broker=url, include=INCLUDE, log=self.log, pool=pool, extra_env={
                "MEDIA_ROOT": str(settings.MEDIA_ROOT), "CELERY_TASK_DEFAULT_QUEUE": queue, **FAST,
                **{k: str(v) for k, v in env.items()}})
            workers.append(process)
            return process

        def send(self, task, *args):
            with services.celery_sends_to(url):
                task.apply_async(args=list(args), queue=queue)

        def worker_output(self) -> str:
            return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

        def wait_finished(self, job, timeout=40):
            from jobs.models import Job

            return services.wait_for(
                lambda: (j := Job.objects.get(pk=job.pk)).state in ("succeeded", "failed") and j, timeout=timeout,
                what=f"công việc #{job.pk} kết thúc ({Job.objects.get(pk=job.pk).state})\n{self.worker_output()}",
                every=0.1)

    try:
        yield Stack()
    finally:
        for process in workers:
            services.stop_process(process)
        services.stop_process(redis_process)


@pytest.fixture
def import_area(db):
    """Tỉnh 02 → huyện 002 → two communes with two villages each: (district, sample areas)."""
    from agents.samples import SampleArea
    from tests.factories import make_unit

    province = make_unit("Tỉnh Nhập", level_code="tinh", code="02")
    district = make_unit("Huyện Nhập", level_code="huyen", parent=province, code="002")
    areas = []
    for c in (1, 2):
        commune = make_unit(f"Xã N{c}", level_code="xa", parent=district, code=f"0002{c}")
        villages = [make_unit(f"Thôn N{c}.{v}", level_code="thon", parent=commune, code=f"N{c}-T{v}").code
                    for v in (1, 2)]
        areas.append(SampleArea(commune.code, villages, commune.path))
    return district, areas


