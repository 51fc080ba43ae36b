"""`make test` and `make demo` from a fresh clone: when something the Makefile cannot install is missing
(Python 3.11, WeasyPrint's system libraries), it stops and says what to install.

Runs make against a throw-away VENV with stand-in interpreters, so the real virtualenv is never touched.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def fake_python(path, script):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def make(*args):
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_missing_weasyprint_libraries_are_named(tmp_path):
    venv = tmp_path / "venv"
    fake_python(venv / "bin" / "python",
                "echo \"OSError: cannot load library 'libpango-1.0-0': No such file\" >&2\nexit 1\n")
    (venv / ".installed-stamp").touch()  # newer than pyproject.toml: installed, only the check runs

    result = make("system-check", f"VENV={venv}")
    assert result.returncode != 0
    assert f"sudo apt-get install {APT_PACKAGES}" in result.stdout
    assert "libpango-1.0-0': No such file" in result.stdout  # the underlying error is shown too


def test_wrong_python_version_is_named(tmp_path):
    python = fake_python(tmp_path / "python3", 'case "$1" in -V) echo "Python 3.12.1";; *) exit 1;; esac\n')
    venv = tmp_path / "venv"
    result = make("install", f"VENV={venv}", f"PYTHON={python}")
    assert result.returncode != 0
    assert "Python 3.11 required" in result.stdout and "Python 3.12.1" in result.stdout
    assert "python3.11-venv" in result.stdout
    assert not venv.exists()


def test_missing_python_is_named(tmp_path):
    result = make("test", f"VENV={tmp_path / 'venv'}", "PYTHON=")
    assert result.returncode != 0
    assert "Python 3.11 not found" in result.stdout
    assert "make PYTHON=/path/to/python3.11 test" in result.stdout
