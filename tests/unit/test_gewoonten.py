"""The habits the README asks of every change, run by the test command: ruff (lint and format) and mypy
clean on shared/, services/, toegang/, werkplek/ and bench/ (their settings are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "opdracht",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_de_code_is_schoon(opdracht):
    klaar = subprocess.run([str(BIN / opdracht[0]), *opdracht[1:]], cwd=ROOT, capture_output=True, text=True)
    assert klaar.returncode == 0, klaar.stdout[-4000:] + klaar.stderr[-2000:]
