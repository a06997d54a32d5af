"""Random identifiers (UUID version 4) for meldingen, signals, casussen and events.

`uuid.uuid4()` asks the kernel for 16 random bytes per call; taking a signal in makes three or four
ids, and at tens of thousands of signals the system calls showed up in the profile. Same source
(os.urandom), read 64 KiB at a time.
"""

from __future__ import annotations

import os
import uuid

_BLOK = 16 * 4096
_buffer = memoryview(b"")
_plek = 0


def nieuw_id() -> uuid.UUID:
    global _buffer, _plek
    if _plek >= len(_buffer):
        _buffer, _plek = memoryview(os.urandom(_BLOK)), 0
    stuk = _buffer[_plek:_plek + 16].tobytes()
    _plek += 16
    return uuid.UUID(bytes=stuk, version=4)
