"""Routing rules as data: what a rule may test, what it may conclude, and the checks made at load.

A rule (`Regel`) is `als` (conditions, all must hold) → route, urgentie, termijn and optionally a fixed
team. Triage's domain evaluates them; this module makes sure that a gemeente file can only say things
the engine understands. Every error names the rule (position and id) and the field.

Conditions, by the kind of fact (`FEITEN` below):
- waar/onwaar: `crisis: true`
- één waarde: `soort: [zorgmelding, hulpvraag]` (one of) or `soort: zorgmelding`
- een lijst: `signaal_soorten: [overlast]` (any overlap); `gevraagde_voorzieningen: true` (any at all)
- ZRM: `zrm_domein: {financien: 2}` (that domain scored 2 or lower);
  `zrm_aantal: {score: 2, minstens: 3}` (at least three domains scored 2 or lower)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.zrm import ZRM_DOMEINEN


class Route(StrEnum):
    """Team types a doorverwijzing can go to (DOMAIN.md, "Routes")."""

    veilig_thuis = "veilig_thuis"
    crisisdienst = "crisisdienst"
    meldpunt_bezorgd = "meldpunt_bezorgd"
    lokale_kamer = "lokale_kamer"
    wijkteam = "wijkteam"
    schuldhulp = "schuldhulp"
    wmo_consulent = "wmo_consulent"
    jeugd = "jeugd"
    sociale_basis = "sociale_basis"
    # Not a route triage sends to: the team lead who holds doorzettingsmacht where there is no Lokale Kamer.
    teamleiding = "teamleiding"


class PartnerType(StrEnum):
    woningcorporatie = "woningcorporatie"
    energieleverancier = "energieleverancier"
    drinkwaterbedrijf = "drinkwaterbedrijf"
    zorgverzekeraar = "zorgverzekeraar"
    ggd = "ggd"
    politie = "politie"
    zorgaanbieder = "zorgaanbieder"


SignaalSoort = Literal[
    "huurachterstand",
    "energieachterstand",
    "waterachterstand",
    "zorgverzekeringsachterstand",
    "einde_levering",
    "overlast",
    "zorgmelding",
]
SIGNAAL_SOORTEN: tuple[str, ...] = get_args(SignaalSoort)
KANALEN = ("telefoon", "balie", "digitaal", "huisbezoek", "email", "professional", "meldpunt")
MELDER_TYPES = ("inwoner_zelf", "naaste", "mantelzorger", "buur", "professional", "anoniem")
LEEFTIJDSCATEGORIEEN = ("0-3", "4-17", "18-22", "23-64", "65+")

WAAR, EEN, LIJST, ZRM_DOMEIN, ZRM_AANTAL = "waar/onwaar", "een waarde", "lijst", "zrm_domein", "zrm_aantal"
# fact -> (kind, allowed values or None). None: checked against the gemeente itself (wijken, catalogue).
FEITEN: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "bron_soort": (EEN, ("melding", "signaalcasus")),
    "soort": (EEN, ("hulpvraag", "zorgmelding", "aanvraag_maatwerk")),
    "kanaal": (EEN, KANALEN),
    "melder_type": (EEN, MELDER_TYPES),
    "leeftijdscategorie": (EEN, LEEFTIJDSCATEGORIEEN),
    "wijk": (EEN, None),
    "veiligheid": (WAAR, None),
    "huiselijk_geweld": (WAAR, None),
    "kindermishandeling": (WAAR, None),
    "acuut_gevaar": (WAAR, None),
    "crisis": (WAAR, None),
    "spoed": (WAAR, None),
    "bekend_huishouden": (WAAR, None),
    "zrm_multiprobleem": (WAAR, None),
    "zrm_domein": (ZRM_DOMEIN, ZRM_DOMEINEN),
    "zrm_aantal": (ZRM_AANTAL, None),
    "levensgebieden": (LIJST, ZRM_DOMEINEN),
    "gevraagde_voorzieningen": (LIJST, None),
    "signaal_soorten": (LIJST, SIGNAAL_SOORTEN),
    "partner_types": (LIJST, tuple(PartnerType)),
}


class Regel(BaseModel):
    """One routing rule; the first rule whose conditions all hold wins (triage)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    als: dict[str, Any] = {}
    route: Route | Literal["regisseur"]
    # Fixed team for this rule (e.g. the jeugdverpleegkundige for the under-fours); else per route and wijk.
    team: str | None = None
    urgentie: Literal["crisis", "spoed", "regulier"]
    termijn: str
    toelichting: str

    @model_validator(mode="after")
    def _voorwaarden_kloppen(self) -> Regel:
        for feit, verwacht in self.als.items():
            if feit not in FEITEN:
                raise ValueError(f"({self.id}) als.{feit}: onbekend feit; bekend zijn {', '.join(sorted(FEITEN))}")
            if fout := _fout_in_voorwaarde(feit, verwacht):
                raise ValueError(f"({self.id}) als.{feit}: {fout}")
        return self


def _fout_in_voorwaarde(feit: str, verwacht: Any) -> str | None:
    soort, toegestaan = FEITEN[feit]
    if soort == WAAR:
        return None if isinstance(verwacht, bool) else "verwacht true of false"
    if soort == ZRM_DOMEIN:
        if not isinstance(verwacht, dict) or not verwacht:
            return "verwacht {domein: hoogste score}, bijvoorbeeld {financien: 2}"
        if onbekend := sorted(set(verwacht) - set(ZRM_DOMEINEN)):
            return f"onbekend ZRM-domein {', '.join(onbekend)}"
        return None if all(_is_score(s) for s in verwacht.values()) else "een score is 1 tot en met 5"
    if soort == ZRM_AANTAL:
        if not isinstance(verwacht, dict) or set(verwacht) != {"score", "minstens"}:
            return "verwacht {score: 1-5, minstens: aantal domeinen}"
        ok = _is_score(verwacht["score"]) and isinstance(verwacht["minstens"], int) and verwacht["minstens"] >= 1
        return None if ok else "score is 1 tot en met 5, minstens is 1 of meer"
    if soort == LIJST and isinstance(verwacht, bool):
        return None  # "any at all" / "none"
    waarden = verwacht if isinstance(verwacht, list) else [verwacht]
    if not waarden or not all(isinstance(w, str) for w in waarden):
        return "verwacht een waarde of een lijst van waarden"
    if toegestaan is not None and (onbekend := sorted(set(waarden) - set(toegestaan))):
        return f"onbekende waarde {', '.join(onbekend)}; mogelijk: {', '.join(toegestaan)}"
    return None


def _is_score(s: Any) -> bool:
    return isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 5


def controleer_regels(
    regels: list[Regel],
    *,
    routes: dict[str, set[str | None]],
    wijken: set[str],
    teams: dict[str, str],
    termijnen: set[str],
    voorzieningen: set[str],
) -> None:
    """Rules against the rest of the gemeente; raises ValueError naming the rule and the field.

    `routes`: route -> the wijken its teams serve (None for a team that serves the whole gemeente).
    `teams`: team id -> route."""
    for i, regel in enumerate(regels):
        plek = f"regels[{i}] ({regel.id})"
        if regel.termijn not in termijnen:
            raise ValueError(f"{plek}.termijn: onbekende termijn {regel.termijn!r}")
        if regel.team is not None:
            if regel.team not in teams:
                raise ValueError(f"{plek}.team: onbekend team {regel.team!r}")
            if teams[regel.team] != regel.route:
                raise ValueError(f"{plek}.team: team {regel.team!r} is geen {regel.route}-team")
        elif regel.route != "regisseur":
            _route_overal_bediend(plek, regel.route, routes, wijken)
        for feit, lijst in (("wijk", wijken), ("gevraagde_voorzieningen", voorzieningen)):
            waarde = regel.als.get(feit)
            if isinstance(waarde, (str, list)):
                if onbekend := sorted(set([waarde] if isinstance(waarde, str) else waarde) - lijst):
                    raise ValueError(f"{plek}.als.{feit}: onbekend: {', '.join(onbekend)}")
    _veilig_eerst(regels)


def _route_overal_bediend(plek: str, route: str, routes: dict[str, set[str | None]], wijken: set[str]) -> None:
    bediend = routes.get(route)
    if not bediend:
        raise ValueError(f"{plek}.route: geen team voor route {route!r}")
    if None not in bediend and (zonder := sorted(wijken - bediend)):
        raise ValueError(
            f"{plek}.route: geen {route}-team voor wijk {', '.join(zonder)} "
            f"(en geen {route}-team voor de hele gemeente)"
        )


def _veilig_eerst(regels: list[Regel]) -> None:
    """Safety first, whatever the gemeente configures (DOMAIN.md route 1; meldcode): the first rule is
    {veiligheid: true} → veilig_thuis, crisis, so that no other rule can catch an acuut onveilige melding."""
    eerste = regels[0] if regels else None
    if (
        eerste is None
        or eerste.als != {"veiligheid": True}
        or eerste.route != Route.veilig_thuis
        or eerste.urgentie != "crisis"
        or eerste.termijn != "crisis-direct"
    ):
        raise ValueError(
            "regels[0]: de eerste regel moet acuut onveilig naar Veilig Thuis sturen: "
            "als: {veiligheid: true}, route: veilig_thuis, urgentie: crisis, termijn: crisis-direct"
        )
    if regels[-1].als:  # the engine needs a rule for everything else
        raise ValueError(
            f"regels[{len(regels) - 1}] ({regels[-1].id}).als: de laatste regel moet zonder "
            f"voorwaarden zijn (als: {{}}), zodat elke melding een route krijgt"
        )
