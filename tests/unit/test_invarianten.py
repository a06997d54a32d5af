"""The invariant checker finds what a wrong platform would do: lose, duplicate, split a household."""

from __future__ import annotations

import uuid
from collections import Counter
from types import SimpleNamespace as Rij

import pytest

from shared.events import EVENT_TYPES, MeldingGeregistreerd, SignaalDoorgezet
from toegang.invarianten import Ingezonden, StreamBericht, Toestand, controleer

MELDING = EVENT_TYPES[MeldingGeregistreerd].type
DOORGEZET = EVENT_TYPES[SignaalDoorgezet].type


def bericht(type_: str, data: dict, event_id: str | None = None, msg_id: str | None = None, seq: int = 1):
    event_id = event_id or str(uuid.uuid4())
    return StreamBericht(
        "S", seq, "s", msg_id or event_id, {"specversion": "1.0", "id": event_id, "type": type_, "data": data}
    )


def gezond(n: int = 3) -> tuple[Toestand, Ingezonden]:
    """n meldingen for n households, each decided once, in its household's plan, melder informed; one signal."""
    meldingen = [str(uuid.uuid4()) for _ in range(n)]
    besluiten, in_plan, plannen, kent = {}, {}, [], {}
    for i, m in enumerate(meldingen):
        d, plan = uuid.uuid4(), uuid.uuid4()
        besluiten[m] = [Rij(doorverwijzing_id=d, bron_soort="melding", huishouden_id=f"h{i}")]
        in_plan[str(d)] = str(plan)
        plannen.append(Rij(huishouden_id=f"h{i}", plan_id=plan, regisseur={}))
        kent[f"h{i}"] = (str(plan), False)
    casus = str(uuid.uuid4())
    d = uuid.uuid4()
    besluiten[casus] = [Rij(doorverwijzing_id=d, bron_soort="signaalcasus", huishouden_id="h0")]
    in_plan[str(d)] = str(plannen[0].plan_id)
    berichten = [bericht(MELDING, {"melding_id": m}) for m in meldingen] + [bericht(DOORGEZET, {"casus_id": casus})]
    toestand = Toestand(
        berichten,
        [],
        {m: "opgepakt" for m in meldingen},
        Counter(),
        besluiten,
        in_plan,
        0,
        {("p", "s1"): [Rij(casus_id=uuid.UUID(casus), beoordeling="nieuw")]},
        plannen,
        kent,
        set(),
    )
    return toestand, Ingezonden(set(meldingen), {("p", "s1")})


def test_een_gezond_platform_heeft_geen_schendingen():
    t, ingezonden = gezond()
    rapport = controleer(t, ingezonden)
    assert rapport.in_orde, rapport.tekst()
    assert (
        rapport.tellingen["meldingen"].verwerkt,
        rapport.tellingen["signalen"].verwerkt,
        rapport.tellingen["escalaties"].verwerkt,
    ) == (3, 1, 1)


def schendingen(t, ingezonden) -> str:
    rapport = controleer(t, ingezonden)
    assert not rapport.in_orde
    return " | ".join(rapport.schendingen)


def test_aangenomen_maar_niet_opgeslagen_is_verloren():
    t, ingezonden = gezond()
    ingezonden.meldingen.add(str(uuid.uuid4()))
    ingezonden.signalen.add(("p", "weg"))
    rapport = controleer(t, ingezonden)
    assert rapport.tellingen["meldingen"].verloren == 1 and rapport.tellingen["signalen"].verloren == 1


def test_twee_besluiten_voor_een_melding_is_dubbel():
    t, ingezonden = gezond()
    m = next(iter(t.meldingen))
    t.besluiten[m].append(Rij(doorverwijzing_id=uuid.uuid4(), bron_soort="melding", huishouden_id="h0"))
    assert "2 triagebesluiten" in schendingen(t, ingezonden)
    assert controleer(t, ingezonden).tellingen["meldingen"].dubbel == 1


@pytest.mark.parametrize(
    "breek, tekst",
    [
        (lambda t, m: t.besluiten.pop(m), "geen triagebesluit"),
        (lambda t, m: t.in_plan.pop(str(t.besluiten[m][0].doorverwijzing_id)), "niet in een plan"),
        (lambda t, m: t.meldingen.__setitem__(m, "doorverwezen"), "melder niet ingelicht"),
        (lambda t, m: t.statussen.update({(m, "opgepakt"): 2}), "meer dan eens"),
    ],
)
def test_een_melding_die_halverwege_bleef_steken_wordt_gevonden(breek, tekst):
    t, ingezonden = gezond()
    breek(t, next(iter(t.meldingen)))
    assert tekst in schendingen(t, ingezonden)


def test_twee_actieve_plannen_en_een_onwetende_triage():
    t, ingezonden = gezond()
    t.actieve_plannen.append(Rij(huishouden_id="h1", plan_id=uuid.uuid4(), regisseur={}))
    tekst = schendingen(t, ingezonden)
    assert "2 actieve plannen" in tekst and "triage kent de regisseur" in tekst


def test_hetzelfde_event_twee_keer_in_een_stream_maar_een_replay_mag():
    t, ingezonden = gezond()
    t.berichten.append(bericht(MELDING, t.berichten[0].body["data"], event_id=t.berichten[0].body["id"]))
    assert "2 keer in de streams" in schendingen(t, ingezonden)
    t.berichten[-1] = bericht(
        MELDING, t.berichten[0].body["data"], event_id=t.berichten[0].body["id"], msg_id="replay:7:2026-11-23"
    )
    assert controleer(t, ingezonden).in_orde


def test_een_escalatie_zonder_besluit_en_een_signaal_zonder_casus():
    t, ingezonden = gezond()
    t.berichten.append(bericht(DOORGEZET, {"casus_id": str(uuid.uuid4())}))
    t.signalen[("p", "s1")] = [Rij(casus_id=None, beoordeling="nieuw")]
    tekst = schendingen(t, ingezonden)
    assert "zonder besluit" in tekst and "in geen casus" in tekst


def test_dlq_verklaard_hersteld_of_onverklaard():
    t, ingezonden = gezond()
    m = next(iter(t.meldingen))
    t.besluiten.pop(m)
    e = str(uuid.uuid4())
    t.dlq = [
        StreamBericht(
            "TOEGANG_DLQ",
            1,
            "toegang.dlq.triage",
            "x",
            {
                "consumer": "triage-meldingen",
                "event_id": e,
                "reden": "IngespotenStoring: ingespoten storing",
                "event": {"data": {"melding_id": m}},
                "stream": "TOEGANG_MELDINGEN",
                "stream_seq": 1,
            },
        )
    ]
    # Unexplained: a violation, though the melding counts as in the DLQ, not lost.
    rapport = controleer(t, ingezonden)
    assert rapport.dlq["onverklaard"] == 1 and not rapport.in_orde
    assert rapport.tellingen["meldingen"].in_dlq == 1 and rapport.tellingen["meldingen"].verloren == 0
    ingezonden.verklaarde_redenen = ("ingespoten storing",)
    assert controleer(t, ingezonden).in_orde and controleer(t, ingezonden).dlq["verklaard"] == 1
    t.inbox.add(("triage-meldingen", e))  # replayed and applied since
    assert controleer(t, ingezonden).dlq["hersteld"] == 1
