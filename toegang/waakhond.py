"""The watchdog of an embedded platform (docs/decisions/0016-dev-platform-lifecycle.md).

`Waakhond` starts a tiny process (`python -m toegang.waakhond LOG`) whose stdin is a pipe from the
parent. The parent writes a line for every process it starts (and for the PostgreSQL data directory);
the watchdog only reads. When the parent ends, however it ends (SIGKILL, OOM kill, a closed terminal),
the kernel closes the pipe: the watchdog reads EOF and stops what is left, politely first, then hard.
After a clean stop it finds nothing left and simply exits.

On Linux the parent's children also get `PR_SET_PDEATHSIG` (SIGTERM), so they start stopping at the
moment the parent dies; the watchdog covers what that cannot reach: the PostgreSQL postmaster (pg_ctl
daemonises it), a child forked from another thread, and macOS.

The watchdog imports nothing of the platform: it starts in tens of milliseconds and depends only on the
standard library and psutil (a dependency of pgserver).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# Polite stop, then hard stop. A service gets SIGTERM (uvicorn's graceful shutdown), nats-server too,
# the postmaster SIGINT (= pg_ctl stop -m fast) and then SIGQUIT (immediate shutdown: it still takes
# its backends with it, which SIGKILL would not).
BELEEFD_SECONDEN = 2.5
HARD_SECONDEN = 1.0
PR_SET_PDEATHSIG = 1


class Waakhond:
    """The parent's side: the pipe to the watchdog process. `houd_open`: file descriptors the watchdog
    keeps open until it has finished (the data directory's lock, so nobody takes it over earlier)."""

    def __init__(self, log: Path, houd_open: Iterable[int] = ()) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        lees, self._schrijf = os.pipe()
        with open(log, "ab") as uit:
            self.proces = subprocess.Popen(
                [sys.executable, "-m", "toegang.waakhond", str(log)],
                stdin=lees,
                stdout=uit,
                stderr=uit,
                pass_fds=tuple(houd_open),
                # Its own session: Ctrl-C or a closed terminal reaches the parent, not the watchdog,
                # which must outlive the parent to do its work.
                start_new_session=True,
            )
        os.close(lees)
        self._ouder = os.getpid()
        self._prctl = _prctl()

    def preexec(self) -> Callable[[], None] | None:
        """For `Popen(preexec_fn=...)`: the child gets SIGTERM when this process dies. Linux only, and
        only when forking from the main thread: PDEATHSIG fires when the *thread* that forked ends."""
        if self._prctl is None or threading.current_thread() is not threading.main_thread():
            return None
        prctl, ouder = self._prctl, self._ouder

        def sterf_met_ouder() -> None:
            prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
            if os.getppid() != ouder:  # the parent died before prctl: nobody would signal us
                os._exit(1)

        return sterf_met_ouder

    def bewaak(self, proces: subprocess.Popen | int, stopsignaal: int = signal.SIGTERM) -> None:
        """Stop this process (a Popen or a pid) when the parent ends."""
        import psutil

        pid = proces if isinstance(proces, int) else proces.pid
        try:
            # The start time tells the watchdog whether the pid is still this process, not a later one.
            start = psutil.Process(pid).create_time()
        except psutil.NoSuchProcess:
            return
        self._zeg(f"proces {pid} {start!r} {int(stopsignaal)}")

    def bewaak_postgres(self, pgdata: Path) -> None:
        """Stop the postmaster that `<pgdata>/postmaster.pid` names at the parent's end. Said before the
        server starts, so a parent killed while pg_ctl starts it still leaves nothing behind."""
        self._zeg(f"postgres {pgdata}")

    def sluit(self) -> None:
        """Close the pipe: the watchdog stops whatever is still running and exits."""
        if self._schrijf >= 0:
            os.close(self._schrijf)
            self._schrijf = -1

    def _zeg(self, regel: str) -> None:
        try:
            os.write(self._schrijf, (regel + "\n").encode())
        except OSError as fout:  # the watchdog is gone: then only PDEATHSIG is left
            print(f"! waakhond niet bereikbaar ({fout})", file=sys.stderr, flush=True)


def _prctl() -> Callable[[int, int], int] | None:
    """libc's prctl, loaded before any fork (a preexec_fn must not load libraries)."""
    if sys.platform != "linux":
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------------
# The watchdog process


def _log(tekst: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} waakhond {os.getpid()}: {tekst}", flush=True)


def _postmaster(pgdata: Path):  # -> psutil.Process | None
    """The running postmaster of `pgdata`, from postmaster.pid (pid, data dir, start time, ...)."""
    import psutil

    try:
        regels = (pgdata / "postmaster.pid").read_text().splitlines()
        pid, start = int(regels[0]), int(regels[2])
        proces = psutil.Process(pid)
        # A pid from an old postmaster.pid may belong to another process by now.
        return proces if abs(proces.create_time() - start) < 5 and proces.status() != psutil.STATUS_ZOMBIE else None
    except (OSError, IndexError, ValueError, psutil.Error):
        return None


def ruim_op(processen: list[tuple[int, float, int]], pgdatas: list[Path]) -> None:
    """Stop every registered process that still runs: its polite signal, then after BELEEFD_SECONDEN
    SIGKILL (a postmaster SIGQUIT, and SIGKILL after HARD_SECONDEN more)."""
    import psutil

    doelen: list[tuple[psutil.Process, int, list[int]]] = []
    for pid, start, stopsignaal in processen:
        try:
            proces = psutil.Process(pid)
            if abs(proces.create_time() - start) < 0.05 and proces.status() != psutil.STATUS_ZOMBIE:
                doelen.append((proces, stopsignaal, [signal.SIGKILL]))
        except psutil.Error:
            pass
    for pgdata in pgdatas:
        postmaster = _postmaster(pgdata)
        if postmaster is not None:
            doelen.append((postmaster, signal.SIGINT, [signal.SIGQUIT, signal.SIGKILL]))
    if not doelen:
        _log("niets meer te stoppen")
        return
    begin = time.monotonic()
    for proces, stopsignaal, _ in doelen:
        _log(f"stop {proces.pid} ({_naam(proces)}) met {signal.Signals(stopsignaal).name}")
        _signaal(proces, stopsignaal)
    over = _wacht(doelen, BELEEFD_SECONDEN)
    for stap in range(2):
        for proces, _, harder in over:
            if stap < len(harder):
                _log(f"{proces.pid} leeft nog: {signal.Signals(harder[stap]).name}")
                _signaal(proces, harder[stap])
        over = _wacht(over, HARD_SECONDEN)
    if over:
        _log(f"niet gestopt: {[p.pid for p, _, _ in over]}")
    else:
        _log(f"alles gestopt in {time.monotonic() - begin:.1f}s")


def _naam(proces) -> str:
    try:
        return " ".join(proces.cmdline()[:4])[:80]
    except Exception:
        return "?"


def _signaal(proces, signaal: int) -> None:
    import psutil

    try:
        proces.send_signal(signaal)
    except psutil.Error:
        pass


def _wacht(doelen: list, seconden: float) -> list:
    """Those still alive after waiting at most `seconden` (a zombie counts as stopped: it holds no port)."""
    import psutil

    einde = time.monotonic() + seconden
    while True:
        over = []
        for doel in doelen:
            try:
                if doel[0].status() != psutil.STATUS_ZOMBIE:
                    over.append(doel)
            except psutil.Error:
                pass
        if not over or time.monotonic() > einde:
            return over
        time.sleep(0.05)


def main() -> int:
    # Only EOF on stdin ends the watchdog; the terminal's signals are for the parent.
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    processen: list[tuple[int, float, int]] = []
    pgdatas: list[Path] = []
    for regel in sys.stdin:
        soort, _, rest = regel.strip().partition(" ")
        if soort == "proces":
            pid, start, stopsignaal = rest.split()
            processen.append((int(pid), float(start), int(stopsignaal)))
        elif soort == "postgres":
            pgdatas.append(Path(rest))
    _log("ouder weg; opruimen")
    ruim_op(processen, pgdatas)
    return 0


if __name__ == "__main__":
    sys.exit(main())
