"""Stuurinformatie's use cases: keep the fact of each event, and count the indicators of a gemeente, a period
and (optionally) a wijk. The counting happens in PostgreSQL over `feiten`; what may be shown of the counts
(suppression) is domain.py's. Only `beleid` and `beheer` of the gemeente itself read them.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from services.stuurinformatie import domain, tables
from services.stuurinformatie.domain import Periode
from services.stuurinformatie.feiten import feit_van
from shared.auth import BELEID, Gebruiker
from shared.db import UnitOfWork
from shared.events import Event
from shared.gemeenten import Gemeenten
from shared.termijnen import TZ
from shared.weigeringen import GeenToegang, NietGevonden, weiger_bij_fouten

# --- keeping the facts ----------------------------------------------------------------------------------------


async def bewaar_feit(uow: UnitOfWork, event: Event) -> None:
    """One fact per event. A plain insert, held back and written with the bundle's others in one statement
    (shared/db.py): each event type has one durable here, and its inbox row in this same transaction keeps a
    second copy of the event out."""
    f = feit_van(event)
    rij = {
        "event_id": event.id,
        "soort": f.soort,
        "gemeente": event.gemeente,
        "moment": f.moment,
        "wijk": f.wijk,
        "huishouden_id": f.huishouden_id,
        "sleutel": f.sleutel,
        "data": f.data,
    }
    uow.voeg_later_toe(tables.feiten, rij, "feiten")


# --- reading ------------------------------------------------------------------------------------------------


def mag_lezen(gebruiker: Gebruiker, gemeente: str, gemeenten: Gemeenten) -> None:
    if gemeente not in gemeenten or gebruiker.gemeente != gemeente:
        raise NietGevonden("Geen stuurinformatie voor deze gemeente.")
    if gebruiker.rol not in BELEID:
        raise GeenToegang("Stuurinformatie is voor beleid en beheer van de gemeente.")


# The wijk of a household, from any event that named it (a melding, a signaalcasus, a doorverwijzing): a fact
# without a wijk of its own (a plan, a beschikking) counts in its household's.
WIJK_VAN_HUISHOUDEN = (
    "SELECT w.wijk FROM stuurinformatie.feiten w"
    " WHERE w.huishouden_id = {0}.huishouden_id AND w.wijk IS NOT NULL LIMIT 1"
)


class Telling:
    """The facts of one gemeente, period and wijk, counted in SQL."""

    def __init__(self, uow: UnitOfWork, gemeente: str, p: Periode, wijk: str | None):
        self.uow = uow
        self.params: dict[str, Any] = {
            "gemeente": gemeente,
            "van": datetime.combine(p.van, time(0), tzinfo=TZ),
            "tot": datetime.combine(p.tot + timedelta(days=1), time(0), tzinfo=TZ),
            "wijk": wijk,
        }

    def bron(self, soort: str, alias: str = "f", join: str = "") -> str:
        """The facts of `soort` in the period (and the wijk: the event's own, else its household's), with
        `join` (more tables, or a list in the data unpacked) before the conditions."""
        return (
            f"stuurinformatie.feiten {alias} LEFT JOIN LATERAL ({WIJK_VAN_HUISHOUDEN.format(alias)}) h_{alias} ON TRUE"
            f"{join}"
            f" WHERE {alias}.gemeente = :gemeente AND {alias}.soort = '{soort}'"
            f" AND {alias}.moment >= :van AND {alias}.moment < :tot"
            f" AND (CAST(:wijk AS text) IS NULL OR COALESCE({alias}.wijk, h_{alias}.wijk) = :wijk)"
        )

    async def rijen(self, sql: str) -> Sequence[Any]:
        return (await self.uow.connection.execute(text(sql), self.params)).all()

    async def per(self, soort: str, sleutel: str, voorwaarde: str = "TRUE", join: str = "") -> dict[str, int]:
        rijen = await self.rijen(
            f"SELECT {sleutel} AS k, count(*) FROM {self.bron(soort, join=join)} AND {voorwaarde} GROUP BY k"
        )
        return {str(k): n for k, n in rijen if k is not None}

    async def aantal(self, soort: str, voorwaarde: str = "TRUE", wat: str = "count(*)") -> int:
        [(n,)] = await self.rijen(f"SELECT {wat} FROM {self.bron(soort)} AND {voorwaarde}")
        return int(n or 0)


# A list in the fact's data, one row per element (`e.x`); a beschikking's first version (a change is not a grant).
LIJST = ", LATERAL {}(f.data->'{}') e(x)"
VOORZIENINGEN = LIJST.format("jsonb_array_elements", "voorzieningen")
EERSTE_VERSIE = "COALESCE((f.data->>'versie')::int, 1) = 1"
UIT_MELDING = "f.data->>'bron_soort' = 'melding'"
# The Monday its week starts, in Amsterdam.
WEEK = "to_char(date_trunc('week', f.moment AT TIME ZONE 'Europe/Amsterdam'), 'YYYY-MM-DD')"


async def indicatoren(uow: UnitOfWork, gemeente: str, p: Periode, wijk: str | None) -> dict[str, Any]:
    t = Telling(uow, gemeente, p, wijk)
    v = domain.verdeling
    uit: dict[str, Any] = {
        "meldingen_per_kanaal": v(await t.per("melding", "f.data->>'kanaal'")),
        "meldingen_per_soort": v(await t.per("melding", "f.data->>'soort'")),
        "meldingen_per_melder": v(await t.per("melding", "f.data->>'melder_type'")),
        "meldingen_per_route": v(await t.per("doorverwijzing", "f.data->>'route'", UIT_MELDING)),
        "meldingen_per_week": v(await t.per("melding", WEEK)),
        "lichte_contacten_per_thema": v(
            await t.per("licht_contact", "e.x", join=LIJST.format("jsonb_array_elements_text", "themas")),
            await t.aantal("licht_contact"),
            telt_op=False,
        ),
        "lichte_contacten_per_uitkomst": v(await _contacten_per_uitkomst(t)),
        "wmo_gevraagd": v(
            await t.per("aanvraag", "e.x", join=LIJST.format("jsonb_array_elements_text", "voorzieningen"))
        ),
        "wmo_toegekend": v(await t.per("beschikking", "e.x->>'code'", EERSTE_VERSIE, VOORZIENINGEN)),
        "wmo_toegekend_per_leveringsvorm": v(
            await t.per("beschikking", "COALESCE(e.x->>'leveringsvorm', 'zin')", EERSTE_VERSIE, VOORZIENINGEN)
        ),
        "termijnen": {"rijen": domain.termijnen(await _termijnen(t))},
        "doorlooptijd_melding_plan": domain.spreiding(await _doorlooptijd_melding_plan(t)),
        "doorlooptijd_aanvraag_beschikking": domain.spreiding(await _doorlooptijd_aanvraag_beschikking(t)),
        "meldpunt_bezorgd": domain.trechter(await _meldpunt_bezorgd(t)),
        "vroegsignalering": domain.trechter(await _vroegsignalering(t)),
        "signalen_per_partnertype": v(await t.per("signaal", "f.data->>'partner_type'")),
        "signalen_per_soort": v(await t.per("signaal", "f.data->>'soort'")),
        "signalen_per_beoordeling": v(await t.per("signaal", "f.data->>'beoordeling'")),
        "huishoudens_in_waakvlam": v(
            {"huishoudens": await t.aantal("plan_afgesloten", "f.data->>'waakvlam_op' IS NOT NULL",
                                           "count(DISTINCT f.huishouden_id)")},
            telt_op=False,
        ),
        "zrm_verandering": {"rijen": domain.zrm_verandering(await _zrm_verandering(t))},
        "bezwaren_per_uitkomst": v(await t.per("bezwaar_beslist", "f.data->>'uitkomst'")),
        "klachten_per_uitkomst": v(await t.per("klacht_afgehandeld", "f.data->>'uitkomst'")),
    }  # fmt: skip
    return {naam: domain.indicator(naam, waarde) for naam, waarde in uit.items()}


async def _contacten_per_uitkomst(t: Telling) -> dict[str, int]:
    """The outcome as it is now: a contact that was turned into a melding counts as `melding_gemaakt`."""
    rijen = await t.rijen(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM stuurinformatie.feiten o WHERE o.soort = 'licht_contact_omgezet'"
        " AND o.sleutel = f.sleutel) THEN 'melding_gemaakt' ELSE f.data->>'uitkomst' END AS k, count(*)"
        f" FROM {t.bron('licht_contact')} GROUP BY k"
    )
    return {str(k): n for k, n in rijen}


async def _termijnen(t: Telling) -> dict[str, tuple[int, int]]:
    """Per grondslag (gesteld, gemist): doorverwijzingen whose deadline fell due in the period (and before
    now), missed when a termijn-verstreken for that source and grondslag came; bezwaren and klachten by
    their own `op_tijd`."""
    rijen = await t.rijen(
        "SELECT d.data->>'termijn_grondslag' AS g, count(*), count(*) FILTER (WHERE EXISTS ("
        " SELECT 1 FROM stuurinformatie.feiten v WHERE v.soort = 'termijn_verstreken' AND v.sleutel = d.sleutel"
        " AND v.data->>'termijn_grondslag' = d.data->>'termijn_grondslag'))"
        " FROM stuurinformatie.feiten d"
        f" LEFT JOIN LATERAL ({WIJK_VAN_HUISHOUDEN.format('d')}) h_d ON TRUE"
        " WHERE d.gemeente = :gemeente AND d.soort = 'doorverwijzing' AND d.data->>'bron_soort' <> 'plan'"
        " AND (d.data->>'termijn_tot')::timestamptz >= :van AND (d.data->>'termijn_tot')::timestamptz < :tot"
        " AND (d.data->>'termijn_tot')::timestamptz < now()"
        " AND (CAST(:wijk AS text) IS NULL OR COALESCE(d.wijk, h_d.wijk) = :wijk) GROUP BY g"
    )
    uit = {str(g): (n, gemist) for g, n, gemist in rijen}
    for soort, naam in (("bezwaar_beslist", "awb-bezwaar"), ("klacht_afgehandeld", "awb-klacht")):
        n = await t.aantal(soort)
        if n:
            uit[naam] = (n, await t.aantal(soort, "(f.data->>'op_tijd')::boolean IS FALSE"))
    return uit


async def _doorlooptijd_melding_plan(t: Telling) -> list[float]:
    plan = " JOIN stuurinformatie.feiten a ON a.soort = 'aanvaarding' AND a.sleutel = f.sleutel"
    rijen = await t.rijen(
        "SELECT EXTRACT(EPOCH FROM (min(a.moment) - f.moment)) / 3600"
        f" FROM {t.bron('melding', join=plan)} GROUP BY f.event_id, f.moment"
    )
    return [float(u) for (u,) in rijen]


async def _doorlooptijd_aanvraag_beschikking(t: Telling) -> list[float]:
    beschikking = (
        " JOIN stuurinformatie.feiten b ON b.soort = 'beschikking' AND b.sleutel = f.sleutel"
        " AND COALESCE((b.data->>'versie')::int, 1) = 1"
    )
    rijen = await t.rijen(
        "SELECT EXTRACT(EPOCH FROM (min(b.moment) - f.moment)) / 86400"
        f" FROM {t.bron('aanvraag', join=beschikking)} GROUP BY f.event_id, f.moment"
    )
    return [float(u) for (u,) in rijen]


async def _meldpunt_bezorgd(t: Telling) -> dict[str, int]:
    bezorgd = "f.data->>'bron_soort' = 'melding' AND f.data->>'route' = 'meldpunt_bezorgd'"
    in_zorg = (
        " AND EXISTS (SELECT 1 FROM stuurinformatie.feiten a WHERE a.soort = 'aanvaarding' AND a.sleutel = f.sleutel)"
    )
    return {
        "gemeld": await t.aantal("doorverwijzing", bezorgd),
        "huishoudens_in_zorg": await t.aantal("doorverwijzing", bezorgd + in_zorg, "count(DISTINCT f.huishouden_id)"),
    }


async def _vroegsignalering(t: Telling) -> dict[str, int]:
    return {
        "signalen": await t.aantal("signaal"),
        "casussen": await t.aantal("casus"),
        "contact_gelegd": await t.aantal("casus_afgesloten", "(f.data->>'contact_gelegd')::boolean"),
        "hulp_gestart": await t.aantal("casus_afgesloten", "f.data->>'resultaat' = 'hulp_gestart'"),
        "uitzetting_voorkomen": await t.aantal("casus_afgesloten", "(f.data->>'uitzetting_voorkomen')::boolean"),
    }


async def _zrm_verandering(t: Telling) -> dict[str, list[int]]:
    """Per ZRM domain: the change from the first scored version of a plan to its latest, for plans whose
    latest version falls in the period."""
    rijen = await t.rijen(
        "SELECT v.sleutel, (v.data->>'versie')::int, v.data->'doelen' FROM stuurinformatie.feiten v"
        " WHERE v.soort = 'planversie' AND v.gemeente = :gemeente AND v.moment < :tot AND v.sleutel IN ("
        f" SELECT f.sleutel FROM {t.bron('planversie')})"
    )
    per_plan: dict[Any, list[tuple[int, list]]] = defaultdict(list)
    for plan_id, versie, doelen in rijen:
        per_plan[plan_id].append((versie, doelen or []))
    per_domein: dict[str, list[int]] = defaultdict(list)
    for versies in per_plan.values():
        scores: dict[str, list[int]] = defaultdict(list)
        for _, doelen in sorted(versies, key=lambda vd: vd[0]):
            for d in doelen:
                if d.get("zrm_nu") is not None:
                    scores[d["levensgebied"]].append(int(d["zrm_nu"]))
        for domein, reeks in scores.items():
            if len(reeks) >= 2:
                per_domein[domein].append(reeks[-1] - reeks[0])
    return per_domein


async def stuurinformatie(
    uow: UnitOfWork, gebruiker: Gebruiker, gemeenten: Gemeenten, gemeente: str, p: Periode, wijk: str | None
) -> dict[str, Any]:
    mag_lezen(gebruiker, gemeente, gemeenten)
    if wijk is not None and wijk not in {w.id for w in gemeenten[gemeente].wijken}:
        weiger_bij_fouten([(("query", "wijk"), f"onbekende wijk in gemeente {gemeente}")])
    return {
        "gemeente": gemeente,
        "van": p.van,
        "tot": p.tot,
        "wijk": wijk,
        "indicatoren": await indicatoren(uow, gemeente, p, wijk),
    }


# --- export -------------------------------------------------------------------------------------------------

KOLOMMEN = ("indicator", "titel", "categorie", "maat", "waarde", "onderdrukt", "definitie", "telt")


def als_csv(figuren: dict[str, Any]) -> str:
    """The same figures and suppression as the JSON, one value per row, each row with its definition;
    `;`-separated (Dutch spreadsheets), a suppressed value empty with onderdrukt `ja`."""
    uit = io.StringIO()
    schrijver = csv.writer(uit, delimiter=";", lineterminator="\r\n")
    schrijver.writerow(
        ("# gemeente", figuren["gemeente"], "van", figuren["van"], "tot", figuren["tot"], "wijk", figuren["wijk"] or "")
    )
    schrijver.writerow(KOLOMMEN)
    for naam, ind in figuren["indicatoren"].items():
        for categorie, maat, waarde, onderdrukt in waarden_van(ind):
            rij = (naam, ind["titel"], categorie, maat, "" if onderdrukt else waarde, "ja" if onderdrukt else "nee")
            schrijver.writerow((*rij, ind["definitie"], " ".join(ind["telt"])))
    return uit.getvalue()


def waarden_van(ind: dict[str, Any]) -> Iterator[tuple[str, str, Any, bool]]:
    """(categorie, maat, waarde, onderdrukt) for every number of an indicator, in the order shown."""
    if ind["vorm"] == "doorlooptijd":
        for maat in ("aantal", "mediaan", "p90"):
            yield "", maat, ind[maat], ind["onderdrukt"]
    elif ind["vorm"] == "termijnen":
        for r in ind["rijen"]:
            for maat in ("gesteld", "gehaald", "gemist"):
                yield r["sleutel"], maat, r[maat]["aantal"], r[maat]["onderdrukt"]
            yield r["sleutel"], "gehaald_procent", r["gehaald_procent"]["procent"], r["gehaald_procent"]["onderdrukt"]
    elif ind["vorm"] == "zrm":
        for r in ind["rijen"]:
            yield r["sleutel"], "huishoudens", r["huishoudens"]["aantal"], r["huishoudens"]["onderdrukt"]
            gemiddeld = r["gemiddelde_verandering"]
            yield r["sleutel"], "gemiddelde_verandering", gemiddeld, gemiddeld is None
    else:
        for c in ind["cellen"]:
            yield c["sleutel"], "aantal", c["aantal"], c["onderdrukt"]
        if ind["totaal"] is not None:
            yield "totaal", "aantal", ind["totaal"]["aantal"], ind["totaal"]["onderdrukt"]
