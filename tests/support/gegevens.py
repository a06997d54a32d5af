"""Test people and meldingen; the personal data here are what the privacy scans look for."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from shared.events import DoorverwijzingGedaan, MeldingGeregistreerd, Veiligheid, maak_event

BSN = "111222333"
NAAM = "Hendrika Testpersoon-Vermeulen"
GEBOORTEDATUM = "1948-03-17"
STRAAT = "Kastanjelaan"
TELEFOON = "0612345678"
EMAIL = "buurvrouw.test@example.org"
OMSCHRIJVING = f"Mevrouw woont aan de {STRAAT} en redt het niet meer alleen; de buurvrouw maakt zich zorgen."
POSTCODE = "2264 AB"  # GM1916, Leidschendam

MELDER = "Buurvrouw Testmelder"
# Everything personal the tests send; none of it may reach the bus, a span or a log line.
GEVOELIG = [
    BSN,
    NAAM,
    GEBOORTEDATUM,
    STRAAT,
    TELEFOON,
    EMAIL,
    "redt het niet meer alleen",
    "2264AB",
    POSTCODE,
    MELDER,
    "Kind Testkind",
    "Oma Zonder Bsn",
    "2016-05-01",
    "1940-01-01",
]


def geldig_bsn(rng: random.Random | None = None) -> str:
    """A random BSN that passes the elfproef."""
    rng = rng or random.Random()
    while True:
        cijfers = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        rest = sum(c * w for c, w in zip(cijfers, range(9, 1, -1), strict=False)) % 11
        if rest < 10:
            return "".join(map(str, cijfers)) + str(rest)


def eigen_huisnummer() -> int:
    """A huisnummer at POSTCODE that no other test picks (the others keep below 10,000): a household of its
    own, so another test's plan on the shared platform is never this one's (one plan per household)."""
    return 10_000 + uuid.uuid4().int % 89_999


def melding(huisnummer: int = 12, bsn: str = BSN, **over) -> dict:
    body = {
        "gemeente": "GM1916",
        "kanaal": "telefoon",
        "soort": "zorgmelding",
        "melder": {"type": "buur", "naam": MELDER, "telefoon": TELEFOON, "email": EMAIL, "wil_terugkoppeling": True},
        "betreft": {
            "personen": [{"bsn": bsn, "naam": NAAM, "geboortedatum": GEBOORTEDATUM}],
            "adres": {"postcode": POSTCODE, "huisnummer": huisnummer},
        },
        "omschrijving": OMSCHRIJVING,
        "levensgebieden": ["huisvesting", "sociaal_netwerk"],
        "zrm": {"huisvesting": 2, "sociaal_netwerk": 2},
    }
    body.update(over)
    return body


LEIDSCHENDAM = "gm1916-gebiedsteam-leidschendam"  # a wijkteam of GM1916


def doorverwijzing(huishouden_id: str, **over):
    """A `doorverwijzing-gedaan` event as triage publishes it, for arrangement's tests (e2e and use cases)."""
    velden = dict(
        doorverwijzing_id=uuid.uuid4(),
        gemeente="GM1916",
        bron_id=uuid.uuid4(),
        bron_soort="melding",
        huishouden_id=huishouden_id,
        wijk="damsigt",
        route="wijkteam",
        team_id=LEIDSCHENDAM,
        urgentie="regulier",
        termijn_tot=datetime.now(UTC) + timedelta(days=3),
        termijn_grondslag="outreach-2-werkdagen",
        regel_id="test",
        toelichting="test",
    )
    velden.update(over)
    return maak_event(
        DoorverwijzingGedaan(**velden),
        service="triage",
        gemeente="GM1916",
        subject=str(velden["doorverwijzing_id"]),
        correlatieid=str(velden["bron_id"]),
    )


def melding_geregistreerd(gemeente: str = "GM1916", huishouden_id: str | None = None):
    """A `melding-geregistreerd` event as intake publishes it: a household of its own unless given."""
    data = MeldingGeregistreerd(
        melding_id=uuid.uuid4(),
        gemeente=gemeente,
        ontvangen_op=datetime.now(UTC),
        kanaal="telefoon",
        soort="hulpvraag",
        melder_type="inwoner_zelf",
        huishouden_id=huishouden_id or uuid.uuid4().hex * 2,
        persoon_sleutels=[uuid.uuid4().hex * 2],
        leeftijdscategorie="23-64",
        wijk=None,
        levensgebieden=[],
        zrm={},
        veiligheid=Veiligheid(),
        crisis=False,
        spoed=False,
        gevraagde_voorzieningen=[],
        inwoner_op_de_hoogte=True,
    )
    return maak_event(
        data, service="intake", gemeente=gemeente, subject=str(data.melding_id), correlatieid=str(data.melding_id)
    )
