"""A steady stream of meldingen and signals, sent as real clients send them, for the fault suite.

- Meldingen go to intake over HTTP with an Idempotency-Key. A connection error, a timeout or a 5xx is
  tried again with the same key, as a careful client (a gemeente's KCC system) would: the melding is
  accepted once, whatever the answer that got lost.
- Signals go to signalering over HTTP (one partner) and straight onto NATS (another partner), each with
  the partner's own id; again tried until accepted (HTTP 202 or a JetStream PubAck).
- Households repeat: meldingen and signals about the same address meet in one household, so "one plan
  per household" is tested under the faults too.

What was accepted ends up in `ingezonden` for the invariant checker.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import nats

from shared.nats_rechten import partner_inbox_prefix
from shared.nats_url import nats_verbinding
from tests.support.gegevens import geldig_bsn, melding
from toegang.invarianten import Ingezonden

HTTP_PARTNER = "gm1916-vidomes"
NATS_PARTNER = "gm1916-eneco"


@dataclass
class Stroom:
    intake_urls: Callable[[], list[str]]  # the replicas to spread over (a load balancer's view)
    signalering_urls: Callable[[], list[str]]
    token: Callable[..., dict[str, str]]
    partner_nats_url: str
    per_seconde: float = 8.0  # meldingen per second; as many signals
    huishoudens: int = 60
    seed: int = 1
    ingezonden: Ingezonden = field(default_factory=Ingezonden)
    pogingen: int = 0  # requests or publishes tried again
    _taken: set[asyncio.Task] = field(default_factory=set)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._bsn = [geldig_bsn(self._rng) for _ in range(self.huishoudens)]
        self._http = httpx.AsyncClient(timeout=10.0)

    async def draai(self, seconden: float) -> None:
        """Send for `seconden`, then wait until every item was accepted (the clients keep trying)."""
        self._nc = await nats.connect(
            **nats_verbinding(self.partner_nats_url),
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            inbox_prefix=partner_inbox_prefix(NATS_PARTNER),
        )
        self._js = self._nc.jetstream()
        try:
            lus = asyncio.get_running_loop()
            einde = lus.time() + seconden
            i = 0
            while lus.time() < einde:
                for soort in (self._melding, self._http_signaal, self._nats_signaal):
                    taak = asyncio.create_task(soort(i))
                    self._taken.add(taak)
                    taak.add_done_callback(self._taken.discard)
                i += 1
                await asyncio.sleep(1 / self.per_seconde)
            await asyncio.wait_for(asyncio.gather(*self._taken), timeout=180)
        finally:
            await self._http.aclose()
            await self._nc.close()

    @property
    def aantal_verstuurd(self) -> int:
        return len(self.ingezonden.meldingen) + len(self.ingezonden.signalen)

    def _huishouden(self, i: int) -> tuple[int, str]:
        h = self._rng.randrange(self.huishoudens)
        return 1000 + h, self._bsn[h]

    async def _melding(self, i: int) -> None:
        huisnummer, bsn = self._huishouden(i)
        body = melding(huisnummer=huisnummer, bsn=bsn)
        sleutel = str(uuid.uuid4())
        antwoord = await self._post(
            self.intake_urls, "/v1/meldingen", body, {**self.token("meldpunt"), "Idempotency-Key": sleutel}, 201
        )
        self.ingezonden.meldingen.add(antwoord["melding_id"])

    def _signaal(self, i: int, soort: str, partner: str) -> dict:
        huisnummer, bsn = self._huishouden(i)
        return {
            "partner_signaal_id": f"{partner}-{uuid.uuid4()}",
            "soort": soort,
            "betreft": {"bsn": bsn, "adres": {"postcode": "2264 AB", "huisnummer": huisnummer}},
            "bedrag_achterstand_cent": 150_000,
            "achterstand_sinds": "2026-06-01",
        }

    async def _http_signaal(self, i: int) -> None:
        body = self._signaal(i, "huurachterstand", HTTP_PARTNER)
        await self._post(
            self.signalering_urls, "/v1/signalen", body, self.token("partner", partner_id=HTTP_PARTNER), 202
        )
        self.ingezonden.signalen.add((HTTP_PARTNER, body["partner_signaal_id"]))

    async def _nats_signaal(self, i: int) -> None:
        body = self._signaal(i, "energieachterstand", NATS_PARTNER)
        data = json.dumps(body).encode()
        while True:
            try:  # the partner's own id as Nats-Msg-Id: a publish tried again is stored once
                await self._js.publish(
                    f"partners.{NATS_PARTNER}.signalen",
                    data,
                    timeout=5.0,
                    headers={"Nats-Msg-Id": body["partner_signaal_id"]},
                )
                break
            except Exception:
                self.pogingen += 1
                await asyncio.sleep(0.5)
        self.ingezonden.signalen.add((NATS_PARTNER, body["partner_signaal_id"]))

    async def _post(self, urls: Callable[[], list[str]], pad: str, body: dict, headers: dict, verwacht: int) -> dict:
        poging = 0
        while True:
            try:
                r = await self._http.post(self._rng.choice(urls()) + pad, json=body, headers=headers)
                if r.status_code == verwacht:
                    return r.json()
                if r.status_code < 500:
                    raise AssertionError(f"{pad}: {r.status_code} {r.text[:300]}")
            except (httpx.TransportError, IndexError):
                pass  # the service is down or restarting (no replica up: nothing to choose from)
            poging += 1
            self.pogingen += 1
            await asyncio.sleep(min(0.2 * poging, 2.0))
