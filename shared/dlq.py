"""The dead-letter queue, read and replayed: the one implementation behind `toegang dlq` (operator
credentials, toegang/dlq.py) and every service's beheer API (its own credentials, shared/beheer.py).

Every DLQ entry (shared/bus.py: naar_dlq) names the original message by stream and sequence. There are
two ways to offer it again:
- `publiceer_opnieuw` (the CLI): publish the original again on its own subject, with a new
  `Nats-Msg-Id` (JetStream would drop the old one as a duplicate); every consumer of the subject gets
  it, and the inbox keeps it applied once. Publishing another service's subject needs the operator.
- `origineel` (the services): fetch the original, so that the service's own consumer applies it again
  in-process (shared/bus.py: `verwerker`), with its own credentials: a service may read the streams it
  consumes, never publish another service's events.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from nats.js.errors import NotFoundError

from shared.topology import dlq_subject

DLQ_STREAM = "TOEGANG_DLQ"
# What an entry may show outside the CLI: never the event body (a partner's raw input may hold personal
# data; shared/bus.py keeps none for it, but a reader of the API need not rely on that).
SAMENVATTING = ("consumer", "subject", "reden", "afleveringen", "tijd", "event_type", "event_id")


async def vermeldingen(js: Any, service: str | None = None, aantal: int = 50) -> list[dict]:
    """The newest `aantal` entries (of one service), oldest first, each with its `dlq_seq`."""
    info = await js.stream_info(DLQ_STREAM)
    uit: list[dict] = []
    seq = info.state.last_seq
    while seq >= max(info.state.first_seq, 1) and len(uit) < aantal:
        try:
            bericht = await js.get_msg(DLQ_STREAM, seq)
        except NotFoundError:  # deleted (replayed through a service) or aged out
            seq -= 1
            continue
        if service is None or bericht.subject == dlq_subject(service):
            uit.append({"dlq_seq": seq, **json.loads(bericht.data)})
        seq -= 1
    return list(reversed(uit))


async def aantal(js: Any, service: str) -> int:
    """How many entries of this service the DLQ stream holds now."""
    info = await js.stream_info(DLQ_STREAM, subjects_filter=dlq_subject(service))
    return sum((info.state.subjects or {}).values())


async def vermelding(js: Any, dlq_seq: int, service: str | None = None) -> dict | None:
    """One entry, or None when there is none with this number (of this service)."""
    try:
        bericht = await js.get_msg(DLQ_STREAM, dlq_seq)
    except NotFoundError:
        return None
    if service is not None and bericht.subject != dlq_subject(service):
        return None
    return {"dlq_seq": dlq_seq, **json.loads(bericht.data)}


def samenvatting(v: dict) -> dict:
    return {"seq": v["dlq_seq"], **{k: v.get(k) for k in SAMENVATTING}}


async def origineel(js: Any, v: dict) -> Any | None:
    """The original message of entry `v` (subject, data, headers), or None when its stream no longer
    holds it (max_age)."""
    try:
        return await js.get_msg(v["stream"], v["stream_seq"])
    except NotFoundError:
        return None


async def verwijder(js: Any, dlq_seq: int) -> None:
    await js.delete_msg(DLQ_STREAM, dlq_seq)


async def publiceer_opnieuw(js: Any, dlq_seq: int) -> dict:
    """Publish the original message of DLQ entry `dlq_seq` again; returns what was published."""
    v = vermelding_of_fout(await vermelding(js, dlq_seq), dlq_seq)
    bron = await origineel(js, v)
    if bron is None:
        raise LookupError(f"het oorspronkelijke bericht van DLQ-vermelding {dlq_seq} is niet meer in {v['stream']}")
    headers = {k: val for k, val in (bron.headers or {}).items() if not k.startswith("Nats-")}
    nieuw_id = f"replay:{dlq_seq}:{datetime.now(UTC).isoformat()}"
    ack = await js.publish(
        bron.subject, bron.data, headers={**headers, "Nats-Msg-Id": nieuw_id}, stream=v["stream"], timeout=5
    )
    return {
        "dlq_seq": dlq_seq,
        "subject": bron.subject,
        "stream": ack.stream,
        "nieuwe_seq": ack.seq,
        "event_id": v.get("event_id"),
        "consumer": v.get("consumer"),
    }


def vermelding_of_fout(v: dict | None, dlq_seq: int) -> dict:
    if v is None:
        raise LookupError(f"geen DLQ-vermelding {dlq_seq}")
    return v
