"""The event models follow the contract's table: types, subjects, required data fields."""

import re
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.events import EVENT_TYPES, MeldingOpgepakt, lees_event, maak_event

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "CONTRACT.md"


def contract_tabel() -> dict[str, tuple[str, set[str]]]:
    rijen = {}
    for regel in CONTRACT.read_text().splitlines():
        m = re.match(r"\| `([a-z.-]+)` \| `([a-z.-]+)` \| [a-z, ]+ \| (.+) \|$", regel)
        if m:
            velden = re.sub(r"\([^)]*\)", "", m.group(3))
            rijen[m.group(1)] = (m.group(2), {v.strip() for v in velden.split(",") if v.strip()})
    return rijen


@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/CONTRACT.md staat niet naast de checkout")
def test_elk_event_uit_het_contract_heeft_een_model_met_subject_en_verplichte_velden():
    tabel = contract_tabel()
    assert len(tabel) == 10
    per_type = {e.type: e for e in EVENT_TYPES.values()}
    for type_, (subject, velden) in tabel.items():
        et = per_type[f"nl.sociaal-domein.{type_}"]
        assert et.subject_prefix == subject
        assert velden <= set(et.data.model_fields), (type_, velden - set(et.data.model_fields))


def test_envelope_is_cloudevents_en_subject_eindigt_op_gemeente():
    data = MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op="2026-11-23T10:00:00Z", team_id="x")
    e = maak_event(data, service="intake", gemeente="GM0637", subject="s", correlatieid="c")
    ruw = e.model_dump(mode="json")
    assert ruw["specversion"] == "1.0"
    assert ruw["source"] == "urn:nld:gemeente:GM0637:systeem:intake"
    assert ruw["type"] == "nl.sociaal-domein.meldingen.melding-opgepakt"
    assert e.nats_subject == "toegang.meldingen.opgepakt.GM0637"
    terug = lees_event(e.model_dump_json())
    assert terug == e and isinstance(terug.data, MeldingOpgepakt)


def test_onbekend_veld_in_data_wordt_geweigerd():
    data = MeldingOpgepakt(melding_id=uuid.uuid4(), opgepakt_op="2026-11-23T10:00:00Z", team_id="x")
    ruw = maak_event(data, service="intake", gemeente="GM0637", subject="s", correlatieid="c").model_dump(mode="json")
    ruw["data"]["bsn"] = "111222333"
    import json

    with pytest.raises(ValidationError):
        lees_event(json.dumps(ruw))
