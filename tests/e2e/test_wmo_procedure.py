"""The Wmo procedure and the inwoner's legal protection, through arrangement's API and on the bus: gesprek
(after cliëntondersteuning was offered), verslag (it meets the onderzoek), aanvraag, beschikking with its
leveringsvorm and eigen bijdrage and a herindicatie deadline, a late bezwaar that is decided gegrond with
a new beschikking, and a klacht. Dates are worked out by hand (shared/termijnen.py has the rules)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from shared.termijnen import TZ, is_werkdag
from tests.conftest import wacht_tot
from tests.e2e.test_arrangement import CONSULENTEN, OMVANG, get, plan_voor, post, van, vandaag, velden
from tests.e2e.test_skeleton import huishouden
from tests.support.gegevens import LEIDSCHENDAM


def _open(h: dict, soort: str) -> list[dict]:
    return [t for t in h["open_termijnen"] if t["soort"] == soort]


def _einde(t: dict) -> tuple[date, time]:
    """A deadline's day and time in Amsterdam (the API gives it in UTC)."""
    tot = datetime.fromisoformat(t["termijn_tot"]).astimezone(TZ)
    return tot.date(), tot.time()


async def test_gesprek_verslag_aanvraag_beschikking_en_herindicatie(platform, token, nats_server, bus_opname):
    h = await plan_voor(platform, token, nats_server, route="wmo_consulent", team_id=CONSULENTEN)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    assert len(_open(h, "wmo-onderzoek")) == 1  # 6 weeks after the melding
    consulent = token("consulent", teams=[CONSULENTEN])
    gisteren = vandaag() - timedelta(days=1)

    # Cliëntondersteuning must be offered before the gesprek; a gesprek in the future did not happen.
    te_laat_gewezen = {
        "datum": str(gisteren),
        "vorm": "thuis",
        "deelnemers": ["inwoner", "clientondersteuner"],
        "clientondersteuning_gewezen_op": str(vandaag()),
    }
    assert velden(await post(platform, f"/v1/plannen/{plan_id}/gesprekken", te_laat_gewezen, consulent)) == {
        "clientondersteuning_gewezen_op"
    }
    # No verslag without a gesprek it reports on.
    assert velden(
        await post(platform, f"/v1/plannen/{plan_id}/verslagen", {"verstuurd_op": str(vandaag())}, consulent)
    ) == {"verstuurd_op"}
    gesprek = {**te_laat_gewezen, "clientondersteuning_gewezen_op": str(gisteren - timedelta(days=3))}
    assert (await post(platform, f"/v1/plannen/{plan_id}/gesprekken", gesprek, consulent)).status_code == 201
    # A plan version does not end the onderzoek any more: the verslag does.
    versie = {"doelen": [{"levensgebied": "huisvesting"}], "evaluatie_op": str(vandaag() + timedelta(weeks=12))}
    r = await post(platform, f"/v1/plannen/{plan_id}/versies", versie, token("wijkcoach", teams=[CONSULENTEN]))
    assert r.status_code == 201, r.text
    assert len(_open(await huishouden(platform, token, hid), "wmo-onderzoek")) == 1
    r = await post(platform, f"/v1/plannen/{plan_id}/verslagen", {"verstuurd_op": str(vandaag())}, consulent)
    assert r.status_code == 201, r.text
    na = await huishouden(platform, token, hid)
    assert _open(na, "wmo-onderzoek") == []
    assert [g["deelnemers"] for g in na["gesprekken"]] == [["inwoner", "clientondersteuner"]]
    assert [v["verstuurd_op"] for v in na["verslagen"]] == [str(vandaag())]
    assert {"gesprek", "verslag"} <= {t["soort"] for t in na["tijdlijn"]}

    a = await post(
        platform, f"/v1/plannen/{plan_id}/aanvragen", {"voorzieningen": ["begeleiding-individueel"]}, consulent
    )
    assert a.status_code == 201, a.text
    einddatum = date(2027, 6, 30)  # 8 weeks before it is 5 mei (Atw): the herindicatie is due on 4 May
    b = await post(
        platform,
        f"/v1/plannen/{plan_id}/beschikkingen",
        {
            "aanvraag_id": a.json()["aanvraag_id"],
            "ingangsdatum": str(vandaag()),
            "einddatum": str(einddatum),
            "voorzieningen": [{"code": "begeleiding-individueel", "omvang": OMVANG, "leveringsvorm": "pgb"}],
        },
        consulent,
    )
    assert b.status_code == 201, b.text
    # The eigen bijdrage applies to Wmo maatwerk by default.
    assert {"leveringsvorm": "pgb", "eigen_bijdrage": True}.items() <= b.json()["voorzieningen"][0].items()
    [afgegeven] = await wacht_tot(lambda: van(bus_opname, "toegang.plannen.beschikking-afgegeven.", hid))
    assert (afgegeven["voorzieningen"][0]["leveringsvorm"], afgegeven["voorzieningen"][0]["eigen_bijdrage"]) == (
        "pgb",
        True,
    )
    [herindicatie] = _open(await huishouden(platform, token, hid), "herindicatie")
    assert _einde(herindicatie) == (date(2027, 5, 4), time(23, 59, 59))
    assert (herindicatie["team_id"], herindicatie["termijn_grondslag"]) == (CONSULENTEN, "herindicatie")
    werk = (await get(platform, "/v1/werkvoorraad", consulent)).json()["werkvoorraad"]
    assert any(w["soort"] == "herindicatie" and w["plan_id"] == plan_id for w in werk)

    # The eigen bijdrage is a Wmo matter: not for jeugdhulp.
    jeugd = {"code": "jeugdhulp-ambulant", "omvang": OMVANG, "eigen_bijdrage": True}
    r = await post(
        platform,
        f"/v1/plannen/{plan_id}/beschikkingen",
        {"ingangsdatum": str(vandaag()), "voorzieningen": [jeugd]},
        consulent,
    )
    assert velden(r) == {"voorzieningen.0.eigen_bijdrage"}


async def test_een_te_laat_bezwaar_gegrond_met_een_nieuwe_beschikking(platform, token, nats_server, bus_opname):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    consulent = token("consulent", teams=[CONSULENTEN])
    verzonden = vandaag() - timedelta(weeks=9)  # the bezwaartermijn ended about three weeks ago
    b = await post(
        platform,
        f"/v1/plannen/{plan_id}/beschikkingen",
        {
            "ingangsdatum": str(verzonden),
            "verzonden_op": str(verzonden),
            "voorzieningen": [{"code": "huishoudelijke-ondersteuning", "omvang": OMVANG}],
        },
        consulent,
    )
    assert b.status_code == 201, b.text
    beschikking_id = b.json()["beschikking_id"]
    pad = f"/v1/plannen/{plan_id}/beschikkingen/{beschikking_id}/bezwaren"
    assert (
        await post(platform, pad, {"ontvangen_op": str(vandaag())}, token("wijkcoach", teams=[LEIDSCHENDAM]))
    ).status_code == 403
    r = await post(platform, pad, {"ontvangen_op": str(vandaag()), "adviescommissie": True}, consulent)
    assert r.status_code == 201, r.text
    bezwaar = r.json()
    # Worked out: 6 weeks from the day after sending, on to a werkdag; the decision 12 weeks after that.
    einde = verzonden + timedelta(weeks=6)
    while not is_werkdag(einde):
        einde += timedelta(days=1)
    beslissen = einde + timedelta(weeks=12)
    while not is_werkdag(beslissen):
        beslissen += timedelta(days=1)
    assert (bezwaar["te_laat"], bezwaar["bezwaartermijn_tot"], bezwaar["beslissen_voor"]) == (
        True,
        str(einde),
        str(beslissen),
    )
    assert bezwaar["termijn_grondslag"] == "awb-bezwaar-12-weken"
    [geregistreerd] = await wacht_tot(lambda: van(bus_opname, "toegang.plannen.bezwaar-geregistreerd.", hid))
    assert (geregistreerd["tijdig"], geregistreerd["beslissen_voor"]) == (False, str(beslissen))
    [termijn] = _open(await huishouden(platform, token, hid), "bezwaar")
    assert _einde(termijn) == (beslissen, time(23, 59, 59))

    verdaging = f"/v1/plannen/{plan_id}/bezwaren/{bezwaar['bezwaar_id']}/verdaging"
    r = await post(platform, verdaging, {"reden": "hoorzitting"}, consulent)
    assert r.status_code == 200, r.text
    verdaagd = beslissen + timedelta(weeks=6)
    while not is_werkdag(verdaagd):
        verdaagd += timedelta(days=1)
    assert (r.json()["beslissen_voor"], r.json()["termijn_grondslag"]) == (str(verdaagd), "awb-bezwaar-verdaagd")
    assert (await post(platform, verdaging, {"reden": "overig"}, consulent)).status_code == 409  # once only
    [termijn] = _open(await huishouden(platform, token, hid), "bezwaar")
    assert (_einde(termijn)[0], termijn["termijn_grondslag"]) == (verdaagd, "awb-bezwaar-verdaagd")

    beslissing = f"/v1/plannen/{plan_id}/bezwaren/{bezwaar['bezwaar_id']}/beslissing"
    gegrond = {"uitkomst": "gegrond", "besloten_op": str(vandaag())}
    assert velden(await post(platform, beslissing, gegrond, consulent)) == {"beschikking"}
    nieuw = {
        "ingangsdatum": str(vandaag()),
        "reden_wijziging": "correctie",
        "voorzieningen": [{"code": "huishoudelijke-ondersteuning", "omvang": {**OMVANG, "volume": 6}}],
    }
    r = await post(platform, beslissing, {**gegrond, "beschikking": nieuw}, consulent)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["nieuwe_beschikking_versie"]) == ("beslist", 2)
    [beslist] = await wacht_tot(lambda: van(bus_opname, "toegang.plannen.bezwaar-beslist.", hid))
    assert (beslist["uitkomst"], beslist["op_tijd"], beslist["verdaagd"]) == ("gegrond", True, True)
    await wacht_tot(lambda: len(van(bus_opname, "toegang.plannen.beschikking-afgegeven.", hid)) == 2)
    versies = van(bus_opname, "toegang.plannen.beschikking-afgegeven.", hid)
    assert [v["versie"] for v in versies] == [1, 2] and versies[1]["voorzieningen"][0]["omvang"]["volume"] == 6
    na = await huishouden(platform, token, hid)
    assert _open(na, "bezwaar") == []
    assert [(b["uitkomst"], b["te_laat"]) for b in na["bezwaren"]] == [("gegrond", True)]
    assert (
        await post(platform, beslissing, {"uitkomst": "ongegrond", "besloten_op": str(vandaag())}, consulent)
    ).status_code == 409


async def test_een_klacht_met_zijn_termijn_en_afhandeling(platform, token, nats_server, bus_opname):
    h = await plan_voor(platform, token, nats_server)
    plan_id, hid = h["plan"]["plan_id"], h["huishouden_id"]
    team = token("wijkcoach", teams=[LEIDSCHENDAM])
    pad = f"/v1/plannen/{plan_id}/klachten"
    zonder_aanbieder = {"ontvangen_op": str(vandaag()), "over": "aanbieder", "onderwerpen": ["bejegening"]}
    assert velden(await post(platform, pad, zonder_aanbieder, team)) == {"aanbieder_id"}
    r = await post(platform, pad, {**zonder_aanbieder, "aanbieder_id": "kwadraad"}, team)
    assert r.status_code == 201, r.text
    klacht = r.json()
    zes_weken = vandaag() + timedelta(weeks=6)
    while not is_werkdag(zes_weken):
        zes_weken += timedelta(days=1)
    assert (klacht["afhandelen_voor"], klacht["termijn_grondslag"]) == (str(zes_weken), "awb-klacht-6-weken")
    [termijn] = _open(await huishouden(platform, token, hid), "klacht")
    assert termijn["team_id"] == LEIDSCHENDAM  # the regisseur's team handles it
    r = await post(
        platform,
        f"{pad}/{klacht['klacht_id']}/afhandeling",
        {"uitkomst": "deels_gegrond", "afgehandeld_op": str(vandaag())},
        team,
    )
    assert r.status_code == 200, r.text
    [af] = await wacht_tot(lambda: van(bus_opname, "toegang.plannen.klacht-afgehandeld.", hid))
    assert (af["uitkomst"], af["op_tijd"]) == ("deels_gegrond", True)
    [geregistreerd] = van(bus_opname, "toegang.plannen.klacht-geregistreerd.", hid)
    assert (geregistreerd["over"], geregistreerd["onderwerpen"]) == ("aanbieder", ["bejegening"])
    assert _open(await huishouden(platform, token, hid), "klacht") == []
