"""The `toegang` command: dev, demo, service, migrate, token (CONTRACT.md, "Running it")."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Integrale toegang sociaal domein: één huishouden, één plan, één regisseur.")

SERVICE_NAMEN = ("intake", "triage", "arrangement", "signalering")


@app.command()
def service(naam: Annotated[str, typer.Argument(help="intake, triage, arrangement of signalering")]) -> None:
    """Run one service (what a container runs)."""
    import uvicorn

    from toegang.omgeving import SERVICES

    if naam not in SERVICE_NAMEN:
        raise typer.BadParameter(f"kies uit {', '.join(SERVICE_NAMEN)}")
    poort = int(os.environ.get("TOEGANG_PORT") or os.environ.get("PORT") or SERVICES[naam])
    host = os.environ.get("TOEGANG_HOST", "127.0.0.1")
    uvicorn.run(f"services.{naam}.app:app", factory=True, host=host, port=poort, log_config=None,
                access_log=False, timeout_graceful_shutdown=10, lifespan="on")


@app.command()
def migrate() -> None:
    """Apply the database migrations of all services (DATABASE_URL) and, with NATS_URL, declare the streams."""
    import asyncio

    from shared.migrations import migreer
    from shared.topology import declareer_streams_op

    url = os.environ.get("DATABASE_URL")
    if not url:
        typer.echo("DATABASE_URL ontbreekt", err=True)
        raise typer.Exit(2)
    migreer(url)
    if os.environ.get("NATS_URL"):
        asyncio.run(declareer_streams_op(os.environ["NATS_URL"]))


@app.command()
def token(
    rol: Annotated[str, typer.Option(help="inwoner, wijkcoach, consulent, lokale_kamer, meldpunt, partner, beheer")],
    gemeente: Annotated[str | None, typer.Option(help="GM-code")] = None,
    team: Annotated[list[str] | None, typer.Option(help="team id; herhaalbaar")] = None,
    partner: Annotated[str | None, typer.Option(help="partner_id (rol partner)")] = None,
    sub: Annotated[str | None, typer.Option(help="subject; standaard een dev-id")] = None,
) -> None:
    """Print a development bearer token that the platform of the same data directory accepts."""
    from shared.auth import Rol, maak_token
    from toegang.omgeving import data_dir, geheimen

    if rol not in {r.value for r in Rol}:
        raise typer.BadParameter(f"onbekende rol {rol!r}")
    secret = os.environ.get("TOEGANG_JWT_SECRET") or geheimen(data_dir())["TOEGANG_JWT_SECRET"]
    typer.echo(maak_token(secret, rol, gemeente, team or [], partner, sub))


@app.command()
def dev() -> None:
    """Start the whole platform on this machine; Ctrl-C stops all of it."""
    from toegang.dev import draai

    sys.exit(draai())


@app.command()
def demo(
    data: Annotated[str | None, typer.Option(help="data directory of a running `toegang dev`")] = None,
) -> None:
    """Send realistic meldingen and signalen to a running platform and print what became of each."""
    from toegang.demo import draai

    draai(data)


if __name__ == "__main__":
    app()
