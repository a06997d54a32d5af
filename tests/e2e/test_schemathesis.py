"""Hostile input over HTTP: schemathesis generates requests from each service's own OpenAPI document,
valid ones and invalid ones, against the running platform. No request may cause a 500, and every response
must be one the document declares: its status code, its content type and its schema.

Bounded for the normal test run: a few examples per operation, derandomized (the same requests every
run), no shrinking. Half of the examples of an operation with an id in its path use an id that exists
(a melding, casus, signal, plan and household made here), so that they reach past the 404."""

from __future__ import annotations

import uuid

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import wacht_tot
from tests.e2e.test_skeleton import huishouden, post_melding, url
from tests.support.gegevens import geldig_bsn, melding

VOORBEELDEN = 10  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PARTNER = "gm1916-vidomes"


@pytest.fixture(scope="module")
async def bestaand(platform, token) -> dict[str, str]:
    """Real ids for path parameters: a melding with its plan and household, a signal and its casus."""
    m = await post_melding(platform, token, melding(huisnummer=700, bsn=geldig_bsn()))
    plan = await wacht_tot(lambda: huishouden(platform, token, m["huishouden_id"]), timeout=15)
    signaal = {
        "partner_signaal_id": str(uuid.uuid4()),
        "soort": "huurachterstand",
        "betreft": {"bsn": geldig_bsn(), "adres": {"postcode": "2264 AB", "huisnummer": 701}},
        "bedrag_achterstand_cent": 150_000,
        "achterstand_sinds": "2026-06-01",
    }
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url(platform, "signalering", "/v1/signalen"), json=signaal, headers=token("partner", partner_id=PARTNER)
        )
    assert r.status_code == 202, r.text
    return {
        "melding_id": m["melding_id"],
        "huishouden_id": m["huishouden_id"],
        "plan_id": str(plan["plan"]["plan_id"]),
        "signaal_id": r.json()["signaal_id"],
        "casus_id": r.json()["casus_id"],
        "bron_id": m["melding_id"],
        "gemeente": "GM1916",
    }


def headers_voor(token, service: str, operatie) -> dict[str, str]:
    """A caller who may use the operation: a partner for the partner endpoints, a consulent for
    beschikkingen (consulent only), an inwoner to register a melding (in any gemeente; staff only in their
    own), beheer of GM1916 for everything else."""
    if service == "signalering" and operatie.path.startswith("/v1/signalen"):
        return token("partner", partner_id=PARTNER)
    if service == "intake" and operatie.method.upper() == "POST" and operatie.path == "/v1/meldingen":
        return token("inwoner", gemeente=None)
    if "beschikkingen" in operatie.path:
        return token("consulent")
    return token("beheer")


def _strategie(operatie, modus: GenerationMode, bestaand: dict[str, str]):
    strategie = operatie.as_strategy(generation_mode=modus)
    namen = {p.name for p in operatie.path_parameters}
    echt = {naam: bestaand[naam] for naam in namen if naam in bestaand}
    if echt:
        strategie = st.one_of(strategie, operatie.as_strategy(generation_mode=modus, path_parameters=echt))
    return strategie


def _fuzz(service: str, platform, token, bestaand) -> tuple[int, int, list[str]]:
    schema = schemathesis.openapi.from_url(url(platform, service, "/openapi.json"))
    operaties, verzoeken, fouten = 0, 0, []
    sessie = requests.Session()
    for resultaat in schema.get_all_operations():
        operatie = resultaat.ok()
        operaties += 1
        headers = headers_voor(token, service, operatie)
        for modus in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=VOORBEELDEN,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=_strategie(operatie, modus, bestaand))
            def probeer(case) -> None:
                nonlocal verzoeken
                verzoeken += 1
                case.call_and_validate(session=sessie, headers=headers, checks=CHECKS, timeout=30)  # noqa: B023 - run at once

            try:
                probeer()
            except (Exception, BaseExceptionGroup) as fout:  # every operation is tried; all failures together
                fouten.append(f"{operatie.label} ({modus.value}): {fout}")
    return operaties, verzoeken, fouten


@pytest.mark.parametrize("service", ["intake", "triage", "signalering", "arrangement"])
def test_geen_500_en_elk_antwoord_zoals_de_openapi_het_belooft(service, platform, token, bestaand):
    operaties, verzoeken, fouten = _fuzz(service, platform, token, bestaand)
    assert operaties >= 3 and verzoeken >= operaties * 2 * 2  # every operation, both modes, really tried
    assert not fouten, "\n\n".join(fouten)
