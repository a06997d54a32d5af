"""Pseudonyms and personal data at rest (CONTRACT.md, "Identity and privacy").

`persoon_sleutel` and `adres_sleutel` are keyed HMAC-SHA256 hashes: the same person gives the same key
in every service, and without the key nobody can go back from the key to the BSN.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from cryptography.fernet import Fernet


def elfproef(bsn: str) -> bool:
    """The BSN check: 9 digits, sum of digit * (9..2) minus the last digit is a multiple of 11."""
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    cijfers = [int(c) for c in bsn]
    som = sum(c * w for c, w in zip(cijfers[:8], range(9, 1, -1))) - cijfers[8]
    return som % 11 == 0


def _hmac(sleutel: bytes, tekst: str) -> str:
    return hmac.new(sleutel, tekst.encode("utf-8"), hashlib.sha256).hexdigest()


def normaliseer_postcode(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


def persoon_sleutel_bsn(sleutel: bytes, bsn: str) -> str:
    return _hmac(sleutel, f"bsn:{bsn}")


def persoon_sleutel_ngp(sleutel: bytes, naam: str, geboortedatum: date, postcode: str, huisnummer: int | str) -> str:
    """Without a BSN: name, birth date and address. A weaker key (typos, moves): flag it as such."""
    return _hmac(sleutel, f"ngp:{naam.strip().lower()}|{geboortedatum.isoformat()}|"
                          f"{normaliseer_postcode(postcode)}|{huisnummer}")


def adres_sleutel(sleutel: bytes, postcode: str, huisnummer: int | str, toevoeging: str | None) -> str:
    return _hmac(sleutel, f"{normaliseer_postcode(postcode)}|{huisnummer}|{(toevoeging or '').strip().upper()}")


class Kluis:
    """Encrypts personal data at rest (Fernet: AES-128-CBC with HMAC) with a key from the environment."""

    def __init__(self, sleutel: str):
        self._fernet = Fernet(sleutel.encode())

    def versleutel(self, tekst: str | None) -> bytes | None:
        return None if tekst is None else self._fernet.encrypt(tekst.encode("utf-8"))

    def ontsleutel(self, data: bytes | None) -> str | None:
        return None if data is None else self._fernet.decrypt(data).decode("utf-8")

    @staticmethod
    def nieuwe_sleutel() -> str:
        return Fernet.generate_key().decode()
