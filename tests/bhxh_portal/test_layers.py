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
