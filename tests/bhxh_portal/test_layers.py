"""The import contracts of pyproject.toml ([tool.importlinter]) hold: apps point one way."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_between_apps_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    # The project root first, so the contracts read this checkout's packages.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([str(lint_imports)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_has_a_layer():
    """An app left out of the layers would escape the contract: each package with an apps.py is in it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"bhxh_portal", "portal"}
    assert apps <= layered, sorted(apps - layered)
    assert set(config["root_packages"]) == layered
