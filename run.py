#!/usr/bin/env python3
"""The two commands of the quick start, on a machine with only Python 3.11+:

    python3 run.py dev     install into .venv, then run the whole platform (toegang dev)
    python3 run.py test    install into .venv, provide a Chromium for the browser tests and promtool for the
                           alert rules, then run the tests
    python3 run.py fouten  the full fault suite (the test command runs a reduced one)

Anything after the first word goes to `toegang` or to pytest.
"""

import hashlib
import os
import shutil
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


CHROMIUM_NAMEN = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_PADEN = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")


def systeem_chromium() -> str | None:
    for naam in CHROMIUM_NAMEN:
        if gevonden := shutil.which(naam):
            return gevonden
    return next((p for p in CHROMIUM_PADEN if os.access(p, os.X_OK)), None)


def playwright_chromium() -> str | None:
    """Playwright's own Chromium (after `playwright install chromium`), if it is there."""
    vraag = (
        "from playwright.sync_api import sync_playwright\n"
        "with sync_playwright() as p: print(p.chromium.executable_path)"
    )
    uitkomst = subprocess.run([str(BIN / "python"), "-c", vraag], capture_output=True, text=True)
    pad = uitkomst.stdout.strip()
    return pad if uitkomst.returncode == 0 and pad and os.access(pad, os.X_OK) else None


def zorg_voor_chromium() -> str:
    """The browser the browser tests (tests/browser) drive: a system Chromium when there is one, else
    the platform's package manager (as root, non-interactive), else Playwright's download. Without one
    the test command fails saying so: the browser tests never skip."""
    if (pad := os.environ.get("TOEGANG_CHROMIUM")) and os.access(pad, os.X_OK):
        return pad
    if pad := systeem_chromium():
        return pad
    geeuid = getattr(os, "geteuid", None)
    if geeuid is not None and geeuid() == 0 and shutil.which("apt-get"):
        print("Geen Chromium gevonden; installeren met: apt-get install -y chromium", flush=True)
        omgeving = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], env=omgeving)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=omgeving)
        if pad := systeem_chromium():
            return pad
    if pad := playwright_chromium():
        return pad
    print("Geen Chromium gevonden; proberen: python -m playwright install chromium", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "playwright", "install", "chromium"])
    if pad := playwright_chromium():
        return pad
    raise SystemExit(
        "De browsertests hebben Chromium nodig en die is er niet: geen chromium, chromium-browser of google-chrome "
        "op PATH, installeren met apt-get lukte niet (of dit is geen root) en `playwright install chromium` ook niet. "
        "Installeer Chromium (Debian/Ubuntu: apt-get install chromium) of zet TOEGANG_CHROMIUM op het pad ervan."
    )


PROMTOOL_MAP = VENV / "promtool"


def zorg_voor_promtool() -> str:
    """promtool checks and tests the alert rules (deploy/prometheus). On PATH when Prometheus is installed;
    else Debian's prometheus package, downloaded and unpacked into .venv (not installed: no server starts).
    Without it the test command fails saying so: the rule tests never skip."""
    if (pad := os.environ.get("TOEGANG_PROMTOOL")) and os.access(pad, os.X_OK):
        return pad
    if gevonden := shutil.which("promtool"):
        return gevonden
    uitgepakt = PROMTOOL_MAP / "usr" / "bin" / "promtool"
    if not os.access(uitgepakt, os.X_OK) and shutil.which("apt-get") and shutil.which("dpkg-deb"):
        print("Geen promtool gevonden; het Debian-pakket prometheus ophalen en uitpakken in .venv ...", flush=True)
        PROMTOOL_MAP.mkdir(parents=True, exist_ok=True)
        haal = ["apt-get", "download", "-q", "prometheus"]
        if subprocess.run(haal, cwd=PROMTOOL_MAP).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"])
            subprocess.run(haal, cwd=PROMTOOL_MAP)
        for deb in PROMTOOL_MAP.glob("prometheus_*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(PROMTOOL_MAP)], check=True)
            deb.unlink()
    if os.access(uitgepakt, os.X_OK):
        return str(uitgepakt)
    raise SystemExit(
        "De tests van de alertregels hebben promtool nodig en die is er niet: niet op PATH, en het Debian-pakket "
        "prometheus ophalen lukte niet. Installeer Prometheus (Debian/Ubuntu: apt-get install prometheus) of zet "
        "TOEGANG_PROMTOOL op het pad van promtool."
    )


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
    if opdracht == "test":
        os.environ["TOEGANG_CHROMIUM"] = zorg_voor_chromium()
        print(f"Browser voor de browsertests: {os.environ['TOEGANG_CHROMIUM']}", flush=True)
    if opdracht in ("test", "fouten"):  # the fault suite evaluates the lag alert's expression too
        os.environ["TOEGANG_PROMTOOL"] = zorg_voor_promtool()
        print(f"promtool voor de alertregels: {os.environ['TOEGANG_PROMTOOL']}", flush=True)
    # Replace this process: Ctrl-C then reaches `toegang dev` itself, which stops everything it started.
    sys.stdout.flush()
    os.execv(argv[0], argv)


if __name__ == "__main__":
    sys.exit(main())
