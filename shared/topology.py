"""Every stream, durable consumer and DLQ subject of the platform, in one place.

Services do not declare streams as a side effect of subscribing (two services with different
subscriptions would overwrite each other's stream subjects); `declareer_streams` does it, idempotently,
at start-up of every service and in `toegang migrate`.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

# JetStream drops a second message with the same Nats-Msg-Id within this window; the inbox of each
# consumer covers what arrives later.
DUPLICATE_WINDOW_S = 15 * 60


@dataclass(frozen=True)
class Stream:
    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_days: int = 365


@dataclass(frozen=True)
class Consumer:
    """A durable pull consumer: one per (service, subject it listens to)."""

    service: str
    durable: str
    stream: str
    subject: str
    description: str
    # False for raw partner input (not CloudEvents): such a consumer has no inbox; its handler is idempotent
    # on the partner's own id.
    cloudevents: bool = True


STREAMS: tuple[Stream, ...] = (
    Stream("TOEGANG_MELDINGEN", ("toegang.meldingen.>",), "Meldingen: geregistreerd, opgepakt"),
    Stream("TOEGANG_SIGNALEN", ("toegang.signalen.>",), "Signalen en signaalcasussen"),
    Stream("TOEGANG_DOORVERWIJZINGEN", ("toegang.doorverwijzingen.>",), "Besluiten van triage en warme overdrachten"),
    Stream("TOEGANG_PLANNEN", ("toegang.plannen.>",), "Plannen, regisseurs, beschikkingen, termijnen"),
    Stream("TOEGANG_DLQ", ("toegang.dlq.>",), "Berichten die bleven falen, met de reden"),
    # Partners publish straight onto NATS here; their credentials allow their own subject only.
    Stream("PARTNER_SIGNALEN", ("partners.*.signalen",), "Signalen van partners via NATS", max_age_days=30),
)

CONSUMERS: tuple[Consumer, ...] = (
    Consumer("triage", "triage-meldingen", "TOEGANG_MELDINGEN", "toegang.meldingen.geregistreerd.*",
             "Route elke nieuwe melding"),
    Consumer("triage", "triage-casussen", "TOEGANG_SIGNALEN", "toegang.signalen.doorgezet.*",
             "Route elke doorgezette signaalcasus"),
    Consumer("triage", "triage-regisseurs", "TOEGANG_PLANNEN", "toegang.plannen.regisseur-toegewezen.*",
             "Projectie: welk huishouden heeft een regisseur"),
    Consumer("triage", "triage-afsluitingen", "TOEGANG_PLANNEN", "toegang.plannen.afgesloten.*",
             "Projectie: een afgesloten plan heeft geen regisseur meer"),
    Consumer("arrangement", "arrangement-doorverwijzingen", "TOEGANG_DOORVERWIJZINGEN",
             "toegang.doorverwijzingen.gedaan.*", "Eén plan en één regisseur per huishouden"),
    Consumer("intake", "intake-doorverwijzingen", "TOEGANG_DOORVERWIJZINGEN", "toegang.doorverwijzingen.gedaan.*",
             "Status doorverwezen"),
    Consumer("intake", "intake-aanvaardingen", "TOEGANG_PLANNEN", "toegang.plannen.doorverwijzing-aanvaard.*",
             "Status opgepakt en terugkoppeling aan de melder"),
    Consumer("intake", "intake-afsluitingen", "TOEGANG_PLANNEN", "toegang.plannen.afgesloten.*",
             "Status afgesloten; start van de bewaartermijn van de melder"),
    Consumer("signalering", "signalering-partners", "PARTNER_SIGNALEN", "partners.*.signalen",
             "Signalen die partners rechtstreeks op NATS publiceren", cloudevents=False),
    Consumer("signalering", "signalering-aanvaardingen", "TOEGANG_PLANNEN",
             "toegang.plannen.doorverwijzing-aanvaard.*", "Casus opgepakt"),
)


def consumers_van(service: str) -> list[Consumer]:
    return [c for c in CONSUMERS if c.service == service]


def consumer(durable: str) -> Consumer:
    return next(c for c in CONSUMERS if c.durable == durable)


def stream_van_subject(subject: str) -> str:
    """The stream that stores `subject` (subjects are `toegang.<domein>.<...>` or `partners.<id>.signalen`)."""
    for stream in STREAMS:
        for patroon in stream.subjects:
            if _past(patroon.split("."), subject.split(".")):
                return stream.name
    raise ValueError(f"geen stream voor subject {subject!r}")


def _past(patroon: list[str], delen: list[str]) -> bool:
    for i, p in enumerate(patroon):
        if p == ">":
            return len(delen) > i
        if i >= len(delen) or (p != "*" and p != delen[i]):
            return False
    return len(patroon) == len(delen)


def dlq_subject(service: str) -> str:
    return f"toegang.dlq.{service}"


def stream_config(stream: Stream, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=stream.name,
        description=stream.description,
        subjects=list(stream.subjects),
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=stream.max_age_days * 24 * 3600,
        duplicate_window=DUPLICATE_WINDOW_S,
        num_replicas=replicas,
    )


async def declareer_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create every stream, or bring an existing one in line with this module."""
    for stream in STREAMS:
        config = stream_config(stream, replicas)
        try:
            await js.stream_info(stream.name)
        except NotFoundError:
            try:
                await js.add_stream(config)
                continue
            except BadRequestError:  # created meanwhile by another service starting
                pass
        await js.update_stream(config)


async def declareer_streams_op(nats_url: str, replicas: int = 1) -> None:
    """For `toegang migrate`: declare the streams without starting a service."""
    import nats

    nc = await nats.connect(nats_url)
    try:
        await declareer_streams(nc.jetstream(), replicas)
    finally:
        await nc.drain()
