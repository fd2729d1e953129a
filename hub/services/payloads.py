"""Raw payloads as kept: gzip-compressed, with the SHA-256 of the bytes as received.

``TeeReader`` hashes and compresses a body while the CSV parser streams it, so a large
upload is held once (compressed) rather than read into memory and then parsed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from typing import IO, Any

# Level 1: payloads are kept for audit and replay, rarely read; speed of the push matters more.
LEVEL = 1
GZIP_WBITS = 31
CHUNK = 65536


def pack(payload: bytes) -> tuple[bytes, str]:
    """The compressed payload and the hex SHA-256 of the original bytes."""
    return gzip.compress(payload, compresslevel=LEVEL, mtime=0), hashlib.sha256(payload).hexdigest()


def unpack(stored: bytes) -> bytes:
    return gzip.decompress(stored)


class TeeReader(io.RawIOBase):
    """A binary reader that compresses and hashes what passes through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream
        self._sha = hashlib.sha256()
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WBITS)
        self._chunks: list[bytes] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        if data:
            self._sha.update(data)
            self._chunks.append(self._compressor.compress(data))
            buffer[: len(data)] = data
        return len(data)

    def text(self) -> io.TextIOWrapper:
        """The stream decoded as UTF-8 (a leading byte-order mark is dropped), for ``csv``."""
        return io.TextIOWrapper(io.BufferedReader(self, CHUNK), encoding="utf-8-sig", newline="")

    def drain(self) -> None:
        buffer = bytearray(CHUNK)
        while self.readinto(buffer):
            pass

    def packed(self) -> tuple[bytes, str]:
        """Everything read so far, compressed, and its SHA-256; call once, at the end."""
        self._chunks.append(self._compressor.flush())
        return b"".join(self._chunks), self._sha.hexdigest()
