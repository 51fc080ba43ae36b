"""The load of `manage.py loadtest`, run with locust as a library in a process of its own (locust
patches the standard library with gevent, which the Django process must not have):

    python -m bhxh_portal.loadtest_locust CONFIG.json RESULT.json

CONFIG (written by the command): host (http://127.0.0.1:PORT, nothing else is accepted), month,
duration, spawn_rate, wait_min, wait_max, and one slot per virtual user:

- officials: a commune official with a session of their own, their commune and one village cell of
  its grid that nobody else writes. They open the grid, then save that cell again and again (the
  HTMX POST of the grid: X-CSRFToken, HX-Request, the version they saw, a new value each time), and
  now and then look at their commune's dashboard.
- leaders: a district leader, who looks at the district's dashboard and its coverage page
  (the four tables in turn).

RESULT: requests, rps, p50/p95/p99 (ms) and errors overall and per kind of request, and the first
errors with their reason, measured for `duration` seconds once every user is running.
"""

import itertools
import json
import re
import sys
import time
from urllib.parse import urlsplit

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TABLES = ["bhyt", "bhxh", "bhtn", "remaining"]
CONFIG: dict = {}


def _check(response, what: str) -> bool:
    if response.status_code != 200:
        reason = repr(response.error) if response.status_code == 0 else f"HTTP {response.status_code} {response.text[:200]!r}"
        response.failure(f"{what}: {reason}")
        return False
    response.success()
    return True


class PortalUser(HttpUser):
    abstract = True
    slots: list = []
    counter = itertools.count()

    def on_start(self):
        self.slot = self.slots[next(self.counter) % len(self.slots)]
        self.client.cookies.set("sessionid", self.slot["session"])
        self.month = CONFIG["month"]

    def get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            _check(response, name)


class CommuneOfficial(PortalUser):
    """Saves their own cell of their commune's grid; sometimes looks at the commune's dashboard."""

    weight = 3

    def on_start(self):
        super().on_start()
        slot = self.slot
        self.grid = f"/don-vi/{slot['commune']}/ket-qua/{self.month}/"
        self.row = f"u{slot['village']}"
        self.value = slot["value"]
        self.version = slot["version"]
        self.pattern = re.compile(rf'id="v-{self.row}-bhyt" name="v-{self.row}-bhyt" value="(\d+)"')
        with self.client.get(self.grid, name="grid (open)", allow_redirects=False, catch_response=True) as response:
            if _check(response, "grid"):
                found = self.pattern.search(response.text)
                if found:
                    self.version = int(found.group(1))

    @task(4)
    def save_cell(self):
        self.value += 1 if self.value % 2 else -1  # a different figure each time: a real save
        token = self.client.cookies.get("csrftoken", "")
        data = {f"c-{self.row}-bhyt-participants": str(self.value), f"v-{self.row}-bhyt": str(self.version)}
        headers = {"HX-Request": "true", "X-CSRFToken": token, "Referer": CONFIG["host"] + self.grid}
        with self.client.post(self.grid + "o/", data=data, headers=headers, name="grid (save a cell)",
                              allow_redirects=False, catch_response=True) as response:
            found = self.pattern.search(response.text or "")
            if found:  # the new version, or on a refusal the current one (as the page would show it)
                self.version = int(found.group(1))
            if _check(response, "save") and not found:
                response.failure("save: the new version is missing from the answer")

    @task(1)
    def dashboard(self):
        self.get(f"/don-vi/{self.slot['commune']}/tong-quan/?thang={self.month}", "dashboard (commune)")


class DistrictLeader(PortalUser):
    """Looks at the district's dashboard and coverage tables."""

    weight = 2
    tables = itertools.cycle(TABLES)

    @task(1)
    def dashboard(self):
        self.get(f"/don-vi/{self.slot['district']}/tong-quan/?thang={self.month}", "dashboard (district)")

    @task(1)
    def coverage(self):
        self.get(f"/bao-cao/{self.slot['district']}/?table={next(self.tables)}&period={self.month}",
                 "coverage page (district)")


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.50) or 0,
        "p95_ms": entry.get_response_time_percentile(0.95) or 0,
        "p99_ms": entry.get_response_time_percentile(0.99) or 0,
        "mean_ms": round(entry.avg_response_time, 1),
    }


def warm_up(config: dict) -> None:
    """Each page a few times at once before measuring, so that every gunicorn worker has loaded its
    URLs and compiled its templates (what a server that has been up for a while has done)."""
    import requests

    month, official, leader = config["month"], config["officials"][0], config["leaders"][0]
    urls = [(official, f"/don-vi/{official['commune']}/ket-qua/{month}/"),
            (official, f"/don-vi/{official['commune']}/tong-quan/?thang={month}"),
            (leader, f"/don-vi/{leader['district']}/tong-quan/?thang={month}"),
            *[(leader, f"/bao-cao/{leader['district']}/?table={t}&period={month}") for t in TABLES]]

    def fetch(slot, url):
        with requests.Session() as client:
            client.cookies.set("sessionid", slot["session"])
            client.get(config["host"] + url, allow_redirects=False, timeout=60)

    for _ in range(config.get("warm_up_rounds", 2)):
        gevent.joinall([gevent.spawn(fetch, slot, url) for slot, url in urls for _ in range(config["warm_up_each"])])


def run(config: dict) -> dict:
    CONFIG.update(config)
    if urlsplit(config["host"]).hostname not in LOOPBACK:
        raise SystemExit(f"Chỉ đo tải trên máy này (127.0.0.1), không phải {config['host']}.")
    CommuneOfficial.slots, DistrictLeader.slots = config["officials"], config["leaders"]
    # one counter per kind of user: each official gets a slot (a cell) of their own
    CommuneOfficial.counter, DistrictLeader.counter = itertools.count(), itertools.count()
    CommuneOfficial.fixed_count, DistrictLeader.fixed_count = config["official_users"], config["leader_users"]
    for cls in (CommuneOfficial, DistrictLeader):
        cls.host = config["host"]
        cls.wait_time = between(config["wait_min"], config["wait_max"])
    users = config["official_users"] + config["leader_users"]
    warm_up(config)
    # stop_timeout: at the end each user finishes the request it is making (none is cut off).
    # reset_stats: the figures are those of the steady state, from the moment every user runs (locust's
    # --reset-stats); the ramp-up, when 50 people open their pages within seconds, is not counted.
    env = Environment(user_classes=[CommuneOfficial, DistrictLeader], host=config["host"], stop_timeout=30,
                      reset_stats=True)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=config["spawn_rate"])
    runner.spawning_greenlet.join()
    started = time.monotonic()
    if config.get("measuring_marker"):  # the command samples the server's CPU from this moment on
        with open(config["measuring_marker"], "w", encoding="utf-8") as marker:
            marker.write("measuring")
    gevent.spawn_later(config["duration"], runner.quit)
    runner.greenlet.join()
    elapsed = time.monotonic() - started
    total = env.stats.total
    errors = [{"request": e.name, "error": str(e.error), "count": e.occurrences}
              for e in list(env.stats.errors.values())[:20]]
    return {
        **_figures(total),
        "rps": round(total.num_requests / elapsed, 2) if elapsed else 0.0,
        "seconds": round(elapsed, 1),
        "users": users,
        "by_request": {name: _figures(entry) for (name, _method), entry in sorted(env.stats.entries.items())},
        "error_messages": errors,
    }


def main(argv: list[str]) -> int:
    config_path, result_path = argv[1], argv[2]
    with open(config_path, encoding="utf-8") as f:
        result = run(json.load(f))
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
