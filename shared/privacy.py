"""Pseudonyms and personal data at rest (CONTRACT.md, "Identity and privacy").

`persoon_sleutel` and `adres_sleutel` are keyed HMAC-SHA256 hashes: the same person gives the same key
in every service, and without the key nobody can go back from the key to the BSN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.ids import willekeurig


def elfproef(bsn: str) -> bool:
    """The BSN check: 9 digits, sum of digit * (9..2) minus the last digit is a multiple of 11."""
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    cijfers = [int(c) for c in bsn]
    som = sum(c * w for c, w in zip(cijfers[:8], range(9, 1, -1), strict=False)) - cijfers[8]
    return som % 11 == 0


def _hmac(sleutel: bytes, tekst: str) -> str:
    return hmac.new(sleutel, tekst.encode("utf-8"), hashlib.sha256).hexdigest()


def normaliseer_postcode(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


def persoon_sleutel_bsn(sleutel: bytes, bsn: str) -> str:
    return _hmac(sleutel, f"bsn:{bsn}")


def persoon_sleutel_ngp(sleutel: bytes, naam: str, geboortedatum: date, postcode: str, huisnummer: int | str) -> str:
    """Without a BSN: name, birth date and address. A weaker key (typos, moves): flag it as such."""
    return _hmac(
        sleutel, f"ngp:{naam.strip().lower()}|{geboortedatum.isoformat()}|{normaliseer_postcode(postcode)}|{huisnummer}"
    )


def adres_sleutel(sleutel: bytes, postcode: str, huisnummer: int | str, toevoeging: str | None) -> str:
    return _hmac(sleutel, f"{normaliseer_postcode(postcode)}|{huisnummer}|{(toevoeging or '').strip().upper()}")


class Kluis:
    """Encrypts personal data at rest with a key from the environment.

    AES-256-GCM (authenticated), the key derived with HKDF from the configured Fernet-format key, a fresh
    96-bit nonce per value; stored as version byte + nonce + ciphertext. Values written before this
    version are Fernet tokens (AES-128-CBC + HMAC); they still decrypt. Fernet cost 18% of the CPU of
    taking a signal in, AES-GCM with one reused key object a fraction of that (decision 0010).
    """

    _GCM = b"\x01"

    def __init__(self, sleutel: str):
        self._fernet = Fernet(sleutel.encode())
        ruw = base64.urlsafe_b64decode(sleutel.encode())
        afgeleid = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"integrale-toegang kluis aes-256-gcm"
        ).derive(ruw)
        self._aead = AESGCM(afgeleid)

    def versleutel(self, tekst: str | None) -> bytes | None:
        if tekst is None:
            return None
        nonce = willekeurig(12)
        return self._GCM + nonce + self._aead.encrypt(nonce, tekst.encode("utf-8"), None)

    def ontsleutel(self, data: bytes | None) -> str | None:
        if data is None:
            return None
        data = bytes(data)
        if data[:1] == self._GCM:
            return self._aead.decrypt(data[1:13], data[13:], None).decode("utf-8")
        return self._fernet.decrypt(data).decode("utf-8")

    @staticmethod
    def nieuwe_sleutel() -> str:
        return Fernet.generate_key().decode()
