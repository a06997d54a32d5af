"""What every page module needs: the logged-in user (or a redirect to /inloggen), a POSTed form whose
CSRF token is the session's, the session store and the service clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from werkplek.diensten import Diensten
from werkplek.sessies import Sessie, Sessies, controleer_csrf


class NietAangemeld(Exception):
    """The page needs a logged-in user: the app answers with a redirect to /inloggen."""


def sessies_van(request: Request) -> Sessies:
    return request.app.state.sessies


def diensten_van(request: Request) -> Diensten:
    return request.app.state.diensten


def aangemeld(request: Request) -> Sessie:
    sessie = sessies_van(request).van(request)
    if sessie is None or not sessie.aangemeld:
        raise NietAangemeld
    return sessie


async def formulier(request: Request) -> FormData:
    """A POSTed form whose CSRF token is the session's (the Origin was checked by the middleware)."""
    form = await request.form()
    controleer_csrf(sessies_van(request).van(request), form)
    return form


Aangemeld = Annotated[Sessie, Depends(aangemeld)]
Formulier = Annotated[FormData, Depends(formulier)]


def tekst(form: FormData, veld: str) -> str:
    waarde = form.get(veld)
    return waarde if isinstance(waarde, str) else ""
