"""The gemeente configuration: config/gemeenten/<GM code>.yaml, validated at start-up.

Each gemeente is a tenant: its wijken (by PC4 range), its teams (each serving a route, per wijk where the
gemeente works per wijk), its partners and its routing rules. A bad file stops start-up with an error
that names the file and the field (see `laad_gemeenten`).
"""

from __future__ import annotations

import hmac
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.regels import PartnerType, Regel, Route, SignaalSoort, controleer_regels
from shared.termijnen import SPOED_GRONDSLAG, SPOED_UREN
from shared.zrm import ZRM_DOMEINEN

__all__ = ["ConfigFout", "Gemeente", "Gemeenten", "PartnerType", "Regel", "Route", "SignaalSoort", "laad_gemeenten"]

GM_CODE = re.compile(r"^GM\d{4}$")
THEMA_MAP = "themas"  # under the configuration directory: the gemeenten's own werkplek themes
POSTCODE = re.compile(r"^[1-9]\d{3}\s?[A-Za-z]{2}$")


class ConfigFout(Exception):
    """A gemeente file that cannot be used; the message names the file and the field."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wijk(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    naam: str
    # PC4 ranges, inclusive: "2261-2264" or a single "2265".
    postcodes: list[Annotated[str, Field(pattern=r"^\d{4}(-\d{4})?$")]] = Field(min_length=1)

    @cached_property
    def bereik(self) -> list[tuple[int, int]]:
        def een(reeks: str) -> tuple[int, int]:
            van, _, tot = reeks.partition("-")
            return int(van), int(tot or van)

        return [een(r) for r in self.postcodes]

    def bevat(self, pc4: int) -> bool:
        return any(van <= pc4 <= tot for van, tot in self.bereik)


class Team(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    naam: str
    route: Route
    # Empty: the team serves the whole gemeente.
    wijken: list[str] = []


class Partner(Strict):
    partner_id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    naam: str
    type: PartnerType
    soorten: list[SignaalSoort] = Field(min_length=1)
    # sha256 hex of the partner's API token; the token itself is never stored.
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class Voorziening(Strict):
    """An entry of the gemeente's catalogue of voorzieningen."""

    code: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    naam: str
    soort: Literal["informeel", "algemeen", "collectief", "maatwerk"]
    wet: Literal["wmo", "jeugdwet", "participatiewet", "wgs"] | None = None


class Termijnnorm(Strict):
    """A deadline norm and its legal basis; the key in `Gemeente.termijnen` is the termijn_grondslag."""

    aantal: int = Field(ge=0)
    eenheid: Literal["direct", "uren", "werkdagen", "weken"]
    # Algemene termijnenwet art. 1: a statutory period ending on a weekend or holiday runs on.
    wettelijk: bool = False
    bron: str


class Drempel(Strict):
    """A signal needs outreach only when the arrears reach both the amount and the age; else `onder_drempel`."""

    bedrag_cent: int = Field(ge=0)
    dagen: int = Field(0, ge=0)


class Signalering(Strict):
    # Signals about one person or address within this many days form one signaalcasus.
    koppelvenster_dagen: int = Field(90, ge=1)
    # A casus that led to nothing is purged, with its signals, after this many days.
    bewaartermijn_zonder_resultaat_dagen: int = Field(180, ge=1)
    drempels: dict[SignaalSoort, Drempel] = {}


class Bewaartermijnen(Strict):
    """Retention (AVG): how long data are kept after closure, in days."""

    melder_contactgegevens_dagen: int = Field(365, ge=0)


class Wmo(Strict):
    """How the gemeente runs the Wmo procedure where the law leaves it the choice."""

    # The herindicatie of a beschikking with an einddatum is due this many weeks before it ends.
    herindicatie_weken_vooraf: int = Field(8, ge=1, le=52)


class Jeugd(Strict):
    """From 18- to 18+: how long before a young person's 18th birthday the transition starts."""

    overgang_maanden_vooraf: int = Field(6, ge=1, le=24)


class Doorzettingsmacht(Strict):
    """Where stuck cases go (DOMAIN.md, "Doorzettingsmacht"): the Lokale Kamer (GM1916) or the gemeente's
    team lead. An overdue deadline escalates by itself this many werkdagen after it passed."""

    team: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    escaleren_na_werkdagen: int = Field(5, ge=0, le=60)
    # The escalation itself is a deadline for that team: decide (take the regie or give it back) within.
    beslissen_binnen_werkdagen: int = Field(5, ge=1, le=60)


class Contactgegevens(Strict):
    """How to reach an organisation of the sociale kaart: never a resident's."""

    telefoon: Annotated[str, Field(pattern=r"^[0-9 +()-]{6,20}$")] | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")] | None = None
    website: Annotated[str, Field(pattern=r"^https://")] | None = None
    bezoekadres: str | None = None


class Aanbieder(Strict):
    """An entry of the sociale kaart: an organisation of the voorliggend veld (or beyond) and its offer."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    naam: str
    aanbod: str
    # Levensgebieden (the ZRM domains) it helps with.
    themas: list[str] = Field(min_length=1)
    # Empty: the whole gemeente.
    wijken: list[str] = []
    contact: Contactgegevens
    # True: a referral needs a beschikking first (maatwerk); false: the inwoner can go there directly.
    beschikking_nodig: bool = False

    def past(self, thema: str | None, wijk: str | None) -> bool:
        return (thema is None or thema in self.themas) and (wijk is None or not self.wijken or wijk in self.wijken)


class MijnToegang(Strict):
    """What an inwoner sees in Mijn toegang beyond the law's minimum."""

    # Who read his data: the employee's own id next to the role and organisation (AVG art. 15 asks for the
    # recipients; most gemeenten name the role, some the person).
    medewerkers_tonen: bool = False


class Werkplek(Strict):
    """How the werkplek looks for this gemeente's staff: its name in the header and its own design tokens."""

    naam: str | None = None
    # A file in config/gemeenten/themas/ holding CSS custom properties only (design tokens on top of the
    # voorbeeld theme); laad_gemeente checks that it exists and holds nothing else.
    thema_css: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+\.css$")] | None = None


class Gemeente(Strict):
    code: Annotated[str, Field(pattern=GM_CODE.pattern)]
    naam: str
    wijken: list[Wijk] = Field(min_length=1)
    teams: list[Team] = Field(min_length=1)
    partners: list[Partner] = []
    voorzieningen: list[Voorziening] = []
    bewaartermijnen: Bewaartermijnen = Bewaartermijnen()
    wmo: Wmo = Wmo()
    jeugd: Jeugd = Jeugd()
    mijn_toegang: MijnToegang = MijnToegang()
    doorzettingsmacht: Doorzettingsmacht | None = None
    sociale_kaart: list[Aanbieder] = []
    signalering: Signalering = Signalering()
    termijnen: dict[str, Termijnnorm] = Field(min_length=1)
    regels: list[Regel] = Field(min_length=1)
    werkplek: Werkplek | None = None

    @model_validator(mode="after")
    def _verwijzingen_kloppen(self) -> Gemeente:
        wijk_ids = {w.id for w in self.wijken}
        gezien: list[tuple[int, int, str]] = []
        for w in self.wijken:
            for van, tot in w.bereik:
                if van > tot:
                    raise ValueError(f"wijken ({w.id}).postcodes: {van}-{tot} loopt achteruit")
                for v2, t2, ander in gezien:
                    if van <= t2 and v2 <= tot:
                        raise ValueError(f"wijken ({w.id}).postcodes: {van}-{tot} overlapt met wijk {ander}")
                gezien.append((van, tot, w.id))
        for i, team in enumerate(self.teams):
            for wijk in team.wijken:
                if wijk not in wijk_ids:
                    raise ValueError(f"teams[{i}].wijken: onbekende wijk {wijk!r}")
        routes: dict[str, set[str | None]] = {}
        for team in self.teams:
            routes.setdefault(team.route, set()).update(team.wijken or [None])
        self._spoed_heeft_zijn_grondslag()
        self._sociale_kaart_klopt(wijk_ids)
        if self.doorzettingsmacht is not None and self.team(self.doorzettingsmacht.team) is None:
            raise ValueError(f"doorzettingsmacht.team: onbekend team {self.doorzettingsmacht.team!r}")
        controleer_regels(
            self.regels,
            routes=routes,
            wijken=wijk_ids,
            teams={t.id: t.route for t in self.teams},
            termijnen=set(self.termijnen),
            voorzieningen={v.code for v in self.voorzieningen},
        )
        return self

    def _spoed_heeft_zijn_grondslag(self) -> None:
        """A spoed decision is cut off at 48 hours (services/triage/domain.py): the gemeente must name that
        deadline's legal basis, and it must be the 48 hours themselves, not something longer."""
        spoed = [r.id for r in self.regels if r.urgentie == "spoed"]
        norm = self.termijnen.get(SPOED_GRONDSLAG)
        if spoed and norm is None:
            raise ValueError(
                f"termijnen: {SPOED_GRONDSLAG} ontbreekt, en de spoedregels {', '.join(spoed)} hebben die nodig"
            )
        if norm is not None and (norm.eenheid, norm.aantal) != ("uren", SPOED_UREN):
            raise ValueError(f"termijnen.{SPOED_GRONDSLAG}: moet {SPOED_UREN} uren zijn (spoed: binnen 24 tot 48 uur)")

    def _sociale_kaart_klopt(self, wijk_ids: set[str]) -> None:
        ids: set[str] = set()
        for i, a in enumerate(self.sociale_kaart):
            if a.id in ids:
                raise ValueError(f"sociale_kaart[{i}].id: {a.id!r} komt twee keer voor")
            ids.add(a.id)
            if onbekend := sorted(set(a.themas) - set(ZRM_DOMEINEN)):
                raise ValueError(f"sociale_kaart[{i}].themas: onbekend levensgebied {', '.join(onbekend)}")
            if onbekend := sorted(set(a.wijken) - wijk_ids):
                raise ValueError(f"sociale_kaart[{i}].wijken: onbekende wijk {', '.join(onbekend)}")

    def aanbieder(self, aanbieder_id: str) -> Aanbieder | None:
        return next((a for a in self.sociale_kaart if a.id == aanbieder_id), None)

    def zoek_aanbieders(self, thema: str | None = None, wijk: str | None = None) -> list[Aanbieder]:
        """The sociale kaart for a theme and a wijk: those of that wijk first, then those of the whole gemeente."""
        gevonden = [a for a in self.sociale_kaart if a.past(thema, wijk)]
        return sorted(gevonden, key=lambda a: (not (wijk and wijk in a.wijken), a.naam))

    def wijk_van(self, postcode: str) -> Wijk | None:
        return self._wijk_per_pc4.get(int(postcode.replace(" ", "")[:4]))

    @cached_property
    def _wijk_per_pc4(self) -> dict[int, Wijk]:
        # Looked up for every signal and melding; a gemeente has a few hundred PC4 codes at most.
        per_pc4: dict[int, Wijk] = {}
        for wijk in reversed(self.wijken):  # the first wijk listed wins, as before
            for van, tot in wijk.bereik:
                per_pc4.update(dict.fromkeys(range(van, tot + 1), wijk))
        return per_pc4

    def team_voor(self, route: Route, wijk: str | None) -> Team:
        """The team serving `route` in `wijk`: a team of that wijk first, else one for the whole gemeente."""
        kandidaten = [t for t in self.teams if t.route == route]
        for team in kandidaten:
            if wijk in team.wijken:
                return team
        for team in kandidaten:
            if not team.wijken:
                return team
        return kandidaten[0]

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def partner(self, partner_id: str) -> Partner | None:
        return next((p for p in self.partners if p.partner_id == partner_id), None)

    def voorziening(self, code: str) -> Voorziening | None:
        return next((v for v in self.voorzieningen if v.code == code), None)


class Gemeenten:
    """All configured gemeenten, by CBS code."""

    def __init__(self, gemeenten: list[Gemeente]):
        self._per_code = {g.code: g for g in gemeenten}

    def __contains__(self, code: object) -> bool:
        return code in self._per_code

    def __getitem__(self, code: str) -> Gemeente:
        return self._per_code[code]

    def get(self, code: str) -> Gemeente | None:
        return self._per_code.get(code)

    @property
    def codes(self) -> list[str]:
        return sorted(self._per_code)

    def partner_met_token(self, token_sha256: str) -> tuple[Gemeente, Partner] | None:
        for gemeente in self._per_code.values():
            for partner in gemeente.partners:
                if partner.token_sha256 is not None and hmac.compare_digest(partner.token_sha256, token_sha256):
                    return gemeente, partner
        return None

    def partner(self, partner_id: str) -> tuple[Gemeente, Partner] | None:
        for gemeente in self._per_code.values():
            if (partner := gemeente.partner(partner_id)) is not None:
                return gemeente, partner
        return None


def laad_gemeente(pad: Path) -> Gemeente:
    try:
        ruw = yaml.safe_load(pad.read_text(encoding="utf-8"))
    except yaml.YAMLError as fout:
        raise ConfigFout(f"{pad}: geen geldige YAML: {fout}") from fout
    try:
        gemeente = Gemeente.model_validate(ruw)
    except ValidationError as fout:
        velden = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(bestand)'}: {e['msg']}" for e in fout.errors())
        raise ConfigFout(f"{pad}: {velden}") from None
    if gemeente.code != pad.stem:
        raise ConfigFout(f"{pad}: code: {gemeente.code!r} hoort in {gemeente.code}.yaml")
    if (thema := thema_pad(pad.parent, gemeente)) is not None:
        if not thema.is_file():
            raise ConfigFout(f"{pad}: werkplek.thema_css: {thema.name!r} staat niet in {thema.parent}")
        if bezwaar := _geen_design_tokens(thema.read_text(encoding="utf-8")):
            raise ConfigFout(f"{pad}: werkplek.thema_css: {thema.name}: {bezwaar}")
    return gemeente


def thema_pad(map_: Path, gemeente: Gemeente) -> Path | None:
    """The gemeente's own theme file, or None; only ever a name the validated configuration gives."""
    if gemeente.werkplek is None or gemeente.werkplek.thema_css is None:
        return None
    return map_ / THEMA_MAP / gemeente.werkplek.thema_css


def _geen_design_tokens(css: str) -> str | None:
    """Why `css` is more than design tokens, or None. A theme only sets custom properties: the component CSS
    stays in charge of the layout, and nothing is loaded from elsewhere (no @import, no url())."""
    zonder_commentaar = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    if "@" in zonder_commentaar or "url(" in zonder_commentaar.lower():
        return "alleen custom properties (--naam: waarde), geen @-regels of url()"
    for blok in re.findall(r"\{([^{}]*)\}", zonder_commentaar):
        for declaratie in filter(str.strip, blok.split(";")):
            if not re.match(r"^\s*--[A-Za-z0-9_-]+\s*:", declaratie):
                return f"alleen custom properties (--naam: waarde), niet {declaratie.strip()[:60]!r}"
    return None


def laad_gemeenten(map_: Path) -> Gemeenten:
    bestanden = sorted(map_.glob("*.yaml"))
    if not bestanden:
        raise ConfigFout(f"{map_}: geen gemeente-configuratie (*.yaml) gevonden")
    return Gemeenten([laad_gemeente(p) for p in bestanden])


def geldige_postcode(postcode: str) -> bool:
    return bool(POSTCODE.match(postcode))
