"""Triage's pure domain: the facts of a melding or casus, the first matching rule, the deadline.

Rules are data (config/gemeenten/*.yaml); this module is the one engine that reads them. A decision
explains itself: the rule id, the rule's Dutch sentence and the facts it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.events import MeldingGeregistreerd, Regisseur, SignaalDoorgezet
from shared.gemeenten import Gemeente, Regel, Route
from shared.termijnen import SPOED_GRONDSLAG, spoedgrens, termijn_tot
from shared.zrm import multiprobleem


@dataclass(frozen=True)
class Feiten:
    """What a rule may look at (shared/regels.py: FEITEN); the same for a melding and a signaalcasus."""

    bron_soort: str
    ontvangen_op: datetime
    soort: str | None = None
    kanaal: str | None = None
    melder_type: str | None = None
    veiligheid: bool = False
    huiselijk_geweld: bool = False
    kindermishandeling: bool = False
    acuut_gevaar: bool = False
    crisis: bool = False
    spoed: bool = False
    zrm: dict[str, int] = field(default_factory=dict)
    levensgebieden: tuple[str, ...] = ()
    gevraagde_voorzieningen: tuple[str, ...] = ()
    leeftijdscategorie: str | None = None
    wijk: str | None = None
    bekend_huishouden: bool = False
    signaal_soorten: tuple[str, ...] = ()
    partner_types: tuple[str, ...] = ()

    @property
    def zrm_multiprobleem(self) -> bool:
        return multiprobleem(self.zrm)

    def waarde(self, feit: str) -> Any:
        """The value a rule's condition on `feit` compares with (for zrm_domein/zrm_aantal: the scores)."""
        return self.zrm if feit in ("zrm_domein", "zrm_aantal") else getattr(self, feit)


def feiten_van_melding(m: MeldingGeregistreerd, bekend: bool) -> Feiten:
    v = m.veiligheid
    return Feiten(
        bron_soort="melding",
        ontvangen_op=m.ontvangen_op,
        soort=m.soort,
        kanaal=m.kanaal,
        melder_type=m.melder_type,
        veiligheid=v.onveilig,
        huiselijk_geweld=v.huiselijk_geweld,
        kindermishandeling=v.kindermishandeling,
        acuut_gevaar=v.acuut_gevaar,
        crisis=m.crisis,
        spoed=m.spoed,
        zrm=dict(m.zrm),
        levensgebieden=tuple(sorted(m.levensgebieden)),
        gevraagde_voorzieningen=tuple(sorted(m.gevraagde_voorzieningen)),
        leeftijdscategorie=m.leeftijdscategorie,
        wijk=m.wijk,
        bekend_huishouden=bekend,
    )


def feiten_van_casus(c: SignaalDoorgezet, bekend: bool) -> Feiten:
    return Feiten(
        bron_soort="signaalcasus",
        ontvangen_op=c.ontvangen_op,
        crisis=c.crisis,
        wijk=c.wijk,
        bekend_huishouden=bekend,
        signaal_soorten=tuple(sorted({s.soort for s in c.signalen})),
        partner_types=tuple(sorted({s.partner_type for s in c.signalen})),
    )


def voorwaarde_geldt(feit: str, verwacht: Any, feiten: Feiten) -> bool:
    waarde = feiten.waarde(feit)
    if feit == "zrm_domein":  # {domein: hoogste score}: every named domain scored at or below it
        return all(waarde.get(domein, 6) <= score for domein, score in verwacht.items())
    if feit == "zrm_aantal":  # {score, minstens}: enough domains at or below the score
        return sum(1 for s in waarde.values() if s <= verwacht["score"]) >= verwacht["minstens"]
    if isinstance(waarde, tuple):
        if isinstance(verwacht, bool):  # any at all / none
            return bool(waarde) == verwacht
        return bool(set(waarde) & set(verwacht if isinstance(verwacht, list) else [verwacht]))
    if isinstance(verwacht, list):
        return waarde in verwacht
    return waarde == verwacht


def regel_past(regel: Regel, feiten: Feiten) -> bool:
    return all(voorwaarde_geldt(k, v, feiten) for k, v in regel.als.items())


@dataclass(frozen=True)
class Besluit:
    regel_id: str
    route: str
    team_id: str
    urgentie: str
    termijn_tot: datetime
    termijn_grondslag: str
    toelichting: str
    feiten: dict[str, Any] = field(default_factory=dict)
    bestaande_regisseur: Regisseur | None = None


def termijn_van(gemeente: Gemeente, regel: Regel, ontvangen_op: datetime) -> tuple[datetime, str, str]:
    """The rule's deadline, its grondslag and the decision's sentence. Spoed is at most 48 hours: a norm
    that runs past them (2 werkdagen over a weekend or a holiday) is cut off there, and the sentence says so."""
    tot = termijn_tot(ontvangen_op, gemeente.termijnen[regel.termijn])
    if regel.urgentie == "spoed" and (grens := spoedgrens(ontvangen_op, tot)) is not None:
        toelichting = (
            f"{regel.toelichting} Spoed: uiterlijk 48 uur na binnenkomst, op {grens:%d-%m-%Y om %H:%M}"
            f" (de norm {regel.termijn} zou lopen tot {tot:%d-%m-%Y})."
        )
        return grens, SPOED_GRONDSLAG, toelichting
    return tot, regel.termijn, regel.toelichting


def besluit(gemeente: Gemeente, feiten: Feiten, regisseur: Regisseur | None) -> Besluit:
    """The first rule that matches wins; the last rule of every gemeente matches everything."""
    regel = next(r for r in gemeente.regels if regel_past(r, feiten))
    if regel.route == "regisseur" and regisseur is not None and regisseur.team_id:
        route, team_id = "regisseur", regisseur.team_id
    else:
        # A regisseur rule for a household without one: the sociale basis picks it up.
        bediend = Route.sociale_basis if regel.route == "regisseur" else Route(regel.route)
        route, team_id = bediend.value, regel.team or gemeente.team_voor(bediend, feiten.wijk).id
    tot, grondslag, toelichting = termijn_van(gemeente, regel, feiten.ontvangen_op)
    gebruikt = {k: feiten.waarde(k) for k in regel.als} | {"wijk": feiten.wijk}
    return Besluit(
        regel_id=regel.id,
        route=route,
        team_id=team_id,
        urgentie=regel.urgentie,
        termijn_tot=tot,
        termijn_grondslag=grondslag,
        toelichting=toelichting,
        feiten={k: list(v) if isinstance(v, tuple) else v for k, v in gebruikt.items()},
        bestaande_regisseur=regisseur if feiten.bekend_huishouden else None,
    )
