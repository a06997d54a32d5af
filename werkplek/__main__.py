"""`python -m werkplek`: the werkplek on TOEGANG_HOST:TOEGANG_WERKPLEK_PORT (or TOEGANG_PORT; 8000)."""

from __future__ import annotations

import uvicorn

from werkplek import telemetrie
from werkplek.app import maak_app
from werkplek.instellingen import Instellingen


def main() -> None:
    instellingen = Instellingen()
    telemetrie.start()  # JSON logs with the trace id, traces over OTLP (as the services)
    try:
        # log_config=None: the JSON logging above, not uvicorn's own; access logs would repeat the traces.
        uvicorn.run(
            maak_app(instellingen),
            host=instellingen.host,
            port=instellingen.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
        )
    finally:
        telemetrie.stop()


if __name__ == "__main__":
    main()
