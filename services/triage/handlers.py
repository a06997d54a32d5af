"""Triage's handlers: route every melding and casus; keep the projection of known households."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.triage import domain, tables
from shared.db import UnitOfWork
from shared.events import (
    DoorverwijzingGedaan,
    Event,
    MeldingGeregistreerd,
    PlanAfgesloten,
    Regisseur,
    RegisseurToegewezen,
    SignaalDoorgezet,
    maak_event,
)
from shared.ids import nieuw_id
from shared.service import Context


async def regisseur_van(uow: UnitOfWork, huishouden_id: str) -> Regisseur | None:
    b = tables.bekende_huishoudens
    rij = (
        await uow.session.execute(
            select(b.c.regisseur).where(b.c.huishouden_id == huishouden_id, b.c.afgesloten.is_(False))
        )
    ).first()
    return Regisseur.model_validate(rij.regisseur) if rij else None


async def leg_besluit_vast(
    uow: UnitOfWork,
    event: Event,
    bron_id: uuid.UUID,
    bron_soort: str,
    huishouden_id: str,
    besluit: domain.Besluit,
    wijk: str | None,
    ontvangen_op,
) -> None:
    doorverwijzing_id = nieuw_id()
    await uow.session.execute(
        tables.besluiten.insert().values(
            doorverwijzing_id=doorverwijzing_id,
            bron_id=bron_id,
            bron_soort=bron_soort,
            gemeente=event.gemeente,
            huishouden_id=huishouden_id,
            regel_id=besluit.regel_id,
            route=besluit.route,
            team_id=besluit.team_id,
            urgentie=besluit.urgentie,
            termijn_tot=besluit.termijn_tot,
            termijn_grondslag=besluit.termijn_grondslag,
            toelichting=besluit.toelichting,
            feiten=besluit.feiten,
        )
    )
    data = DoorverwijzingGedaan(
        doorverwijzing_id=doorverwijzing_id,
        gemeente=event.gemeente,
        bron_id=bron_id,
        bron_soort=bron_soort,
        huishouden_id=huishouden_id,
        wijk=wijk,
        route=besluit.route,
        team_id=besluit.team_id,
        urgentie=besluit.urgentie,
        termijn_tot=besluit.termijn_tot,
        termijn_grondslag=besluit.termijn_grondslag,
        regel_id=besluit.regel_id,
        toelichting=besluit.toelichting,
        bestaande_regisseur=besluit.bestaande_regisseur,
        ontvangen_op=ontvangen_op,  # arrangement counts the Wmo onderzoek from the melding's arrival
    )
    uow.publiceer(
        maak_event(
            data,
            service="triage",
            gemeente=event.gemeente,
            subject=str(doorverwijzing_id),
            correlatieid=event.correlatieid,
            dataref=f"/v1/besluiten?bron_id={bron_id}",
        )
    )


def handlers(ctx: Context) -> dict:
    async def bij_melding(event: Event[MeldingGeregistreerd], uow: UnitOfWork) -> None:
        m = event.data
        regisseur = await regisseur_van(uow, m.huishouden_id)
        besluit = domain.besluit(
            ctx.gemeenten[m.gemeente], domain.feiten_van_melding(m, regisseur is not None), regisseur
        )
        await leg_besluit_vast(uow, event, m.melding_id, "melding", m.huishouden_id, besluit, m.wijk, m.ontvangen_op)

    async def bij_casus(event: Event[SignaalDoorgezet], uow: UnitOfWork) -> None:
        c = event.data
        regisseur = await regisseur_van(uow, c.huishouden_id)
        besluit = domain.besluit(
            ctx.gemeenten[c.gemeente], domain.feiten_van_casus(c, regisseur is not None), regisseur
        )
        await leg_besluit_vast(uow, event, c.casus_id, "signaalcasus", c.huishouden_id, besluit, c.wijk, c.ontvangen_op)

    async def bij_regisseur(event: Event[RegisseurToegewezen], uow: UnitOfWork) -> None:
        r = event.data
        b = tables.bekende_huishoudens
        waarden = {
            "plan_id": r.plan_id,
            "regisseur": r.regisseur.model_dump(mode="json"),
            "afgesloten": False,
            "bijgewerkt_op": event.time,
        }
        # Never bring a closed plan back: its plan-afgesloten may have come first. And of two hand-overs of
        # one plan that arrive out of order (two replicas, a redelivery), the newer stays.
        await uow.session.execute(
            insert(b)
            .values(huishouden_id=r.huishouden_id, **waarden)
            .on_conflict_do_update(
                index_elements=[b.c.huishouden_id],
                set_=waarden,
                where=~((b.c.plan_id == r.plan_id) & (b.c.afgesloten | (b.c.bijgewerkt_op > event.time))),
            )
        )

    async def bij_afsluiting(event: Event[PlanAfgesloten], uow: UnitOfWork) -> None:
        a, b = event.data, tables.bekende_huishoudens
        # Mark, don't delete: a regisseur-toegewezen of this plan that arrives later must not revive it.
        # A row of another (newer) plan of the household is left alone.
        await uow.session.execute(
            insert(b)
            .values(huishouden_id=a.huishouden_id, plan_id=a.plan_id, regisseur={}, afgesloten=True)
            .on_conflict_do_update(
                index_elements=[b.c.huishouden_id], set_={"afgesloten": True}, where=b.c.plan_id == a.plan_id
            )
        )

    return {
        MeldingGeregistreerd: bij_melding,
        SignaalDoorgezet: bij_casus,
        RegisseurToegewezen: bij_regisseur,
        PlanAfgesloten: bij_afsluiting,
    }
