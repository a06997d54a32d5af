import hashlib
import hmac
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from shared.ids import nieuw_id
from shared.privacy import Kluis, adres_sleutel, elfproef, persoon_sleutel_bsn, persoon_sleutel_ngp
from tests.support.gegevens import geldig_bsn

SLEUTEL = b"test-sleutel-van-minstens-16-tekens"


def test_elfproef_bekende_nummers():
    assert elfproef("111222333")
    assert elfproef("123456782")
    assert not elfproef("123456789")
    assert not elfproef("12345678")
    assert not elfproef("12345678a")
    assert not elfproef("000000000")


@given(st.randoms(use_true_random=False))
def test_elfproef_aanvaardt_gegenereerde_en_weigert_een_gewijzigd_cijfer(rng):
    bsn = geldig_bsn(rng)
    assert elfproef(bsn)
    positie = rng.randrange(9)
    ander = str((int(bsn[positie]) + rng.randint(1, 9)) % 10)
    # Changing one digit changes the weighted sum by w*delta, never a multiple of 11 for w in 1..9.
    assert not elfproef(bsn[:positie] + ander + bsn[positie + 1 :])


def test_persoon_sleutel_is_hmac_over_bsn_zoals_het_contract_zegt():
    verwacht = hmac.new(SLEUTEL, b"bsn:111222333", hashlib.sha256).hexdigest()
    assert persoon_sleutel_bsn(SLEUTEL, "111222333") == verwacht
    assert persoon_sleutel_bsn(b"andere-sleutel-0123456789", "111222333") != verwacht


def test_persoon_sleutel_zonder_bsn_normaliseert_naam_en_postcode():
    a = persoon_sleutel_ngp(SLEUTEL, "Jan Jansen", date(1950, 1, 2), "2264 ab", 12)
    b = persoon_sleutel_ngp(SLEUTEL, " jan jansen", date(1950, 1, 2), "2264AB", "12")
    assert a == b
    assert a == hmac.new(SLEUTEL, b"ngp:jan jansen|1950-01-02|2264AB|12", hashlib.sha256).hexdigest()


def test_adres_sleutel_normaliseert_postcode_en_toevoeging():
    assert adres_sleutel(SLEUTEL, "2264 ab", 12, "a") == adres_sleutel(SLEUTEL, "2264AB", "12", "A")
    assert adres_sleutel(SLEUTEL, "2264AB", 12, None) == hmac.new(SLEUTEL, b"2264AB|12|", hashlib.sha256).hexdigest()
    assert adres_sleutel(SLEUTEL, "2264AB", 12, "A") != adres_sleutel(SLEUTEL, "2264AB", 12, None)


def test_kluis_versleutelt_en_ontsleutelt():
    kluis = Kluis(Kluis.nieuwe_sleutel())
    geheim = kluis.versleutel("BSN 111222333")
    assert b"111222333" not in geheim
    assert kluis.ontsleutel(geheim) == "BSN 111222333"
    assert kluis.versleutel(None) is None


def test_kluis_leest_oude_fernet_waarden_en_weigert_geknoeide_of_vreemde():
    sleutel = Kluis.nieuwe_sleutel()
    kluis = Kluis(sleutel)
    oud = Fernet(sleutel.encode()).encrypt(b"naam: J. Jansen")  # written before AES-GCM
    assert kluis.ontsleutel(oud) == "naam: J. Jansen"
    nieuw = kluis.versleutel("naam: J. Jansen")
    assert nieuw[:1] == b"\x01" and nieuw != kluis.versleutel("naam: J. Jansen")  # a fresh nonce each time
    geknoeid = nieuw[:-1] + bytes([nieuw[-1] ^ 1])
    with pytest.raises(InvalidTag):
        kluis.ontsleutel(geknoeid)
    with pytest.raises(InvalidTag):
        Kluis(Kluis.nieuwe_sleutel()).ontsleutel(nieuw)


def test_ids_zijn_uuid4_en_uniek():
    ids = [nieuw_id() for _ in range(20_000)]  # more than one buffer of random bytes
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {4}
