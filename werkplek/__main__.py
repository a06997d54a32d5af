"""`python -m werkplek`: the werkplek on TOEGANG_HOST:TOEGANG_WERKPLEK_PORT (or TOEGANG_PORT; 8000)."""

from __future__ import annotations

import uvicorn

from werkplek.app import maak_app
from werkplek.instellingen import Instellingen


def main() -> None:
    instellingen = Instellingen()
    uvicorn.run(maak_app(instellingen), host=instellingen.host, port=instellingen.port, log_level="info")


if __name__ == "__main__":
    main()
