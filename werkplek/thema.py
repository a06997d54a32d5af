"""A gemeente's own look (issue 14): the name in the header and its design tokens, from the `werkplek`
section of its configuration file (shared/gemeenten.py `Werkplek`), linked after the voorbeeld theme for
a logged-in user of that gemeente.

The theme files are read once, at start-up, from the validated configuration only: the URL names a
gemeente code, never a file, and a code without a theme is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.gemeenten import laad_gemeente, thema_pad

router = APIRouter()
# Not personal data, and it changes only with a new configuration (that restarts the werkplek).
CACHE = "public, max-age=300"


@dataclass(frozen=True)
class Thema:
    naam: str | None
    css: bytes | None

    @property
    def heeft_css(self) -> bool:
        return self.css is not None


class Themas:
    """Per gemeente code its Thema; a gemeente without a `werkplek` section has none."""

    def __init__(self, per_code: dict[str, Thema]):
        self._per_code = per_code

    @classmethod
    def laad(cls, config_dir: Path) -> Themas:
        """From every gemeente file, validated as the services validate it: a bad file stops the start
        (ConfigFout names the file and the field). No files at all: no themes."""
        per_code: dict[str, Thema] = {}
        for pad in sorted(config_dir.glob("*.yaml")) if config_dir.is_dir() else []:
            gemeente = laad_gemeente(pad)
            if gemeente.werkplek is None:
                continue
            bestand = thema_pad(config_dir, gemeente)
            per_code[gemeente.code] = Thema(gemeente.werkplek.naam, bestand.read_bytes() if bestand else None)
        return cls(per_code)

    def van(self, gemeente: str | None) -> Thema | None:
        return self._per_code.get(gemeente) if gemeente else None


def themas_van(request: Request) -> Themas:
    return request.app.state.themas


@router.get("/static/thema/{gemeente}.css", include_in_schema=False)
async def thema_css(request: Request, gemeente: str) -> Response:
    thema = themas_van(request).van(gemeente)
    if thema is None or thema.css is None:
        return Response("Geen thema voor deze gemeente.", status_code=404, media_type="text/plain")
    return Response(thema.css, media_type="text/css; charset=utf-8", headers={"Cache-Control": CACHE})
