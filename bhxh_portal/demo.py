"""What every app's demo loader shares: the fixtures folder, the demo password, the error a loader
raises and the import of one fixture file. The steps themselves and their order: portal.demo."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from bhxh_portal.imports import load_dataset, run_resource_import

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "bhxh-demo-2025"


class DemoDataError(Exception):
    pass


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


def import_fixture(name: str, resource) -> str:
    """Import fixtures/<name> through the same resource as an upload (all rows or none); the summary."""
    path = FIXTURES / name
    report = run_resource_import(resource, load_dataset(path), filename=path.name)
    if not report.ok:
        raise DemoDataError("\n".join(report.messages()))
    return report.summary()
