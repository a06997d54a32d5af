"""The `toegang` command: dev, demo, service, migrate, token (CONTRACT.md, "Running it")."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Integrale toegang sociaal domein: één huishouden, één plan, één regisseur.",
)

SERVICE_NAMEN = ("intake", "triage", "arrangement", "signalering", "stuurinformatie")


@app.command()
def service(naam: Annotated[str, typer.Argument(help=", ".join(SERVICE_NAMEN))]) -> None:
    """Run one service (what a container runs)."""
    import uvicorn

    from toegang.omgeving import SERVICES

    if naam not in SERVICE_NAMEN:
        raise typer.BadParameter(f"kies uit {', '.join(SERVICE_NAMEN)}")
    poort = int(os.environ.get("TOEGANG_PORT") or os.environ.get("PORT") or SERVICES[naam])
    host = os.environ.get("TOEGANG_HOST", "127.0.0.1")
    uvicorn.run(
        f"services.{naam}.app:app",
        factory=True,
        host=host,
        port=poort,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        lifespan="on",
    )


stuurinformatie_app = typer.Typer(no_args_is_help=True, help="Stuurinformatie: de cijfers uit de events.")
app.add_typer(stuurinformatie_app, name="stuurinformatie")


@stuurinformatie_app.command("herbouw")
def stuurinformatie_herbouw(
    database_url: Annotated[str | None, typer.Option(help="standaard: DATABASE_URL, of die van toegang dev")] = None,
) -> None:
    """Empty stuurinformatie's tables, with the service stopped: at its next start it reads every stream
    again from the beginning and builds the same figures (decision 0022)."""
    import asyncio

    from services.stuurinformatie.herbouw import maak_leeg

    asyncio.run(maak_leeg(_database_url(database_url)))
    typer.echo("Stuurinformatie is leeg; start de service: hij leest alle streams opnieuw vanaf het begin.")


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
        replicas = int(os.environ.get("TOEGANG_STREAM_REPLICAS", "1"))
        asyncio.run(declareer_streams_op(os.environ["NATS_URL"], replicas))


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


@app.command()
def invarianten(
    ingezonden: Annotated[
        str | None,
        typer.Option(
            help="JSON-bestand met wat is aangenomen: meldingen (ids), signalen (paren partner_id, "
            "partner_signaal_id), verklaarde_redenen"
        ),
    ] = None,
    verklaard: Annotated[list[str] | None, typer.Option(help="DLQ-reden (deel) die verklaard is; herhaalbaar")] = None,
    wacht: Annotated[float, typer.Option(help="seconden wachten tot outboxen en consumers leeg zijn")] = 60.0,
    nats_url: Annotated[str | None, typer.Option(help="NATS URL (operator); standaard NATS_URL of dev.json")] = None,
    database_url: Annotated[str | None, typer.Option(help="standaard DATABASE_URL of dev.json")] = None,
) -> None:
    """Check the platform's promises: every melding one decision and a plan, every signal in a casus, one
    active plan per household, nothing applied twice, nothing unexplained in the DLQ. Exit code 1 if not."""
    import asyncio
    import json
    from pathlib import Path

    from toegang.invarianten import Ingezonden, controleer_platform

    invoer = Ingezonden.uit_dict(json.loads(Path(ingezonden).read_text())) if ingezonden else Ingezonden()
    invoer.verklaarde_redenen = (*invoer.verklaarde_redenen, *(verklaard or []))
    rapport = asyncio.run(controleer_platform(_nats_url(nats_url), _database_url(database_url), invoer, wacht))
    typer.echo(rapport.tekst())
    raise typer.Exit(0 if rapport.in_orde else 1)


@app.command()
def status(
    blijf: Annotated[bool, typer.Option("--blijf", help="elke 5 seconden opnieuw, tot Ctrl-C")] = False,
) -> None:
    """What an operator needs to know now, per service: flow per consumer, lag, outbox, DLQ, connections
    and overdue deadlines, from the services' /metrics (the URLs of a running `toegang dev`, dev.json)."""
    import asyncio
    import json
    from pathlib import Path

    from shared.metriekbeeld import als_tekst, beeld, stroom

    dev = Path(os.environ.get("TOEGANG_DATA_DIR", ".toegang")) / "dev.json"
    if not dev.exists():
        raise typer.BadParameter("start eerst `toegang dev` (geen dev.json in de datamap)")
    urls = json.loads(dev.read_text())["services"]

    async def toon() -> None:
        vorig = await beeld(urls)
        while True:
            await asyncio.sleep(2.0)  # two readings: the flow is a rate
            nu = stroom(vorig, await beeld(urls))
            typer.echo(als_tekst(nu) + "\n")
            if not blijf:
                return
            vorig = nu
            await asyncio.sleep(3.0)

    try:
        asyncio.run(toon())
    except KeyboardInterrupt:
        pass


def _database_url(gegeven: str | None) -> str:
    return _uit_omgeving_of_dev(gegeven, "DATABASE_URL", "database_url", "--database-url")


dlq_app = typer.Typer(no_args_is_help=True, help="The dead-letter queue: list, show and replay entries.")
app.add_typer(dlq_app, name="dlq")
NatsUrl = Annotated[
    str | None,
    typer.Option(
        help="NATS URL with operator rights; default NATS_URL, else the "
        "operator URL in <data dir>/dev.json of `toegang dev`"
    ),
]


def _nats_url(gegeven: str | None) -> str:
    return _uit_omgeving_of_dev(gegeven, "NATS_URL", "nats_url", "--nats-url")


def _uit_omgeving_of_dev(gegeven: str | None, variabele: str, sleutel: str, optie: str) -> str:
    """The option, else the environment variable, else what a running `toegang dev` wrote in dev.json."""
    import json
    from pathlib import Path

    if gegeven or os.environ.get(variabele):
        return gegeven or os.environ[variabele]
    dev = Path(os.environ.get("TOEGANG_DATA_DIR", ".toegang")) / "dev.json"
    if not dev.exists():
        raise typer.BadParameter(f"geef {optie} of {variabele}, of start `toegang dev`")
    return json.loads(dev.read_text())[sleutel]


@dlq_app.command("list")
def dlq_list(
    service: Annotated[str | None, typer.Option(help="alleen deze service")] = None,
    aantal: Annotated[int, typer.Option(help="hoeveel, de nieuwste")] = 50,
    nats_url: NatsUrl = None,
) -> None:
    """The newest entries: sequence, time, consumer, event type, reason."""
    import asyncio

    from toegang.dlq import lijst

    for e in asyncio.run(lijst(_nats_url(nats_url), service, aantal)):
        typer.echo(
            f"{e['dlq_seq']:>6}  {e.get('tijd', '')[:19]}  {e.get('consumer', ''):<28} "
            f"{e.get('event_type') or '-':<48} {e.get('reden', '')}"
        )


@dlq_app.command("show")
def dlq_show(seq: Annotated[int, typer.Argument(help="volgnummer in TOEGANG_DLQ")], nats_url: NatsUrl = None) -> None:
    """One entry in full (JSON): where the message came from, how often it was delivered, why it failed."""
    import asyncio
    import json

    from toegang.dlq import toon

    typer.echo(json.dumps(asyncio.run(toon(_nats_url(nats_url), seq)), indent=2, ensure_ascii=False))


@dlq_app.command("replay")
def dlq_replay(seq: Annotated[int, typer.Argument(help="volgnummer in TOEGANG_DLQ")], nats_url: NatsUrl = None) -> None:
    """Publish the original message again, through the normal consumers (applied once, by the inbox)."""
    import asyncio
    import json

    from toegang.dlq import speel_opnieuw

    typer.echo(json.dumps(asyncio.run(speel_opnieuw(_nats_url(nats_url), seq)), ensure_ascii=False))


if __name__ == "__main__":
    app()
