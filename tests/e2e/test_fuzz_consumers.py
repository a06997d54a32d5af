"""Hostile input on the bus: hypothesis makes malformed messages for the subject of every durable consumer
(shared/topology.py) and they go onto the real JetStream, as anyone with publish rights could put them there.

Each must end up on `toegang.dlq.<service>` of every consumer of its subject, at once (never retried: it
will never parse), with a reason that quotes nothing of the input (it may be personal data); no service
may log it either. And each consumer goes on: a valid message published after the bad ones is applied.

Bounded for the normal test run: a few examples per kind of damage and subject, derandomized, published
together and awaited together. Marked `laatste`: other tests read the events on these subjects back
(`bus_opname.events`) and would trip over a message that is not one."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import nats
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import text

from services.signalering import domain as signalering_domain
from services.signalering import schemas as signalering_schemas
from shared.db import maak_engine
from shared.events import (
    EVENT_TYPES,
    AanvraagGeregistreerd,
    BeschikkingAfgegeven,
    BeschikkingVoorziening,
    BezwaarBeslist,
    CasusAfgesloten,
    Doel,
    DoorverwijzingAanvaard,
    DoorverwijzingGedaan,
    JongereWordtAchttien,
    KlachtAfgehandeld,
    LichtContactGeregistreerd,
    LichtContactOmgezet,
    MeldingGeregistreerd,
    MeldingOpgepakt,
    Omvang,
    PlanAfgesloten,
    PlanOpgesteld,
    Regisseur,
    RegisseurToegewezen,
    SignaalAfgehandeld,
    SignaalDoorgezet,
    SignaalInCasus,
    SignaalOntvangen,
    TermijnVerstreken,
    Veiligheid,
    lees_event,
    maak_event,
)
from shared.gemeenten import laad_gemeenten
from shared.settings import PROJECT_ROOT
from shared.termijnen import TZ
from shared.topology import CONSUMERS, Consumer
from tests.conftest import wacht_tot
from tests.support.gegevens import geldig_bsn

# In every value the fuzzer makes up; it must not come back in a DLQ entry or a log line.
MERKTEKEN = "Vertrouwelijk-999990019"
PER_SOORT = 2  # examples per kind of damage and subject
PARTNER = "gm1916-eneco"
GEMEENTE = "GM1916"
TEAM = "gm1916-gebiedsteam-leidschendam"
GEMEENTEN = laad_gemeenten(PROJECT_ROOT / "config" / "gemeenten")
VERKEERD = [MERKTEKEN, 7319, -1.5, True, [MERKTEKEN], {"sleutel": MERKTEKEN}, None, ""]


def _sleutel() -> str:
    return uuid.uuid4().hex * 2


def _nu() -> datetime:
    return datetime.now(UTC)


def geldige_data(model):
    """Data that the consumers of `model` apply without needing anything else to exist."""
    if model is MeldingGeregistreerd:
        return MeldingGeregistreerd(
            melding_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            ontvangen_op=_nu(),
            kanaal="telefoon",
            soort="hulpvraag",
            melder_type="inwoner",
            huishouden_id=_sleutel(),
            persoon_sleutels=[_sleutel()],
            leeftijdscategorie="23-64",
            wijk=None,
            levensgebieden=["financien"],
            zrm={"financien": 3},
            veiligheid=Veiligheid(),
            crisis=False,
            spoed=False,
            gevraagde_voorzieningen=[],
            inwoner_op_de_hoogte=True,
        )
    if model is SignaalDoorgezet:
        return SignaalDoorgezet(
            casus_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            huishouden_id=_sleutel(),
            wijk=None,
            reden="drempel",
            signalen=[
                SignaalInCasus(signaal_id=uuid.uuid4(), partner_type="woningcorporatie", soort="huurachterstand")
            ],
            crisis=False,
            ontvangen_op=_nu(),
        )
    if model is RegisseurToegewezen:
        return RegisseurToegewezen(
            plan_id=uuid.uuid4(), huishouden_id=_sleutel(), regisseur=Regisseur(soort="professional", team_id=TEAM)
        )
    if model is PlanAfgesloten:
        return PlanAfgesloten(
            plan_id=uuid.uuid4(), huishouden_id=_sleutel(), afgesloten_op=_nu(), resultaat="doelen_bereikt"
        )
    if model is DoorverwijzingGedaan:  # a warm handover out of a plan: every consumer takes it in and lets it be
        return DoorverwijzingGedaan(
            doorverwijzing_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            bron_id=uuid.uuid4(),
            bron_soort="plan",
            huishouden_id=_sleutel(),
            route="aanbieder",
            team_id="fuzz-aanbieder",
            urgentie="regulier",
            termijn_tot=_nu() + timedelta(days=5),
            termijn_grondslag="wmo-onderzoek",
            regel_id="fuzz",
            toelichting="fuzz",
        )
    if model is DoorverwijzingAanvaard:
        return DoorverwijzingAanvaard(
            doorverwijzing_id=uuid.uuid4(),
            bron_id=uuid.uuid4(),
            bron_soort="melding",
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            team_id=TEAM,
            nieuw_plan=True,
            aanvaard_op=_nu(),
        )
    if model is TermijnVerstreken:  # of a plan that does not exist: the clock starts for nothing
        return TermijnVerstreken(
            huishouden_id=_sleutel(),
            bron_id=uuid.uuid4(),
            termijn_grondslag="outreach-2-werkdagen",
            termijn_tot=_nu(),
            plan_id=uuid.uuid4(),
            team_id=TEAM,
        )
    if model is JongereWordtAchttien:  # of a household without a plan: nothing to start
        return JongereWordtAchttien(huishouden_id=_sleutel(), persoon_sleutel=_sleutel(), achttien_in="2027-06")
    # Stuurinformatie keeps a fact of each: valid on its own.
    omvang = Omvang(volume=2, eenheid="uur", frequentie="week")
    zelfstandig = {
        PlanOpgesteld: lambda: PlanOpgesteld(
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            versie=1,
            regisseur=Regisseur(soort="professional", team_id=TEAM),
            doelen=[Doel(levensgebied="financien", zrm_nu=2)],
            voorzieningen=[],
            evaluatie_op=date.today(),
        ),
        AanvraagGeregistreerd: lambda: AanvraagGeregistreerd(
            aanvraag_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            voorzieningen=["dagbesteding"],
            ontvangen_op=_nu(),
        ),
        BeschikkingAfgegeven: lambda: BeschikkingAfgegeven(
            beschikking_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            ingangsdatum=date.today(),
            einddatum=None,
            voorzieningen=[BeschikkingVoorziening(code="dagbesteding", wet="wmo", omvang=omvang)],
        ),
        BezwaarBeslist: lambda: BezwaarBeslist(
            bezwaar_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            uitkomst="ongegrond",
            besloten_op=date.today(),
            op_tijd=True,
            verdaagd=False,
        ),
        KlachtAfgehandeld: lambda: KlachtAfgehandeld(
            klacht_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            huishouden_id=_sleutel(),
            uitkomst="ongegrond",
            afgehandeld_op=date.today(),
            op_tijd=True,
            verdaagd=False,
        ),
        LichtContactGeregistreerd: lambda: LichtContactGeregistreerd(
            contact_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            geregistreerd_op=_nu(),
            kanaal="balie",
            wijk=None,
            themas=["financien"],
            uitkomst="beantwoord",
        ),
        LichtContactOmgezet: lambda: LichtContactOmgezet(
            contact_id=uuid.uuid4(), melding_id=uuid.uuid4(), omgezet_op=_nu()
        ),
        SignaalOntvangen: lambda: SignaalOntvangen(
            signaal_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            partner_id="fuzz",
            partner_type="woningcorporatie",
            soort="huurachterstand",
            huishouden_id=_sleutel(),
            persoon_sleutel=None,
            bedrag_achterstand_cent=1,
            achterstand_sinds=None,
            crisis=False,
            ontvangen_op=_nu(),
            beoordeling="nieuw",
        ),
        CasusAfgesloten: lambda: CasusAfgesloten(
            casus_id=uuid.uuid4(),
            gemeente=GEMEENTE,
            huishouden_id=_sleutel(),
            wijk=None,
            resultaat="hulp_gestart",
            afgesloten_op=_nu(),
            contact_gelegd=True,
        ),
    }
    if model in zelfstandig:
        return zelfstandig[model]()
    raise AssertionError(f"geen geldige data voor {model.__name__}: een nieuwe consumer? voeg hem hier toe")


def _model_van(consumer: Consumer):
    prefix = consumer.subject.removesuffix(".*")
    return next(model for model, et in EVENT_TYPES.items() if et.subject_prefix == prefix)


def _event(data, gemeente: str = GEMEENTE) -> dict:
    return json.loads(
        maak_event(data, service="fuzz", gemeente=gemeente, subject="fuzz", correlatieid="fuzz").model_dump_json()
    )


def wordt_verwerkt(subject: str, payload: bytes) -> bool:
    """Whether a consumer would apply this, by the contract: it parses, belongs on its subject, is of a
    configured gemeente (shared/bus.py). The fuzzer keeps only what is not."""
    try:
        event = lees_event(payload)
    except (ValidationError, ValueError):
        return False
    return (
        subject == event.nats_subject
        and getattr(event.data, "gemeente", event.gemeente) == event.gemeente
        and event.gemeente in GEMEENTEN
    )


def _zet(doel: dict, pad: tuple[str, ...], waarde) -> dict:
    kopie = json.loads(json.dumps(doel))
    plek = kopie
    for deel in pad[:-1]:
        plek = plek[deel]
    if waarde is _WEG:
        plek.pop(pad[-1], None)
    else:
        plek[pad[-1]] = waarde
    return kopie


_WEG = object()


def _geen_json() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=40).map(lambda b: b"{" + b + MERKTEKEN.encode()),  # never closes: never JSON
        st.binary(min_size=1, max_size=40).map(lambda b: b"\xff" + b + MERKTEKEN.encode()),  # not even UTF-8
        st.just(b""),
    )


def _json_geen_object() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.lists(st.text(max_size=5).map(lambda t: MERKTEKEN + t), max_size=3),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.just(MERKTEKEN),
        st.none(),
        st.booleans(),
    ).map(lambda w: json.dumps(w).encode())


def _velden(waarde: dict, pad: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every field of a JSON object, nested objects included."""
    velden = []
    for naam, w in waarde.items():
        velden.append((*pad, naam))
        if isinstance(w, dict):
            velden.extend(_velden(w, (*pad, naam)))
    return velden


def cloudevent_strategieen(consumer: Consumer) -> dict[str, st.SearchStrategy[tuple[str, bytes]]]:
    """Per kind of damage: (subject, payload) that a consumer of this subject must send to the DLQ."""
    model = _model_van(consumer)
    subject = consumer.subject.replace("*", GEMEENTE)
    basis = _event(geldige_data(model))
    envelop, data = [(v,) for v in basis if v != "data"], [("data", *v) for v in _velden(basis["data"])]

    def op_subject(waarden: st.SearchStrategy[dict | bytes]) -> st.SearchStrategy[tuple[str, bytes]]:
        return waarden.map(lambda w: (subject, w if isinstance(w, bytes) else json.dumps(w).encode())).filter(
            lambda sp: not wordt_verwerkt(*sp)
        )

    ander_type = st.sampled_from(
        [
            MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op=_nu(), team_id=TEAM),
            SignaalAfgehandeld(signaal_id=uuid.uuid4(), partner_id=PARTNER, resultaat="afgehandeld"),
        ]
    ).map(_event)
    andere_gemeente = st.one_of(
        st.sampled_from(["GM0637", "GM0546", MERKTEKEN, "gm1916", ""]).map(lambda g: _zet(basis, ("gemeente",), g)),
        st.sampled_from(["GM0637", MERKTEKEN]).map(lambda g: _zet(basis, ("data", "gemeente"), g))
        if "gemeente" in basis["data"]
        else st.nothing(),
    )
    onbekende_gemeente = st.just(None).map(
        lambda _: (
            consumer.subject.replace("*", "GM9999"),
            json.dumps(
                _event(
                    geldige_data(model).model_copy(
                        update={"gemeente": "GM9999"} if "gemeente" in model.model_fields else {}
                    ),
                    gemeente="GM9999",
                )
            ).encode(),
        )
    )
    return {
        "geen JSON": op_subject(_geen_json()),
        "JSON, geen object": op_subject(_json_geen_object()),
        "type ontbreekt of onbekend": op_subject(
            st.one_of(
                st.just(_zet(basis, ("type",), _WEG)),
                st.text(max_size=20).map(lambda t: _zet(basis, ("type",), f"nl.sociaal-domein.{MERKTEKEN}{t}")),
                st.sampled_from(VERKEERD).map(lambda w: _zet(basis, ("type",), w)),
            )
        ),
        "envelop-veld ontbreekt of verkeerd": op_subject(
            st.tuples(st.sampled_from(envelop), st.sampled_from([_WEG, *VERKEERD])).map(lambda t: _zet(basis, *t))
        ),
        "data-veld ontbreekt of verkeerd": op_subject(
            st.tuples(st.sampled_from(data), st.sampled_from([_WEG, *VERKEERD])).map(lambda t: _zet(basis, *t))
        ),
        "onbekend veld": op_subject(
            st.tuples(st.sampled_from([(), ("data",)]), st.sampled_from(["bsn", "naam", "x"])).map(
                lambda t: _zet(basis, (*t[0], t[1]), MERKTEKEN)
            )
        ),
        "te grote tekst": op_subject(
            st.tuples(st.sampled_from(envelop + data), st.integers(2_000, 20_000)).map(
                lambda t: _zet(basis, t[0], MERKTEKEN * t[1])
            )
        ),
        "verkeerde gemeente": op_subject(andere_gemeente) | onbekende_gemeente,
        "ander type op dit subject": op_subject(ander_type),
    }


def geldig_signaal() -> dict:
    return {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": "energieachterstand",
        "betreft": {"bsn": geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": 720}},
        "bedrag_achterstand_cent": 150_000,
        "achterstand_sinds": "2026-01-01",
    }


def signaal_wordt_verwerkt(subject: str, payload: bytes) -> bool:
    gevonden = GEMEENTEN.partner(subject.split(".")[1])
    if gevonden is None:
        return False
    try:
        invoer = signalering_schemas.SignaalInvoer.model_validate_json(payload)
    except ValidationError:
        return False
    gemeente, partner = gevonden
    return not signalering_domain.controleer(invoer, gemeente, list(partner.soorten), datetime.now(TZ).date())


def partner_strategieen(consumer: Consumer) -> dict[str, st.SearchStrategy[tuple[str, bytes]]]:
    """The partners' own subject carries their raw signal, not a CloudEvent (shared/topology.py)."""
    subject = consumer.subject.replace("*", PARTNER)
    basis = geldig_signaal()
    velden = _velden(basis)

    def op_subject(waarden) -> st.SearchStrategy[tuple[str, bytes]]:
        return waarden.map(lambda w: (subject, w if isinstance(w, bytes) else json.dumps(w).encode())).filter(
            lambda sp: not signaal_wordt_verwerkt(*sp)
        )

    return {
        "geen JSON": op_subject(_geen_json()),
        "JSON, geen object": op_subject(_json_geen_object()),
        "veld ontbreekt of verkeerd": op_subject(
            st.tuples(st.sampled_from(velden), st.sampled_from([_WEG, *VERKEERD])).map(lambda t: _zet(basis, *t))
        ),
        "onbekend veld": op_subject(
            st.sampled_from([(), ("betreft",)]).map(lambda p: _zet(basis, (*p, "x"), MERKTEKEN))
        ),
        "te grote tekst": op_subject(
            st.tuples(st.sampled_from(velden), st.integers(2_000, 20_000)).map(
                lambda t: _zet(basis, t[0], MERKTEKEN * t[1])
            )
        ),
        "ongeldig BSN of adres": op_subject(
            st.one_of(
                st.sampled_from(["999990019", "123456789", "00000000"]).map(
                    lambda b: _zet(basis, ("betreft", "bsn"), b)
                ),
                st.sampled_from(["9999 ZZ", "1234"]).map(lambda p: _zet(basis, ("betreft", "adres", "postcode"), p)),
                st.just(_zet(basis, ("soort",), "huurachterstand")),  # a soort this partner may not send
                st.just(_zet(basis, ("achterstand_sinds",), (date.today() + timedelta(days=30)).isoformat())),
            )
        ),
        "onbekende partner": st.just(("partners.fuzz-onbekend.signalen", json.dumps(basis).encode())),
    }


def verzamel(strategie: st.SearchStrategy, aantal: int) -> list:
    """`aantal` examples of a strategy, the same every run."""
    gevonden: list = []

    @settings(
        max_examples=aantal,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategie)
    def neem(voorbeeld) -> None:
        gevonden.append(voorbeeld)

    neem()
    assert gevonden, "de strategie leverde niets"
    return gevonden[:aantal]


@pytest.mark.laatste
async def test_kapotte_berichten_gaan_met_een_reden_naar_de_dlq_en_elke_consumer_gaat_door(
    platform, nats_server, bus_opname, database_url
):
    per_subject: dict[str, list[Consumer]] = {}
    for consumer in CONSUMERS:
        per_subject.setdefault(consumer.subject, []).append(consumer)
    assert len(CONSUMERS) == 28 and len(per_subject) == 18  # a new consumer gets fuzzed too: see geldige_data

    gepubliceerd: list[tuple[str, str, int, list[Consumer]]] = []  # (kind, subject, stream seq, consumers)
    geldig: list[tuple[list[Consumer], str]] = []  # (consumers, event id or partner_signaal_id)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    try:
        for patroon, consumers in per_subject.items():
            partner = not consumers[0].cloudevents
            strategieen = partner_strategieen(consumers[0]) if partner else cloudevent_strategieen(consumers[0])
            for soort, strategie in strategieen.items():
                for subject, payload in verzamel(strategie, PER_SOORT):
                    ack = await js.publish(subject, payload, headers={"Nats-Msg-Id": f"fuzz-{uuid.uuid4()}"})
                    # A subject of an unknown partner or gemeente reaches the same consumers.
                    gepubliceerd.append((soort, subject, ack.seq, consumers))
            # After the bad ones, in the same stream: one that each consumer must still apply.
            if partner:
                signaal = geldig_signaal()
                await js.publish(
                    patroon.replace("*", PARTNER),
                    json.dumps(signaal).encode(),
                    headers={"Nats-Msg-Id": f"fuzz-{uuid.uuid4()}"},
                )
                geldig.append((consumers, signaal["partner_signaal_id"]))
            else:
                event = maak_event(
                    geldige_data(_model_van(consumers[0])),
                    service="fuzz",
                    gemeente=GEMEENTE,
                    subject="fuzz",
                    correlatieid="fuzz",
                )
                await js.publish(
                    event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
                )
                geldig.append((consumers, str(event.id)))
    finally:
        await nc.drain()
    verwacht = {(c.durable, seq) for _, _, seq, consumers in gepubliceerd for c in consumers}
    assert len(gepubliceerd) >= 7 * 2 * PER_SOORT and len(verwacht) >= 10 * 5 * PER_SOORT

    def dlq() -> dict[tuple[str, int], dict]:
        return {
            (v["consumer"], v["stream_seq"]): v
            for v in bus_opname.events("toegang.dlq.")
            if (v["consumer"], v["stream_seq"]) in verwacht
        }

    try:
        await wacht_tot(lambda: len(dlq()) == len(verwacht), timeout=30)
    except AssertionError:
        ontbreekt = sorted(
            {
                (soort, subject, c.durable)
                for soort, subject, seq, consumers in gepubliceerd
                for c in consumers
                if (c.durable, seq) not in dlq()
            }
        )
        raise AssertionError(f"niet in de DLQ: {ontbreekt}") from None
    vermeldingen = dlq()
    for soort, subject, seq, consumers in gepubliceerd:
        for c in consumers:
            v = vermeldingen[(c.durable, seq)]
            uitleg = f"{soort} op {subject} bij {c.durable}: {v['reden']!r}"
            assert v["service"] == c.service and v["subject"] == subject, uitleg
            assert isinstance(v["reden"], str) and len(v["reden"]) >= 10, uitleg
            assert v["afleveringen"] == 1, uitleg  # it will never parse: not retried
            assert MERKTEKEN not in json.dumps(v) and "999990019" not in v["reden"], uitleg
            assert v["event"] is None or subject.startswith("toegang.")  # partner input is never kept
    # The DLQ entry is what a service publishes; its own log lines keep nothing of the input either.
    logs = "".join(p.read_text(errors="replace") for p in platform.log_map.glob("*.log"))
    assert MERKTEKEN not in logs

    engine = maak_engine(database_url)
    try:

        async def toegepast() -> list:
            async with engine.connect() as conn:
                open_ = []
                for consumers, sleutel in geldig:
                    for c in consumers:
                        if c.cloudevents:
                            rij = (
                                await conn.execute(
                                    text(f"SELECT 1 FROM {c.service}.inbox WHERE consumer = :c AND event_id = :id"),
                                    {"c": c.durable, "id": uuid.UUID(sleutel)},
                                )
                            ).first()
                        else:
                            rij = (
                                await conn.execute(
                                    text(
                                        "SELECT 1 FROM signalering.signalen "
                                        "WHERE partner_id = :p AND partner_signaal_id = :id"
                                    ),
                                    {"p": PARTNER, "id": sleutel},
                                )
                            ).first()
                        if rij is None:
                            open_.append(c.durable)
                return open_

        async def allemaal() -> bool:
            return not await toegepast()

        try:
            await wacht_tot(allemaal, timeout=20)
        except AssertionError:
            raise AssertionError(f"geldig bericht niet toegepast door {await toegepast()}") from None
    finally:
        await engine.dispose()
