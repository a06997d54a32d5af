"""Intake's pure domain: what a melding may contain, the facts derived from it, and its status.

No I/O here: schemas.py parses, usecases.py loads and stores, this module decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from shared.gemeenten import Gemeente, Gemeenten, geldige_postcode
from shared.invoer import Fouten
from shared.levenscyclus import Levenscyclus
from shared.privacy import adres_sleutel, elfproef, persoon_sleutel_bsn, persoon_sleutel_ngp
from shared.zrm import ZRM_DOMEINEN

if TYPE_CHECKING:  # the body is only read here; schemas.py imports Status from this module
    from services.intake.schemas import MeldingInvoer


def controleer(invoer: MeldingInvoer, gemeenten: Gemeenten) -> Fouten:
    """Every reason the melding cannot be registered, with the field it concerns."""
    fouten: Fouten = []
    gemeente = gemeenten.get(invoer.gemeente)
    if gemeente is None:
        fouten.append((("gemeente",), f"onbekende gemeente; bekend zijn {', '.join(gemeenten.codes)}"))
    adres = invoer.betreft.adres
    if adres is not None:
        if not geldige_postcode(adres.postcode):
            fouten.append((("betreft", "adres", "postcode"), "postcode moet 4 cijfers en 2 letters zijn (1234 AB)"))
        elif gemeente is not None and gemeente.wijk_van(adres.postcode) is None:
            fouten.append((("betreft", "adres", "postcode"), f"postcode ligt niet in gemeente {gemeente.code}"))
    for i, persoon in enumerate(invoer.betreft.personen):
        if persoon.bsn is not None and not elfproef(persoon.bsn):
            fouten.append((("betreft", "personen", i, "bsn"), "geen geldig BSN (elfproef)"))
        if persoon.bsn is None and not (persoon.naam and persoon.geboortedatum and adres):
            fouten.append((("betreft", "personen", i), "zonder BSN zijn naam, geboortedatum en adres nodig"))
    if adres is None and not any(p.bsn for p in invoer.betreft.personen):
        fouten.append((("betreft",), "een adres of een BSN is nodig om te weten wie het betreft"))
    for domein, score in invoer.zrm.items():
        if domein not in ZRM_DOMEINEN:
            fouten.append((("zrm", domein), "onbekend ZRM-domein"))
        elif not 1 <= score <= 5:
            fouten.append((("zrm", domein), "score moet 1 tot en met 5 zijn"))
    for i, gebied in enumerate(invoer.levensgebieden):
        if gebied not in ZRM_DOMEINEN:
            fouten.append((("levensgebieden", i), "onbekend levensgebied (gebruik de ZRM-domeinen)"))
    if gemeente is not None:
        for i, code in enumerate(invoer.gevraagde_voorzieningen):
            if gemeente.voorziening(code) is None:
                fouten.append((("gevraagde_voorzieningen", i), "onbekende voorzieningcode"))
    return fouten


def leeftijdscategorie(geboortedatum: date, op: date) -> str:
    jaren = op.year - geboortedatum.year - ((op.month, op.day) < (geboortedatum.month, geboortedatum.day))
    if jaren <= 3:
        return "0-3"
    if jaren <= 17:
        return "4-17"
    if jaren <= 22:
        return "18-22"
    if jaren <= 64:
        return "23-64"
    return "65+"


@dataclass(frozen=True)
class AfgeleideFeiten:
    """What the bus may know of a melding: keys and facts, never the personal data themselves."""

    huishouden_id: str
    persoon_sleutels: list[str]
    persoon_sleutels_zwak: bool
    leeftijdscategorie: str | None
    wijk: str | None
    # Kept in intake, never published: the members under 18, with the month they turn 18 (key, month).
    jongeren: tuple[tuple[str, date], ...] = ()


def leid_af(invoer: MeldingInvoer, gemeente: Gemeente, sleutel: bytes, op: date) -> AfgeleideFeiten:
    adres = invoer.betreft.adres
    sleutels, zwak = [], False
    for p in invoer.betreft.personen:
        if p.bsn:
            sleutels.append(persoon_sleutel_bsn(sleutel, p.bsn))
        else:
            assert p.naam and p.geboortedatum and adres, "controleer() refuses a person without BSN and these"
            zwak = True
            sleutels.append(persoon_sleutel_ngp(sleutel, p.naam, p.geboortedatum, adres.postcode, adres.huisnummer))
    if adres is not None:
        huishouden = adres_sleutel(sleutel, adres.postcode, adres.huisnummer, adres.toevoeging)
    else:
        # No address: the household is known by its first person until an address is known.
        huishouden = sleutels[0]
    eerste_geboortedatum = next((p.geboortedatum for p in invoer.betreft.personen if p.geboortedatum), None)
    wijk = gemeente.wijk_van(adres.postcode) if adres else None
    return AfgeleideFeiten(
        huishouden_id=huishouden,
        persoon_sleutels=sleutels,
        persoon_sleutels_zwak=zwak,
        leeftijdscategorie=leeftijdscategorie(eerste_geboortedatum, op) if eerste_geboortedatum else None,
        wijk=wijk.id if wijk else None,
        jongeren=tuple(
            (s, achttien_in(p.geboortedatum))
            for s, p in zip(sleutels, invoer.betreft.personen, strict=True)
            if p.geboortedatum is not None and minderjarig(p.geboortedatum, op)
        ),
    )


class Status(StrEnum):
    geregistreerd = "geregistreerd"
    doorverwezen = "doorverwezen"
    opgepakt = "opgepakt"
    afgesloten = "afgesloten"


# The explicit transition table. Events from triage and arrangement travel on different streams and
# may arrive out of order: `opgepakt` may come before `doorverwezen`; a late `doorverwezen` then changes
# nothing (it is not in the table for `opgepakt`), and a second `opgepakt` neither.
LEVENSCYCLUS = Levenscyclus(
    "melding",
    {
        Status.geregistreerd: frozenset({Status.doorverwezen, Status.opgepakt, Status.afgesloten}),
        Status.doorverwezen: frozenset({Status.opgepakt, Status.afgesloten}),
        Status.opgepakt: frozenset({Status.afgesloten}),
        Status.afgesloten: frozenset(),
    },
)


# What the retention job erases: how to reach the melder. What he said (omschrijving) and whom it concerns
# stay as long as the melding's own retention (Archiefwet) requires.
MELDER_CONTACT = ("naam", "organisatie", "telefoon", "email")


def zonder_melder_contact(persoonsgegevens: dict) -> dict:
    melder = {k: v for k, v in persoonsgegevens.get("melder", {}).items() if k not in MELDER_CONTACT}
    return {**persoonsgegevens, "melder": melder}


# --- lichte contacten ---------------------------------------------------------------------------------------


class Uitkomst(StrEnum):
    """What came of a licht contact; `melding_gemaakt` only by turning the contact into a melding."""

    beantwoord = "beantwoord"
    verwezen_voorliggend_veld = "verwezen_voorliggend_veld"
    melding_gemaakt = "melding_gemaakt"


CONTACT_LEVENSCYCLUS = Levenscyclus(
    "licht contact",
    {
        Uitkomst.beantwoord: frozenset({Uitkomst.melding_gemaakt}),
        Uitkomst.verwezen_voorliggend_veld: frozenset({Uitkomst.melding_gemaakt}),
        Uitkomst.melding_gemaakt: frozenset(),
    },
)


def controleer_contact(
    gemeente_code: str,
    themas: list[str],
    uitkomst: str,
    wijk: str | None,
    aanbieder_id: str | None,
    gemeenten: Gemeenten,
) -> Fouten:
    """A licht contact holds codes only: the gemeente's wijk, levensgebieden, an aanbieder of its sociale kaart."""
    gemeente = gemeenten.get(gemeente_code)
    if gemeente is None:
        return [(("gemeente",), f"onbekende gemeente; bekend zijn {', '.join(gemeenten.codes)}")]
    fouten: Fouten = [
        (("themas", i), "onbekend thema (gebruik de ZRM-domeinen)")
        for i, t in enumerate(themas)
        if t not in ZRM_DOMEINEN
    ]
    if wijk is not None and wijk not in {w.id for w in gemeente.wijken}:
        fouten.append((("wijk",), f"onbekende wijk in gemeente {gemeente.code}"))
    if uitkomst == Uitkomst.verwezen_voorliggend_veld:
        if aanbieder_id is None:
            fouten.append((("aanbieder_id",), "kies de aanbieder uit de sociale kaart waarnaar u verwees"))
        elif gemeente.aanbieder(aanbieder_id) is None:
            fouten.append((("aanbieder_id",), f"onbekende aanbieder in de sociale kaart van {gemeente.code}"))
    elif aanbieder_id is not None:
        fouten.append((("aanbieder_id",), "alleen bij een verwijzing naar het voorliggend veld"))
    return fouten


# --- from 18- to 18+ ----------------------------------------------------------------------------------------


def achttien_in(geboortedatum: date) -> date:
    """The first day of the month in which someone born on `geboortedatum` turns 18. Only the month is kept:
    enough to start the transition in time, and no birth date."""
    return date(geboortedatum.year + 18, geboortedatum.month, 1)


def minderjarig(geboortedatum: date, op: date) -> bool:
    return op < _achttiende_verjaardag(geboortedatum)


def _achttiende_verjaardag(geboortedatum: date) -> date:
    try:
        return geboortedatum.replace(year=geboortedatum.year + 18)
    except ValueError:  # born on 29 February: 18 on 1 March in a year without one
        return date(geboortedatum.year + 18, 3, 1)


def overgang_grens(vandaag: date, maanden_vooraf: int) -> date:
    """Everyone who turns 18 in a month up to and including this one gets the transition now: the first
    day of the month `maanden_vooraf` months after the current one."""
    maand = vandaag.year * 12 + vandaag.month - 1 + maanden_vooraf
    return date(maand // 12, maand % 12 + 1, 1)
