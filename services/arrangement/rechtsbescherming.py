"""The inwoner's legal protection, pure: bezwaar against a beschikking and klachten about how he was
treated. Each is a small case of its own (a zaak, in Open Zaak's words) beside the household's plan, with
its life cycle as a transition table and its deadline under the Awb (shared/termijnen.py).

A bezwaar is registered whatever its date: one received after the bezwaartermijn is marked `te_laat`, and
the gemeente decides on it (usually niet-ontvankelijk, Awb 6:11 lets it excuse the delay). Its decision is
due 6 weeks after the bezwaartermijn ended, 12 with an adviescommissie, once extendable by 6 weeks with a
reason (Awb 7:10). A klacht is handled within 6 weeks of receipt, 10 with a klachtadviescommissie, once
extendable by 4 weeks (Awb 9:11). No free text: reasons and subjects are codes (decision 0006).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Literal, TypeVar

from shared.ids import nieuw_id
from shared.invoer import Fouten
from shared.levenscyclus import Levenscyclus
from shared.termijnen import (
    afhandeltermijn_klacht,
    beslistermijn_bezwaar,
    bezwaar_tijdig,
    bezwaartermijn_einde,
)
from shared.weigeringen import weiger_bij_fouten

BezwaarUitkomst = Literal["gegrond", "ongegrond", "niet_ontvankelijk", "ingetrokken"]
KlachtUitkomst = Literal["gegrond", "deels_gegrond", "ongegrond", "ingetrokken"]
# Why a decision is postponed (Awb 7:10 lid 3, 9:11 lid 2): codes, not free text.
RedenVerdaging = Literal["advies_nodig", "hoorzitting", "aanvullende_stukken", "complexiteit", "overig"]

# The grondslag of each deadline, as a termijn_grondslag (werkplek/teksten.py says them in words).
GRONDSLAG_BEZWAAR = {False: "awb-bezwaar-6-weken", True: "awb-bezwaar-12-weken"}
GRONDSLAG_BEZWAAR_VERDAAGD = "awb-bezwaar-verdaagd"
GRONDSLAG_KLACHT = {False: "awb-klacht-6-weken", True: "awb-klacht-10-weken"}
GRONDSLAG_KLACHT_VERDAAGD = "awb-klacht-verdaagd"


class ZaakStatus(StrEnum):
    lopend = "lopend"
    verdaagd = "verdaagd"
    beslist = "beslist"


# One table for both: a decision may be postponed once, then taken; a decided case is closed.
LEVENSCYCLUS_BEZWAAR: Levenscyclus[ZaakStatus] = Levenscyclus(
    "bezwaar",
    {
        ZaakStatus.lopend: frozenset({ZaakStatus.verdaagd, ZaakStatus.beslist}),
        ZaakStatus.verdaagd: frozenset({ZaakStatus.beslist}),
        ZaakStatus.beslist: frozenset(),
    },
)
LEVENSCYCLUS_KLACHT: Levenscyclus[ZaakStatus] = replace(LEVENSCYCLUS_BEZWAAR, wat="klacht")


@dataclass(frozen=True)
class Bezwaar:
    bezwaar_id: uuid.UUID
    plan_id: uuid.UUID
    beschikking_id: uuid.UUID
    verzonden_op: date  # the day the beschikking was sent: the bezwaartermijn runs from the day after
    ontvangen_op: date
    adviescommissie: bool
    tijdig: bool
    status: ZaakStatus = ZaakStatus.lopend
    uitkomst: BezwaarUitkomst | None = None
    besloten_op: date | None = None
    reden_verdaging: RedenVerdaging | None = None
    nieuwe_beschikking_versie: int | None = None

    soort: ClassVar[str] = "bezwaar"  # what it is called in the timeline and among the termijnen

    @property
    def zaak_id(self) -> uuid.UUID:
        return self.bezwaar_id

    @property
    def termijn_op(self) -> date:
        return self.beslissen_voor

    @property
    def bezwaartermijn_tot(self) -> date:
        return bezwaartermijn_einde(self.verzonden_op)

    @property
    def beslissen_voor(self) -> date:
        return beslistermijn_bezwaar(self.verzonden_op, self.adviescommissie, self.verdaagd)

    @property
    def verdaagd(self) -> bool:
        return self.reden_verdaging is not None

    @property
    def termijn_grondslag(self) -> str:
        return GRONDSLAG_BEZWAAR_VERDAAGD if self.verdaagd else GRONDSLAG_BEZWAAR[self.adviescommissie]


def registreer_bezwaar(
    plan_id: uuid.UUID,
    beschikking_id: uuid.UUID,
    verzonden_op: date,
    ontvangen_op: date,
    ter_post_op: date | None,
    adviescommissie: bool,
    vandaag: date,
) -> Bezwaar:
    fouten: Fouten = []
    if ontvangen_op > vandaag:
        fouten.append((("ontvangen_op",), "ligt in de toekomst"))
    if ontvangen_op < verzonden_op:
        fouten.append((("ontvangen_op",), "ligt voor de verzending van de beschikking"))
    if ter_post_op is not None and not verzonden_op <= ter_post_op <= ontvangen_op:
        fouten.append((("ter_post_op",), "moet tussen de verzending van de beschikking en de ontvangst liggen"))
    weiger_bij_fouten(fouten)
    return Bezwaar(
        bezwaar_id=nieuw_id(),
        plan_id=plan_id,
        beschikking_id=beschikking_id,
        verzonden_op=verzonden_op,
        ontvangen_op=ontvangen_op,
        adviescommissie=adviescommissie,
        tijdig=bezwaar_tijdig(verzonden_op, ontvangen_op, ter_post_op),
    )


def beslis_op_bezwaar(b: Bezwaar, uitkomst: BezwaarUitkomst, besloten_op: date, met_beschikking: bool) -> Bezwaar:
    """A gegrond bezwaar comes with the new beschikking it leads to (the caller links its version); the
    others must not come with one."""
    status = LEVENSCYCLUS_BEZWAAR.ga_naar(b.status, ZaakStatus.beslist)
    fouten: Fouten = []
    if besloten_op < b.ontvangen_op:
        fouten.append((("besloten_op",), "ligt voor de ontvangst van het bezwaar"))
    if uitkomst == "gegrond" and not met_beschikking:
        fouten.append((("beschikking",), "een gegrond bezwaar leidt tot een nieuwe beschikking: vul die in"))
    if uitkomst != "gegrond" and met_beschikking:
        fouten.append((("beschikking",), "alleen een gegrond bezwaar leidt tot een nieuwe beschikking"))
    weiger_bij_fouten(fouten)
    return replace(
        b,
        status=status,
        uitkomst=uitkomst,
        besloten_op=besloten_op,
    )


KlachtOver = Literal["gemeente", "aanbieder"]
KlachtOnderwerp = Literal["bejegening", "bereikbaarheid", "communicatie", "besluitvorming", "uitvoering", "overig"]


@dataclass(frozen=True)
class Klacht:
    klacht_id: uuid.UUID
    plan_id: uuid.UUID
    ontvangen_op: date
    over: KlachtOver
    aanbieder_id: str | None
    onderwerpen: tuple[KlachtOnderwerp, ...]
    klachtadviescommissie: bool
    status: ZaakStatus = ZaakStatus.lopend
    uitkomst: KlachtUitkomst | None = None
    afgehandeld_op: date | None = None
    reden_verdaging: RedenVerdaging | None = None

    soort: ClassVar[str] = "klacht"

    @property
    def zaak_id(self) -> uuid.UUID:
        return self.klacht_id

    @property
    def verdaagd(self) -> bool:
        return self.reden_verdaging is not None

    @property
    def afhandelen_voor(self) -> date:
        return afhandeltermijn_klacht(self.ontvangen_op, self.klachtadviescommissie, self.verdaagd)

    @property
    def termijn_op(self) -> date:
        return self.afhandelen_voor

    @property
    def termijn_grondslag(self) -> str:
        return GRONDSLAG_KLACHT_VERDAAGD if self.verdaagd else GRONDSLAG_KLACHT[self.klachtadviescommissie]


def registreer_klacht(
    plan_id: uuid.UUID,
    ontvangen_op: date,
    over: KlachtOver,
    aanbieder_id: str | None,
    onderwerpen: tuple[KlachtOnderwerp, ...],
    klachtadviescommissie: bool,
    vandaag: date,
) -> Klacht:
    fouten: Fouten = []
    if ontvangen_op > vandaag:
        fouten.append((("ontvangen_op",), "ligt in de toekomst"))
    if (over == "aanbieder") != (aanbieder_id is not None):
        fouten.append((("aanbieder_id",), "vul de aanbieder in bij een klacht over een aanbieder, en alleen dan"))
    weiger_bij_fouten(fouten)
    return Klacht(nieuw_id(), plan_id, ontvangen_op, over, aanbieder_id, onderwerpen, klachtadviescommissie)


def handel_klacht_af(k: Klacht, uitkomst: KlachtUitkomst, afgehandeld_op: date) -> Klacht:
    status = LEVENSCYCLUS_KLACHT.ga_naar(k.status, ZaakStatus.beslist)
    if afgehandeld_op < k.ontvangen_op:
        weiger_bij_fouten([(("afgehandeld_op",), "ligt voor de ontvangst van de klacht")])
    return replace(
        k,
        status=status,
        uitkomst=uitkomst,
        afgehandeld_op=afgehandeld_op,
    )


Zaak = Bezwaar | Klacht
Z = TypeVar("Z", Bezwaar, Klacht)
LEVENSCYCLUS = {"bezwaar": LEVENSCYCLUS_BEZWAAR, "klacht": LEVENSCYCLUS_KLACHT}


def verdaag(zaak: Z, reden: RedenVerdaging) -> Z:
    """Once (Awb 7:10 lid 3, 9:11 lid 2): a second postponement is not in the table."""
    status = LEVENSCYCLUS[zaak.soort].ga_naar(zaak.status, ZaakStatus.verdaagd)
    return replace(zaak, status=status, reden_verdaging=reden)


# --- from a stored row ------------------------------------------------------------------------------------

BIJ_DE_RIJ = ("door", "vastgelegd_op")  # columns of the table that are not part of the case


def bezwaar_uit(rij: Mapping[Any, Any]) -> Bezwaar:
    velden = {k: v for k, v in rij.items() if k not in BIJ_DE_RIJ}
    return Bezwaar(**{**velden, "status": ZaakStatus(rij["status"])})


def klacht_uit(rij: Mapping[Any, Any]) -> Klacht:
    velden = {k: v for k, v in rij.items() if k not in BIJ_DE_RIJ}
    return Klacht(**{**velden, "status": ZaakStatus(rij["status"]), "onderwerpen": tuple(rij["onderwerpen"])})


def rij_van(zaak: Zaak) -> dict[str, Any]:
    """The case as its table holds it (who recorded it, the repository adds)."""
    return {**asdict(zaak), "status": zaak.status.value}
