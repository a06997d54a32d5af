"""Rendering a page: the Jinja2 environment (autoescaped), its filters, and what every page gets (the
session's user, its CSRF token for the forms, the environment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from shared.auth import BELEID, MEDEWERKERS, Gebruiker, Rol
from werkplek import teksten
from werkplek.aanmelden import ROL_TEKST
from werkplek.sessies import CSRF_VELD, Sessie

MAP = Path(__file__).parent


def maak_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=MAP / "templates")
    env = templates.env
    env.autoescape = True
    env.trim_blocks, env.lstrip_blocks = True, True
    env.filters["datum"] = teksten.datum_tekst
    env.filters["vertaal"] = lambda code, tabel: tabel.get(code, code)  # a code in words, from a table of them
    env.globals.update(
        CSRF_VELD=CSRF_VELD,
        ROL_TEKST={r.value: t for r, t in ROL_TEKST.items()},
        STAAT_TEKST={s.value: t for s, t in teksten.STAAT_TEKST.items()},
        TERMIJN_SOORTEN=teksten.TERMIJN_SOORTEN,
        TIJDLIJN_SOORTEN=teksten.TIJDLIJN_SOORTEN,
        ROUTES=teksten.ROUTES,
        URGENTIES=teksten.URGENTIES,
        REGISSEUR_SOORTEN=teksten.REGISSEUR_SOORTEN,
        ESCALATIE_REDENEN=teksten.ESCALATIE_REDENEN,
        ESCALATIE_INSTRUCTIES=teksten.ESCALATIE_INSTRUCTIES,
        ESCALATIE_STATUS=teksten.ESCALATIE_STATUS,
    )
    return templates


def menu(gebruiker: Gebruiker | None) -> list[tuple[str, str]]:
    """The main menu's (path, label) for this role: only pages the role can use (the services decide
    what it may do there)."""
    if gebruiker is None:
        return []
    rol, gemeente = gebruiker.rol, gebruiker.gemeente
    items = [("/werkvoorraad", "Werkvoorraad")] if rol in MEDEWERKERS else []
    if rol in MEDEWERKERS:  # the gemeente roles intake takes a melding from
        items.append(("/contacten/nieuw", "Contact registreren"))
        items.append(("/meldingen/nieuw", "Melding registreren"))
        items.append(("/sociale-kaart", "Sociale kaart"))
    if rol in BELEID and gemeente:
        items.append((f"/regels/{gemeente}", "Regels"))
        items.append((f"/stuurinformatie/{gemeente}", "Stuurinformatie"))
    if rol == Rol.beheer:
        items.append(("/beheer", "Beheer"))
    if rol == Rol.inwoner:
        items.append(("/mijn", "Mijn toegang"))
    return items


def toon(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    sessie: Sessie | None = None,
) -> HTMLResponse:
    app = request.app
    sessie = sessie if sessie is not None else app.state.sessies.van(request)
    woorden: teksten.Woorden = app.state.woorden
    inhoud = {
        "sessie": sessie,
        "gebruiker": sessie.gebruiker if sessie else None,
        "csrf": sessie.csrf if sessie else "",
        "productie": app.state.instellingen.productie,
        "woorden": woorden,
        "menu": menu(sessie.gebruiker if sessie else None),
        "thema": app.state.themas.van(sessie.gebruiker.gemeente) if sessie and sessie.gebruiker else None,
        **(context or {}),
    }
    return app.state.templates.TemplateResponse(request, template, inhoud, status_code=status_code)
