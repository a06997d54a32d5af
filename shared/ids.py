"""Random identifiers (UUID version 4) and nonces.

`uuid.uuid4()` asks the kernel for 16 random bytes per call; taking a signal in makes three or four
ids and a nonce, and at tens of thousands of signals the system calls showed up in the profile. Same
source (os.urandom), read 64 KiB at a time.
"""

from __future__ import annotations

import os
import uuid

_BLOK = 16 * 4096
_buffer = memoryview(b"")
_plek = 0


def willekeurig(n: int) -> bytes:
    """n bytes from os.urandom, each byte handed out once."""
    global _buffer, _plek
    if _plek + n > len(_buffer):
        _buffer, _plek = memoryview(os.urandom(_BLOK)), 0
    stuk = _buffer[_plek : _plek + n].tobytes()
    _plek += n
    return stuk


def nieuw_id() -> uuid.UUID:
    return uuid.UUID(bytes=willekeurig(16), version=4)
