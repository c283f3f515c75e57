"""The encrypted backup file: AES-256-GCM in chunks, streamed, with nothing left out unseen.

Layout: ``MAGIC``, a 4-byte length and a JSON header (format, engine, time, nonce prefix);
then records, each a flag byte (1 on the last record), a 4-byte length and the ciphertext
with its tag. Record *i* is sealed with the nonce ``prefix (8 bytes) ‖ i (4 bytes)`` and the
header, *i* and the flag as associated data, so a record cannot be changed, dropped,
reordered or moved to another file, and a file cut short has no last record. Record 0 holds
the backup's own description (row counts, audit head); the rest is the database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TOMONI-BACKUP\x00v1\n"
CHUNK = 1 << 20


class BackupError(Exception):
    """Anything wrong with a key or a backup file; the message is for the operator."""


def new_key_file(path: Path) -> None:
    """A fresh 256-bit key, base64 on one line, readable by its owner only."""
    if path.exists():
        raise BackupError(f"{path} は既にあります(鍵は上書きしません)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_bytes().strip()
    except OSError as error:
        raise BackupError(f"鍵ファイル {path} を読めません: {error.strerror}") from error
    try:
        key = base64.urlsafe_b64decode(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(f"鍵ファイル {path} は 256 ビットの鍵ではありません")
    return key


class EncryptedWriter:
    def __init__(self, out: BinaryIO, key: bytes, header: dict[str, Any]) -> None:
        self._out = out
        self._aead = AESGCM(key)
        self._prefix = secrets.token_bytes(8)
        body = json.dumps({**header, "nonce_prefix": self._prefix.hex()}).encode()
        self._header = MAGIC + struct.pack(">I", len(body)) + body
        out.write(self._header)
        self._index = 0
        self._buffer = bytearray()

    def _record(self, payload: bytes, final: bool) -> None:
        if self._index >= 2**32:
            raise BackupError("バックアップが大きすぎます")
        nonce = self._prefix + struct.pack(">I", self._index)
        aad = self._header + struct.pack(">QB", self._index, final)
        sealed = self._aead.encrypt(nonce, payload, aad)
        self._out.write(struct.pack(">BI", final, len(sealed)) + sealed)
        self._index += 1

    def write_record(self, payload: bytes) -> None:
        """One record on its own (the description, record 0)."""
        self._record(payload, False)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._record(bytes(self._buffer[:CHUNK]), False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        self._record(bytes(self._buffer), True)
        self._buffer.clear()
        self._out.flush()


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError("バックアップファイルが途中で切れています")
    return data


def read_records(source: BinaryIO, key: bytes) -> tuple[dict[str, Any], Iterator[bytes]]:
    """The header, and the records' plaintext in order (checked one by one as they come)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("Tomoni のバックアップファイルではありません")
    (length,) = struct.unpack(">I", _read_exactly(source, 4))
    if length > 1 << 16:
        raise BackupError("バックアップファイルの見出しが壊れています")
    body = _read_exactly(source, length)
    try:
        header = json.loads(body)
        prefix = bytes.fromhex(header["nonce_prefix"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("バックアップファイルの見出しが壊れています") from error
    aad_head = MAGIC + struct.pack(">I", length) + body
    aead = AESGCM(key)

    def records() -> Iterator[bytes]:
        index = 0
        while True:
            final, size = struct.unpack(">BI", _read_exactly(source, 5))
            if size > CHUNK + 64 or final not in (0, 1):
                raise BackupError("バックアップファイルが壊れています")
            sealed = _read_exactly(source, size)
            nonce = prefix + struct.pack(">I", index)
            try:
                plain = aead.decrypt(nonce, sealed, aad_head + struct.pack(">QB", index, final))
            except InvalidTag as error:
                raise BackupError(
                    "復号できません: 鍵が違うか、ファイルが壊れているか書き換えられています"
                ) from error
            yield plain
            index += 1
            if final:
                if source.read(1):
                    raise BackupError("バックアップファイルの最後に余分なデータがあります")
                return

    return header, records()
