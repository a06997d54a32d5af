"""The werkvoorraad's choices: whose work (mine or the team's), team, kind, deadline state, the order and
the page. All of them are query parameters (codes, never personal data), so a reload or a shared link
shows the same list, and the htmx poll that refreshes the list asks with the same ones.

The werkplek asks arrangement for ALL the caller's open work (arrangement gives at most 500 rows a call:
the werkplek pages through with `offset`), then filters, sorts and pages itself: a filter over the first
500 only would hide work, and the counts ("12 te laat") would be wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from werkplek.diensten import Diensten

API_PAGINA = 500  # arrangement's most rows a call (services/arrangement/usecases.WERKVOORRAAD_MAX)
API_MAX_PAGINAS = 40  # 20,000 open termijnen: beyond that a werkvoorraad is no list to work from
PAGINA_GROOTTE = 50


class Wie(StrEnum):
    alles = ""
    mij = "mij"  # assigned to the caller as medewerker
    team = "team"  # the team's, not assigned to the caller


class Volgorde(StrEnum):
    termijn = "termijn"
    huishouden = "huishouden"
    soort = "soort"


WIE_TEKST = {Wie.alles: "Al het werk", Wie.mij: "Mijn werk", Wie.team: "Werk van het team (niet aan mij)"}
VOLGORDE_TEKST = {
    Volgorde.termijn: "Termijn (eerst afgelopen bovenaan)",
    Volgorde.huishouden: "Huishouden",
    Volgorde.soort: "Soort werk",
}


@dataclass(frozen=True)
class Keuze:
    wie: Wie
    team: str
    soort: str
    staat: str
    sorteer: Volgorde
    pagina: int

    @classmethod
    def uit(cls, wie: str, team: str, soort: str, staat: str, sorteer: str, pagina: str) -> Keuze:
        """From the query parameters; an unknown value counts as not chosen (an old bookmark still works)."""
        return cls(
            wie=Wie(wie) if wie in Wie._value2member_map_ else Wie.alles,
            team=team,
            soort=soort,
            staat=staat,
            sorteer=Volgorde(sorteer) if sorteer in Volgorde._value2member_map_ else Volgorde.termijn,
            pagina=int(pagina) if pagina.isdigit() and 0 < int(pagina) < 100_000 else 1,
        )

    def filters(self) -> dict[str, str]:
        return {"team": self.team, "soort": self.soort, "staat": self.staat}

    def query(self, **anders: Any) -> str:
        """The query string of this choice (with `anders` changed), without the empty ones and the defaults."""
        waarden = {
            "wie": self.wie.value,
            **self.filters(),
            "sorteer": "" if self.sorteer == Volgorde.termijn else self.sorteer.value,
            "pagina": "" if self.pagina == 1 else str(self.pagina),
        }
        waarden.update({k: str(v) for k, v in anders.items()})
        if waarden.get("pagina") == "1":
            waarden["pagina"] = ""
        return urlencode({k: v for k, v in waarden.items() if v})


async def alle_termijnen(diensten: Diensten, token: str) -> list[dict[str, Any]]:
    """All the caller's open termijnen, page by page (a page shorter than API_PAGINA is the last)."""
    rijen: list[dict[str, Any]] = []
    for i in range(API_MAX_PAGINAS):
        params = {"offset": str(i * API_PAGINA), "limit": str(API_PAGINA)}
        antwoord = await diensten.get("arrangement", "/v1/werkvoorraad", token, params=params)
        blad = antwoord.get("werkvoorraad", [])
        rijen.extend(blad)
        if len(blad) < API_PAGINA:
            break
    return rijen


def kies(rijen: Sequence[Mapping[str, Any]], keuze: Keuze, sub: str) -> list[Mapping[str, Any]]:
    """The rows this choice shows, in its order (the rows as paginas._termijn shapes them)."""
    gekozen = [t for t in rijen if all(not w or t[veld] == w for veld, w in keuze.filters().items())]
    if keuze.wie == Wie.mij:
        gekozen = [t for t in gekozen if t.get("medewerker_id") == sub]
    elif keuze.wie == Wie.team:
        gekozen = [t for t in gekozen if t.get("medewerker_id") != sub]
    # Always the deadline as the last key: within one household or kind the soonest comes first.
    termijn = [(t["tot"] is None, t["tot"].timestamp() if t["tot"] else 0.0, str(t.get("termijn_id"))) for t in gekozen]
    if keuze.sorteer == Volgorde.huishouden:
        sleutels = [(str(t.get("huishouden_id")), *k) for t, k in zip(gekozen, termijn, strict=True)]
    elif keuze.sorteer == Volgorde.soort:
        sleutels = [(str(t.get("soort")), *k) for t, k in zip(gekozen, termijn, strict=True)]
    else:
        sleutels = [("", *k) for k in termijn]
    volgorde = sorted(range(len(gekozen)), key=lambda i: sleutels[i])
    return [gekozen[i] for i in volgorde]


@dataclass(frozen=True)
class Blad:
    rijen: list[Mapping[str, Any]]
    pagina: int  # the page shown (a page past the end shows the last one)
    paginas: int
    van: int  # 1-based number of the first row shown
    tot: int


def blad(rijen: Sequence[Mapping[str, Any]], pagina: int, grootte: int = PAGINA_GROOTTE) -> Blad:
    paginas = max(1, -(-len(rijen) // grootte))
    pagina = min(max(1, pagina), paginas)
    begin = (pagina - 1) * grootte
    deel = list(rijen[begin : begin + grootte])
    return Blad(deel, pagina, paginas, begin + 1 if deel else 0, begin + len(deel))
