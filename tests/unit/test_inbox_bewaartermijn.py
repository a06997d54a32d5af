"""Inbox retention follows the topology (decision 0014), and every service runs the pruning job."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from shared.migrations import SERVICES
from shared.service import platform_taken
from shared.settings import Instellingen
from shared.topology import INBOX_MARGE_DAGEN, STREAMS, consumers_van, inbox_bewaartermijn


@pytest.mark.parametrize("service", SERVICES)
def test_bewaartermijn_is_de_langste_max_age_van_de_gelezen_streams_plus_marge(service):
    max_age = {s.name: s.max_age_days for s in STREAMS}
    langste = max(max_age[c.stream] for c in consumers_van(service))
    assert inbox_bewaartermijn(service) == timedelta(days=langste + INBOX_MARGE_DAGEN)
    # Never shorter than any stream it reads: a redelivery or replay from there must find its row.
    assert all(inbox_bewaartermijn(service) > timedelta(days=max_age[c.stream]) for c in consumers_van(service))


def test_signalering_houdt_de_rijen_zo_lang_als_toegang_plannen_niet_partner_signalen():
    # It reads PARTNER_SIGNALEN (30 days) and TOEGANG_PLANNEN (365): the longer one counts.
    assert inbox_bewaartermijn("signalering") == timedelta(days=365 + INBOX_MARGE_DAGEN)


@pytest.mark.parametrize("service", SERVICES)
def test_elke_service_draait_het_opschonen_met_het_ingestelde_interval(service, monkeypatch):
    monkeypatch.setenv("TOEGANG_INBOX_OPSCHONEN_INTERVAL_S", "60")
    instellingen = Instellingen(DATABASE_URL="postgresql+asyncpg://x/y", TOEGANG_PSEUDONIEM_SLEUTEL="x" * 32)
    definitie = importlib.import_module(f"services.{service}.app").DEFINITIE
    taken = {t.naam: t for t in platform_taken(definitie, instellingen)}
    assert taken["inbox-opschonen"].interval_s == 60
    assert all(t.naam in taken for t in definitie.taken)  # its own jobs still run
