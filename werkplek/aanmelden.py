"""The development login: a role, gemeente and team (a BSN for an inwoner, a partner id for a partner)
become the same HS256 token `toegang token` mints, so the services accept it as they accept that one.

Only in `ontwikkeling`; in productie the login is OpenID Connect against the gemeente's identity
provider (a later phase) and this form is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import jwt

from shared.auth import GEMEENTE_ROLLEN, Gebruiker, Rol, maak_token
from shared.privacy import elfproef

# The tokens of a development login last a working day, as `toegang token`'s do.
GELDIG_SECONDEN = 12 * 3600
ROL_TEKST = {
    Rol.wijkcoach: "Wijkcoach",
    Rol.consulent: "Wmo-consulent",
    Rol.lokale_kamer: "Lokale Kamer",
    Rol.meldpunt: "Meldpunt",
    Rol.beheer: "Beheer",
    Rol.beleid: "Beleid",
    Rol.inwoner: "Inwoner",
    Rol.partner: "Partner",
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Aanmelding:
    token: str
    gebruiker: Gebruiker
    verloopt_op: float


def controleer(velden: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The login form's values, trimmed, and its errors per field (the contract's field names)."""
    waarden = {k: velden.get(k, "").strip() for k in ("rol", "gemeente", "team", "bsn", "partner_id")}
    fouten: dict[str, list[str]] = {}
    try:
        rol = Rol(waarden["rol"])
    except ValueError:
        fouten["rol"] = ["Kies een rol."]
        return waarden, fouten
    if rol in GEMEENTE_ROLLEN and not waarden["gemeente"]:
        fouten["gemeente"] = ["Kies de gemeente waar u werkt."]
    for veld in ("gemeente", "team", "partner_id"):
        if waarden[veld] and not _CODE.match(waarden[veld]):
            fouten.setdefault(veld, []).append("Gebruik alleen letters, cijfers, punt, streepje of liggend streepje.")
    if rol == Rol.inwoner:
        bsn = waarden["bsn"].replace(" ", "").replace(".", "")
        waarden["bsn"] = bsn
        if not (len(bsn) == 9 and bsn.isdigit() and elfproef(bsn)):
            fouten["bsn"] = ["Vul een geldig burgerservicenummer in: 9 cijfers."]
    else:
        waarden["bsn"] = ""  # a BSN belongs to an inwoner's token only
    if rol == Rol.partner and not waarden["partner_id"]:
        fouten["partner_id"] = ["Vul de code van de partner in."]
    return waarden, fouten


def ontwikkeltoken(secret: str, waarden: dict[str, str]) -> Aanmelding:
    """The token of a checked login form. The same person (role, gemeente, team) gets the same `sub`
    each time, so work assigned to him as medewerker is still his after logging in again."""
    rol = Rol(waarden["rol"])
    teams = [waarden["team"]] if waarden.get("team") else []
    if rol == Rol.inwoner:
        # Never the BSN itself in `sub`: sub ends up in logs and processing-log entries as the actor.
        sub = "dev-inwoner-" + hashlib.sha256(waarden["bsn"].encode()).hexdigest()[:16]
    else:
        delen = (waarden.get("gemeente"), *teams, waarden.get("partner_id"))
        sub = "-".join(["dev", rol.value, *(d for d in delen if d)])
    token = maak_token(
        secret,
        rol.value,
        waarden.get("gemeente") or None,
        teams,
        waarden.get("partner_id") or None,
        sub,
        GELDIG_SECONDEN,
        bsn=waarden.get("bsn") or None,
    )
    claims = jwt.decode(token, options={"verify_signature": False})  # our own token, just made
    gebruiker = Gebruiker.model_validate(claims)
    return Aanmelding(token, gebruiker, float(claims["exp"]))
