#!/usr/bin/env python3
"""The two commands of the quick start, on a machine with only Python 3.11+:

    python3 run.py dev     install into .venv, then run the whole platform (toegang dev)
    python3 run.py test    install into .venv, then run the tests
    python3 run.py fouten  the full fault suite (the test command runs a reduced one)

Anything after the first word goes to `toegang` or to pytest.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

HIER = Path(__file__).resolve().parent
VENV = HIER / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def installeer() -> None:
    if not (BIN / "python").exists():
        print("Virtuele omgeving maken in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stempel = VENV / ".geinstalleerd"
    inhoud = hashlib.sha256((HIER / "pyproject.toml").read_bytes()).hexdigest()
    if stempel.exists() and stempel.read_text() == inhoud:
        return
    print("Afhankelijkheden installeren (eenmalig, een paar minuten) ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{HIER}[test]"], check=True)
    stempel.write_text(inhoud)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"dev", "test", "demo", "bench", "fouten"}:
        print(__doc__)
        return 2
    installeer()
    opdracht, rest = sys.argv[1], sys.argv[2:]
    os.chdir(HIER)
    python = str(BIN / "python")
    argv = {
        "test": [python, "-m", "pytest", *rest],
        "bench": [python, "-m", "bench", *rest],
        "fouten": [python, "-m", "pytest", "tests/fouten", *rest],
    }.get(opdracht, [python, "-m", "toegang", opdracht, *rest])
    if opdracht == "fouten":
        os.environ["TOEGANG_FOUTEN"] = "volledig"
    # Replace this process: Ctrl-C then reaches `toegang dev` itself, which stops everything it started.
    sys.stdout.flush()
    os.execv(argv[0], argv)


if __name__ == "__main__":
    sys.exit(main())
