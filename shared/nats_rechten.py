"""NATS users with least privilege, generated from the topology and the gemeente configuration.

`genereer_config` writes a nats-server configuration in the shape of `deploy/nats/nats-server.conf`,
for `toegang dev` and the test fixtures:

- account TOEGANG (owns JetStream and every stream):
  - `operator`: everything (dev.json's `nats_url`, operations, the tests' bus recording);
  - one user per service: publish its own event subjects (`EVENT_TYPES`, plus what the contract lets it
    publish besides), its DLQ subject `toegang.dlq.<service>`, the stream declarations of
    `declareer_streams`, and for each of its durables (`CONSUMERS`) info/create/fetch and
    `$JS.ACK.<stream>.<durable>.>`; for its beheer API, reading messages of TOEGANG_DLQ and of the
    streams it consumes and deleting a DLQ entry (shared/beheer.py); subscribe `_INBOX.>` only (pull
    consumers: deliveries and API replies come there);
- account PARTNERS: one user per partner (`partner_id`): publish `partners.<partner_id>.signalen` and
  nothing else, subscribe `_INBOX.<partner_id>.>` and nothing else. The subject reaches the TOEGANG
  account (stream PARTNER_SIGNALEN) through a service import, so JetStream's PubAck comes back. A
  partner client connects with `inbox_prefix="_INBOX.<partner_id>"` (`partner_inbox_prefix`), so no
  partner can subscribe to another partner's replies, and no partner ever sees the services' inboxes
  (another account).

Everything else is refused by nats-server itself with a permissions violation.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from shared.events import EVENT_TYPES
from shared.topology import CONSUMERS, STREAMS, dlq_subject

OPERATOR = "operator"
TOEGANG_ACCOUNT = "TOEGANG"
PARTNERS_ACCOUNT = "PARTNERS"
PARTNER_SUBJECTS = "partners.*.signalen"

# Subjects the contract lets a service publish besides its rows in EVENT_TYPES (subject prefixes):
# arrangement publishes `doorverwijzing-gedaan` for a warm handover to a provider.
EXTRA_PUBLICATIES: dict[str, tuple[str, ...]] = {
    "arrangement": ("toegang.doorverwijzingen.gedaan",),
}
# Consumers a service creates and deletes itself, besides its durables (stream, consumer name):
# triage rebuilds its projection of known households from the plan events (services/triage/jobs.py).
EXTRA_CONSUMERS: dict[str, tuple[tuple[str, str], ...]] = {
    "triage": (("TOEGANG_PLANNEN", "triage-herbouw"),),
}


def services_van_topologie() -> list[str]:
    """Every service that publishes an event type or owns a durable."""
    return sorted({e.publisher for e in EVENT_TYPES.values()} | {c.service for c in CONSUMERS})


def partner_subject(partner_id: str) -> str:
    return f"partners.{partner_id}.signalen"


def partner_inbox_prefix(partner_id: str) -> str:
    """The inbox prefix a partner's client must use (nats-py: `nats.connect(..., inbox_prefix=...)`)."""
    return f"_INBOX.{partner_id}"


def publicaties_van(service: str) -> list[str]:
    prefixen = [e.subject_prefix for e in EVENT_TYPES.values() if e.publisher == service]
    prefixen += [p for p in EXTRA_PUBLICATIES.get(service, ()) if p not in prefixen]
    return [f"{p}.*" for p in prefixen]  # the last token is the GM code


# Services that rebuild what they hold from the streams (services/stuurinformatie/herbouw.py).
HERBOUWT = frozenset({"stuurinformatie"})


def service_rechten(service: str) -> dict[str, list[str]]:
    publish = [*publicaties_van(service), dlq_subject(service)]
    # declareer_streams runs at every service start: look up, create or bring in line, every stream.
    for stream in STREAMS:
        publish += [f"$JS.API.STREAM.{actie}.{stream.name}" for actie in ("INFO", "CREATE", "UPDATE")]
    # Own durables only: look up, create (with or without the filter subject in the API subject),
    # fetch (pull), ack/nak/term.
    for c in CONSUMERS:
        if c.service != service:
            continue
        publish += [
            f"$JS.API.CONSUMER.INFO.{c.stream}.{c.durable}",
            f"$JS.API.CONSUMER.CREATE.{c.stream}.{c.durable}",
            f"$JS.API.CONSUMER.CREATE.{c.stream}.{c.durable}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{c.stream}.{c.durable}",
            f"$JS.API.CONSUMER.MSG.NEXT.{c.stream}.{c.durable}",
            f"$JS.ACK.{c.stream}.{c.durable}.>",
        ]
        if service in HERBOUWT:  # its figures are rebuilt from the streams by deleting its own durables
            publish.append(f"$JS.API.CONSUMER.DELETE.{c.stream}.{c.durable}")
    # The beheer API (shared/beheer.py): read its DLQ entries and remove one it replayed, and read the
    # original of an entry from a stream it consumes (it applies it in-process: no publish right needed).
    publish += ["$JS.API.STREAM.MSG.GET.TOEGANG_DLQ", "$JS.API.STREAM.MSG.DELETE.TOEGANG_DLQ"]
    for stream_naam in sorted({c.stream for c in CONSUMERS if c.service == service}):
        publish.append(f"$JS.API.STREAM.MSG.GET.{stream_naam}")
    for stream_naam, consumer in EXTRA_CONSUMERS.get(service, ()):  # short-lived, under a fixed name
        publish += [
            f"$JS.API.CONSUMER.CREATE.{stream_naam}.{consumer}.>",
            f"$JS.API.CONSUMER.INFO.{stream_naam}.{consumer}",
            f"$JS.API.CONSUMER.DELETE.{stream_naam}.{consumer}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream_naam}.{consumer}",
        ]
    return {"publish": publish, "subscribe": ["_INBOX.>"]}


def partner_rechten(partner_id: str) -> dict[str, list[str]]:
    return {"publish": [partner_subject(partner_id)], "subscribe": [f"{partner_inbox_prefix(partner_id)}.>"]}


def nieuw_wachtwoord() -> str:
    return secrets.token_urlsafe(24)  # URL-safe: it goes into nats://user:password@host URLs as is


@dataclass
class NatsGebruikers:
    """Passwords per user: the operator, each service, each partner (by partner_id)."""

    operator: str
    services: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)

    @classmethod
    def aangevuld(cls, bestaand: dict | None, services: Iterable[str], partners: Iterable[str]) -> NatsGebruikers:
        """Keep the passwords in `bestaand` (as from `als_dict`), make one for every user that has none.
        Users no longer configured are dropped."""
        services, partners = list(services), list(partners)
        if dubbel := sorted({OPERATOR, *services} & set(partners)):
            raise ValueError(f"partner_id gelijk aan een NATS-gebruiker van het platform: {', '.join(dubbel)}")
        bestaand = bestaand or {}
        oud_s, oud_p = bestaand.get("services", {}), bestaand.get("partners", {})
        return cls(
            operator=bestaand.get(OPERATOR) or nieuw_wachtwoord(),
            services={s: oud_s.get(s) or nieuw_wachtwoord() for s in services},
            partners={p: oud_p.get(p) or nieuw_wachtwoord() for p in partners},
        )

    def als_dict(self) -> dict:
        return {OPERATOR: self.operator, "services": dict(self.services), "partners": dict(self.partners)}

    def wachtwoord(self, gebruiker: str) -> str:
        if gebruiker == OPERATOR:
            return self.operator
        if gebruiker in self.services:
            return self.services[gebruiker]
        return self.partners[gebruiker]

    def url(self, gebruiker: str, host: str, poort: int) -> str:
        return f"nats://{quote(gebruiker, safe='')}:{quote(self.wachtwoord(gebruiker), safe='')}@{host}:{poort}"


def partner_ids(config_dir: Path | None = None) -> list[str]:
    """Every partner_id in the gemeente configuration (`TOEGANG_CONFIG_DIR`, else the default)."""
    import os

    from shared.gemeenten import laad_gemeenten
    from shared.settings import _standaard_config_dir

    map_ = config_dir or (
        Path(os.environ["TOEGANG_CONFIG_DIR"]) if os.environ.get("TOEGANG_CONFIG_DIR") else _standaard_config_dir()
    )
    gemeenten = laad_gemeenten(map_)
    ids: list[str] = []
    for code in gemeenten.codes:
        ids += [p.partner_id for p in gemeenten[code].partners if p.partner_id not in ids]
    return ids


def _s(waarde: str) -> str:
    return json.dumps(waarde)  # a double-quoted string, as nats-server's parser reads it


def gebruiker_regels(naam: str, wachtwoord: str, rechten: dict[str, list[str]], i: str) -> list[str]:
    """One user of an `accounts` block. `wachtwoord` is the configuration value as written: a quoted
    password here, a `$NATS_..._PASSWORD` variable in deploy/nats/accounts.conf (genereer_accounts.py)."""
    regels = [f"{i}{{", f"{i}  user: {_s(naam)}", f"{i}  password: {wachtwoord}", f"{i}  permissions {{"]
    for richting in ("publish", "subscribe"):
        regels.append(f"{i}    {richting} {{")
        regels.append(f"{i}      allow: [")
        regels += [f"{i}        {_s(s)}" for s in rechten[richting]]
        regels += [f"{i}      ]", f"{i}    }}"]
    regels += [f"{i}  }}", f"{i}}}"]
    return regels


def partners_account_kop() -> list[str]:
    """Closes the TOEGANG account's users and opens the PARTNERS account, which imports the partner
    subjects from TOEGANG (a separate account: a partner never sees the services' inbox traffic)."""
    return [
        "    ]",
        "  }",
        f"  {PARTNERS_ACCOUNT} {{",
        f"    imports [ {{ service: {{ account: {TOEGANG_ACCOUNT}, subject: {_s(PARTNER_SUBJECTS)} }} }} ]",
        "    users [",
    ]


def genereer_config(
    gebruikers: NatsGebruikers,
    *,
    host: str,
    poort: int,
    monitor_poort: int | None,
    store_dir: Path,
    server_name: str = "toegang-dev",
    cluster: list[str] | None = None,
) -> str:
    """A complete nats-server configuration (check it with `nats-server -c FILE -t`)."""
    regels = [
        "# Generated by shared/nats_rechten.py from shared/topology.py, shared/events.py and the gemeente",
        "# configuration. Do not edit: it is rewritten at every start. Holds passwords (mode 600).",
        f"server_name: {_s(server_name)}",
        f"listen: {_s(f'{host}:{poort}')}",
    ]
    if monitor_poort:
        regels.append(f"http: {_s(f'{host}:{monitor_poort}')}")
    regels += [
        f"jetstream {{ store_dir: {_s(str(store_dir))} }}",
        *(cluster or []),
        "",
        "accounts {",
        f"  {TOEGANG_ACCOUNT} {{",
        "    jetstream: enabled",
        f"    exports [ {{ service: {_s(PARTNER_SUBJECTS)}, accounts: [{PARTNERS_ACCOUNT}] }} ]",
        "    users [",
        *gebruiker_regels(OPERATOR, _s(gebruikers.operator), {"publish": [">"], "subscribe": [">"]}, "      "),
    ]
    for service, wachtwoord in sorted(gebruikers.services.items()):
        regels.append(f"      # {service}")
        regels += gebruiker_regels(service, _s(wachtwoord), service_rechten(service), "      ")
    regels += partners_account_kop()
    for partner_id, wachtwoord in sorted(gebruikers.partners.items()):
        regels += gebruiker_regels(partner_id, _s(wachtwoord), partner_rechten(partner_id), "      ")
    regels += ["    ]", "  }", "}", ""]
    return "\n".join(regels)
