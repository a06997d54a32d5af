"""The household page lists the plan's versions (arrangement's "versies", newest first) as a short table:
after a second version through the API, version 2 is on top, marked as the current one, with its counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx

from tests.werkplek.conftest import log_in
from tests.werkplek.test_acties import _huishouden_met_plan
from werkplek.teksten import TZ, datum_tekst


def _versietabel(pagina: str) -> list[list[str]]:
    """The table's rows as the texts of their cells, tags stripped."""
    tabel = pagina[pagina.index('id="kop-versies"') :]
    tabel = tabel[: tabel.index("</table>")]
    rijen = re.findall(r"<tr[^>]*>(.*?)</tr>", tabel[tabel.index("<tbody") :], flags=re.DOTALL)
    cel = r"<t[hd][^>]*>(.*?)</t[hd]>"
    return [[" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in re.findall(cel, r, flags=re.DOTALL)] for r in rijen]


async def test_de_huishoudpagina_toont_de_versies_van_het_plan_nieuwste_eerst(platform, token, werkplek):
    huishouden_id, team = await _huishouden_met_plan(platform, token)
    evaluatie = datetime.now(TZ).date() + timedelta(weeks=10)
    async with httpx.AsyncClient() as http:
        h = (
            await http.get(platform.urls["arrangement"] + f"/v1/huishoudens/{huishouden_id}", headers=token("beheer"))
        ).json()
        assert [v["versie"] for v in h["versies"]] == [1]
        r = await http.post(
            platform.urls["arrangement"] + f"/v1/plannen/{h['plan']['plan_id']}/versies",
            json={
                "doelen": [{"levensgebied": "financien", "zrm_nu": 2}, {"levensgebied": "huisvesting"}],
                "voorzieningen": [{"code": "begeleiding-individueel"}],
                "evaluatie_op": evaluatie.isoformat(),
            },
            headers=token("wijkcoach", teams=[team]),
        )
        assert r.status_code == 201, r.text
    async with werkplek() as w:
        await log_in(w, rol="wijkcoach", gemeente="GM1916", team=team)
        pagina = await w.get(f"/huishoudens/{huishouden_id}")
    assert pagina.status_code == 200, pagina.text
    nu, eerste = _versietabel(pagina.text)
    assert nu[0] == "Versie 2 (nu)" and eerste[0] == "Versie 1"
    assert nu[3] == datum_tekst(evaluatie) and (nu[4], nu[5]) == ("2", "1")
    assert (eerste[4], eerste[5]) == ("0", "0") and eerste[2] == "Bij de doorverwijzing"
    assert nu[2].startswith("wijkcoach:")
