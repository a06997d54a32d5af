"""`toegang dlq list|show|replay`: the dead-letter queue for operators.

Every DLQ entry (shared/bus.py: naar_dlq) names the original message by stream and sequence. `replay`
fetches that original from its stream and publishes it again on its own subject, with a new
`Nats-Msg-Id` (JetStream would drop the old one as a duplicate). It then goes through the normal
consumer path: every consumer of the subject gets it, and the inbox keeps it applied once (a consumer
that applied it before, or a second replay, changes nothing; a partner's signal is idempotent on its
partner_signaal_id).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import nats
from nats.js.errors import NotFoundError

from shared.nats_url import nats_verbinding

DLQ_STREAM = "TOEGANG_DLQ"


async def _verbind(nats_url: str):
    nc = await nats.connect(**nats_verbinding(nats_url), connect_timeout=5, max_reconnect_attempts=1)
    return nc, nc.jetstream()


async def lijst(nats_url: str, service: str | None = None, aantal: int = 50) -> list[dict]:
    """The newest `aantal` entries (of one service), oldest first."""
    nc, js = await _verbind(nats_url)
    try:
        info = await js.stream_info(DLQ_STREAM)
        uit: list[dict] = []
        seq = info.state.last_seq
        while seq >= max(info.state.first_seq, 1) and len(uit) < aantal:
            try:
                bericht = await js.get_msg(DLQ_STREAM, seq)
            except NotFoundError:
                seq -= 1
                continue
            if service is None or bericht.subject == f"toegang.dlq.{service}":
                uit.append({"dlq_seq": seq, **json.loads(bericht.data)})
            seq -= 1
        return list(reversed(uit))
    finally:
        await nc.close()


async def toon(nats_url: str, dlq_seq: int) -> dict:
    nc, js = await _verbind(nats_url)
    try:
        return {"dlq_seq": dlq_seq, **json.loads((await js.get_msg(DLQ_STREAM, dlq_seq)).data)}
    finally:
        await nc.close()


async def speel_opnieuw(nats_url: str, dlq_seq: int) -> dict:
    """Publish the original message of DLQ entry `dlq_seq` again; returns what was published."""
    nc, js = await _verbind(nats_url)
    try:
        vermelding = json.loads((await js.get_msg(DLQ_STREAM, dlq_seq)).data)
        origineel = await js.get_msg(vermelding["stream"], vermelding["stream_seq"])
        headers = {k: v for k, v in (origineel.headers or {}).items() if not k.startswith("Nats-")}
        nieuw_id = f"replay:{dlq_seq}:{datetime.now(UTC).isoformat()}"
        ack = await js.publish(
            origineel.subject,
            origineel.data,
            headers={**headers, "Nats-Msg-Id": nieuw_id},
            stream=vermelding["stream"],
            timeout=5,
        )
        return {
            "dlq_seq": dlq_seq,
            "subject": origineel.subject,
            "stream": ack.stream,
            "nieuwe_seq": ack.seq,
            "event_id": vermelding.get("event_id"),
            "consumer": vermelding.get("consumer"),
        }
    finally:
        await nc.close()
