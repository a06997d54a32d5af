"""Why a use case refuses, in the domain's words; shared/http.py answers each with its problem+json.

Use cases raise these instead of HTTP errors, so they read the same when a handler or a job calls
them: `NietGevonden` (404: it does not exist, or the caller may not know it does), `GeenToegang`
(403: the caller sees it but may not do this), `OngeldigeInvoer` (422, per field),
`shared.levenscyclus.OngeldigeOvergang` (409, naming both states), `Bezet` (503 with Retry-After:
concurrent work on the same household; the same request succeeds when sent again).
"""

from __future__ import annotations

from shared.invoer import Fouten


class Weigering(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NietGevonden(Weigering):
    pass


class GeenToegang(Weigering):
    pass


class Bezet(Weigering):
    pass


class OngeldigeInvoer(Exception):
    """Domain validation failed; `fouten` are (field path, message) pairs."""

    def __init__(self, fouten: Fouten):
        super().__init__("; ".join(f"{'.'.join(map(str, pad))}: {m}" for pad, m in fouten))
        self.fouten = fouten


def weiger_bij_fouten(fouten: Fouten) -> None:
    """Raise OngeldigeInvoer when the domain found anything."""
    if fouten:
        raise OngeldigeInvoer(fouten)
